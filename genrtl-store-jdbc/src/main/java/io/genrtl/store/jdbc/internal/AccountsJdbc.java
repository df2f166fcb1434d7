package io.genrtl.store.jdbc.internal;

import io.genrtl.core.account.ApiKey;
import io.genrtl.core.account.ApiKeyStore;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.account.SubscriptionStore;
import io.genrtl.core.account.Tenant;
import io.genrtl.core.account.TenantStore;
import io.genrtl.core.account.User;
import io.genrtl.core.account.UserStore;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.account.WorkspaceStore;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.mapper.RowMapper;

/** Tenants, users, workspaces, keys, subscriptions and meta markers in SQL shared by both dialects. Not API. */
public final class AccountsJdbc {
  private final Db db;

  public AccountsJdbc(Db db) {
    this.db = db;
  }

  static Long nullableLong(ResultSet rs, String col) throws SQLException {
    long v = rs.getLong(col);
    return rs.wasNull() ? null : v;
  }

  private static final RowMapper<Tenant> TENANT = (rs, ctx) -> new Tenant(rs.getString("tenant_id"), rs.getString("name"),
      rs.getLong("created_at"), nullableLong(rs, "member_on_demand_cap_micros"));
  private static final RowMapper<User> USER = (rs, ctx) -> new User(rs.getString("user_id"),
      rs.getString("tenant_id"), rs.getString("email"), Role.fromWire(rs.getString("role")), rs.getLong("created_at"),
      nullableLong(rs, "disabled_at"));
  private static final RowMapper<Workspace> WORKSPACE = (rs, ctx) -> new Workspace(rs.getString("workspace_id"),
      rs.getString("tenant_id"), rs.getString("name"), rs.getString("created_by"), rs.getLong("created_at"));
  private static final RowMapper<ApiKey> KEY = (rs, ctx) -> new ApiKey(rs.getString("key_id"), rs.getString("user_id"),
      rs.getString("name"), rs.getBytes("secret_hash"), rs.getLong("created_at"), nullableLong(rs, "expires_at"),
      nullableLong(rs, "revoked_at"), nullableLong(rs, "last_used_at"));
  private static final RowMapper<Subscription> SUBSCRIPTION = (rs, ctx) -> new Subscription(
      rs.getString("subscription_id"), rs.getString("user_id"), rs.getString("plan_id"), rs.getString("provider"),
      SubscriptionStatus.fromWire(rs.getString("status")), rs.getLong("period_start"), rs.getLong("period_end"),
      rs.getLong("created_at"));

  /**
   * Keyset page over {@code sql} (which must select from a table where {@code keyColumn} is unique and end in a
   * WHERE clause): rows with key after {@code page.after()}, ordered by key, one extra row fetched to detect more.
   */
  <T> Page<T> page(String sql, String keyColumn, Map<String, Object> binds, PageRequest page, RowMapper<T> mapper,
      Function<T, String> key) {
    String full = sql + (page.after() == null ? "" : " AND " + keyColumn + " > :after")
        + " ORDER BY " + keyColumn + " LIMIT :limit";
    List<T> rows = db.withHandle(h -> {
      var q = h.createQuery(full).bindMap(binds).bind("limit", page.limit() + 1);
      if (page.after() != null) q.bind("after", page.after());
      return q.map(mapper).list();
    });
    return Page.fromOverfetch(rows, page, key);
  }

  public TenantStore tenants() {
    return new TenantStore() {
      @Override
      public void insert(Tenant t) {
        db.insert("tenant", h -> h.createUpdate(
                "INSERT INTO tenants (tenant_id, name, created_at) VALUES (:id, :name, :at)")
            .bind("id", t.tenantId()).bind("name", t.name()).bind("at", t.createdAt()).execute());
      }

      @Override
      public Optional<Tenant> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM tenants WHERE tenant_id = :id")
            .bind("id", id).map(TENANT).findOne());
      }

