package io.genrtl.store.jdbc.internal;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.AlertStore;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.CbbPurchase;
import io.genrtl.core.pool.Debit;
import io.genrtl.core.pool.Grant;
import io.genrtl.core.pool.GrantStore;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.Hold;
import io.genrtl.core.pool.HoldStatus;
import io.genrtl.core.pool.HoldStore;
import io.genrtl.core.pool.IdempotencyRecord;
import io.genrtl.core.pool.IdempotencyStore;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.pool.PoolAccount;
import io.genrtl.core.pool.PoolStore;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.pool.UsageRollups;
import io.genrtl.core.pool.UsageTotal;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** Pool accounts, ledger, grants, holds, idempotency keys and alerts in SQL shared by both dialects. Not API. */
public final class PoolJdbc {
  private final Db db;
  private final String debitSql;

  public PoolJdbc(Db db) {
    this.db = db;
    String least = db.dialect().least();
    String inc = least + "(included_micros, :x)";
    String cred = least + "(credits_micros, :x - " + inc + ")";
    String rest = "(:x - " + inc + " - " + cred + ")";
    // One conditional statement: every right-hand side sees the row as it was before the update, so the split and
    // the new balances are computed from the same values; the split is returned through the last_*_taken columns.
    this.debitSql = "UPDATE pool_accounts SET "
        + "last_included_taken = " + inc + ", "
        + "last_credits_taken = " + cred + ", "
        + "last_on_demand_taken = " + rest + ", "
        + "included_micros = included_micros - " + inc + ", "
        + "credits_micros = credits_micros - " + cred + ", "
        + "on_demand_spent_micros = on_demand_spent_micros + " + rest + ", "
        + "holds_micros = holds_micros - :release, "
        + "updated_at = :now "
        + "WHERE user_id = :u AND (:enforce = 0 OR " + AVAILABLE + " >= :x) "
        + "RETURNING *";
  }

  private static final String AVAILABLE = "(included_micros + credits_micros + "
      + "(CASE WHEN :od = 1 THEN on_demand_limit_micros - on_demand_spent_micros ELSE 0 END) - holds_micros)";

  static final RowMapper<PoolAccount> ACCOUNT = (rs, ctx) -> new PoolAccount(rs.getString("user_id"),
      rs.getString("tenant_id"), rs.getLong("included_micros"), rs.getLong("credits_micros"),
      rs.getLong("on_demand_spent_micros"), rs.getLong("on_demand_limit_micros"), rs.getLong("holds_micros"),
      rs.getLong("included_granted_micros"), rs.getLong("period_start"), rs.getLong("period_end"), rs.getLong("updated_at"));

  static final RowMapper<LedgerEntry> ENTRY = (rs, ctx) -> {
    String provider = rs.getString("provider");
    TokenUsage tokens = provider == null ? null : new TokenUsage(provider, rs.getString("model"),
        rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cached_input_tokens"),
        rs.getLong("cache_write_tokens"));
    String cbbId = rs.getString("cbb_id");
    CbbPurchase cbb = cbbId == null ? null : new CbbPurchase(cbbId, rs.getString("cbb_version"),
        rs.getLong("cbb_price_micros"), rs.getString("receipt_id"));
    return new LedgerEntry(rs.getString("entry_id"), rs.getString("user_id"), rs.getString("tenant_id"), rs.getLong("ts"),
        UsageKind.fromWire(rs.getString("kind")), Bucket.fromWire(rs.getString("bucket")), rs.getLong("usd_micros"),
        rs.getString("call_id"), rs.getLong("period_start"),
        new Attribution(rs.getString("job_id"), rs.getString("step_id"), rs.getString("workspace_id")), tokens, cbb,
        rs.getString("idempotency_key"), rs.getString("refund_of"), rs.getInt("overrun") != 0, rs.getString("note"));
  };

  static final RowMapper<Hold> HOLD = (rs, ctx) -> new Hold(rs.getString("hold_id"), rs.getString("user_id"),
      rs.getLong("amount_micros"), HoldStatus.fromWire(rs.getString("status")), rs.getLong("created_at"),
      rs.getLong("expires_at"), rs.getString("idempotency_key"),
      new Attribution(rs.getString("job_id"), rs.getString("step_id"), rs.getString("workspace_id")),
      rs.getString("call_id"), AccountsJdbc.nullableLong(rs, "closed_at"));

  static final RowMapper<SpendAlert> ALERT = (rs, ctx) -> new SpendAlert(rs.getString("alert_id"), rs.getString("user_id"),
      rs.getLong("period_start"), rs.getString("kind"), rs.getInt("threshold_percent"), rs.getLong("amount_micros"),
      rs.getLong("limit_micros"), rs.getString("entry_id"), rs.getLong("created_at"));

