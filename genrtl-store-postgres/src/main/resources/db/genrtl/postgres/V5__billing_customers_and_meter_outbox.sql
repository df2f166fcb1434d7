-- genRTL schema v5 (PostgreSQL): users' customers at payment providers, and the meter outbox of on-demand usage.
-- Keep the version numbers and descriptions identical to the SQLite migrations.

-- One row per (user, provider). customer_id is NULL while the first caller that claimed the row (claim_token) creates
-- the customer at the provider; a provider's customer id belongs to one user (NULLs do not collide).
CREATE TABLE billing_customers (
  user_id     TEXT COLLATE "C" NOT NULL REFERENCES users (user_id),
  provider    TEXT   NOT NULL CHECK (provider IN ('stripe', 'creem')),
  customer_id TEXT COLLATE "C",
  claim_token TEXT,
  claimed_at  BIGINT NOT NULL,
  created_at  BIGINT NOT NULL,
  PRIMARY KEY (user_id, provider),
  UNIQUE (provider, customer_id)
);

-- One row per on-demand usage ledger row, inserted in the ledger row's transaction; identifier = 'genrtl-od-' || entry_id.
CREATE TABLE meter_outbox (
  entry_id        TEXT COLLATE "C" NOT NULL PRIMARY KEY REFERENCES usage_ledger (entry_id),
  identifier      TEXT COLLATE "C" NOT NULL UNIQUE,
  user_id         TEXT COLLATE "C" NOT NULL REFERENCES users (user_id),
  customer_id     TEXT,
  usd_micros      BIGINT NOT NULL CHECK (usd_micros > 0),
  ts              BIGINT NOT NULL,
  status          TEXT   NOT NULL CHECK (status IN ('pending', 'reported', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  reported_at     BIGINT,
  last_error      TEXT
);
CREATE INDEX meter_outbox_due ON meter_outbox (status, next_attempt_at);
