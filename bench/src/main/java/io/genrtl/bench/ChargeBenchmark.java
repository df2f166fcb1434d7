package io.genrtl.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.bench.Floor.Extra;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.LedgerCheck;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * Charges per second through {@link PoolService#charge} (the service) next to a bare-JDBC transaction doing only
 * the conditional debit and one ledger INSERT (the floor), on SQLite and PostgreSQL, in one run. See README.md.
 *
 * <pre>
 * java -jar bench/target/genrtl-bench.jar [--threads=1,8] [--seconds=5] [--warmup=2] [--db=sqlite,postgres]
 *                                          [--pg-url=jdbc:postgresql://...] [--dir=/tmp] [--profile]
 * </pre>
 *
 * Every option can also be given as a system property ({@code -Dbench.seconds=5}, {@code -Dbench.threads=1,8},
 * ...); PostgreSQL's URL defaults to the environment variable {@code GENRTL_PG_URL}.
 */
public final class ChargeBenchmark {
  static final long USD = 1_000_000L;
  /** Ultra's maximum on-demand limit: charges never fail for lack of money during a run. */
  static final long ON_DEMAND_LIMIT_MICROS = 5_000 * USD;
  static final String OWN = "own user per thread";
  static final String HOT = "hot row: 1 user, all threads";

  private ChargeBenchmark() {}

  // ------------------------------------------------------------------------------------------------ configuration

  /** What to run. {@code seconds} and {@code warmup} are per cell and per side (service, floor). */
  public record Config(List<Integer> threads, double seconds, double warmup, List<String> dbs, String pgUrl,
      int sqlitePool, int pgPool, Path dir, boolean profile, int rounds) {

    public static Config parse(String[] args) {
      String threads = prop("threads", "1,8");
      String seconds = prop("seconds", "5");
      String warmup = prop("warmup", "2");
      String dbs = prop("db", "sqlite,postgres");
      String pgUrl = System.getProperty("bench.pgUrl", System.getenv("GENRTL_PG_URL"));
      String sqlitePool = prop("sqlitePool", Integer.toString(SqliteDataSources.DEFAULT_POOL_SIZE));
      String pgPool = prop("pgPool", Integer.toString(PostgresDataSources.DEFAULT_POOL_SIZE));
      String dir = prop("dir", System.getProperty("java.io.tmpdir"));
      boolean profile = Boolean.parseBoolean(prop("profile", "false"));
      String rounds = prop("rounds", "5");
      for (String a : args) {
        String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : "";
        if (a.startsWith("--threads=")) threads = v;
        else if (a.startsWith("--seconds=")) seconds = v;
        else if (a.startsWith("--warmup=")) warmup = v;
        else if (a.startsWith("--db=")) dbs = v;
        else if (a.startsWith("--pg-url=")) pgUrl = v;
        else if (a.startsWith("--sqlite-pool=")) sqlitePool = v;
        else if (a.startsWith("--pg-pool=")) pgPool = v;
        else if (a.startsWith("--dir=")) dir = v;
        else if (a.startsWith("--rounds=")) rounds = v;
        else if (a.equals("--profile")) profile = true;
        else if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException(USAGE);
        else throw new IllegalArgumentException("unknown argument: " + a + "\n" + USAGE);
      }
      List<Integer> ts = Arrays.stream(threads.split(",")).map(String::trim).map(Integer::parseInt).toList();
      if (ts.isEmpty() || ts.stream().anyMatch(t -> t < 1)) throw new IllegalArgumentException("threads must be >= 1");
      List<String> ds = Arrays.stream(dbs.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
      for (String d : ds) {
        if (!d.equals("sqlite") && !d.equals("postgres")) throw new IllegalArgumentException("unknown db: " + d);
      }
      return new Config(ts, Double.parseDouble(seconds), Double.parseDouble(warmup), ds,
          pgUrl == null || pgUrl.isBlank() ? null : pgUrl, Integer.parseInt(sqlitePool), Integer.parseInt(pgPool),
          Path.of(dir), profile, Integer.parseInt(rounds));
    }

    private static String prop(String name, String dflt) {
      return System.getProperty("bench." + name, dflt);
    }

    long warmupNanos() {
      return (long) (warmup * 1e9);
    }

    long measureNanos() {
      return (long) (seconds * 1e9);
    }
  }

  static final String USAGE = """
      usage: java -jar genrtl-bench.jar [--threads=1,8] [--seconds=5] [--warmup=2] [--db=sqlite,postgres]
                                        [--pg-url=jdbc:postgresql://host:5432/db?user=u] [--dir=DIR]
                                        [--sqlite-pool=4] [--pg-pool=10] [--rounds=5] [--profile]
      (or -Dbench.threads=..., -Dbench.seconds=..., ...; the PostgreSQL URL defaults to $GENRTL_PG_URL)""";

  // ------------------------------------------------------------------------------------------------ results

  /** One line of the table: the service and the floor under the same threads and variant. */
  public record Row(String db, int threads, String variant, Load.Result service, Load.Result floor) {
    public double ratio() {
      return floor.opsPerSecond() == 0 ? Double.NaN : service.opsPerSecond() / floor.opsPerSecond();
    }
  }

  /** One database: its rows and the ledger check of its users; {@code skipped} set when it did not run. */
  public record DbReport(String db, String skipped, String description, List<Row> rows, List<LedgerCheck> service,
      List<LedgerCheck> floor, String profile) {
    public boolean ok() {
      return skipped != null || (rows.stream().allMatch(r -> r.service().errors() == 0 && r.floor().errors() == 0
          && r.service().ops() > 0 && r.floor().ops() > 0)
          && service.stream().allMatch(LedgerCheck::ok) && floor.stream().allMatch(LedgerCheck::ok));
    }
  }

  public record Report(List<DbReport> dbs) {
    public boolean ok() {
      return dbs.stream().allMatch(DbReport::ok);
    }
  }

  // ------------------------------------------------------------------------------------------------ main

  public static void main(String[] args) throws Exception {
    Config cfg;
    try {
      cfg = Config.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      if (!e.getMessage().contains("usage:")) System.err.println(USAGE);
      System.exit(2);
      return;
    }
    Report r = run(cfg, System.out, System.err);
    System.exit(r.ok() ? 0 : 1);
  }

  /** Runs the benchmark, printing the header, the table and the ledger check to {@code out}, progress to {@code log}. */
  public static Report run(Config cfg, PrintStream out, PrintStream log) throws Exception {
    printMachine(cfg, out);
    List<DbReport> reports = new ArrayList<>();
    for (String db : cfg.dbs()) {
      if (db.equals("postgres") && cfg.pgUrl() == null) {
        reports.add(new DbReport(db, "GENRTL_PG_URL is not set: PostgreSQL rows skipped "
            + "(e.g. GENRTL_PG_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres')", null, List.of(), List.of(),
            List.of(), null));
        continue;
      }
      try (Target t = db.equals("sqlite") ? Target.sqlite(cfg) : Target.postgres(cfg)) {
        reports.add(runDb(t, cfg, log));
      }
    }
    printTable(reports, out);
    out.printf(Locale.ROOT, "%nload average %.2f at the end (this machine's other work shows in the absolute numbers; "
        + "the interleaved slices keep the ratios comparable)%n", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return new Report(reports);
  }

  private static DbReport runDb(Target t, Config cfg, PrintStream log) throws Exception {
    checkDebitSql(t);
    Set<String> svcUsers = new HashSet<>();
    Set<String> floorUsers = new HashSet<>();
    List<Row> rows = new ArrayList<>();
    Floor floor = new Floor(t.ds, t.least, t.genrtl.clock(), t.genrtl.ids());
    for (int threads : cfg.threads()) {
      for (String variant : threads > 1 ? List.of(OWN, HOT) : List.of(OWN)) {
        int n = variant.equals(OWN) ? threads : 1;
        String[] su = users(t.genrtl, n, "svc");
        String[] fu = users(t.genrtl, n, "floor");
        svcUsers.addAll(List.of(su));
        floorUsers.addAll(List.of(fu));
        log.printf(Locale.ROOT, "%s, %d thread(s), %s...%n", t.name, threads, variant);
        List<Load.Result> sf = Load.interleaved(threads, cfg.warmupNanos(), cfg.measureNanos(), cfg.rounds(),
            List.of(serviceOp(t.genrtl.pool(), su), floorOp(floor, fu)), () -> {});
        Load.Result s = sf.get(0);
        Load.Result f = sf.get(1);
        for (Load.Result r : List.of(s, f)) {
          if (r.firstError() != null) {
            log.println("  " + r.errors() + " failed charges; the first:");
            r.firstError().printStackTrace(log);
          }
        }
        rows.add(new Row(t.name, threads, variant, s, f));
      }
    }
    String profile = cfg.profile() ? Profile.run(t, cfg, svcUsers, floorUsers, log) : null;
    log.printf("%s: verifying the ledger of %d accounts...%n", t.name, svcUsers.size() + floorUsers.size());
    List<LedgerCheck> all = t.genrtl.pool().verifyAll();
    List<LedgerCheck> svc = all.stream().filter(c -> svcUsers.contains(c.userId())).toList();
    List<LedgerCheck> flo = all.stream().filter(c -> floorUsers.contains(c.userId())).toList();
    if (svc.size() != svcUsers.size() || flo.size() != floorUsers.size()) {
      throw new IllegalStateException("verifyAll did not see every benchmark account");
    }
    return new DbReport(t.name, null, t.description, rows, svc, flo, profile);
  }

  /** Creates {@code n} users on plan ultra through the service, with the plan's maximum on-demand limit. */
  static String[] users(GenRtl g, int n, String role) {
    String[] out = new String[n];
    for (int i = 0; i < n; i++) {
      String email = "bench-" + role + "-" + UUID.randomUUID() + "@example.com";
      String id = g.accounts().createUser(new NewUser(email, null, Role.USER, "ultra")).user().userId();
      g.pool().setOnDemandLimit(id, ON_DEMAND_LIMIT_MICROS);
      out[i] = id;
    }
    return out;
  }

  private static final AtomicLong RUN = new AtomicLong();

  /** A charge through the service: unique idempotency key, an LLM row with tokens, 1..1000 micro-USD. */
  static Load.Op serviceOp(PoolService pool, String[] users) {
    String prefix = "bench-" + RUN.incrementAndGet() + "-";
    return (thread, seq) -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      TokenUsage tokens = new TokenUsage("openai", "gpt-4o-mini", rnd.nextLong(100, 4_001), rnd.nextLong(10, 1_001), 0, 0);
      ChargeResult r = pool.charge(new ChargeRequest(users[thread % users.length], UsageKind.LLM, rnd.nextLong(1, 1_001),
          prefix + thread + "-" + seq, null, Attribution.NONE, tokens, null, null));
      if (r.replayed()) throw new IllegalStateException("a fresh idempotency key was replayed");
    };
  }

  /** The same charge on the floor. */
  static Load.Op floorOp(Floor floor, String[] users) {
    String prefix = "bench-" + RUN.incrementAndGet() + "-";
    return (thread, seq) -> {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      floor.charge(users[thread % users.length], rnd.nextLong(1, 1_001), "openai", "gpt-4o-mini",
          rnd.nextLong(100, 4_001), rnd.nextLong(10, 1_001), prefix + thread + "-" + seq);
    };
  }

  /** Fails unless the floor's debit statement is the very text PoolJdbc runs. */
  static void checkDebitSql(Target t) {
    String theirs = poolJdbcDebitSql(t.stores);
    String ours = Floor.debitSql(t.least);
    if (!ours.equals(theirs)) {
      throw new IllegalStateException("the floor's debit SQL differs from PoolJdbc's; update Floor.debitSql.\n ours:   "
          + ours + "\n theirs: " + theirs);
    }
  }

  /**
   * The debit statement held by the PoolJdbc behind the stores' pool accounts store (read reflectively: it is internal;
   * the store is an inner class of PoolJdbc).
   */
  static String poolJdbcDebitSql(Stores stores) {
    try {
      Object store = stores.pool().accounts();
      Field pj = null;
      for (Field f : store.getClass().getDeclaredFields()) {
        if (f.getType().getSimpleName().equals("PoolJdbc")) pj = f;
      }
      if (pj == null) throw new NoSuchFieldException("no PoolJdbc behind " + store.getClass().getName());
      pj.setAccessible(true);
      Object poolJdbc = pj.get(store);
      Field sql = poolJdbc.getClass().getDeclaredField("debitSql");
      sql.setAccessible(true);
      return (String) sql.get(poolJdbc);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("cannot read PoolJdbc's debit SQL: " + e, e);
    }
  }

  // ------------------------------------------------------------------------------------------------ databases

  /** One database under test: its pooled data source, stores and GenRtl. */
  static final class Target implements AutoCloseable {
    final String name;
    final HikariDataSource ds;
    final Stores stores;
    final GenRtl genrtl;
    final String least;
    final String description;
    /** Stores of this database's dialect on another data source (the profile's timing wrapper). */
    final Function<DataSource, Stores> storesOn;
    private final Runnable cleanup;

    private Target(String name, HikariDataSource ds, Function<DataSource, Stores> storesOn, String least,
        String description, Runnable cleanup) {
      this.name = name;
      this.storesOn = storesOn;
      Stores stores = storesOn.apply(ds);
      this.ds = ds;
      this.stores = stores;
      this.genrtl = GenRtl.builder().stores(stores).build();
      this.least = least;
      this.description = description;
      this.cleanup = cleanup;
    }

    static Target sqlite(Config cfg) throws IOException, SQLException {
      Files.createDirectories(cfg.dir());
      Path dir = Files.createTempDirectory(cfg.dir(), "genrtl-bench-");
      Path file = dir.resolve("bench.db");
      HikariDataSource ds = SqliteDataSources.file(file, cfg.sqlitePool());
      try {
        String version = scalar(ds, "SELECT sqlite_version()");
        String desc = "SQLite " + version + ", file " + file + " (WAL, synchronous=FULL, IMMEDIATE transactions, deleted "
            + "afterwards), Hikari pool " + cfg.sqlitePool();
        return new Target("sqlite", ds, SqliteStores::create, "MIN", desc, () -> deleteTree(dir));
      } catch (RuntimeException | SQLException e) {
        ds.close();
        deleteTree(dir);
        throw e;
      }
    }

    static Target postgres(Config cfg) throws SQLException {
      String url = cfg.pgUrl();
      String schema = "genrtl_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      exec(url, "CREATE SCHEMA " + schema);
      HikariDataSource ds = null;
      try {
        ds = PostgresDataSources.create(url, null, null, schema, cfg.pgPool());
        String desc = "PostgreSQL " + scalar(ds, "SHOW server_version") + " at " + redact(url) + ", schema " + schema
            + " (dropped afterwards), synchronous_commit=" + scalar(ds, "SHOW synchronous_commit") + ", Hikari pool "
            + cfg.pgPool();
        return new Target("postgres", ds, PostgresStores::create, "LEAST", desc, () -> exec(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
      } catch (RuntimeException | SQLException e) {
        if (ds != null) ds.close();
        exec(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        throw e;
      }
    }

    @Override
    public void close() {
      ds.close();
      cleanup.run();
    }
  }

  private static String scalar(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : "?";
    }
  }

  private static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------------------ printing

  private static void printMachine(Config cfg, PrintStream out) {
    Runtime rt = Runtime.getRuntime();
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    out.println("genRTL charge benchmark: PoolService.charge (service) vs bare JDBC debit + ledger INSERT (floor)");
    out.printf(Locale.ROOT, "machine: %d cores, %s %s %s, load average %.2f at start%n", rt.availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"), load);
    out.printf(Locale.ROOT, "java:    %s (%s, %s), max heap %d MiB%n", System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), System.getProperty("java.vendor"), rt.maxMemory() >> 20);
    out.printf(Locale.ROOT, "run:     threads %s; per cell and side a %s s warm-up, then %s s measured in %d "
            + "alternating slices (service, floor, floor, service, ...); charges of 1..1000 micro-USD, plan ultra%n",
        cfg.threads().stream().map(String::valueOf).collect(Collectors.joining(",")), fmt(cfg.warmup()),
        fmt(cfg.seconds()), cfg.rounds());
    out.println();
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static void printTable(List<DbReport> reports, PrintStream out) {
    for (DbReport r : reports) {
      if (r.skipped() != null) out.println(r.db() + ": " + r.skipped());
      else out.println(r.db() + ": " + r.description());
    }
    out.println();
    String head = String.format(Locale.ROOT, "%-9s %7s  %-29s %13s %11s %13s %10s %10s %10s %10s",
        "database", "threads", "variant", "service ops/s", "floor ops/s", "service/floor", "svc p50ms", "svc p99ms",
        "flr p50ms", "flr p99ms");
    out.println(head);
    out.println("-".repeat(head.length()));
    for (DbReport r : reports) {
      for (Row row : r.rows()) {
        out.printf(Locale.ROOT, "%-9s %7d  %-29s %13.0f %11.0f %13.2f %10.2f %10.2f %10.2f %10.2f%s%n", row.db(),
            row.threads(), row.variant(), row.service().opsPerSecond(), row.floor().opsPerSecond(), row.ratio(),
            row.service().percentileMillis(50), row.service().percentileMillis(99), row.floor().percentileMillis(50),
            row.floor().percentileMillis(99),
            row.service().errors() + row.floor().errors() > 0
                ? "  (failed charges: service " + row.service().errors() + ", floor " + row.floor().errors() + ")"
                : "");
      }
    }
    out.println();
    for (DbReport r : reports) {
      if (r.skipped() != null) continue;
      out.printf("%s ledger invariants after the run (PoolService.verifyAll): service users %s, floor users %s%n",
          r.db(), verdict(r.service()), verdict(r.floor()));
      Stream.concat(r.service().stream(), r.floor().stream()).filter(c -> !c.ok())
          .forEach(c -> out.println("  " + c.userId() + ": " + c.problems()));
    }
    for (DbReport r : reports) {
      if (r.profile() != null) {
        out.println();
        out.print(r.profile());
      }
    }
  }

  private static String verdict(List<LedgerCheck> checks) {
    long bad = checks.stream().filter(c -> !c.ok()).count();
    return (bad == 0 ? "OK" : "FAILED") + " (" + (checks.size() - bad) + "/" + checks.size() + " accounts exact)";
  }

  /** Extra statements for the profile ladder, cumulative, in the order the service runs them. */
  static final List<EnumSet<Extra>> LADDER = List.of(
      EnumSet.noneOf(Extra.class),
      EnumSet.of(Extra.CLAIM),
      EnumSet.of(Extra.CLAIM, Extra.SUBSCRIPTION),
      EnumSet.of(Extra.CLAIM, Extra.SUBSCRIPTION, Extra.ACCOUNT),
      EnumSet.of(Extra.CLAIM, Extra.SUBSCRIPTION, Extra.ACCOUNT, Extra.COMPLETE),
      EnumSet.of(Extra.RECORD_AT_END));
}
