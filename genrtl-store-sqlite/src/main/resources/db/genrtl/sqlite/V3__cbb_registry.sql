-- genRTL schema v3 (SQLite): the CBB registry, receipts and ownership; installation values (signing key).
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

ALTER TABLE genrtl_meta ADD COLUMN value TEXT;

CREATE TABLE cbb_versions (
  cbb_id        TEXT    NOT NULL,
  version       TEXT    NOT NULL,
  name          TEXT    NOT NULL,
  description   TEXT    NOT NULL,
  tags          TEXT    NOT NULL,            -- newline-separated
  rtl_top       TEXT    NOT NULL,
  tb_top        TEXT    NOT NULL,
  filelist_rtl  TEXT    NOT NULL,
  filelist_tb   TEXT    NOT NULL,
  compat_sv     TEXT    NOT NULL,
  simulators    TEXT    NOT NULL,            -- newline-separated
  price_micros  INTEGER NOT NULL CHECK (price_micros >= 0),
  license       TEXT    NOT NULL,
  manifest_json TEXT    NOT NULL,
  sha256        TEXT    NOT NULL,
  size_bytes    INTEGER NOT NULL,
  format        TEXT    NOT NULL CHECK (format IN ('zip', 'tar.gz')),
  blob_key      TEXT    NOT NULL,
  yanked        INTEGER NOT NULL DEFAULT 0,
  published_at  INTEGER NOT NULL,
  published_by  TEXT,
  PRIMARY KEY (cbb_id, version)
);

CREATE TABLE receipts (
  receipt_id      TEXT    NOT NULL PRIMARY KEY,
  user_id         TEXT    NOT NULL REFERENCES users (user_id),
  tenant_id       TEXT    NOT NULL,
  workspace_id    TEXT,
  job_id          TEXT,
  idempotency_key TEXT,
  created_at      INTEGER NOT NULL
);
CREATE INDEX receipts_user ON receipts (user_id, receipt_id);

CREATE TABLE receipt_items (
  receipt_id    TEXT    NOT NULL REFERENCES receipts (receipt_id),
  item_index    INTEGER NOT NULL,
  cbb_id        TEXT    NOT NULL,
  version       TEXT    NOT NULL,
  price_micros  INTEGER NOT NULL,
  already_owned INTEGER NOT NULL,
  owned_via     TEXT    NOT NULL,
  PRIMARY KEY (receipt_id, item_index),
  FOREIGN KEY (cbb_id, version) REFERENCES cbb_versions (cbb_id, version)
);

-- one row per (user, version) bought: a version is never sold twice to the same user
CREATE TABLE cbb_ownership (
  user_id    TEXT NOT NULL REFERENCES users (user_id),
  cbb_id     TEXT NOT NULL,
  version    TEXT NOT NULL,
  receipt_id TEXT NOT NULL REFERENCES receipts (receipt_id),
  PRIMARY KEY (user_id, cbb_id, version)
);
