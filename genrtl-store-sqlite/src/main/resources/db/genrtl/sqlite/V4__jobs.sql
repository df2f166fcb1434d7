-- genRTL schema v4 (SQLite): persisted jobs and their event streams.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

CREATE TABLE jobs (
  job_id           TEXT    NOT NULL PRIMARY KEY,
  user_id          TEXT    NOT NULL REFERENCES users (user_id),
  tenant_id        TEXT    NOT NULL,
  workspace_id     TEXT,
  type             TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'canceled')),
  input            TEXT    NOT NULL,
  result           TEXT,
  error_code       TEXT,
  error_message    TEXT,
  idempotency_key  TEXT,
  hold_id          TEXT,
  worker           TEXT,
  lease_until      INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);
CREATE INDEX jobs_queue ON jobs (status, job_id);
CREATE INDEX jobs_workspace ON jobs (workspace_id, job_id);
CREATE INDEX jobs_lease ON jobs (status, lease_until);

CREATE TABLE job_events (
  job_id TEXT    NOT NULL REFERENCES jobs (job_id),
  seq    INTEGER NOT NULL,
  name   TEXT    NOT NULL,
  data   TEXT    NOT NULL,
  at     INTEGER NOT NULL,
  PRIMARY KEY (job_id, seq)
);
