-- genRTL schema v2 (PostgreSQL): the USD pool, the append-only usage ledger, grants, holds, idempotency keys, alerts.
-- Money is integer micro-USD. Keep the version numbers and descriptions identical to the SQLite migrations.

CREATE TABLE pool_accounts (
  user_id                 TEXT COLLATE "C"    NOT NULL PRIMARY KEY REFERENCES users (user_id),
  tenant_id               TEXT COLLATE "C"    NOT NULL REFERENCES tenants (tenant_id),
  included_micros         BIGINT NOT NULL CHECK (included_micros >= 0),
  credits_micros          BIGINT NOT NULL CHECK (credits_micros >= 0),
  on_demand_spent_micros  BIGINT NOT NULL CHECK (on_demand_spent_micros >= 0),
  on_demand_limit_micros  BIGINT NOT NULL CHECK (on_demand_limit_micros >= 0),
  holds_micros            BIGINT NOT NULL CHECK (holds_micros >= 0),
  included_granted_micros BIGINT NOT NULL CHECK (included_granted_micros >= 0),
  period_start            BIGINT NOT NULL,
  period_end              BIGINT NOT NULL,
  -- the split of the last debit, returned by the debit statement itself (see PoolJdbc)
  last_included_taken     BIGINT NOT NULL DEFAULT 0,
  last_credits_taken      BIGINT NOT NULL DEFAULT 0,
  last_on_demand_taken    BIGINT NOT NULL DEFAULT 0,
  updated_at              BIGINT NOT NULL,
  CHECK (period_end > period_start)
);

CREATE TABLE usage_ledger (
  entry_id            TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id             TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  tenant_id           TEXT COLLATE "C"    NOT NULL,
  ts                  BIGINT NOT NULL,
  kind                TEXT    NOT NULL CHECK (kind IN ('llm', 'cbb', 'tool', 'refund')),
  bucket              TEXT    NOT NULL CHECK (bucket IN ('included', 'credits', 'on_demand')),
  usd_micros          BIGINT NOT NULL,
  call_id             TEXT COLLATE "C"    NOT NULL,
  period_start        BIGINT NOT NULL,
  job_id              TEXT,
  step_id             TEXT,
  workspace_id        TEXT,
  provider            TEXT,
  model               TEXT,
  input_tokens        BIGINT NOT NULL DEFAULT 0,
  output_tokens       BIGINT NOT NULL DEFAULT 0,
  cached_input_tokens BIGINT NOT NULL DEFAULT 0,
  cache_write_tokens  BIGINT NOT NULL DEFAULT 0,
  cbb_id              TEXT,
  cbb_version         TEXT,
  cbb_price_micros    BIGINT,
  receipt_id          TEXT,
  idempotency_key     TEXT,
  refund_of           TEXT COLLATE "C" REFERENCES usage_ledger (entry_id),
  overrun             SMALLINT NOT NULL DEFAULT 0,
  note                TEXT,
  CHECK ((kind = 'refund') = (usd_micros < 0) OR usd_micros = 0),
  CHECK ((kind = 'refund') = (refund_of IS NOT NULL))
);
CREATE INDEX usage_ledger_user ON usage_ledger (user_id, entry_id);
CREATE INDEX usage_ledger_user_ts ON usage_ledger (user_id, ts);
CREATE INDEX usage_ledger_call ON usage_ledger (user_id, call_id);
CREATE INDEX usage_ledger_period ON usage_ledger (user_id, period_start, bucket);
CREATE INDEX usage_ledger_refund_of ON usage_ledger (refund_of);
CREATE FUNCTION genrtl_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER usage_ledger_append_only BEFORE UPDATE OR DELETE ON usage_ledger
  FOR EACH ROW EXECUTE FUNCTION genrtl_append_only();

CREATE TABLE grants (
  grant_id      TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id       TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  bucket        TEXT    NOT NULL CHECK (bucket IN ('included', 'credits')),
  amount_micros BIGINT NOT NULL CHECK (amount_micros >= 0),
  period_start  BIGINT NOT NULL,
  kind          TEXT    NOT NULL,
  source_key    TEXT    NOT NULL,
  created_at    BIGINT NOT NULL,
  actor_user_id TEXT,
  reason        TEXT,
  UNIQUE (user_id, source_key)
);
CREATE INDEX grants_user_period ON grants (user_id, bucket, period_start);
CREATE TRIGGER grants_append_only BEFORE UPDATE OR DELETE ON grants
  FOR EACH ROW EXECUTE FUNCTION genrtl_append_only();

CREATE TABLE holds (
  hold_id         TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  amount_micros   BIGINT NOT NULL CHECK (amount_micros > 0),
  status          TEXT    NOT NULL CHECK (status IN ('active', 'settled', 'voided', 'expired')),
  created_at      BIGINT NOT NULL,
  expires_at      BIGINT NOT NULL,
  idempotency_key TEXT,
  job_id          TEXT,
  step_id         TEXT,
  workspace_id    TEXT,
  call_id         TEXT,
  closed_at       BIGINT
);
CREATE INDEX holds_expiry ON holds (status, expires_at);
CREATE INDEX holds_user ON holds (user_id, status);

CREATE TABLE idempotency_keys (
  user_id     TEXT COLLATE "C"    NOT NULL,
  operation   TEXT    NOT NULL,
  idem_key    TEXT    NOT NULL,
  fingerprint TEXT    NOT NULL,
  result_ref  TEXT,
  result_data TEXT,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (user_id, operation, idem_key)
);

CREATE TABLE spend_alerts (
  alert_id          TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id           TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  alert_key         TEXT    NOT NULL,
  period_start      BIGINT NOT NULL,
  kind              TEXT    NOT NULL CHECK (kind IN ('included', 'on_demand', 'overrun')),
  threshold_percent INTEGER NOT NULL,
  amount_micros     BIGINT NOT NULL,
  limit_micros      BIGINT NOT NULL,
  entry_id          TEXT,
  created_at        BIGINT NOT NULL,
  UNIQUE (user_id, alert_key)
);
CREATE INDEX spend_alerts_user ON spend_alerts (user_id, alert_id);
