-- genRTL schema v5 (SQLite): users' customers at payment providers, and the meter outbox of on-demand usage.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- One row per (user, provider). customer_id is NULL while the first caller that claimed the row (claim_token) creates
-- the customer at the provider; a provider's customer id belongs to one user (NULLs do not collide).
CREATE TABLE billing_customers (
  user_id     TEXT    NOT NULL REFERENCES users (user_id),
  provider    TEXT    NOT NULL CHECK (provider IN ('stripe', 'creem')),
  customer_id TEXT,
  claim_token TEXT,
  claimed_at  INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  PRIMARY KEY (user_id, provider),
  UNIQUE (provider, customer_id)
);

-- One row per on-demand usage ledger row, inserted in the ledger row's transaction; identifier = 'genrtl-od-' || entry_id.
CREATE TABLE meter_outbox (
  entry_id        TEXT    NOT NULL PRIMARY KEY REFERENCES usage_ledger (entry_id),
  identifier      TEXT    NOT NULL UNIQUE,
  user_id         TEXT    NOT NULL REFERENCES users (user_id),
  customer_id     TEXT,
  usd_micros      INTEGER NOT NULL CHECK (usd_micros > 0),
  ts              INTEGER NOT NULL,
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'reported', 'skipped')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  reported_at     INTEGER,
  last_error      TEXT
);
CREATE INDEX meter_outbox_due ON meter_outbox (status, next_attempt_at);