      @Override
      public Optional<Tenant> findByName(String name) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM tenants WHERE name = :name")
            .bind("name", name).map(TENANT).findOne());
      }

      @Override
      public boolean setMemberOnDemandCap(String tenantId, Long capMicros) {
        return db.withHandle(h -> h.createUpdate("UPDATE tenants SET member_on_demand_cap_micros = :cap WHERE tenant_id = :id")
            .bind("cap", capMicros).bind("id", tenantId).execute()) == 1;
      }
    };
  }

  public UserStore users() {
    return new UserStore() {
      @Override
      public void insert(User u) {
        db.insert("user", h -> h.createUpdate("INSERT INTO users (user_id, tenant_id, email, role, created_at) "
                + "VALUES (:id, :tenant, :email, :role, :at)")
            .bind("id", u.userId()).bind("tenant", u.tenantId()).bind("email", u.email())
            .bind("role", u.role().wire()).bind("at", u.createdAt()).execute());
      }

      @Override
      public Optional<User> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM users WHERE user_id = :id")
            .bind("id", id).map(USER).findOne());
      }

      @Override
      public Optional<User> findByEmail(String email) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM users WHERE email = :email")
            .bind("email", email).map(USER).findOne());
      }

      @Override
      public long countByRole(Role role) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM users WHERE role = :role")
            .bind("role", role.wire()).mapTo(Long.class).one());
      }

      @Override
      public Page<User> list(String tenantId, PageRequest req) {
        return tenantId == null
            ? page("SELECT * FROM users WHERE 1 = 1", "user_id", Map.of(), req, USER, User::userId)
            : page("SELECT * FROM users WHERE tenant_id = :t", "user_id", Map.of("t", tenantId), req, USER, User::userId);
      }

      @Override
      public boolean updateRole(String userId, Role expected, Role role) {
        return db.withHandle(h -> h.createUpdate("UPDATE users SET role = :role WHERE user_id = :id AND role = :expected")
            .bind("role", role.wire()).bind("id", userId).bind("expected", expected.wire()).execute()) == 1;
      }

      @Override
      public boolean disable(String userId, long at) {
        return db.withHandle(h -> h.createUpdate("UPDATE users SET disabled_at = :at WHERE user_id = :id AND disabled_at IS NULL")
            .bind("at", at).bind("id", userId).execute()) == 1;
      }

      @Override
      public boolean enable(String userId) {
        return db.withHandle(h -> h.createUpdate("UPDATE users SET disabled_at = NULL WHERE user_id = :id AND disabled_at IS NOT NULL")
            .bind("id", userId).execute()) == 1;
      }
    };
  }

  public WorkspaceStore workspaces() {
    return new WorkspaceStore() {
      @Override
      public void insert(Workspace w) {
        db.insert("workspace", h -> h.createUpdate("INSERT INTO workspaces "
                + "(workspace_id, tenant_id, name, created_by, created_at) VALUES (:id, :tenant, :name, :by, :at)")
            .bind("id", w.workspaceId()).bind("tenant", w.tenantId()).bind("name", w.name())
            .bind("by", w.createdBy()).bind("at", w.createdAt()).execute());
      }

      @Override
      public Optional<Workspace> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM workspaces WHERE workspace_id = :id")
            .bind("id", id).map(WORKSPACE).findOne());
      }

      @Override
      public void addMember(String workspaceId, String userId, long at) {
        db.withHandle(h -> h.createUpdate("INSERT INTO workspace_members (workspace_id, user_id, added_at) "
                + "VALUES (:w, :u, :at) ON CONFLICT (workspace_id, user_id) DO NOTHING")
            .bind("w", workspaceId).bind("u", userId).bind("at", at).execute());
      }

      @Override
      public boolean isMember(String workspaceId, String userId) {
        return db.withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM workspace_members WHERE workspace_id = :w AND user_id = :u")
            .bind("w", workspaceId).bind("u", userId).mapTo(Integer.class).one()) > 0;
      }

      @Override
      public Page<Workspace> listForMember(String userId, PageRequest req) {
        return page("SELECT w.* FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.workspace_id "
            + "WHERE m.user_id = :u", "w.workspace_id", Map.of("u", userId), req, WORKSPACE, Workspace::workspaceId);
      }

      @Override
      public Page<Workspace> listForTenant(String tenantId, PageRequest req) {
        return page("SELECT * FROM workspaces WHERE tenant_id = :t", "workspace_id", Map.of("t", tenantId), req,
            WORKSPACE, Workspace::workspaceId);
      }

      @Override
      public Page<Workspace> listAll(PageRequest req) {
        return page("SELECT * FROM workspaces WHERE 1 = 1", "workspace_id", Map.of(), req, WORKSPACE,
            Workspace::workspaceId);
      }
    };
  }

  public ApiKeyStore apiKeys() {
    return new ApiKeyStore() {
      @Override
      public void insert(ApiKey k) {
        db.insert("api key", h -> h.createUpdate("INSERT INTO api_keys (key_id, user_id, name, secret_hash, "
                + "created_at, expires_at, revoked_at, last_used_at) "
                + "VALUES (:id, :user, :name, :hash, :at, :exp, :rev, :used)")
            .bind("id", k.keyId()).bind("user", k.userId()).bind("name", k.name()).bind("hash", k.secretHash())
            .bind("at", k.createdAt()).bind("exp", k.expiresAt()).bind("rev", k.revokedAt())
            .bind("used", k.lastUsedAt()).execute());
      }

      @Override
      public Optional<ApiKey> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM api_keys WHERE key_id = :id")
            .bind("id", id).map(KEY).findOne());
      }

      @Override
      public Page<ApiKey> listForUser(String userId, PageRequest req) {
        return page("SELECT * FROM api_keys WHERE user_id = :u", "key_id", Map.of("u", userId), req, KEY,
            ApiKey::keyId);
      }

      @Override
      public boolean revoke(String keyId, long at) {
        return db.withHandle(h -> h.createUpdate(
                "UPDATE api_keys SET revoked_at = :at WHERE key_id = :id AND revoked_at IS NULL")
            .bind("id", keyId).bind("at", at).execute()) == 1;
      }

      @Override
      public boolean touchLastUsed(String keyId, long now, long minInterval) {
        return db.withHandle(h -> h.createUpdate("UPDATE api_keys SET last_used_at = :now WHERE key_id = :id "
                + "AND (last_used_at IS NULL OR last_used_at <= :threshold)")
            .bind("id", keyId).bind("now", now).bind("threshold", now - minInterval).execute()) == 1;
      }
    };
  }

  public SubscriptionStore subscriptions() {
    return new SubscriptionStore() {
      @Override
      public void insert(Subscription s) {
        db.insert("subscription", h -> h.createUpdate("INSERT INTO subscriptions (subscription_id, user_id, "
                + "plan_id, provider, status, period_start, period_end, created_at) "
                + "VALUES (:id, :user, :plan, :provider, :status, :start, :end, :at)")
            .bind("id", s.subscriptionId()).bind("user", s.userId()).bind("plan", s.planId())
            .bind("provider", s.provider()).bind("status", s.status().wire()).bind("start", s.periodStart())
            .bind("end", s.periodEnd()).bind("at", s.createdAt()).execute());
      }

      @Override
      public Optional<Subscription> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM subscriptions WHERE subscription_id = :id")
            .bind("id", id).map(SUBSCRIPTION).findOne());
      }

      @Override
      public void upsert(Subscription s) {
        db.withHandle(h -> h.createUpdate("INSERT INTO subscriptions (subscription_id, user_id, plan_id, provider, status, "
                + "period_start, period_end, created_at) VALUES (:id, :user, :plan, :provider, :status, :start, :end, :at) "
                + "ON CONFLICT (subscription_id) DO UPDATE SET plan_id = excluded.plan_id, status = excluded.status, "
                + "period_start = excluded.period_start, period_end = excluded.period_end")
            .bind("id", s.subscriptionId()).bind("user", s.userId()).bind("plan", s.planId())
            .bind("provider", s.provider()).bind("status", s.status().wire()).bind("start", s.periodStart())
            .bind("end", s.periodEnd()).bind("at", s.createdAt()).execute());
      }

      @Override
      public boolean updatePeriod(String subscriptionId, long expectedStart, long newStart, long newEnd) {
        return db.withHandle(h -> h.createUpdate("UPDATE subscriptions SET period_start = :s, period_end = :e "
                + "WHERE subscription_id = :id AND period_start = :expected")
            .bind("s", newStart).bind("e", newEnd).bind("id", subscriptionId).bind("expected", expectedStart)
            .execute()) == 1;
      }

      @Override
      public Optional<Subscription> latestForUser(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM subscriptions WHERE user_id = :u "
                + "ORDER BY created_at DESC, subscription_id DESC LIMIT 1")
            .bind("u", userId).map(SUBSCRIPTION).findOne());
      }
    };
  }

  public MetaStore meta() {
    return new MetaStore() {
      @Override
      public boolean claimOnce(String name, long at) {
        return db.withHandle(h -> h.createUpdate(
                "INSERT INTO genrtl_meta (name, created_at) VALUES (:n, :at) ON CONFLICT (name) DO NOTHING")
            .bind("n", name).bind("at", at).execute()) == 1;
      }

      @Override
      public String getOrCreate(String name, String candidate, long at) {
        return db.withHandle(h -> {
          h.createUpdate("INSERT INTO genrtl_meta (name, created_at, value) VALUES (:n, :at, :v) ON CONFLICT (name) DO NOTHING")
              .bind("n", name).bind("at", at).bind("v", candidate).execute();
          return h.createQuery("SELECT value FROM genrtl_meta WHERE name = :n").bind("n", name).mapTo(String.class).one();
        });
      }
    };
  }
}
