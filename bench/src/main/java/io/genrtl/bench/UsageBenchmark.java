package io.genrtl.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.Stores;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The usage views over a big ledger (issue 13, "usage rollups"): {@code --rows} ledger rows (default 1,000,000) for
 * one user plus {@code --others} users (default 100) with {@code --other-rows} each, on SQLite and PostgreSQL. Prints
 * p50/p95 of the first page of {@code /api/usage} and each of its filters, each {@code /api/usage/summary} grouping
 * (what the route does: one page of groups plus the total), the summaries with filters, the balance and the bucket
 * sums of the ledger check; and, side by side in the same run, the same summaries and sums computed by scanning the
 * rows ({@link LedgerStore#summarizeByScan}, what the stores did before the rollups) with their ratio. Only core and
 * the stores, no host classes.
 *
 * <p>Loading: the rows are written with JDBC batches and the rollups then filled by the INSERT … SELECT statements of
 * migration V13 (the same backfill an upgrade runs); {@code --live-inserts} more rows then go through
 * {@link LedgerStore#insert} (one transaction each, rollups maintained) and their latency is printed. The run ends
 * with {@link LedgerStore#checkRollups} of the big user (rollup = full scan) and exits 1 if it differs.
 */
public final class UsageBenchmark {
  private static final long DAY = 86_400_000L;
  private static final long T0 = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
  private static final String[] MODELS = {"gpt-5.1", "claude-sonnet-4-5", "gemini-2.5-pro", "gpt-5-mini"};
  private static final Bucket[] BUCKETS = Bucket.values();

  record Config(List<String> dbs, int rows, int others, int otherRows, int iterations, int scanIterations,
      boolean scan, int liveInserts, String pgUrl, Path dir) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String s : args) {
      if (!s.startsWith("--")) throw new IllegalArgumentException("unknown argument " + s);
      int eq = s.indexOf('=');
      a.put(eq < 0 ? s.substring(2) : s.substring(2, eq), eq < 0 ? "true" : s.substring(eq + 1));
    }
    String pg = a.getOrDefault("pg-url", System.getenv("GENRTL_PG_URL"));
    Config cfg = new Config(List.of(a.getOrDefault("db", "sqlite,postgres").split(",")),
        Integer.parseInt(a.getOrDefault("rows", "1000000")), Integer.parseInt(a.getOrDefault("others", "100")),
        Integer.parseInt(a.getOrDefault("other-rows", "1000")), Integer.parseInt(a.getOrDefault("iterations", "100")),
        Integer.parseInt(a.getOrDefault("scan-iterations", "5")), Boolean.parseBoolean(a.getOrDefault("scan", "true")),
        Integer.parseInt(a.getOrDefault("live-inserts", "500")), pg,
        Path.of(a.getOrDefault("dir", System.getProperty("java.io.tmpdir"))));
    PrintStream out = System.out;
    boolean ok = true;
    for (String db : cfg.dbs()) {
      if (db.equals("postgres") && (cfg.pgUrl() == null || cfg.pgUrl().isBlank())) {
        out.println("postgres: skipped (no GENRTL_PG_URL / --pg-url)");
        continue;
      }
      try (Target t = db.equals("sqlite") ? Target.sqlite(cfg) : Target.postgres(cfg)) {
        ok &= run(t, cfg, out);
      }
    }
    out.printf(Locale.ROOT, "%nload average %.2f at the end (2 cores shared with other work)%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    System.exit(ok ? 0 : 1);
  }

  // ------------------------------------------------------------------ one store

  record Line(String what, double p50, double p95, double scanP95) {}

  static boolean run(Target t, Config cfg, PrintStream out) throws Exception {
    GenRtl genrtl = GenRtl.builder().stores(t.stores).build();
    PoolService pool = genrtl.pool();
    String big = genrtl.accounts().createUser(new NewUser("big@bench.test", null, Role.USER, "pro")).user().userId();
    List<String> others = new ArrayList<>();
    for (int i = 0; i < cfg.others(); i++) {
      others.add(genrtl.accounts().createUser(new NewUser("u" + i + "@bench.test", null, Role.USER, "pro")).user().userId());
    }
    long started = System.nanoTime();
    load(t, big, cfg.rows(), "B");
    for (int i = 0; i < others.size(); i++) load(t, others.get(i), cfg.otherRows(), String.format(Locale.ROOT, "O%03d", i));
    double loadSeconds = (System.nanoTime() - started) / 1e9;
    started = System.nanoTime();
    backfill(t);
    double backfillSeconds = (System.nanoTime() - started) / 1e9;
    analyze(t);

    // the write path: rows through LedgerStore.insert, each in its own transaction with its rollup upserts
    long[] live = new long[cfg.liveInserts()];
    long lastTs = T0 + 365 * DAY;
    String tenant = t.stores.pool().accounts().find(big).orElseThrow().tenantId();
    for (int i = 0; i < live.length; i++) {
      LedgerEntry e = new LedgerEntry(String.format(Locale.ROOT, "L%013d%07d", lastTs + i, i), big, tenant, lastTs + i,
          UsageKind.LLM, BUCKETS[i % 3], 1234, "live-" + i, T0 + 360 * DAY, new Attribution("job-live-" + (i / 5), "s",
          "ws-" + (i % 10)), new TokenUsage("openai", MODELS[i % 4], 100, 20, 5, 1), null, null, null, false, null);
      long s = System.nanoTime();
      t.stores.transactor().inTransaction(() -> {
        t.stores.pool().ledger().insert(e);
        return null;
      });
      live[i] = System.nanoTime() - s;
    }

    long midJob = cfg.rows() / 20;
    String job = String.format(Locale.ROOT, "job-%06d", midJob);
    long from = T0 + 100 * DAY + DAY / 2;
    long to = T0 + 107 * DAY + DAY / 4;
    LedgerQuery all = LedgerQuery.all(big);
    LedgerQuery kind = new LedgerQuery(big, null, null, UsageKind.TOOL, null, null);
    LedgerQuery byJob = new LedgerQuery(big, null, null, null, job, null);
    LedgerQuery byWs = new LedgerQuery(big, null, null, null, null, "ws-3");
    LedgerQuery range = new LedgerQuery(big, from, to, null, null, null);
    long period = pool.balance(big).periodStart();
    PageRequest first = PageRequest.firstDefault();
    LedgerStore ledger = t.stores.pool().ledger();

    List<Line> lines = new ArrayList<>();
    Function<Runnable, long[]> fast = r -> time(r, cfg.iterations());
    Function<Runnable, long[]> slow = r -> cfg.scan() ? time(r, cfg.scanIterations()) : null;
    lines.add(line("GET /api/usage first page", fast.apply(() -> pool.usage(all, first)), null));
    lines.add(line("  kind=tool", fast.apply(() -> pool.usage(kind, first)), null));
    lines.add(line("  job_id=" + job, fast.apply(() -> pool.usage(byJob, first)), null));
    lines.add(line("  workspace_id=ws-3", fast.apply(() -> pool.usage(byWs, first)), null));
    lines.add(line("  from/to (7 days, partial edges)", fast.apply(() -> pool.usage(range, first)), null));
    for (GroupBy g : GroupBy.values()) {
      lines.add(line("GET /api/usage/summary group_by=" + g.wire(), fast.apply(() -> {
        pool.summary(all, g, first);
        pool.summaryTotal(all);
      }), slow.apply(() -> ledger.summarizeByScan(all, g))));
    }
    Map<String, LedgerQuery> filtered = new LinkedHashMap<>();
    filtered.put("kind=tool", kind);
    filtered.put("job_id", byJob);
    filtered.put("workspace_id=ws-3", byWs);
    filtered.put("from/to (7 days, partial edges)", range);
    for (Map.Entry<String, LedgerQuery> f : filtered.entrySet()) {
      for (GroupBy g : new GroupBy[] {GroupBy.DAY, GroupBy.JOB}) {
        LedgerQuery q = f.getValue();
        lines.add(line("  summary " + g.wire() + ", " + f.getKey(), fast.apply(() -> {
          pool.summary(q, g, first);
          pool.summaryTotal(q);
        }), slow.apply(() -> ledger.summarizeByScan(q, g))));
      }
    }
    lines.add(line("GET /api/billing/balance", fast.apply(() -> pool.balance(big)), null));
    lines.add(line("ledger check bucket sums (period + all)", fast.apply(() -> {
      ledger.sumByBucket(big, period);
      ledger.sumByBucket(big, null);
    }), slow.apply(() -> {
      ledger.sumByBucketByScan(big, period);
      ledger.sumByBucketByScan(big, null);
    })));

    started = System.nanoTime();
    List<String> problems = ledger.checkRollups(big);
    double checkSeconds = (System.nanoTime() - started) / 1e9;

    out.printf(Locale.ROOT, "%n## %s%n%s%n", t.name, t.description);
    out.printf(Locale.ROOT, "%,d rows for one user + %d users × %,d rows: loaded in %.1f s (JDBC batches), rollups "
        + "backfilled by V13's INSERT … SELECT in %.1f s%n", cfg.rows(), cfg.others(), cfg.otherRows(), loadSeconds,
        backfillSeconds);
    Arrays.sort(live);
    out.printf(Locale.ROOT, "LedgerStore.insert with its rollup upserts, own transaction: p50 %.2f ms, p95 %.2f ms "
        + "(%d rows)%n", pct(live, 50), pct(live, 95), live.length);
    out.printf(Locale.ROOT, "%n| what (%d runs; scan side %d) | p50 ms | p95 ms | scan p95 ms | scan / rollup |%n",
        cfg.iterations(), cfg.scanIterations());
    out.println("|---|---:|---:|---:|---:|");
    for (Line l : lines) {
      out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %s | %s |%n", l.what(), l.p50(), l.p95(),
          Double.isNaN(l.scanP95()) ? "" : String.format(Locale.ROOT, "%.1f", l.scanP95()),
          Double.isNaN(l.scanP95()) ? "" : String.format(Locale.ROOT, "%.0f×", l.scanP95() / l.p95()));
    }
    double worst = lines.stream().mapToDouble(Line::p95).max().orElse(0);
    out.printf(Locale.ROOT, "%nslowest p95 %.2f ms (target ≤ 20 ms); rollup = full scan for the big user: %s (%.1f s)%n",
        worst, problems.isEmpty() ? "yes" : "NO " + problems, checkSeconds);
    return problems.isEmpty();
  }

  private static Line line(String what, long[] sorted, long[] scan) {
    return new Line(what, pct(sorted, 50), pct(sorted, 95), scan == null ? Double.NaN : pct(scan, 95));
  }

  private static long[] time(Runnable r, int n) {
    for (int i = 0; i < Math.max(2, n / 10); i++) r.run();
    long[] ns = new long[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      r.run();
      ns[i] = System.nanoTime() - s;
    }
    Arrays.sort(ns);
    return ns;
  }

  private static double pct(long[] sorted, double p) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
  }

  // ------------------------------------------------------------------ data

  /**
   * {@code n} rows over 365 days: jobs of 10 consecutive rows in 10 workspaces, 85 % LLM calls over 4 models, 5 % tool
   * runs, 5 % CBB purchases, 5 % refunds of an earlier row; buckets rotate; 30-day pool periods.
   */
  static void load(Target t, String userId, int n, String prefix) throws SQLException {
    String tenant = t.stores.pool().accounts().find(userId).orElseThrow().tenantId();
    String sql = "INSERT INTO usage_ledger (entry_id, user_id, tenant_id, ts, kind, bucket, usd_micros, call_id, "
        + "period_start, job_id, step_id, workspace_id, provider, model, input_tokens, output_tokens, "
        + "cached_input_tokens, cache_write_tokens, refund_of, overrun) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        + "?, ?, ?, ?, ?, 0)";
    try (Connection c = t.ds.getConnection(); PreparedStatement st = c.prepareStatement(sql)) {
      c.setAutoCommit(false);
      double step = 365.0 * DAY / n;
      String[] ids = new String[n];
      for (int i = 0; i < n; i++) {
        long ts = T0 + (long) (i * step);
        ids[i] = String.format(Locale.ROOT, "%s%013d%07d", prefix, ts, i);
        int r = i % 20;
        UsageKind kind = r == 0 ? UsageKind.TOOL : r == 1 ? UsageKind.CBB : r == 2 && i >= 2 ? UsageKind.REFUND : UsageKind.LLM;
        String job = String.format(Locale.ROOT, "job-%06d", i / 10);
        st.setString(1, ids[i]);
        st.setString(2, userId);
        st.setString(3, tenant);
        st.setLong(4, ts);
        st.setString(5, kind.wire());
        st.setString(6, BUCKETS[i % 3].wire());
        st.setLong(7, kind == UsageKind.REFUND ? -500 : 1000 + i % 5000);
        st.setString(8, "call-" + prefix + i);
        st.setLong(9, T0 + Math.floorDiv(ts - T0, 30 * DAY) * 30 * DAY);
        st.setString(10, i % 50 == 49 ? null : job);
        st.setString(11, "step-1");
        st.setString(12, "ws-" + (i / 10) % 10);
        boolean llm = kind == UsageKind.LLM;
        st.setString(13, llm ? "openai" : null);
        st.setString(14, llm ? MODELS[(i / 7) % MODELS.length] : null);
        st.setLong(15, llm ? 100 + i % 900 : 0);
        st.setLong(16, llm ? 50 + i % 300 : 0);
        st.setLong(17, llm ? i % 40 : 0);
        st.setLong(18, llm ? i % 7 : 0);
        st.setString(19, kind == UsageKind.REFUND ? ids[i - 2] : null);
        st.addBatch();
        if (i % 5000 == 4999) st.executeBatch();
        if (i % 100_000 == 99_999) c.commit();
      }
      st.executeBatch();
      c.commit();
    }
  }

  /** Fills the rollups from the rows with the INSERT … SELECT statements of migration V13. */
  static void backfill(Target t) throws IOException, SQLException {
    String res = "db/genrtl/" + t.name + "/V13__usage_rollups.sql";
    String text;
    try (InputStream in = UsageBenchmark.class.getClassLoader().getResourceAsStream(res)) {
      if (in == null) throw new IllegalStateException("missing " + res);
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder noComments = new StringBuilder();
    for (String l : text.split("\n")) if (!l.trim().startsWith("--")) noComments.append(l).append('\n');
    try (Connection c = t.ds.getConnection(); Statement st = c.createStatement()) {
      for (String s : noComments.toString().split(";")) {
        if (s.trim().startsWith("INSERT INTO usage_rollup")) st.executeUpdate(s);
      }
    }
  }

  static void analyze(Target t) throws SQLException {
    try (Connection c = t.ds.getConnection(); Statement st = c.createStatement()) {
      st.execute(t.name.equals("sqlite") ? "PRAGMA optimize" : "ANALYZE");
    }
  }

  // ------------------------------------------------------------------ targets

  static final class Target implements AutoCloseable {
    final String name;
    final HikariDataSource ds;
    final Stores stores;
    final String description;
    final Runnable cleanup;

    Target(String name, HikariDataSource ds, Function<DataSource, Stores> create, String description, Runnable cleanup) {
      this.name = name;
      this.ds = ds;
      this.stores = create.apply(ds);
      this.description = description;
      this.cleanup = cleanup;
    }

    static Target sqlite(Config cfg) throws IOException {
      Files.createDirectories(cfg.dir());
      Path dir = Files.createTempDirectory(cfg.dir(), "genrtl-usage-bench-");
      Path file = dir.resolve("bench.db");
      HikariDataSource ds = SqliteDataSources.file(file);
      return new Target("sqlite", ds, SqliteStores::create, "SQLite, file " + file + " (deleted afterwards)",
          () -> deleteTree(dir));
    }

    static Target postgres(Config cfg) {
      String url = cfg.pgUrl();
      String schema = "genrtl_usage_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      exec(url, "CREATE SCHEMA " + schema);
      HikariDataSource ds = PostgresDataSources.create(url, null, null, schema, PostgresDataSources.DEFAULT_POOL_SIZE);
      return new Target("postgres", ds, PostgresStores::create, "PostgreSQL, schema " + schema + " (dropped afterwards)",
          () -> exec(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
    }

    @Override
    public void close() {
      ds.close();
      cleanup.run();
    }
  }

  private static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
