-- genRTL schema v6 (SQLite): the append-only audit log.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- Who (actor_*; NULL for the system), what (action, target, details JSON), when (at), from where (ip, user agent,
-- request id). tenant_id is the tenant the entry belongs to: tenant admins read their tenant's entries.
CREATE TABLE audit_log (
  entry_id     TEXT    NOT NULL PRIMARY KEY,
  at           INTEGER NOT NULL,
  actor_user_id TEXT,
  actor_role   TEXT,
  actor_key_id TEXT,
  tenant_id    TEXT,
  action       TEXT    NOT NULL,
  target_type  TEXT,
  target_id    TEXT,
  details      TEXT    NOT NULL,
  ip           TEXT,
  user_agent   TEXT,
  request_id   TEXT
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, entry_id);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, entry_id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, entry_id);
CREATE INDEX audit_log_action ON audit_log (action, entry_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
