-- genRTL schema v12 (SQLite): a cap on refused attempts per device authorization.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- Refused attempts per device authorization (issue "Security findings from a hostile review", Low): a decision on the
-- verification page that names the user code but is refused (not signed in, cross-site, a wrong CSRF token, no
-- approve/deny), or a token poll with the device code under another client id. The attempt that reaches the cap
-- (SignInService.MAX_DEVICE_ATTEMPTS) also expires the authorization, in the same UPDATE.
ALTER TABLE auth_devices ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
