-- genRTL schema v2 (SQLite): the USD pool, the append-only usage ledger, grants, holds, idempotency keys, alerts.
-- Money is integer micro-USD. Keep the version numbers and descriptions identical to the PostgreSQL migrations.

CREATE TABLE pool_accounts (
  user_id                 TEXT    NOT NULL PRIMARY KEY REFERENCES users (user_id),
  tenant_id               TEXT    NOT NULL REFERENCES tenants (tenant_id),
  included_micros         INTEGER NOT NULL CHECK (included_micros >= 0),
  credits_micros          INTEGER NOT NULL CHECK (credits_micros >= 0),
  on_demand_spent_micros  INTEGER NOT NULL CHECK (on_demand_spent_micros >= 0),
  on_demand_limit_micros  INTEGER NOT NULL CHECK (on_demand_limit_micros >= 0),
  holds_micros            INTEGER NOT NULL CHECK (holds_micros >= 0),
  included_granted_micros INTEGER NOT NULL CHECK (included_granted_micros >= 0),
  period_start            INTEGER NOT NULL,
  period_end              INTEGER NOT NULL,
  -- the split of the last debit, returned by the debit statement itself (see PoolJdbc)
  last_included_taken     INTEGER NOT NULL DEFAULT 0,
  last_credits_taken      INTEGER NOT NULL DEFAULT 0,
  last_on_demand_taken    INTEGER NOT NULL DEFAULT 0,
  updated_at              INTEGER NOT NULL,
  CHECK (period_end > period_start)
);

CREATE TABLE usage_ledger (
  entry_id            TEXT    NOT NULL PRIMARY KEY,
  user_id             TEXT    NOT NULL REFERENCES users (user_id),
  tenant_id           TEXT    NOT NULL,
  ts                  INTEGER NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('llm', 'cbb', 'tool', 'refund')),
  bucket              TEXT    NOT NULL CHECK (bucket IN ('included', 'credits', 'on_demand')),
  usd_micros          INTEGER NOT NULL,
  call_id             TEXT    NOT NULL,
  period_start        INTEGER NOT NULL,
  job_id              TEXT,
  step_id             TEXT,
  workspace_id        TEXT,
  provider            TEXT,
  model               TEXT,
  input_tokens        INTEGER NOT NULL DEFAULT 0,
  output_tokens       INTEGER NOT NULL DEFAULT 0,
  cached_input_tokens INTEGER NOT NULL DEFAULT 0,
  cache_write_tokens  INTEGER NOT NULL DEFAULT 0,
  cbb_id              TEXT,
  cbb_version         TEXT,
  cbb_price_micros    INTEGER,
  receipt_id          TEXT,
  idempotency_key     TEXT,
  refund_of           TEXT REFERENCES usage_ledger (entry_id),
  overrun             INTEGER NOT NULL DEFAULT 0,
  note                TEXT,
  CHECK ((kind = 'refund') = (usd_micros < 0) OR usd_micros = 0),
  CHECK ((kind = 'refund') = (refund_of IS NOT NULL))
);
CREATE INDEX usage_ledger_user ON usage_ledger (user_id, entry_id);
CREATE INDEX usage_ledger_user_ts ON usage_ledger (user_id, ts);
CREATE INDEX usage_ledger_call ON usage_ledger (user_id, call_id);
CREATE INDEX usage_ledger_period ON usage_ledger (user_id, period_start, bucket);
CREATE INDEX usage_ledger_refund_of ON usage_ledger (refund_of);
CREATE TRIGGER usage_ledger_no_update BEFORE UPDATE ON usage_ledger
BEGIN SELECT RAISE(ABORT, 'usage_ledger is append-only'); END;
CREATE TRIGGER usage_ledger_no_delete BEFORE DELETE ON usage_ledger
BEGIN SELECT RAISE(ABORT, 'usage_ledger is append-only'); END;

CREATE TABLE grants (
  grant_id      TEXT    NOT NULL PRIMARY KEY,
  user_id       TEXT    NOT NULL REFERENCES users (user_id),
  bucket        TEXT    NOT NULL CHECK (bucket IN ('included', 'credits')),
  amount_micros INTEGER NOT NULL CHECK (amount_micros >= 0),
  period_start  INTEGER NOT NULL,
  kind          TEXT    NOT NULL,
  source_key    TEXT    NOT NULL,
  created_at    INTEGER NOT NULL,
  actor_user_id TEXT,
  reason        TEXT,
  UNIQUE (user_id, source_key)
);
CREATE INDEX grants_user_period ON grants (user_id, bucket, period_start);
CREATE TRIGGER grants_no_update BEFORE UPDATE ON grants
BEGIN SELECT RAISE(ABORT, 'grants are append-only'); END;
CREATE TRIGGER grants_no_delete BEFORE DELETE ON grants
BEGIN SELECT RAISE(ABORT, 'grants are append-only'); END;

CREATE TABLE holds (
  hold_id         TEXT    NOT NULL PRIMARY KEY,
  user_id         TEXT    NOT NULL REFERENCES users (user_id),
  amount_micros   INTEGER NOT NULL CHECK (amount_micros > 0),
  status          TEXT    NOT NULL CHECK (status IN ('active', 'settled', 'voided', 'expired')),
  created_at      INTEGER NOT NULL,
  expires_at      INTEGER NOT NULL,
  idempotency_key TEXT,
  job_id          TEXT,
  step_id         TEXT,
  workspace_id    TEXT,
  call_id         TEXT,
  closed_at       INTEGER
);
CREATE INDEX holds_expiry ON holds (status, expires_at);
CREATE INDEX holds_user ON holds (user_id, status);

CREATE TABLE idempotency_keys (
  user_id     TEXT    NOT NULL,
  operation   TEXT    NOT NULL,
  idem_key    TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  result_ref  TEXT,
  result_data TEXT,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, operation, idem_key)
);

CREATE TABLE spend_alerts (
  alert_id          TEXT    NOT NULL PRIMARY KEY,
  user_id           TEXT    NOT NULL REFERENCES users (user_id),
  alert_key         TEXT    NOT NULL,
  period_start      INTEGER NOT NULL,
  kind              TEXT    NOT NULL CHECK (kind IN ('included', 'on_demand', 'overrun')),
  threshold_percent INTEGER NOT NULL,
  amount_micros     INTEGER NOT NULL,
  limit_micros      INTEGER NOT NULL,
  entry_id          TEXT,
  created_at        INTEGER NOT NULL,
  UNIQUE (user_id, alert_key)
);
CREATE INDEX spend_alerts_user ON spend_alerts (user_id, alert_id);
