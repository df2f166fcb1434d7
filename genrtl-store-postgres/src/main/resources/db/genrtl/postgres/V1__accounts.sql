-- genRTL schema v1 (PostgreSQL): accounts, API keys, subscriptions, installation markers.
-- Ids are app-generated ULIDs, times are epoch milliseconds, money is integer micro-USD.
-- Keep the version numbers and descriptions identical to the SQLite migrations.

CREATE TABLE tenants (
  tenant_id   TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  created_at  BIGINT NOT NULL
);

CREATE TABLE users (
  user_id     TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  tenant_id   TEXT COLLATE "C"    NOT NULL REFERENCES tenants (tenant_id),
  email       TEXT    NOT NULL UNIQUE,
  role        TEXT    NOT NULL CHECK (role IN ('user', 'tenant_admin', 'super_admin')),
  created_at  BIGINT NOT NULL
);
CREATE INDEX users_tenant ON users (tenant_id);
CREATE INDEX users_role ON users (role);

CREATE TABLE workspaces (
  workspace_id TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  tenant_id    TEXT COLLATE "C"    NOT NULL REFERENCES tenants (tenant_id),
  name         TEXT    NOT NULL,
  created_by   TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  created_at   BIGINT NOT NULL
);
CREATE INDEX workspaces_tenant ON workspaces (tenant_id, workspace_id);

CREATE TABLE workspace_members (
  workspace_id TEXT COLLATE "C"    NOT NULL REFERENCES workspaces (workspace_id),
  user_id      TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  added_at     BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members (user_id, workspace_id);

CREATE TABLE api_keys (
  key_id       TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id      TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  name         TEXT    NOT NULL,
  secret_hash  BYTEA   NOT NULL,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,
  revoked_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id, key_id);

CREATE TABLE subscriptions (
  subscription_id TEXT COLLATE "C"    NOT NULL PRIMARY KEY,
  user_id         TEXT COLLATE "C"    NOT NULL REFERENCES users (user_id),
  plan_id         TEXT    NOT NULL,
  provider        TEXT    NOT NULL CHECK (provider IN ('manual', 'stripe', 'creem')),
  status          TEXT    NOT NULL CHECK (status IN ('active', 'trialing', 'past_due', 'canceled', 'ended')),
  period_start    BIGINT NOT NULL,
  period_end      BIGINT NOT NULL,
  created_at      BIGINT NOT NULL,
  CHECK (period_end > period_start)
);
CREATE INDEX subscriptions_user ON subscriptions (user_id, created_at);

CREATE TABLE genrtl_meta (
  name       TEXT    NOT NULL PRIMARY KEY,
  created_at BIGINT NOT NULL
);
