-- genRTL schema v4 (PostgreSQL): persisted jobs and their event streams.
-- Keep the version numbers and descriptions identical to the SQLite migrations.

CREATE TABLE jobs (
  job_id           TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id          TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  tenant_id        TEXT COLLATE "C"    NOT NULL,
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
  lease_until      BIGINT NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  cancel_requested SMALLINT NOT NULL DEFAULT 0,
  created_at       BIGINT NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT
);
CREATE INDEX jobs_queue ON jobs (status, job_id);
CREATE INDEX jobs_workspace ON jobs (workspace_id, job_id);
CREATE INDEX jobs_lease ON jobs (status, lease_until);

CREATE TABLE job_events (
  job_id TEXT COLLATE "C"    NOT NULL REFERENCES jobs (job_id),
  seq    BIGINT NOT NULL,
  name   TEXT    NOT NULL,
  data   TEXT    NOT NULL,
  at     BIGINT NOT NULL,
  PRIMARY KEY (job_id, seq)
);
