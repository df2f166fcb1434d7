-- genRTL schema v10 (SQLite): a tenant's spend budget for its members, and disabled users.
-- Keep the version numbers and descriptions identical to the PostgreSQL migrations.

-- The highest on-demand limit a tenant admin (or the member) may set for a member of the tenant, in micro-USD, set by
-- a super admin (PUT /api/admin/tenants/{tenant_id}/spend-budget). NULL: no ceiling beyond the plan's maximum.
ALTER TABLE tenants ADD COLUMN member_on_demand_cap_micros INTEGER
  CHECK (member_on_demand_cap_micros IS NULL OR member_on_demand_cap_micros >= 0);

-- Set while an admin has disabled the user (POST /api/admin/users/{user_id}/disable): their API keys and sessions are
-- refused and new sign-ins fail. NULL: enabled.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
