package io.genrtl.bench;

import io.genrtl.bench.ChargeBenchmark.Target;
import io.genrtl.cbb.pkg.ArchiveInspector;
import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.CbbVersion;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.pool.LedgerCheck;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * CBB checkouts per second over real HTTP (the Javalin app, {@code java.net.http.HttpClient} with keep-alive, one
 * buyer per client) next to the bare-JDBC floor of the same writes ({@link CheckoutFloor}), and the download
 * throughput of a large package over HTTP next to reading the same blob from disk, on SQLite and PostgreSQL.
 * See README.md, "Checkouts and downloads".
 *
 * <pre>
 * java -cp bench/target/genrtl-bench.jar io.genrtl.bench.CheckoutBenchmark [--clients=16] [--seconds=5] [--warmup=2]
 *     [--rounds=5] [--db=sqlite,postgres] [--pg-url=...] [--versions=32] [--download-mb=64] [--download-reps=5]
 * </pre>
 */
public final class CheckoutBenchmark {
  static final Path DEFAULT_CATALOG = Path.of("catalog");
  static final PackageLimits LIMITS = new PackageLimits(10_000, 512L << 20, 100);
  static final String BIG_ID = "bench_download";

  private CheckoutBenchmark() {}

  /** What to run. {@code versions}: how many versions of each seed CBB are published (a buyer's stock is 8 × that). */
  public record Config(int clients, double seconds, double warmup, int rounds, List<String> dbs, String pgUrl,
      int sqlitePool, int pgPool, Path dir, Path catalog, int versions, int downloadMb, int downloadReps) {

    public static Config parse(String[] args) {
      Map<String, String> o = new java.util.LinkedHashMap<>();
      o.put("clients", prop("clients", "16"));
      o.put("seconds", prop("seconds", "5"));
      o.put("warmup", prop("warmup", "2"));
      o.put("rounds", prop("rounds", "5"));
      o.put("db", prop("db", "sqlite,postgres"));
      o.put("pg-url", System.getProperty("bench.pgUrl", System.getenv("GENRTL_PG_URL")));
      o.put("sqlite-pool", prop("sqlitePool", "4"));
      o.put("pg-pool", prop("pgPool", "10"));
      o.put("dir", prop("dir", System.getProperty("java.io.tmpdir")));
      o.put("catalog", prop("catalog", DEFAULT_CATALOG.toString()));
      o.put("versions", prop("versions", "32"));
      o.put("download-mb", prop("downloadMb", "64"));
      o.put("download-reps", prop("downloadReps", "5"));
      for (String a : args) {
        if (a.equals("--help") || a.equals("-h")) throw new IllegalArgumentException(USAGE);
        int eq = a.indexOf('=');
        String k = a.startsWith("--") && eq > 2 ? a.substring(2, eq) : null;
        if (k == null || !o.containsKey(k)) throw new IllegalArgumentException("unknown argument: " + a + "\n" + USAGE);
        o.put(k, a.substring(eq + 1));
      }
      List<String> ds = Arrays.stream(o.get("db").split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
      for (String d : ds) {
        if (!d.equals("sqlite") && !d.equals("postgres")) throw new IllegalArgumentException("unknown db: " + d);
      }
      String pg = o.get("pg-url");
      Config c = new Config(Integer.parseInt(o.get("clients")), Double.parseDouble(o.get("seconds")),
          Double.parseDouble(o.get("warmup")), Integer.parseInt(o.get("rounds")), ds, pg == null || pg.isBlank() ? null : pg,
          Integer.parseInt(o.get("sqlite-pool")), Integer.parseInt(o.get("pg-pool")), Path.of(o.get("dir")),
          Path.of(o.get("catalog")), Integer.parseInt(o.get("versions")), Integer.parseInt(o.get("download-mb")),
          Integer.parseInt(o.get("download-reps")));
      if (c.clients() < 1 || c.versions() < 1 || c.downloadReps() < 1 || c.downloadMb() < 1) {
        throw new IllegalArgumentException("clients, versions, download-mb and download-reps must be >= 1");
      }
      return c;
    }

    private static String prop(String name, String dflt) {
      return System.getProperty("bench." + name, dflt);
    }

    ChargeBenchmark.Config charge() {
      return new ChargeBenchmark.Config(List.of(clients), seconds, warmup, dbs, pgUrl, sqlitePool, pgPool, dir, false,
          rounds);
    }
  }

  static final String USAGE = """
      usage: java -cp genrtl-bench.jar io.genrtl.bench.CheckoutBenchmark [--clients=16] [--seconds=5] [--warmup=2]
                 [--rounds=5] [--db=sqlite,postgres] [--pg-url=jdbc:postgresql://host:5432/db?user=u] [--dir=DIR]
                 [--catalog=catalog] [--versions=32] [--download-mb=64] [--download-reps=5]
                 [--sqlite-pool=4] [--pg-pool=10]
      (or -Dbench.clients=..., ...; the PostgreSQL URL defaults to $GENRTL_PG_URL)""";

  // ------------------------------------------------------------------------------------------------ results

  /** Download: total bytes and nanoseconds per side, all repetitions. */
  public record Download(long sizeBytes, int reps, long httpNanos, long diskNanos) {
    double httpMbps() {
      return sizeBytes * (double) reps / 1e6 / (httpNanos / 1e9);
    }

    double diskMbps() {
      return sizeBytes * (double) reps / 1e6 / (diskNanos / 1e9);
    }
  }

  public record DbReport(String db, int clients, String skipped, String description, Load.Result http, Load.Result floor,
      Download download, List<LedgerCheck> httpUsers, List<LedgerCheck> floorUsers) {
    public double ratio() {
      return floor.opsPerSecond() == 0 ? Double.NaN : http.opsPerSecond() / floor.opsPerSecond();
    }

    public boolean ok() {
      return skipped != null || (http.errors() == 0 && floor.errors() == 0 && http.ops() > 0 && floor.ops() > 0
          && httpUsers.stream().allMatch(LedgerCheck::ok) && floorUsers.stream().allMatch(LedgerCheck::ok));
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

  public static Report run(Config cfg, PrintStream out, PrintStream log) throws Exception {
    Runtime rt = Runtime.getRuntime();
    out.println("genRTL checkout benchmark: POST /api/cbb/checkout over HTTP (http) vs bare JDBC checkout writes (floor); "
        + "GET /api/cbb/download vs reading the blob from disk");
    out.printf(Locale.ROOT, "machine: %d cores, %s %s %s, load average %.2f at start%n", rt.availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    out.printf(Locale.ROOT, "java:    %s (%s, %s), max heap %d MiB%n", System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), System.getProperty("java.vendor"), rt.maxMemory() >> 20);
    out.printf(Locale.ROOT, "run:     %d clients, each its own user (plan ultra, own workspace); per side a %s s warm-up, "
            + "then %s s measured in %d alternating slices; one item per checkout, %d versions x %d seed CBBs per buyer; "
            + "download of a %d MB package, %d repetitions per side, interleaved%n",
        cfg.clients(), fmt(cfg.warmup()), fmt(cfg.seconds()), cfg.rounds(), cfg.versions(), seedDirs(cfg).size(),
        cfg.downloadMb(), cfg.downloadReps());
    out.println();

    Path work = Files.createTempDirectory(Files.createDirectories(cfg.dir()), "genrtl-bench-cbb-");
    List<DbReport> reports = new ArrayList<>();
    try {
      log.println("building packages...");
      List<Path> seeds = buildSeedVersions(cfg, work.resolve("seeds"));
      Path big = buildBigPackage(cfg, work.resolve("big"));
      for (String db : cfg.dbs()) {
        if (db.equals("postgres") && cfg.pgUrl() == null) {
          reports.add(new DbReport(db, cfg.clients(), "GENRTL_PG_URL is not set: PostgreSQL rows skipped "
              + "(e.g. GENRTL_PG_URL='jdbc:postgresql://127.0.0.1:5432/test?user=postgres')", null, null, null, null,
              List.of(), List.of()));
          continue;
        }
        try (Target t = db.equals("sqlite") ? Target.sqlite(cfg.charge()) : Target.postgres(cfg.charge())) {
          reports.add(runDb(t, cfg, seeds, big, work.resolve("blobs-" + db), log));
        }
      }
    } finally {
      deleteTree(work);
    }
    printTable(reports, out);
    out.printf(Locale.ROOT, "%nload average %.2f at the end%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    return new Report(reports);
  }

  // ------------------------------------------------------------------------------------------------ one database

  /** A buyer: user, API key, workspace. */
  record Buyer(String userId, String apiKey, String workspaceId) {}

  /** A version on sale. */
  record Item(String cbbId, String version, long priceMicros) {}

  private static DbReport runDb(Target t, Config cfg, List<Path> seeds, Path big, Path blobs, PrintStream log)
      throws Exception {
    ChargeBenchmark.checkDebitSql(t);
    GenRtl g = GenRtl.builder().stores(t.stores).blobStore(new FileSystemBlobStore(blobs))
        .packageInspector(new ArchiveInspector())
        .cbbSettings(new CbbService.Settings("http://127.0.0.1", Duration.ofHours(1), LIMITS)).build();
    Javalin app = GenRtlApp.create(g, new GenRtlApp.Settings(64 * 1024, "http://127.0.0.1", 2L << 20, null));
    app.start("127.0.0.1", 0);
    try {
      String base = "http://127.0.0.1:" + app.port();
      CreatedUser root = g.accounts().createUser(new NewUser("bench-root-" + UUID.randomUUID() + "@example.com", "ops",
          Role.SUPER_ADMIN, null));
      log.printf("%s: publishing %d packages...%n", t.name, seeds.size() + 1);
      List<Item> items = new ArrayList<>();
      for (Path p : seeds) {
        CbbVersion v = g.cbbs().publish(p, root.user().userId()).version();
        items.add(new Item(v.cbbId(), v.version(), v.manifest().priceMicros()));
      }
      CbbVersion bigVersion = g.cbbs().publish(big, root.user().userId()).version();

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      Set<String> httpUsers = ConcurrentHashSet();
      Set<String> floorUsers = ConcurrentHashSet();
      Stock httpStock = new Stock(g, items, httpUsers);
      Stock floorStock = new Stock(g, items, floorUsers);
      httpStock.topUp(cfg.clients() * 2);
      floorStock.topUp(cfg.clients() * 2);
      CheckoutFloor floor = new CheckoutFloor(t.ds, t.least, g.clock(), g.ids());
      String run = Long.toString(System.nanoTime(), 36);
      Load.Op httpOp = httpStock.op(cfg.clients(), (b, it, key) -> {
        String body = "{\"user_id\":\"" + b.userId() + "\",\"workspace_id\":\"" + b.workspaceId() + "\",\"items\":[{\"cbb_id\":\""
            + it.cbbId() + "\",\"version\":\"" + it.version() + "\"}]}";
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/cbb/checkout")).timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + b.apiKey()).header("Content-Type", "application/json")
            .header("Idempotency-Key", "http-" + run + "-" + key).POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 201) throw new IllegalStateException("checkout: HTTP " + res.statusCode() + ": " + res.body());
      });
      Load.Op floorOp = floorStock.op(cfg.clients(), (b, it, key) ->
          floor.checkout(b.userId(), b.workspaceId(), it.cbbId(), it.version(), it.priceMicros(), "floor-" + run + "-" + key));
      log.printf(Locale.ROOT, "%s: %d clients, checkouts over HTTP and on the floor, interleaved...%n", t.name, cfg.clients());
      long[] warmStart = {System.nanoTime()};
      List<Load.Result> hf = Load.interleaved(cfg.clients(), (long) (cfg.warmup() * 1e9), (long) (cfg.seconds() * 1e9),
          cfg.rounds(), List.of(httpOp, floorOp), () -> {
            // enough buyers for the measured time, from the warm-up's pace (creating them in the loop would count)
            double warmSecs = Math.max(1e-3, (System.nanoTime() - warmStart[0]) / 1e9 / 2);
            httpStock.topUpFor(cfg.seconds() / warmSecs, cfg.clients());
            floorStock.topUpFor(cfg.seconds() / warmSecs, cfg.clients());
          });
      for (Load.Result r : hf) {
        if (r.firstError() != null) {
          log.println("  " + r.errors() + " failed checkouts; the first:");
          r.firstError().printStackTrace(log);
        }
      }

      log.printf("%s: download of %d bytes, %d repetitions per side...%n", t.name, bigVersion.sizeBytes(), cfg.downloadReps());
      Download dl = download(g, http, base, bigVersion, blobs.resolve(bigVersion.blobKey()), cfg.downloadReps());

      log.printf("%s: verifying the ledger...%n", t.name);
      List<LedgerCheck> all = g.pool().verifyAll();
      List<LedgerCheck> hc = all.stream().filter(c -> httpUsers.contains(c.userId())).toList();
      List<LedgerCheck> fc = all.stream().filter(c -> floorUsers.contains(c.userId())).toList();
      if (hc.size() != httpUsers.size() || fc.size() != floorUsers.size()) {
        throw new IllegalStateException("verifyAll did not see every benchmark account");
      }
      return new DbReport(t.name, cfg.clients(), null, t.description, hf.get(0), hf.get(1), dl, hc, fc);
    } finally {
      app.stop();
    }
  }

  private static Set<String> ConcurrentHashSet() {
    return java.util.concurrent.ConcurrentHashMap.newKeySet();
  }

  @FunctionalInterface
  interface Checkout {
    void buy(Buyer b, Item it, String key) throws Exception;
  }

  /** Buyers ready to use; each client takes a fresh one when its buyer owns every version on sale. */
  static final class Stock {
    private final GenRtl g;
    private final List<Item> items;
    private final Set<String> users;
    private final ConcurrentLinkedQueue<Buyer> ready = new ConcurrentLinkedQueue<>();
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong inline = new AtomicLong();

    Stock(GenRtl g, List<Item> items, Set<String> users) {
      this.g = g;
      this.items = items;
      this.users = users;
    }

    void topUp(int n) {
      for (int i = 0; i < n; i++) ready.add(newBuyer());
    }

    /** Enough buyers for {@code factor} times the checkouts done so far, plus one per client. */
    void topUpFor(double factor, int clients) {
      long need = (long) Math.ceil(used.get() * factor * 1.3 / items.size()) + clients;
      topUp((int) Math.max(0, need - ready.size()));
    }

    private Buyer newBuyer() {
      String email = "bench-cbb-" + UUID.randomUUID() + "@example.com";
      CreatedUser u = g.accounts().createUser(new NewUser(email, null, Role.USER, "ultra"));
      String id = u.user().userId();
      g.pool().setOnDemandLimit(id, ChargeBenchmark.ON_DEMAND_LIMIT_MICROS);
      String ws = g.accounts().createWorkspace(Principal.of(u.user(), null), "bench").workspaceId();
      users.add(id);
      return new Buyer(id, g.apiKeys().issue(id, "bench", null).apiKey(), ws);
    }

    Load.Op op(int clients, Checkout c) {
      Buyer[] current = new Buyer[clients];
      int[] next = new int[clients];
      return (thread, seq) -> {
        if (current[thread] == null || next[thread] == items.size()) {
          Buyer b = ready.poll();
          if (b == null) {
            inline.incrementAndGet();
            b = newBuyer();
          }
          current[thread] = b;
          next[thread] = 0;
        }
        Item it = items.get(next[thread]++);
        used.incrementAndGet();
        c.buy(current[thread], it, thread + "-" + seq);
      };
    }
  }

  // ------------------------------------------------------------------------------------------------ download

  private static final Pattern URL = Pattern.compile("\"url\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern RECEIPT = Pattern.compile("\"receipt_id\"\\s*:\\s*\"([^\"]+)\"");

  private static Download download(GenRtl g, HttpClient http, String base, CbbVersion v, Path blob, int reps)
      throws Exception {
    Buyer b = new Stock(g, List.of(), ConcurrentHashSet()).newBuyer();
    String co = "{\"user_id\":\"" + b.userId() + "\",\"workspace_id\":\"" + b.workspaceId() + "\",\"items\":[{\"cbb_id\":\""
        + v.cbbId() + "\",\"version\":\"" + v.version() + "\"}]}";
    HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cbb/checkout"))
        .header("Authorization", "Bearer " + b.apiKey()).header("Content-Type", "application/json")
        .header("Idempotency-Key", "download-" + UUID.randomUUID()).POST(HttpRequest.BodyPublishers.ofString(co)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 201) throw new IllegalStateException("checkout: HTTP " + res.statusCode() + ": " + res.body());
    Matcher rm = RECEIPT.matcher(res.body());
    if (!rm.find()) throw new IllegalStateException("no receipt_id: " + res.body());
    res = http.send(HttpRequest.newBuilder(URI.create(base + "/api/cbb/deliver"))
        .header("Authorization", "Bearer " + b.apiKey()).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"receipt_id\":\"" + rm.group(1) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher um = URL.matcher(res.body());
    if (res.statusCode() != 200 || !um.find()) throw new IllegalStateException("deliver: HTTP " + res.statusCode() + ": " + res.body());
    String url = um.group(1);
    String token = url.substring(url.lastIndexOf('/') + 1);
    URI uri = URI.create(base + "/api/cbb/download/" + token);
    long httpNanos = 0;
    long diskNanos = 0;
    for (int r = 0; r < reps; r++) {
      for (int side = 0; side < 2; side++) {
        boolean viaHttp = (side + r) % 2 == 0;
        long t0 = System.nanoTime();
        String sha;
        long n;
        if (viaHttp) {
          HttpResponse<InputStream> got = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofInputStream());
          if (got.statusCode() != 200) throw new IllegalStateException("download: HTTP " + got.statusCode());
          try (InputStream in = got.body()) {
            long[] count = new long[1];
            sha = digest(in, count);
            n = count[0];
          }
        } else {
          try (InputStream in = Files.newInputStream(blob)) {
            long[] count = new long[1];
            sha = digest(in, count);
            n = count[0];
          }
        }
        long dt = System.nanoTime() - t0;
        if (!sha.equals(v.sha256()) || n != v.sizeBytes()) {
          throw new IllegalStateException((viaHttp ? "download" : "disk read") + ": sha256 or size differ (" + n + " bytes)");
        }
        if (viaHttp) httpNanos += dt;
        else diskNanos += dt;
      }
    }
    return new Download(v.sizeBytes(), reps, httpNanos, diskNanos);
  }

  private static String digest(InputStream in, long[] count) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    int k;
    long n = 0;
    while ((k = in.read(buf)) > 0) {
      md.update(buf, 0, k);
      n += k;
    }
    count[0] = n;
    return HexFormat.of().formatHex(md.digest());
  }

  // ------------------------------------------------------------------------------------------------ packages

  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"[^\"]*\"");
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"[^\"]*\"");