  public PoolStore pool() {
    return new PoolStore() {
      @Override
      public boolean insert(PoolAccount a) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO pool_accounts (user_id, tenant_id, included_micros, "
                + "credits_micros, on_demand_spent_micros, on_demand_limit_micros, holds_micros, included_granted_micros, "
                + "period_start, period_end, updated_at) VALUES (:u, :t, :inc, :cred, :spent, :limit, :holds, :granted, "
                + ":start, :end, :now) ON CONFLICT (user_id) DO NOTHING")
            .bind("u", a.userId()).bind("t", a.tenantId()).bind("inc", a.includedMicros()).bind("cred", a.creditsMicros())
            .bind("spent", a.onDemandSpentMicros()).bind("limit", a.onDemandLimitMicros()).bind("holds", a.holdsMicros())
            .bind("granted", a.includedGrantedMicros()).bind("start", a.periodStart()).bind("end", a.periodEnd())
            .bind("now", a.updatedAt()).execute()) == 1;
      }

      @Override
      public Optional<PoolAccount> find(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM pool_accounts WHERE user_id = :u")
            .bind("u", userId).map(ACCOUNT).findOne());
      }

      @Override
      public Optional<AccountAndSubscription> findWithSubscription(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT a.*, s.subscription_id AS s_id, s.plan_id AS s_plan, "
                + "s.provider AS s_provider, s.status AS s_status, s.period_start AS s_start, s.period_end AS s_end, "
                + "s.created_at AS s_created FROM pool_accounts a LEFT JOIN subscriptions s ON s.subscription_id = "
                + "(SELECT subscription_id FROM subscriptions WHERE user_id = :u ORDER BY created_at DESC, subscription_id DESC "
                + "LIMIT 1) WHERE a.user_id = :u")
            .bind("u", userId)
            .map((rs, ctx) -> {
              String sid = rs.getString("s_id");
              Optional<io.genrtl.core.account.Subscription> sub = sid == null ? Optional.empty()
                  : Optional.of(new io.genrtl.core.account.Subscription(sid, userId, rs.getString("s_plan"),
                      rs.getString("s_provider"), io.genrtl.core.account.SubscriptionStatus.fromWire(rs.getString("s_status")),
                      rs.getLong("s_start"), rs.getLong("s_end"), rs.getLong("s_created")));
              return new AccountAndSubscription(ACCOUNT.map(rs, ctx), sub);
            })
            .findOne());
      }

      @Override
      public Page<PoolAccount> list(PageRequest page) {
        String sql = "SELECT * FROM pool_accounts" + (page.after() == null ? "" : " WHERE user_id > :after")
            + " ORDER BY user_id LIMIT :limit";
        List<PoolAccount> rows = db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("limit", page.limit() + 1);
          if (page.after() != null) q.bind("after", page.after());
          return q.map(ACCOUNT).list();
        });
        return Page.fromOverfetch(rows, page, PoolAccount::userId);
      }

      @Override
      public Optional<Debit> debit(String userId, long amount, boolean od, long release, boolean enforce, long now) {
        return db.withHandle(h -> h.createQuery(debitSql).bind("x", amount).bind("release", release)
            .bind("now", now).bind("u", userId).bind("enforce", enforce ? 1 : 0).bind("od", od ? 1 : 0)
            .map((rs, ctx) -> new Debit(rs.getLong("last_included_taken"), rs.getLong("last_credits_taken"),
                rs.getLong("last_on_demand_taken"), ACCOUNT.map(rs, ctx)))
            .findOne());
      }

      @Override
      public boolean reserve(String userId, long amount, boolean od, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET holds_micros = holds_micros + :x, "
                + "updated_at = :now WHERE user_id = :u AND " + AVAILABLE + " >= :x")
            .bind("x", amount).bind("now", now).bind("u", userId).bind("od", od ? 1 : 0).execute()) == 1;
      }

      @Override
      public boolean release(String userId, long amount, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET holds_micros = holds_micros - :x, "
                + "updated_at = :now WHERE user_id = :u AND holds_micros >= :x")
            .bind("x", amount).bind("now", now).bind("u", userId).execute()) == 1;
      }

      @Override
      public boolean rollPeriod(String userId, long expected, long start, long end, long included, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET included_micros = :inc, "
                + "included_granted_micros = :inc, on_demand_spent_micros = 0, period_start = :start, period_end = :end, "
                + "updated_at = :now WHERE user_id = :u AND period_start = :expected")
            .bind("inc", included).bind("start", start).bind("end", end).bind("now", now).bind("u", userId)
            .bind("expected", expected).execute()) == 1;
      }

      @Override
      public void credit(String userId, Bucket bucket, long amount, boolean grantIncluded, long now) {
        int n = db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET included_micros = included_micros + :inc, "
                + "included_granted_micros = included_granted_micros + :granted, credits_micros = credits_micros + :cred, "
                + "on_demand_spent_micros = on_demand_spent_micros - :od, updated_at = :now WHERE user_id = :u")
            .bind("inc", bucket == Bucket.INCLUDED ? amount : 0L)
            .bind("granted", bucket == Bucket.INCLUDED && grantIncluded ? amount : 0L)
            .bind("cred", bucket == Bucket.CREDITS ? amount : 0L)
            .bind("od", bucket == Bucket.ON_DEMAND ? amount : 0L)
            .bind("now", now).bind("u", userId).execute());
        if (n != 1) throw new IllegalStateException("no pool account for user " + userId);
      }

      @Override
      public boolean setOnDemandLimit(String userId, long limit, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET on_demand_limit_micros = :l, updated_at = :now "
                + "WHERE user_id = :u").bind("l", limit).bind("now", now).bind("u", userId).execute()) == 1;
      }

      @Override
      public int capOnDemandLimits(String tenantId, long cap, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET on_demand_limit_micros = :cap, updated_at = :now "
                + "WHERE tenant_id = :t AND on_demand_limit_micros > :cap")
            .bind("cap", cap).bind("now", now).bind("t", tenantId).execute());
      }

      @Override
      public boolean lock(String userId) {
        return db.withHandle(h -> h.createUpdate("UPDATE pool_accounts SET updated_at = updated_at WHERE user_id = :u")
            .bind("u", userId).execute()) == 1;
      }
    };
  }

  /** WHERE clause and binds for a ledger query. */
  private static String where(LedgerQuery q) {
    StringBuilder w = new StringBuilder(" WHERE user_id = :u");
    if (q.from() != null) w.append(" AND ts >= :from");
    if (q.to() != null) w.append(" AND ts < :to");
    if (q.kind() != null) w.append(" AND kind = :kind");
    if (q.jobId() != null) w.append(" AND job_id = :job");
    if (q.workspaceId() != null) w.append(" AND workspace_id = :ws");
    return w.toString();
  }

  private static Query bindQuery(Query query, LedgerQuery q) {
    query.bind("u", q.userId());
    if (q.from() != null) query.bind("from", q.from());
    if (q.to() != null) query.bind("to", q.to());
    if (q.kind() != null) query.bind("kind", q.kind().wire());
    if (q.jobId() != null) query.bind("job", q.jobId());
    if (q.workspaceId() != null) query.bind("ws", q.workspaceId());
    return query;
  }

  // ------------------------------------------------------------------ usage rollups

  private static final String TOTALS = "row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, "
      + "cache_write_tokens";

  /** One conditional upsert per rollup table: the ledger row's totals are added to the row of its key. */
  private static String upsert(String table, String keyCols) {
    int n = keyCols.split(",").length;
    StringBuilder v = new StringBuilder();
    for (String k : keyCols.split(",")) v.append(':').append(k.trim()).append(", ");
    StringBuilder set = new StringBuilder();
    for (String c : TOTALS.split(",")) {
      String col = c.trim();
      if (set.length() > 0) set.append(", ");
      set.append(col).append(" = ").append(table).append('.').append(col).append(" + excluded.").append(col);
    }
    assert n > 0;
    return "INSERT INTO " + table + " (" + keyCols + ", " + TOTALS + ") VALUES (" + v
        + "1, :usd, :tin, :tout, :tcached, :tcw) ON CONFLICT (" + keyCols + ") DO UPDATE SET " + set;
  }

  private static final String UPSERT_DAY = upsert("usage_rollup_day", "user_id, day, kind, model, bucket");
  private static final String UPSERT_JOB = upsert("usage_rollup_job",
      "user_id, job_id, workspace_id, day, kind, model, bucket");
  private static final String UPSERT_WORKSPACE = upsert("usage_rollup_workspace",
      "user_id, workspace_id, day, kind, model, bucket");
  private static final String UPSERT_PERIOD = upsert("usage_rollup_period", "user_id, period_start, bucket");

  private static void rollUp(org.jdbi.v3.core.Handle h, LedgerEntry e) {
    TokenUsage t = e.tokens();
    String ws = UsageRollups.key(e.attribution().workspaceId());
    for (String sql : new String[] {UPSERT_DAY, UPSERT_JOB, ws.isEmpty() ? null : UPSERT_WORKSPACE, UPSERT_PERIOD}) {
      if (sql == null) continue;
      var u = h.createUpdate(sql).bind("user_id", e.userId()).bind("bucket", e.bucket().wire())
          .bind("usd", e.usdMicros()).bind("tin", t == null ? 0L : t.inputTokens())
          .bind("tout", t == null ? 0L : t.outputTokens()).bind("tcached", t == null ? 0L : t.cachedInputTokens())
          .bind("tcw", t == null ? 0L : t.cacheWriteTokens());
      if (sql == UPSERT_PERIOD) {
        u.bind("period_start", e.periodStart());
      } else {
        u.bind("day", UsageRollups.day(e.timestamp())).bind("kind", e.kind().wire())
            .bind("model", UsageRollups.key(t == null ? null : t.model()));
        if (sql == UPSERT_JOB) u.bind("job_id", UsageRollups.key(e.attribution().jobId()));
        if (sql != UPSERT_DAY) u.bind("workspace_id", ws);
      }
      u.execute();
    }
  }

  private static String tableName(UsageRollups.Table t) {
    return switch (t) {
      case DAY -> "usage_rollup_day";
      case JOB -> "usage_rollup_job";
      case WORKSPACE -> "usage_rollup_workspace";
      case PERIOD -> "usage_rollup_period";
    };
  }

  private static String rollupGroup(GroupBy g) {
    if (g == null) return "''";
    return switch (g) {
      case DAY -> "day";
      case MODEL -> "model";
      case KIND -> "kind";
      case JOB -> "job_id";
    };
  }

  /** Filters of a rollup read: the query's kind/job/workspace and whole days [d0, d1). */
  private static String rollupWhere(LedgerQuery q, Long d0, Long d1) {
    StringBuilder w = new StringBuilder(" WHERE user_id = :u");
    if (d0 != null) w.append(" AND day >= :d0");
    if (d1 != null) w.append(" AND day < :d1");
    if (q.kind() != null) w.append(" AND kind = :kind");
    if (q.jobId() != null) w.append(" AND job_id = :job");
    if (q.workspaceId() != null) w.append(" AND workspace_id = :ws");
    return w.toString();
  }

  private static Query bindRollup(Query query, LedgerQuery q, Long d0, Long d1) {
    query.bind("u", q.userId());
    if (d0 != null) query.bind("d0", d0);
    if (d1 != null) query.bind("d1", d1);
    if (q.kind() != null) query.bind("kind", q.kind().wire());
    if (q.jobId() != null) query.bind("job", q.jobId());
    if (q.workspaceId() != null) query.bind("ws", q.workspaceId());
    return query;
  }

  private static final String SUMS = "SUM(row_count) AS n, SUM(usd_micros) AS usd, SUM(input_tokens) AS tin, "
      + "SUM(output_tokens) AS tout, SUM(cached_input_tokens) AS tcached, SUM(cache_write_tokens) AS tcw";

  private static RowMapper<UsageTotal> totalMapper(GroupBy g) {
    return (rs, ctx) -> {
      String grp = g == null ? null : g == GroupBy.DAY || g == GroupBy.KIND ? rs.getString("grp")
          : UsageRollups.group(rs.getString("grp"));
      return new UsageTotal(grp, Bucket.fromWire(rs.getString("bucket")), rs.getLong("n"), rs.getLong("usd"),
          rs.getLong("tin"), rs.getLong("tout"), rs.getLong("tcached"), rs.getLong("tcw"));
    };
  }

  /** The ledger rows' totals grouped like a summary: the scan path (edges of a range, checks, benchmarks). */
  private List<UsageTotal> scanTotals(LedgerQuery q, GroupBy g) {
    String grp = g == null ? null : switch (g) {
      case DAY -> "(ts / 86400000)";
      case MODEL -> "model";
      case KIND -> "kind";
      case JOB -> "job_id";
    };
    String sql = "SELECT " + (grp == null ? "NULL" : grp) + " AS grp, bucket, COUNT(*) AS n, SUM(usd_micros) AS usd, "
        + "SUM(input_tokens) AS tin, SUM(output_tokens) AS tout, SUM(cached_input_tokens) AS tcached, "
        + "SUM(cache_write_tokens) AS tcw FROM usage_ledger" + where(q) + " GROUP BY "
        + (grp == null ? "" : grp + ", ") + "bucket";
    List<UsageTotal> rows = db.withHandle(h -> bindQuery(h.createQuery(sql), q)
        .map((rs, ctx) -> new UsageTotal(g == null ? null : rs.getString("grp"), Bucket.fromWire(rs.getString("bucket")),
            rs.getLong("n"), rs.getLong("usd"), rs.getLong("tin"), rs.getLong("tout"), rs.getLong("tcached"),
            rs.getLong("tcw")))
        .list());
    return UsageRollups.merge(rows, g);
  }

  private static final Map<UsageRollups.Table, String> KEY_COLS = Map.of(
      UsageRollups.Table.DAY, "day, kind, model, bucket",
      UsageRollups.Table.JOB, "job_id, workspace_id, day, kind, model, bucket",
      UsageRollups.Table.WORKSPACE, "workspace_id, day, kind, model, bucket",
      UsageRollups.Table.PERIOD, "period_start, bucket");

  private static final Map<UsageRollups.Table, String> SCAN_COLS = Map.of(
      UsageRollups.Table.DAY, "ts / 86400000, kind, COALESCE(model, ''), bucket",
      UsageRollups.Table.JOB, "COALESCE(job_id, ''), COALESCE(workspace_id, ''), ts / 86400000, kind, "
          + "COALESCE(model, ''), bucket",
      UsageRollups.Table.WORKSPACE, "workspace_id, ts / 86400000, kind, COALESCE(model, ''), bucket",
      UsageRollups.Table.PERIOD, "period_start, bucket");

  private Map<String, long[]> keyedRows(String sql, String userId, int keys) {
    Map<String, long[]> m = new java.util.HashMap<>();
    db.withHandle(h -> {
      h.createQuery(sql).bind("u", userId).setFetchSize(1000).map((rs, ctx) -> {
        Object[] k = new Object[keys];
        for (int i = 0; i < keys; i++) k[i] = rs.getString(i + 1);
        long[] v = new long[6];
        for (int i = 0; i < 6; i++) v[i] = rs.getLong(keys + 1 + i);
        return Map.entry(UsageRollups.rowKey(k), v);
      }).forEach(e -> m.put(e.getKey(), e.getValue()));
      return null;
    });
    return m;
  }

  private final UsageRollups.Source source = new UsageRollups.Source() {
    @Override
    public List<UsageTotal> rollup(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g) {
      String grp = rollupGroup(g);
      String sql = "SELECT " + grp + " AS grp, bucket, " + SUMS + " FROM " + tableName(t) + rollupWhere(q, d0, d1)
          + " GROUP BY " + (g == null ? "" : grp + ", ") + "bucket";
      return db.withHandle(h -> bindRollup(h.createQuery(sql), q, d0, d1).map(totalMapper(g)).list());
    }

    @Override
    public List<String> rollupKeys(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g, String after,
        int limit) {
      String col = rollupGroup(g);
      boolean day = g == GroupBy.DAY;
      String sql = "SELECT DISTINCT " + col + " FROM " + tableName(t) + rollupWhere(q, d0, d1)
          + (day ? (after == null ? "" : " AND day > :after") : " AND " + col + " > :after")
          + " ORDER BY " + col + " LIMIT :n";
      return db.withHandle(h -> {
        Query query = bindRollup(h.createQuery(sql), q, d0, d1).bind("n", limit);
        if (day && after != null) query.bind("after", Long.parseLong(after));
        if (!day) query.bind("after", after == null ? "" : after);
        return query.map((rs, ctx) -> rs.getString(1)).list();
      });
    }

    @Override
    public List<UsageTotal> rollupRange(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g, String after,
        String last) {
      String col = rollupGroup(g);
      boolean day = g == GroupBy.DAY;
      String range = last == null ? " AND " + col + " = ''"
          : (after == null && day ? "" : " AND " + col + " > :after") + " AND " + col + " <= :last";
      String sql = "SELECT " + col + " AS grp, bucket, " + SUMS + " FROM " + tableName(t) + rollupWhere(q, d0, d1) + range
          + " GROUP BY " + col + ", bucket";
      return db.withHandle(h -> {
        Query query = bindRollup(h.createQuery(sql), q, d0, d1);
        if (last != null) {
          if (day) {
            if (after != null) query.bind("after", Long.parseLong(after));
            query.bind("last", Long.parseLong(last));
          } else {
            query.bind("after", after == null ? "" : after).bind("last", last);
          }
        }
        return query.map(totalMapper(g)).list();
      });
    }

    @Override
    public List<UsageTotal> scan(LedgerQuery q, GroupBy g) {
      return scanTotals(q, g);
    }

    @Override
    public Map<String, long[]> rollupRows(UsageRollups.Table t, String userId) {
      String cols = KEY_COLS.get(t);
      return keyedRows("SELECT " + cols + ", " + TOTALS + " FROM " + tableName(t) + " WHERE user_id = :u", userId,
          cols.split(",").length);
    }

    @Override
    public Map<String, long[]> scanRows(UsageRollups.Table t, String userId) {
      String cols = SCAN_COLS.get(t);
      String sql = "SELECT " + cols + ", COUNT(*), SUM(usd_micros), SUM(input_tokens), SUM(output_tokens), "
          + "SUM(cached_input_tokens), SUM(cache_write_tokens) FROM usage_ledger WHERE user_id = :u"
          + (t == UsageRollups.Table.WORKSPACE ? " AND workspace_id IS NOT NULL" : "") + " GROUP BY " + cols;
      return keyedRows(sql, userId, KEY_COLS.get(t).split(",").length);
    }
  };

  public LedgerStore ledger() {
    return new LedgerStore() {
      @Override
      public void insert(LedgerEntry e) {
        db.inTransaction(() -> {
          insertRow(e);
          db.withHandle(h -> {
            rollUp(h, e);
            return null;
          });
          return null;
        });
      }

      private void insertRow(LedgerEntry e) {
        TokenUsage t = e.tokens();
        CbbPurchase c = e.cbb();
        db.insert("ledger row", h -> h.createUpdate("INSERT INTO usage_ledger (entry_id, user_id, tenant_id, ts, kind, "
                + "bucket, usd_micros, call_id, period_start, job_id, step_id, workspace_id, provider, model, input_tokens, "
                + "output_tokens, cached_input_tokens, cache_write_tokens, cbb_id, cbb_version, cbb_price_micros, receipt_id, "
                + "idempotency_key, refund_of, overrun, note) VALUES (:id, :u, :t, :ts, :kind, :bucket, :usd, :call, :period, "
                + ":job, :step, :ws, :provider, :model, :in, :out, :cached, :cw, :cbb, :ver, :price, :receipt, :key, "
                + ":refund, :overrun, :note)")
            .bind("id", e.entryId()).bind("u", e.userId()).bind("t", e.tenantId()).bind("ts", e.timestamp())
            .bind("kind", e.kind().wire()).bind("bucket", e.bucket().wire()).bind("usd", e.usdMicros())
            .bind("call", e.callId()).bind("period", e.periodStart())
            .bind("job", e.attribution().jobId()).bind("step", e.attribution().stepId())
            .bind("ws", e.attribution().workspaceId())
            .bind("provider", t == null ? null : t.provider()).bind("model", t == null ? null : t.model())
            .bind("in", t == null ? 0L : t.inputTokens()).bind("out", t == null ? 0L : t.outputTokens())
            .bind("cached", t == null ? 0L : t.cachedInputTokens()).bind("cw", t == null ? 0L : t.cacheWriteTokens())
            .bind("cbb", c == null ? null : c.cbbId()).bind("ver", c == null ? null : c.version())
            .bind("price", c == null ? null : c.priceMicros()).bind("receipt", c == null ? null : c.receiptId())
            .bind("key", e.idempotencyKey()).bind("refund", e.refundOf()).bind("overrun", e.overrun() ? 1 : 0)
            .bind("note", e.note()).execute());
      }

      @Override
      public Optional<LedgerEntry> find(String entryId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM usage_ledger WHERE entry_id = :id")
            .bind("id", entryId).map(ENTRY).findOne());
      }

      @Override
      public List<LedgerEntry> findByCall(String userId, String callId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM usage_ledger WHERE user_id = :u AND call_id = :c "
            + "ORDER BY entry_id").bind("u", userId).bind("c", callId).map(ENTRY).list());
      }

      @Override
      public Page<LedgerEntry> list(LedgerQuery q, PageRequest page) {
        String sql = "SELECT * FROM usage_ledger" + where(q) + (page.after() == null ? "" : " AND entry_id < :after")
            + " ORDER BY entry_id DESC LIMIT :limit";
        List<LedgerEntry> rows = db.withHandle(h -> {
          Query query = bindQuery(h.createQuery(sql), q).bind("limit", page.limit() + 1);
          if (page.after() != null) query.bind("after", page.after());
          return query.map(ENTRY).list();
        });
        return Page.fromOverfetch(rows, page, LedgerEntry::entryId);
      }

      @Override
      public void forEach(LedgerQuery q, Consumer<LedgerEntry> consumer) {
        db.withHandle(h -> {
          try (var it = bindQuery(h.createQuery("SELECT * FROM usage_ledger" + where(q) + " ORDER BY entry_id DESC"), q)
              .setFetchSize(500).map(ENTRY).iterator()) {
            it.forEachRemaining(consumer);
          }
          return null;
        });
      }

      @Override
      public List<UsageTotal> summarize(LedgerQuery q, GroupBy g) {
        return UsageRollups.all(source, q, g);
      }

      @Override
      public Page<UsageTotal> summarize(LedgerQuery q, GroupBy g, PageRequest page) {
        return UsageRollups.summarize(source, q, g, page);
      }

      @Override
      public List<UsageTotal> total(LedgerQuery q) {
        return UsageRollups.total(source, q);
      }

      @Override
      public List<UsageTotal> summarizeByScan(LedgerQuery q, GroupBy g) {
        return scanTotals(q, g);
      }

      @Override
      public Map<Bucket, Long> sumByBucket(String userId, Long periodStart) {
        return bucketSums("usage_rollup_period", userId, periodStart);
      }

      @Override
      public Map<Bucket, Long> sumByBucketByScan(String userId, Long periodStart) {
        return bucketSums("usage_ledger", userId, periodStart);
      }

      private Map<Bucket, Long> bucketSums(String table, String userId, Long periodStart) {
        String sql = "SELECT bucket, SUM(usd_micros) AS s FROM " + table + " WHERE user_id = :u"
            + (periodStart == null ? "" : " AND period_start = :p") + " GROUP BY bucket";
        Map<Bucket, Long> m = new EnumMap<>(Bucket.class);
        db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("u", userId);
          if (periodStart != null) q.bind("p", periodStart);
          q.map((rs, ctx) -> Map.entry(Bucket.fromWire(rs.getString("bucket")), rs.getLong("s")))
              .forEach(e -> m.put(e.getKey(), e.getValue()));
          return null;
        });
        return m;
      }

      @Override
      public List<String> checkRollups(String userId) {
        return UsageRollups.check(source, userId);
      }

      @Override
      public long refundedAgainst(String entryId) {
        return db.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(usd_micros), 0) FROM usage_ledger WHERE refund_of = :id")
            .bind("id", entryId).mapTo(Long.class).one()) * -1;
      }
    };
  }

  public GrantStore grants() {
    return new GrantStore() {
      @Override
      public boolean insert(Grant g) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO grants (grant_id, user_id, bucket, amount_micros, period_start, "
                + "kind, source_key, created_at, actor_user_id, reason) VALUES (:id, :u, :b, :a, :p, :k, :src, :at, :actor, "
                + ":reason) ON CONFLICT (user_id, source_key) DO NOTHING")
            .bind("id", g.grantId()).bind("u", g.userId()).bind("b", g.bucket().wire()).bind("a", g.amountMicros())
            .bind("p", g.periodStart()).bind("k", g.kind()).bind("src", g.sourceKey()).bind("at", g.createdAt())
            .bind("actor", g.actorUserId()).bind("reason", g.reason()).execute()) == 1;
      }

      @Override
      public long sum(String userId, Bucket bucket, Long periodStart) {
        String sql = "SELECT COALESCE(SUM(amount_micros), 0) FROM grants WHERE user_id = :u AND bucket = :b"
            + (periodStart == null ? "" : " AND period_start = :p");
        return db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("u", userId).bind("b", bucket.wire());
          if (periodStart != null) q.bind("p", periodStart);
          return q.mapTo(Long.class).one();
        });
      }

      @Override
      public List<Grant> listForUser(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM grants WHERE user_id = :u ORDER BY grant_id").bind("u", userId)
            .map((rs, ctx) -> new Grant(rs.getString("grant_id"), rs.getString("user_id"), Bucket.fromWire(rs.getString("bucket")),
                rs.getLong("amount_micros"), rs.getLong("period_start"), rs.getString("kind"), rs.getString("source_key"),
                rs.getLong("created_at"), rs.getString("actor_user_id"), rs.getString("reason")))
            .list());
      }
    };
  }

  public HoldStore holds() {
    return new HoldStore() {
      @Override
      public void insert(Hold x) {
        db.insert("hold", h -> h.createUpdate("INSERT INTO holds (hold_id, user_id, amount_micros, status, created_at, "
                + "expires_at, idempotency_key, job_id, step_id, workspace_id, call_id, closed_at) VALUES (:id, :u, :a, :s, "
                + ":at, :exp, :key, :job, :step, :ws, :call, :closed)")
            .bind("id", x.holdId()).bind("u", x.userId()).bind("a", x.amountMicros()).bind("s", x.status().wire())
            .bind("at", x.createdAt()).bind("exp", x.expiresAt()).bind("key", x.idempotencyKey())
            .bind("job", x.attribution().jobId()).bind("step", x.attribution().stepId())
            .bind("ws", x.attribution().workspaceId()).bind("call", x.callId()).bind("closed", x.closedAt()).execute());
      }

      @Override
      public Optional<Hold> find(String holdId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM holds WHERE hold_id = :id").bind("id", holdId).map(HOLD).findOne());
      }

      @Override
      public boolean transition(String holdId, HoldStatus from, HoldStatus to, long at, String callId) {
        return db.withHandle(h -> h.createUpdate("UPDATE holds SET status = :to, closed_at = :at, "
                + "call_id = COALESCE(:call, call_id) WHERE hold_id = :id AND status = :from")
            .bind("to", to.wire()).bind("at", at).bind("call", callId).bind("id", holdId).bind("from", from.wire())
            .execute()) == 1;
      }

      @Override
      public List<Hold> expiredActive(long now, int limit) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM holds WHERE status = 'active' AND expires_at <= :now "
            + "ORDER BY expires_at, hold_id LIMIT :n").bind("now", now).bind("n", limit).map(HOLD).list());
      }

      @Override
      public long activeSum(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(amount_micros), 0) FROM holds "
            + "WHERE user_id = :u AND status = 'active'").bind("u", userId).mapTo(Long.class).one());
      }
    };
  }

  public IdempotencyStore idempotency() {
    return new IdempotencyStore() {
      @Override
      public boolean claim(String userId, String op, String key, String fp, long at) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO idempotency_keys (user_id, operation, idem_key, fingerprint, "
                + "created_at) VALUES (:u, :op, :k, :fp, :at) ON CONFLICT (user_id, operation, idem_key) DO NOTHING")
            .bind("u", userId).bind("op", op).bind("k", key).bind("fp", fp).bind("at", at).execute()) == 1;
      }

      @Override
      public boolean claim(String userId, String op, String key, String fp, long at, java.time.Duration maxWait) {
        String bound = db.dialect().boundLockWait(maxWait.toMillis());
        if (bound == null) return claim(userId, op, key, fp, at);
        return db.withHandle(h -> {
          h.execute(bound);
          try {
            return claim(userId, op, key, fp, at);
          } catch (org.jdbi.v3.core.JdbiException e) {
            if (e.getCause() instanceof java.sql.SQLException sql && db.dialect().isLockTimeout(sql)) {
              throw new io.genrtl.core.base.LockWaitTimeoutException("idempotency key is locked by a running request", e);
            }
            throw e;
          } finally {
            if (h.isInTransaction()) {
              try {
                h.execute(db.dialect().unboundLockWait());
              } catch (RuntimeException ignored) {
                // the transaction is aborted anyway; the bound ends with it
              }
            }
          }
        });
      }

      @Override
      public Optional<IdempotencyRecord> find(String userId, String op, String key) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM idempotency_keys WHERE user_id = :u AND operation = :op "
                + "AND idem_key = :k").bind("u", userId).bind("op", op).bind("k", key)
            .map((rs, ctx) -> new IdempotencyRecord(rs.getString("user_id"), rs.getString("operation"),
                rs.getString("idem_key"), rs.getString("fingerprint"), rs.getString("result_ref"),
                rs.getString("result_data"), rs.getLong("created_at")))
            .findOne());
      }

      @Override
      public boolean insertCompleted(String userId, String op, String key, String fp, String ref, String data, long at) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO idempotency_keys (user_id, operation, idem_key, fingerprint, "
                + "result_ref, result_data, created_at) VALUES (:u, :op, :k, :fp, :ref, :data, :at) "
                + "ON CONFLICT (user_id, operation, idem_key) DO NOTHING")
            .bind("u", userId).bind("op", op).bind("k", key).bind("fp", fp).bind("ref", ref).bind("data", data).bind("at", at)
            .execute()) == 1;
      }

      @Override
      public void complete(String userId, String op, String key, String ref, String data) {
        db.withHandle(h -> h.createUpdate("UPDATE idempotency_keys SET result_ref = :ref, result_data = :data "
                + "WHERE user_id = :u AND operation = :op AND idem_key = :k")
            .bind("ref", ref).bind("data", data).bind("u", userId).bind("op", op).bind("k", key).execute());
      }
    };
  }

  public AlertStore alerts() {
    return new AlertStore() {
      @Override
      public boolean insert(SpendAlert a) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO spend_alerts (alert_id, user_id, alert_key, period_start, kind, "
                + "threshold_percent, amount_micros, limit_micros, entry_id, created_at) VALUES (:id, :u, :key, :p, :kind, "
                + ":t, :a, :l, :e, :at) ON CONFLICT (user_id, alert_key) DO NOTHING")
            .bind("id", a.alertId()).bind("u", a.userId()).bind("key", a.alertKey()).bind("p", a.periodStart())
            .bind("kind", a.kind()).bind("t", a.thresholdPercent()).bind("a", a.amountMicros()).bind("l", a.limitMicros())
            .bind("e", a.entryId()).bind("at", a.createdAt()).execute()) == 1;
      }

      @Override
      public Page<SpendAlert> list(String userId, PageRequest page) {
        String sql = "SELECT * FROM spend_alerts WHERE user_id = :u" + (page.after() == null ? "" : " AND alert_id < :after")
            + " ORDER BY alert_id DESC LIMIT :limit";
        List<SpendAlert> rows = db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("u", userId).bind("limit", page.limit() + 1);
          if (page.after() != null) q.bind("after", page.after());
          return q.map(ALERT).list();
        });
        return Page.fromOverfetch(rows, page, SpendAlert::alertId);
      }
    };
  }
}
