-- genRTL schema v1 (SQLite): accounts, API keys, subscriptions, installation markers.
-- Ids are app-generated ULIDs, times are epoch milliseconds, money is integer micro-USD.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

CREATE TABLE tenants (
  tenant_id   TEXT    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  created_at  INTEGER NOT NULL
);

CREATE TABLE users (
  user_id     TEXT    NOT NULL PRIMARY KEY,
  tenant_id   TEXT    NOT NULL REFERENCES tenants (tenant_id),
  email       TEXT    NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('user', 'tenant_admin', 'super_admin')),
  created_at  INTEGER NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id);
CREATE INDEX users_role ON users (role);

CREATE TABLE workspaces (
  workspace_id TEXT    NOT NULL PRIMARY KEY,
  tenant_id    TEXT    NOT NULL REFERENCES tenants (tenant_id),
  name         TEXT    NOT NULL,
  created_by   TEXT    NOT NULL REFERENCES users (user_id),
  created_at   INTEGER NOT NULL
);
CREATE INDEX workspaces_tenant ON workspaces (tenant_id, workspace_id);

CREATE TABLE workspace_members (
  workspace_id TEXT    NOT NULL REFERENCES workspaces (workspace_id),
  user_id      TEXT    NOT NULL REFERENCES users (user_id),
  added_at     INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id, workspace_id);

CREATE TABLE api_keys (
  key_id       TEXT    NOT NULL PRIMARY KEY,
  user_id      TEXT    NOT NULL REFERENCES users (user_id),
  name         TEXT    NOT NULL,
  secret_hash  BLOB    NOT NULL,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  last_used_at INTEGER
);
CREATE INDEX api_keys_user ON api_keys (user_id, key_id);

CREATE TABLE subscriptions (
  subscription_id TEXT    NOT NULL PRIMARY KEY,
  user_id         TEXT    NOT NULL REFERENCES users (user_id),
  plan_id         TEXT    NOT NULL,
  provider        TEXT    NOT NULL CHECK (provider IN ('manual', 'stripe', 'creem')),
  status          TEXT    NOT NULL CHECK (status IN ('active', 'trialing', 'past_due', 'canceled', 'ended')),
  period_start    INTEGER NOT NULL,
  period_end      INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  CHECK (period_end > period_start)
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, created_at);

CREATE TABLE genrtl_meta (
  name       TEXT    NOT NULL PRIMARY KEY,
  created_at INTEGER NOT NULL
);