  static List<Path> seedDirs(Config cfg) throws IOException {
    try (Stream<Path> s = Files.list(cfg.catalog())) {
      return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
    }
  }

  /** Every seed package of the catalog in {@code versions} versions (1.k.0), built as tar.gz. */
  static List<Path> buildSeedVersions(Config cfg, Path out) throws IOException {
    Files.createDirectories(out);
    List<Path> built = new ArrayList<>();
    for (Path dir : seedDirs(cfg)) {
      Path copy = out.resolve("src-" + dir.getFileName());
      copyTree(dir, copy);
      String manifest = Files.readString(dir.resolve("manifest.json"));
      for (int k = 0; k < cfg.versions(); k++) {
        Files.writeString(copy.resolve("manifest.json"), VERSION.matcher(manifest).replaceFirst("\"version\": \"1." + k + ".0\""));
        built.add(PackageBuilder.build(copy, out.resolve(dir.getFileName() + "-1." + k + ".0.tar.gz"), CbbPackage.Format.TAR_GZ));
      }
    }
    if (built.isEmpty()) throw new IllegalArgumentException("no seed packages under " + cfg.catalog().toAbsolutePath());
    return built;
  }

  /** A valid package (sync_fifo's files) whose rtl/ also holds {@code downloadMb} MB of random bytes in 4 files; zip. */
  static Path buildBigPackage(Config cfg, Path out) throws IOException {
    Path src = cfg.catalog().resolve("sync_fifo");
    Path copy = out.resolve("src");
    copyTree(src, copy);
    String m = Files.readString(src.resolve("manifest.json"));
    m = ID.matcher(m).replaceFirst("\"id\": \"" + BIG_ID + "\"");
    Files.writeString(copy.resolve("manifest.json"), m);
    long total = (long) cfg.downloadMb() * 1_000_000L;
    Random rnd = new Random(42);
    byte[] buf = new byte[1 << 20];
    for (int f = 0; f < 4; f++) {
      long size = total / 4 + (f == 3 ? total % 4 : 0);
      try (OutputStream o = Files.newOutputStream(copy.resolve("rtl").resolve("payload_" + f + ".bin"))) {
        for (long left = size; left > 0; left -= buf.length) {
          rnd.nextBytes(buf);
          o.write(buf, 0, (int) Math.min(buf.length, left));
        }
      }
    }
    return PackageBuilder.build(copy, out.resolve(BIG_ID + ".zip"), CbbPackage.Format.ZIP);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(q);
        else if (Files.isRegularFile(p)) Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------------------ printing

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  static void printTable(List<DbReport> reports, PrintStream out) {
    for (DbReport r : reports) out.println(r.db() + ": " + (r.skipped() != null ? r.skipped() : r.description()));
    out.println();
    String head = String.format(Locale.ROOT, "%-9s %7s  %-38s %10s %11s %10s %10s %10s %10s %10s",
        "database", "clients", "checkout (1 item)", "http ops/s", "floor ops/s", "http/floor", "http p50ms", "http p99ms",
        "flr p50ms", "flr p99ms");
    out.println(head);
    out.println("-".repeat(head.length()));
    for (DbReport r : reports) {
      if (r.skipped() != null) continue;
      out.printf(Locale.ROOT, "%-9s %7d  %-38s %10.0f %11.0f %10.2f %10.2f %10.2f %10.2f %10.2f%s%n", r.db(),
          r.clients(), "own user per client, HTTP vs bare JDBC", r.http().opsPerSecond(), r.floor().opsPerSecond(),
          r.ratio(), r.http().percentileMillis(50), r.http().percentileMillis(99), r.floor().percentileMillis(50),
          r.floor().percentileMillis(99), r.http().errors() + r.floor().errors() > 0
              ? "  (failed: http " + r.http().errors() + ", floor " + r.floor().errors() + ")" : "");
    }
    out.println();
    String h2 = String.format(Locale.ROOT, "%-9s %9s %5s  %-38s %10s %10s %10s", "database", "size MB", "reps",
        "download (whole body + SHA-256)", "http MB/s", "disk MB/s", "http/disk");
    out.println(h2);
    out.println("-".repeat(h2.length()));
    for (DbReport r : reports) {
      if (r.skipped() != null) continue;
      Download d = r.download();
      out.printf(Locale.ROOT, "%-9s %9.1f %5d  %-38s %10.0f %10.0f %10.2f%n", r.db(), d.sizeBytes() / 1e6, d.reps(),
          "GET /api/cbb/download vs blob file", d.httpMbps(), d.diskMbps(), d.httpMbps() / d.diskMbps());
    }
    out.println("(MB = 10^6 bytes; both sides read the same file, after the first repetition from the page cache)");
    out.println();
    for (DbReport r : reports) {
      if (r.skipped() != null) continue;
      out.printf("%s ledger invariants after the run (PoolService.verifyAll): http buyers %s, floor buyers %s%n",
          r.db(), verdict(r.httpUsers()), verdict(r.floorUsers()));
      Stream.concat(r.httpUsers().stream(), r.floorUsers().stream()).filter(c -> !c.ok())
          .forEach(c -> out.println("  " + c.userId() + ": " + c.problems()));
    }
  }

  private static String verdict(List<LedgerCheck> checks) {
    long bad = checks.stream().filter(c -> !c.ok()).count();
    return (bad == 0 ? "OK" : "FAILED") + " (" + (checks.size() - bad) + "/" + checks.size() + " accounts exact)";
  }
}
