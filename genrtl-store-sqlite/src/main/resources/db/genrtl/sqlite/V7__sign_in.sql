-- genRTL schema v7 (sqlite): sign-in. Identities link (provider, subject) to users; sessions, logins in progress,
-- device authorizations (RFC 8628) and loopback codes (RFC 8252). Session tokens, device codes, loopback codes and
-- login states are stored only as SHA-256 hex; a login's nonce and PKCE verifier are kept until its callback. Keep the version numbers and descriptions identical to the other dialect's migrations.

CREATE TABLE auth_identities (
  provider    TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  user_id     TEXT    NOT NULL REFERENCES users (user_id),
  email       TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (provider, subject)
);
CREATE INDEX auth_identities_user ON auth_identities (user_id);

CREATE TABLE auth_sessions (
  session_id            TEXT    NOT NULL PRIMARY KEY,
  user_id               TEXT    NOT NULL REFERENCES users (user_id),
  provider              TEXT    NOT NULL,
  access_hash           TEXT    NOT NULL,
  access_expires_at     INTEGER NOT NULL,
  refresh_hash          TEXT    NOT NULL,
  previous_refresh_hash TEXT,
  refresh_expires_at    INTEGER NOT NULL,
  created_at            INTEGER NOT NULL,
  revoked_at            INTEGER
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE auth_login_states (
  state_hash        TEXT    NOT NULL PRIMARY KEY,
  provider          TEXT    NOT NULL,
  nonce             TEXT    NOT NULL,
  code_verifier     TEXT    NOT NULL,
  return_to         TEXT,
  loopback_redirect TEXT,
  client_challenge  TEXT,
  client_state      TEXT,
  client_id         TEXT,
  created_at        INTEGER NOT NULL,
  expires_at        INTEGER NOT NULL
);
CREATE INDEX auth_login_states_expiry ON auth_login_states (expires_at);

CREATE TABLE auth_devices (
  device_id        TEXT    NOT NULL PRIMARY KEY,
  device_code_hash TEXT    NOT NULL UNIQUE,
  user_code        TEXT    NOT NULL UNIQUE,
  client_id        TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
  interval_seconds INTEGER NOT NULL,
  last_polled_at   INTEGER,
  user_id          TEXT    REFERENCES users (user_id),
  key_id           TEXT    REFERENCES api_keys (key_id),
  created_at       INTEGER NOT NULL,
  expires_at       INTEGER NOT NULL
);
CREATE INDEX auth_devices_expiry ON auth_devices (expires_at);

CREATE TABLE auth_loopback_codes (
  code_hash      TEXT    NOT NULL PRIMARY KEY,
  user_id        TEXT    NOT NULL REFERENCES users (user_id),
  client_id      TEXT    NOT NULL,
  redirect_uri   TEXT    NOT NULL,
  code_challenge TEXT    NOT NULL,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL
);
CREATE INDEX auth_loopback_codes_expiry ON auth_loopback_codes (expires_at);
