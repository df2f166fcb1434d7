-- genRTL schema v9 (SQLite): durable delivery of spend alerts to the alert webhook.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- One row per spend alert to deliver, inserted in the transaction that records the alert when the library delivers
-- alerts (the host with GENRTL_ALERT_WEBHOOK_URL set). A deliverer claims due rows with a lease (lease_owner,
-- lease_until; next_attempt_at moves to the lease's end, so one condition finds what is due), POSTs them and marks
-- them delivered, or reschedules them with backoff, or gives up (failed). finished_at: when delivered or given up.
CREATE TABLE alert_deliveries (
  alert_id        TEXT    NOT NULL PRIMARY KEY REFERENCES spend_alerts (alert_id),
  status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  lease_owner     TEXT,
  lease_until     INTEGER,
  last_error      TEXT,
  finished_at     INTEGER,
  created_at      INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at, alert_id) WHERE status = 'pending';
