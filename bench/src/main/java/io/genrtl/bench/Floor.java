package io.genrtl.bench;

import io.genrtl.core.base.IdGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The bare-JDBC floor of a charge: one transaction on plain {@code java.sql} with the conditional debit statement
 * exactly as {@code PoolJdbc} generates it, one {@code usage_ledger} INSERT (the same statement text as
 * {@code PoolJdbc}'s), commit. No idempotency record, no subscription or account read, no Jdbi. For
 * {@code --profile} the service's other statements can be added one by one ({@link Extra}).
 */
final class Floor {
  /** A null for a BIGINT column (PostgreSQL refuses a VARCHAR-typed null there), as Jdbi binds a null Long. */
  static final Object NULL_BIGINT = new Object();

  /** A named-parameter statement turned into JDBC's positional form, the way Jdbi does it. */
  record Sql(String text, List<String> names) {
    private static final Pattern NAMED = Pattern.compile(":([A-Za-z_][A-Za-z0-9_]*)");

    static Sql of(String named) {
      List<String> names = new ArrayList<>();
      Matcher m = NAMED.matcher(named);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        names.add(m.group(1));
        m.appendReplacement(out, "?");
      }
      m.appendTail(out);
      return new Sql(out.toString(), List.copyOf(names));
    }

    /** Binds every placeholder in order; {@code values} maps a parameter name to its value (Long, Integer, String, null). */
    void bind(PreparedStatement ps, Function<String, Object> values) throws SQLException {
      for (int i = 0; i < names.size(); i++) {
        Object v = values.apply(names.get(i));
        if (v == null) ps.setNull(i + 1, Types.VARCHAR);
        else if (v == NULL_BIGINT) ps.setNull(i + 1, Types.BIGINT);
        else if (v instanceof Long l) ps.setLong(i + 1, l);
        else if (v instanceof Integer x) ps.setInt(i + 1, x);
        else ps.setString(i + 1, (String) v);
      }
    }
  }

  /**
   * PoolJdbc's debit statement, built the same way ({@code least} is {@code MIN} on SQLite, {@code LEAST} on
   * PostgreSQL). {@code ChargeBenchmark} checks at start-up that the text equals the one PoolJdbc holds.
   */
  static String debitSql(String least) {
    String inc = least + "(included_micros, :x)";
    String cred = least + "(credits_micros, :x - " + inc + ")";
    String rest = "(:x - " + inc + " - " + cred + ")";
    return "UPDATE pool_accounts SET "
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

  static final String AVAILABLE = "(included_micros + credits_micros + "
      + "(CASE WHEN :od = 1 THEN on_demand_limit_micros - on_demand_spent_micros ELSE 0 END) - holds_micros)";

  /** PoolJdbc's ledger INSERT, same text. */
  static final String LEDGER_INSERT = "INSERT INTO usage_ledger (entry_id, user_id, tenant_id, ts, kind, "
      + "bucket, usd_micros, call_id, period_start, job_id, step_id, workspace_id, provider, model, input_tokens, "
      + "output_tokens, cached_input_tokens, cache_write_tokens, cbb_id, cbb_version, cbb_price_micros, receipt_id, "
      + "idempotency_key, refund_of, overrun, note) VALUES (:id, :u, :t, :ts, :kind, :bucket, :usd, :call, :period, "
      + ":job, :step, :ws, :provider, :model, :in, :out, :cached, :cw, :cbb, :ver, :price, :receipt, :key, "
      + ":refund, :overrun, :note)";

  /**
   * Statements the service runs on top of the floor, for the profile ladder ({@code --profile}); the floor itself
   * uses none of them. Texts are PoolJdbc's / AccountsJdbc's.
   */
  enum Extra {
    /** {@code INSERT INTO idempotency_keys ... ON CONFLICT DO NOTHING} before anything else. */
    CLAIM("INSERT INTO idempotency_keys (user_id, operation, idem_key, fingerprint, "
        + "created_at) VALUES (:u, :op, :k, :fp, :at) ON CONFLICT (user_id, operation, idem_key) DO NOTHING"),
    /** The latest subscription of the user. */
    SUBSCRIPTION("SELECT * FROM subscriptions WHERE user_id = :u "
        + "ORDER BY created_at DESC, subscription_id DESC LIMIT 1"),
    /** The pool account row, read before the debit. */
    ACCOUNT("SELECT * FROM pool_accounts WHERE user_id = :u"),
    /** {@code UPDATE idempotency_keys SET result_ref, result_data} after the ledger rows. */
    COMPLETE("UPDATE idempotency_keys SET result_ref = :ref, result_data = :data "
        + "WHERE user_id = :u AND operation = :op AND idem_key = :k"),
    /**
     * Not a service statement: a suggested replacement for CLAIM + COMPLETE, one INSERT of the finished record
     * after the ledger rows (a duplicate key then fails the INSERT, the transaction rolls back and is replayed).
     */
    RECORD_AT_END("INSERT INTO idempotency_keys (user_id, operation, idem_key, fingerprint, "
        + "created_at, result_ref, result_data) VALUES (:u, :op, :k, :fp, :at, :ref, :data)");

    final Sql sql;

    Extra(String text) {
      this.sql = Sql.of(text);
    }
  }

  private static final String[] BUCKETS = {"included", "credits", "on_demand"};

  private final DataSource ds;
  private final Clock clock;
  private final IdGenerator ids;
  private final Sql debit;
  private final Sql ledger = Sql.of(LEDGER_INSERT);

  private final Set<Extra> extras;

  Floor(DataSource ds, String least, Clock clock, IdGenerator ids) {
    this(ds, least, clock, ids, EnumSet.noneOf(Extra.class));
  }

  Floor(DataSource ds, String least, Clock clock, IdGenerator ids, Set<Extra> extras) {
    this.extras = EnumSet.copyOf(extras.isEmpty() ? EnumSet.noneOf(Extra.class) : extras);
    this.ds = ds;
    this.clock = clock;
    this.ids = ids;
    this.debit = Sql.of(debitSql(least));
  }

  /** One charge in one transaction. Throws when the debit is refused (it never is with the benchmark's limits). */
  void charge(String userId, long amountMicros, String provider, String model, long in, long out, String key)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        long now = clock.millis();
        String fp = FINGERPRINT;
        Function<String, Object> idem = n -> switch (n) {
          case "u" -> userId;
          case "op" -> "charge";
          case "k" -> key;
          case "fp" -> fp;
          case "at" -> now;
          case "ref" -> "01J0000000000000000000CALL";
          case "data" -> "399512345,0,0,5000000000";
          default -> throw new IllegalArgumentException(n);
        };
        if (extras.contains(Extra.CLAIM)) {
          if (update(c, Extra.CLAIM.sql, idem) != 1) throw new IllegalStateException("idempotency key taken: " + key);
        }
        if (extras.contains(Extra.SUBSCRIPTION)) query(c, Extra.SUBSCRIPTION.sql, idem);
        if (extras.contains(Extra.ACCOUNT)) query(c, Extra.ACCOUNT.sql, idem);
        final String tenant;
        final long period;
        long[] split = new long[3];
        try (PreparedStatement ps = c.prepareStatement(debit.text())) {
          debit.bind(ps, n -> switch (n) {
            case "x" -> amountMicros;
            case "release" -> 0L;
            case "now" -> now;
            case "u" -> userId;
            case "enforce", "od" -> 1;
            default -> throw new IllegalArgumentException(n);
          });
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new IllegalStateException("debit refused for " + userId);
            split[0] = rs.getLong("last_included_taken");
            split[1] = rs.getLong("last_credits_taken");
            split[2] = rs.getLong("last_on_demand_taken");
            tenant = rs.getString("tenant_id");
            period = rs.getLong("period_start");
          }
        }
        String callId = ids.newId();
        boolean first = true;
        for (int b = 0; b < 3; b++) {
          // One row in practice: the included amount is far larger than a run spends. A charge split across
          // buckets gets one row per bucket, as the service writes it, so the ledger invariants hold for floor users.
          if (split[b] == 0) continue;
          final String entryId = ids.newId();
          final String bucket = BUCKETS[b];
          final long usd = split[b];
          final boolean withTokens = first;
          try (PreparedStatement ps = c.prepareStatement(ledger.text())) {
            ledger.bind(ps, n -> switch (n) {
              case "id" -> entryId;
              case "u" -> userId;
              case "t" -> tenant;
              case "ts" -> now;
              case "kind" -> "llm";
              case "bucket" -> bucket;
              case "usd" -> usd;
              case "call" -> callId;
              case "period" -> period;
              case "provider" -> provider;
              case "model" -> model;
              case "in" -> withTokens ? in : 0L;
              case "out" -> withTokens ? out : 0L;
              case "cached", "cw" -> 0L;
              case "overrun" -> 0;
              case "price" -> NULL_BIGINT;
              case "job", "step", "ws", "cbb", "ver", "receipt", "key", "refund", "note" -> null;
              default -> throw new IllegalArgumentException(n);
            });
            ps.executeUpdate();
          }
          rollUp(c, userId, now, "llm", model, bucket, usd, withTokens ? in : 0L, withTokens ? out : 0L, period, null, null);
          first = false;
        }
        if (extras.contains(Extra.COMPLETE)) update(c, Extra.COMPLETE.sql, idem);
        if (extras.contains(Extra.RECORD_AT_END)) update(c, Extra.RECORD_AT_END.sql, idem);
        c.commit();
      } catch (Throwable t) {
        c.rollback();
        throw t;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  // ------------------------------------------------------------------ usage rollups (the same upserts as PoolJdbc)

  private static final String TOTALS = "row_count, usd_micros, input_tokens, output_tokens, cached_input_tokens, "
      + "cache_write_tokens";

  /** PoolJdbc's rollup upsert for {@code table}, built the same way (one conditional upsert per table and row). */
  static String upsert(String table, String keyCols) {
    StringBuilder v = new StringBuilder();
    for (String k : keyCols.split(",")) v.append(':').append(k.trim()).append(", ");
    StringBuilder set = new StringBuilder();
    for (String c : TOTALS.split(",")) {
      String col = c.trim();
      if (set.length() > 0) set.append(", ");
      set.append(col).append(" = ").append(table).append('.').append(col).append(" + excluded.").append(col);
    }
    return "INSERT INTO " + table + " (" + keyCols + ", " + TOTALS + ") VALUES (" + v
        + "1, :usd, :tin, :tout, :tcached, :tcw) ON CONFLICT (" + keyCols + ") DO UPDATE SET " + set;
  }

  static final Sql UPSERT_DAY = Sql.of(upsert("usage_rollup_day", "user_id, day, kind, model, bucket"));
  static final Sql UPSERT_JOB = Sql.of(upsert("usage_rollup_job", "user_id, job_id, workspace_id, day, kind, model, bucket"));
  static final Sql UPSERT_WORKSPACE = Sql.of(upsert("usage_rollup_workspace", "user_id, workspace_id, day, kind, model, bucket"));
  static final Sql UPSERT_PERIOD = Sql.of(upsert("usage_rollup_period", "user_id, period_start, bucket"));

  /**
   * The rollup upserts a ledger row needs, as the service writes them in the row's transaction (the rollups are part
   * of what a charge must write since V13: without them the floor's users would not verify).
   */
  static void rollUp(Connection c, String userId, long ts, String kind, String model, String bucket, long usd, long in,
      long out, long period, String jobId, String workspaceId) throws SQLException {
    String ws = io.genrtl.core.pool.UsageRollups.key(workspaceId);
    for (Sql sql : new Sql[] {UPSERT_DAY, UPSERT_JOB, ws.isEmpty() ? null : UPSERT_WORKSPACE, UPSERT_PERIOD}) {
      if (sql == null) continue;
      Sql q = sql;
      update(c, q, n -> switch (n) {
        case "user_id" -> userId;
        case "bucket" -> bucket;
        case "usd" -> usd;
        case "tin" -> in;
        case "tout" -> out;
        case "tcached", "tcw" -> 0L;
        case "period_start" -> period;
        case "day" -> io.genrtl.core.pool.UsageRollups.day(ts);
        case "kind" -> kind;
        case "model" -> io.genrtl.core.pool.UsageRollups.key(model);
        case "job_id" -> io.genrtl.core.pool.UsageRollups.key(jobId);
        case "workspace_id" -> ws;
        default -> throw new IllegalArgumentException(n);
      });
    }
  }

  /** A SHA-256 hex string, as long as the service's request fingerprint. */
  private static final String FINGERPRINT = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  private static int update(Connection c, Sql sql, Function<String, Object> values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.text())) {
      sql.bind(ps, values);
      return ps.executeUpdate();
    }
  }

  private static void query(Connection c, Sql sql, Function<String, Object> values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.text())) {
      sql.bind(ps, values);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) rs.getObject(i);
        }
      }
    }
  }
}
