package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.cbb.pkg.ArchiveInspector;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.Json;
import io.genrtl.toolrunner.ToolJob;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.genrtl.toolrunner.Simulator;
import io.genrtl.toolrunner.Sims;
import io.genrtl.toolrunner.ToolRunner;
import io.javalin.Javalin;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /api/tools/run} end to end on SQLite: the seed catalog is published the way the host does it on start,
 * a user buys every seed CBB through checkout and runs each package's own testbench through the API, in Icarus
 * always and in Verilator when {@code GENRTL_SIM_FULL=1} (CI). Runs are charged per CPU second (here at $0.001/s so
 * the amounts are visible); bad input and other users' objects are refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolApiTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  static final long MICROS_PER_CPU_SECOND = 1_000;

  @TempDir static Path tmp;
  HikariDataSource ds;
  GenRtl genrtl;
  JobRunner runner;
  Javalin app;
  TestHttp http;
  String annKey;
  String annId;
  String annWs;
  String eveKey;
  String eveWs;
  String receipt;
  List<String> seeds;

  @BeforeAll
  void start() throws IOException {
    Sims.reachable(tmp);
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    ToolRunner.Settings d = ToolRunner.Settings.defaults();
    ToolRunner tools = ToolRunner.create(d.withWorkDir(tmp.resolve("runs")).withVerilatorJobs(Sims.verilatorJobs())
        .withCache(tmp.resolve("cache"), 512L << 20)
        .withLimits(d.compile(), new ToolRunner.Limits(Duration.ofSeconds(30), Duration.ofSeconds(60), 2L << 30, 1L << 20,
            64L << 20), Duration.ofSeconds(120)));
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds))
        .blobStore(new FileSystemBlobStore(tmp.resolve("blobs"))).packageInspector(new ArchiveInspector())
        .cbbSettings(new CbbService.Settings("http://127.0.0.1", Duration.ofSeconds(300), PackageLimits.DEFAULTS))
        .jobHandler(ToolJob.TYPE, ToolJob.factory(() -> tools, MICROS_PER_CPU_SECOND))
        .build();
    seeds = SeedCatalog.publish(genrtl); // what the host does on start
    runner = new JobRunner(genrtl.stores().transactor(), genrtl.stores().jobs(), Clock.systemUTC(), genrtl.jobs(),
        new JobRunner.Settings("test-host", 2, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    runner.start();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(256 * 1024, "http://localhost"));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    annId = ann.user().userId();
    annKey = genrtl.apiKeys().issue(annId, "t", null).apiKey();
    annWs = genrtl.accounts().createWorkspace(Principal.of(ann.user(), null), "soc").workspaceId();
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro"));
    eveKey = genrtl.apiKeys().issue(eve.user().userId(), "t", null).apiKey();
    eveWs = genrtl.accounts().createWorkspace(Principal.of(eve.user(), null), "w").workspaceId();
    // ann buys every seed CBB in one checkout
    List<Map<String, Object>> items = new ArrayList<>();
    for (Path pkg : packages()) items.add(Map.of("cbb_id", manifest(pkg).get("id"), "version", manifest(pkg).get("version")));
    TestHttp.Response co = http.post("/api/cbb/checkout", annKey, Json.write(Map.of("user_id", annId, "workspace_id", annWs,
        "items", items, "idempotency_key", "buy-all-seeds")));
    assertThat(co.status()).as(co.body()).isIn(200, 201);
    receipt = (String) co.json().get("receipt_id");
  }

  @AfterAll
  void stop() {
    app.stop();
    runner.close();
    ds.close();
  }

  static List<Path> packages() throws IOException {
    try (Stream<Path> s = Files.list(CATALOG)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> manifest(Path pkg) throws IOException {
    return (Map<String, Object>) Json.parse(Files.readAllBytes(pkg.resolve("manifest.json")));
  }

  /** A run of the package's own testbench: a user filelist naming its tb files where the package is installed. */
  @SuppressWarnings("unchecked")
  String seedRun(Path pkg, String sim) throws IOException {
    Map<String, Object> m = manifest(pkg);
    Map<String, Object> entry = (Map<String, Object>) m.get("entrypoints");
    String prefix = "vendor/cbb/" + m.get("id") + "/" + m.get("version") + "/";
    StringBuilder list = new StringBuilder("// the package's testbench, as installed\n");
    for (String line : Files.readAllLines(pkg.resolve((String) entry.get("filelist_tb")))) {
      String t = line.strip();
      if (!t.isEmpty() && !t.startsWith("//") && !t.startsWith("#")) list.append(prefix).append(t).append('\n');
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("workspace_id", annWs);
    body.put("simulator", sim);
    body.put("files", List.of(Map.of("path", "sim.f", "text", list.toString())));
    body.put("cbbs", List.of(Map.of("receipt_id", receipt, "cbb_id", m.get("id"), "version", m.get("version"))));
    body.put("top", entry.get("tb_top"));
    body.put("filelist", "sim.f");
    body.put("timeout_s", 120);
    return Json.write(body);
  }

  /** Submits with {@code Prefer: wait}, then follows the job until it ends. */
  Map<String, Object> runToEnd(String key, String body, String... headers) {
    List<String> h = new ArrayList<>(List.of("Prefer", "wait=20")); // below TestHttp's 30 s request timeout
    h.addAll(List.of(headers));
    TestHttp.Response r = http.send("POST", "/api/tools/run", key, body, h.toArray(String[]::new));
    assertThat(r.status()).as(r.body()).isIn(200, 202);
    Map<String, Object> job = r.json();
    String id = (String) job.get("job_id");
    for (int i = 0; i < 600 && !List.of("succeeded", "failed", "canceled").contains(String.valueOf(job.get("status"))); i++) {
      job = http.send("GET", "/api/jobs/" + id, key, null).json();
      if (!List.of("succeeded", "failed", "canceled").contains(String.valueOf(job.get("status")))) sleep(1000);
    }
    return job;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @TestFactory
  List<DynamicTest> everySeedCbbPassesThroughTheApiInBothSimulators() throws IOException {
    assertThat(seeds).hasSizeGreaterThanOrEqualTo(8);
    List<DynamicTest> out = new ArrayList<>();
    for (String sim : List.of("iverilog", "verilator")) {
      for (Path pkg : packages()) {
        out.add(DynamicTest.dynamicTest(pkg.getFileName() + " in " + sim, () -> {
          if (sim.equals("verilator") && !Sims.env("GENRTL_SIM_FULL")) {
            System.err.println("*** Verilator runs of the seed catalog skipped: set GENRTL_SIM_FULL=1 (CI does) ***");
            Assumptions.abort("GENRTL_SIM_FULL not set");
          }
          Sims.require(Simulator.parse(sim).orElseThrow());
          Map<String, Object> job = runToEnd(annKey, seedRun(pkg, sim));
          assertThat(job).as(Json.write(job)).containsEntry("type", "tool").containsEntry("status", "succeeded");
          @SuppressWarnings("unchecked") Map<String, Object> b = (Map<String, Object>) job.get("result");
          assertThat(b).as(String.valueOf(b == null ? null : b.get("log_excerpt")))
              .containsEntry("passed", true).containsEntry("verdict", "pass").containsEntry("tool", sim);
          assertThat((List<?>) b.get("cbbs")).hasSize(1);
          assertThat(((Map<?, ?>) b.get("command")).get("compile").toString())
              .contains("vendor/cbb/" + manifest(pkg).get("id") + "/1.0.0/rtl/");
        }));
      }
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void aRunIsChargedPerCpuSecondOnceWithAToolLedgerRowAndIdempotentByKey() throws IOException {
    Sims.require(Simulator.IVERILOG);
    Path uart = CATALOG.resolve("uart");
    Map<String, Object> job = runToEnd(annKey, seedRun(uart, "iverilog"), "Idempotency-Key", "run-uart-1");
    assertThat(job).containsEntry("status", "succeeded");
    String id = (String) job.get("job_id");
    Map<String, Object> b = (Map<String, Object>) job.get("result");
    long cpuMs = ((Number) b.get("cpu_ms")).longValue();
    long micros = ToolJob.cost(cpuMs, MICROS_PER_CPU_SECOND);
    Map<String, Object> usage = http.get("/api/usage?kind=tool&job_id=" + id, annKey).json();
    List<Map<String, Object>> rows = (List<Map<String, Object>>) usage.get("items");
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row).containsEntry("kind", "tool").containsEntry("job_id", id).containsEntry("workspace_id", annWs);
      assertThat(new BigDecimal(row.get("usd_cost").toString())).isEqualByComparingTo(BigDecimal.valueOf(micros, 6));
    });
    assertThat(new BigDecimal(((Map<String, Object>) job.get("usage")).get("usd").toString()))
        .isEqualByComparingTo(BigDecimal.valueOf(micros, 6));
    // the same key answers the same job and charges nothing more
    TestHttp.Response again = http.send("POST", "/api/tools/run", annKey, seedRun(uart, "iverilog"), "Idempotency-Key", "run-uart-1");
    assertThat(again.json().get("job_id")).isEqualTo(id);
    assertThat((List<?>) http.get("/api/usage?kind=tool&job_id=" + id, annKey).json().get("items")).hasSize(1);
    assertThat(((Map<?, ?>) http.get("/api/billing/balance", annKey).json()).get("holds_usd")).isEqualTo(0.0);
  }

  @Test
  void costIsRoundedUpToTheMicroDollar() {
    assertThat(ToolJob.cost(1234, 0)).isZero();
    assertThat(ToolJob.cost(0, 1000)).isZero();
    assertThat(ToolJob.cost(1, 1)).isEqualTo(1);
    assertThat(ToolJob.cost(1000, 1000)).isEqualTo(1000);
    assertThat(ToolJob.cost(1001, 1000)).isEqualTo(1001);
    assertThat(ToolJob.cost(1, 999)).isEqualTo(1);
    assertThat(ToolJob.cost(2500, 1)).isEqualTo(3);
  }

  @Test
  void aFreeRunStillWritesItsToolLedgerRowAttributedToTheJobAndWorkspace() {
    Sims.require(Simulator.IVERILOG);
    ToolRunner tools = ToolRunner.create(ToolRunner.Settings.defaults().withWorkDir(tmp.resolve("free-runs")));
    GenRtl free = GenRtl.builder().stores(io.genrtl.core.memory.InMemoryStores.create())
        .jobHandler(ToolJob.TYPE, ToolJob.factory(() -> tools, 0)).build();
    CreatedUser u = free.accounts().createUser(new NewUser("f@x.test", "f", Role.USER, null));
    Principal p = Principal.of(u.user(), null);
    String ws = free.accounts().createWorkspace(p, "w").workspaceId();
    String input = Json.write(Map.of("simulator", "iverilog", "top", "tb", "cbbs", List.of(), "args", List.of(),
        "files", List.of(Map.of("path", "tb.sv", "text", "module tb; initial begin $display(\"PASS\"); $finish; end endmodule\n"))));
    io.genrtl.core.jobs.Job job = free.jobs().submit(p, ToolJob.TYPE, ws, input, null);
    assertThat(job.holdId()).as("no hold at price 0").isNull();
    JobRunner once = new JobRunner(free.stores().transactor(), free.stores().jobs(), Clock.systemUTC(), free.jobs(),
        new JobRunner.Settings("free", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    assertThat(once.runOnce()).isTrue();
    io.genrtl.core.jobs.Job done = free.jobs().get(p, job.jobId());
    assertThat(done.status().wire()).as(String.valueOf(done.errorMessage())).isEqualTo("succeeded");
    assertThat(done.result()).contains("\"passed\":true");
    List<io.genrtl.core.pool.LedgerEntry> rows = new ArrayList<>();
    free.pool().forEachUsage(new io.genrtl.core.pool.LedgerQuery(u.user().userId(), null, null,
        io.genrtl.core.pool.UsageKind.TOOL, null, null), rows::add);
    assertThat(rows).singleElement().satisfies(r -> {
      assertThat(r.usdMicros()).isZero();
      assertThat(r.attribution().jobId()).isEqualTo(job.jobId());
      assertThat(r.attribution().workspaceId()).isEqualTo(ws);
      assertThat(r.idempotencyKey()).isEqualTo("tool:" + job.jobId());
    });
  }

  @Test
  @SuppressWarnings("unchecked")
  void low_toolStepUsdMatchesJobUsd() throws IOException {
    Sims.require(Simulator.IVERILOG);
    Map<String, Object> job = runToEnd(annKey, seedRun(CATALOG.resolve("crc32"), "iverilog"));
    assertThat(job).containsEntry("status", "succeeded");
    BigDecimal jobUsd = new BigDecimal(((Map<String, Object>) job.get("usage")).get("usd").toString());
    List<Map<String, Object>> steps = (List<Map<String, Object>>) job.get("steps");
    assertThat(steps).singleElement().satisfies(s -> {
      assertThat(s).containsEntry("status", "succeeded").containsEntry("kind", "tool");
      BigDecimal stepUsd = new BigDecimal(((Map<String, Object>) s.get("usage")).get("usd").toString());
      assertThat(stepUsd).as("the step's cost is the job's").isEqualByComparingTo(jobUsd);
    });
    long cpuMs = ((Number) ((Map<String, Object>) job.get("result")).get("cpu_ms")).longValue();
    assertThat(jobUsd).isEqualByComparingTo(BigDecimal.valueOf(ToolJob.cost(cpuMs, MICROS_PER_CPU_SECOND), 6));
  }

  /** A GenRtl on in-memory stores whose tool jobs use {@code runner}; returns it with a user who can pay. */
  private record Rig(GenRtl g, Principal p, String ws) {}

  private Rig rig(java.util.function.Supplier<ToolRunner> runner, long microsPerCpuSecond) {
    GenRtl g = GenRtl.builder().stores(io.genrtl.core.memory.InMemoryStores.create())
        .jobHandler(ToolJob.TYPE, ToolJob.factory(runner, microsPerCpuSecond)).build();
    CreatedUser u = g.accounts().createUser(new NewUser("r" + System.nanoTime() + "@x.test", "r", Role.USER, "pro"));
    g.pool().grantCredits(u.user().userId(), 10_000_000, "test-credits", "test", null, "tool tests");
    Principal p = Principal.of(u.user(), null);
    return new Rig(g, p, g.accounts().createWorkspace(p, "w").workspaceId());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> steps(GenRtl g, String jobId) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (io.genrtl.core.jobs.JobEvent e : g.stores().jobs().events(jobId, 0)) {
      if (e.name().equals("step")) out.add((Map<String, Object>) Json.parse(e.data().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void low_failedToolRunEndsItsStep() throws IOException {
    Sims.require(Simulator.IVERILOG);
    Path runs = tmp.resolve("fail-runs");
    ToolRunner real = ToolRunner.create(ToolRunner.Settings.defaults().withWorkDir(runs));
    // the work directory is gone when the job runs (a full or unmounted disk): the runner fails unexpectedly
    io.genrtl.host.Trees.delete(runs);
    Files.writeString(runs, "not a directory");
    Rig r = rig(() -> real, 0);
    String input = Json.write(Map.of("simulator", "iverilog", "top", "tb", "cbbs", List.of(), "args", List.of(),
        "files", List.of(Map.of("path", "tb.sv", "text", "module tb; initial $finish; endmodule\n"))));
    io.genrtl.core.jobs.Job job = r.g().jobs().submit(r.p(), ToolJob.TYPE, r.ws(), input, null);
    JobRunner once = new JobRunner(r.g().stores().transactor(), r.g().stores().jobs(), Clock.systemUTC(), r.g().jobs(),
        new JobRunner.Settings("fail", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    assertThat(once.runOnce()).isTrue();
    io.genrtl.core.jobs.Job done = r.g().jobs().get(r.p(), job.jobId());
    assertThat(done.status().wire()).isEqualTo("failed");
    List<Map<String, Object>> steps = steps(r.g(), job.jobId());
    assertThat(steps).isNotEmpty();
    assertThat(steps.get(steps.size() - 1)).as("the step ends with the job").containsEntry("status", "failed");
  }

  @Test
  void low_canceledToolRunIsChargedForTheCpuItUsed() throws Exception {
    Sims.require(Simulator.IVERILOG);
    ToolRunner.Settings d = ToolRunner.Settings.defaults();
    ToolRunner real = ToolRunner.create(d.withWorkDir(tmp.resolve("cancel-runs")).withLimits(
        new ToolRunner.Limits(Duration.ofSeconds(60), Duration.ofSeconds(5), 2L << 30, 1L << 20, 64L << 20),
        new ToolRunner.Limits(Duration.ofSeconds(60), Duration.ofSeconds(60), 2L << 30, 1L << 20, 64L << 20), Duration.ofSeconds(60)));
    Rig r = rig(() -> real, 1_000);
    String input = Json.write(Map.of("simulator", "iverilog", "top", "tb", "cbbs", List.of(), "args", List.of(),
        "files", List.of(Map.of("path", "tb.sv", "text", "module tb; integer n = 0; initial forever n = n + 1; endmodule\n"))));
    io.genrtl.core.jobs.Job job = r.g().jobs().submit(r.p(), ToolJob.TYPE, r.ws(), input, null);
    JobRunner workers = new JobRunner(r.g().stores().transactor(), r.g().stores().jobs(), Clock.systemUTC(), r.g().jobs(),
        new JobRunner.Settings("cancel", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    workers.start();
    try {
      for (int i = 0; i < 600 && steps(r.g(), job.jobId()).isEmpty(); i++) Thread.sleep(50);
      Thread.sleep(1500); // let the simulation burn some CPU
      r.g().jobs().cancel(r.p(), job.jobId());
      io.genrtl.core.jobs.Job done = r.g().jobs().get(r.p(), job.jobId());
      for (int i = 0; i < 600 && !done.status().isFinal(); i++) {
        Thread.sleep(50);
        done = r.g().jobs().get(r.p(), job.jobId());
      }
      assertThat(done.status().wire()).isEqualTo("canceled");
    } finally {
      workers.close();
    }
    List<io.genrtl.core.pool.LedgerEntry> rows = new ArrayList<>();
    r.g().pool().forEachUsage(new io.genrtl.core.pool.LedgerQuery(r.p().userId(), null, null,
        io.genrtl.core.pool.UsageKind.TOOL, null, null), rows::add);
    assertThat(rows).singleElement().satisfies(row -> {
      assertThat(row.usdMicros()).as("the CPU it used is charged").isPositive();
      assertThat(row.note()).contains("canceled");
      assertThat(row.attribution().stepId()).isEqualTo(job.jobId());
    });
    assertThat(steps(r.g(), job.jobId()).get(steps(r.g(), job.jobId()).size() - 1)).containsEntry("status", "canceled");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aFailingDesignIsASucceededJobWhoseBundleSaysWhy() {
    Sims.require(Simulator.IVERILOG);
    String body = Json.write(Map.of("workspace_id", annWs, "simulator", "iverilog", "top", "tb",
        "files", List.of(Map.of("path", "rtl/tb.sv", "text", "module tb;\n  initial begin\n    $display(\"x\")\n  end\nendmodule\n"))));
    Map<String, Object> job = runToEnd(annKey, body);
    assertThat(job).containsEntry("status", "succeeded");
    Map<String, Object> b = (Map<String, Object>) job.get("result");
    assertThat(b).containsEntry("passed", false).containsEntry("verdict", "compile_error");
    assertThat((List<Map<String, Object>>) b.get("diagnostics")).first().satisfies(d -> {
      assertThat(d).containsEntry("file", "rtl/tb.sv").containsEntry("severity", "error");
      assertThat(((Number) d.get("line")).intValue()).isEqualTo(4);
    });
    assertThat((List<?>) http.get("/api/usage?kind=tool&job_id=" + job.get("job_id"), annKey).json().get("items")).hasSize(1);
  }

  @Test
  void badInputAndOthersObjectsAreRefused() throws IOException {
    String ok = seedRun(CATALOG.resolve("crc32"), "iverilog");
    assertProblem(http.post("/api/tools/run", annKey, "{\"workspace_id\":"), 400, "malformed_json");
    assertProblem(http.post("/api/tools/run", annKey, "[]"), 400, "validation_failed");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"simulator\":\"iverilog\"", "\"simulator\":42")), "simulator");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"simulator\":\"iverilog\"", "\"simulator\":\"vcs\"")), "simulator");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"top\":\"tb_crc32\",", "")), "top");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"top\":\"tb_crc32\"", "\"top\":\"tb; rm -rf /\"")), "top");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"timeout_s\":120", "\"timeout_s\":1.5")), "timeout_s");
    assertField(http.post("/api/tools/run", annKey, ok.replace("\"timeout_s\":120", "\"timeout_s\":\"5\"")), "timeout_s");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("files", "x"))), "files");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("files", List.of("x")))), "files[0]");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("files", List.of(Map.of("path", 7, "text", ""))))), "files[0].path");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("files", List.of(Map.of("path", "a.sv"))))), "files[0].text");
    for (String hostile : List.of("/etc/passwd", "../x.sv", "rtl/../../x.sv", "vendor/cbb/crc32/1.0.0/rtl/crc32.sv", "C:/x.sv",
        "a\\\\b.sv", "obj_dir/Vtb")) {
      TestHttp.Response r = http.post("/api/tools/run", annKey,
          body(Map.of("files", List.of(Map.of("path", hostile.replace("\\\\", "\\"), "text", "module m; endmodule")))));
      assertField(r, "files[0].path");
    }
    assertField(http.post("/api/tools/run", annKey, body(Map.of("args", List.of("-o/tmp/x")))), "args[0]");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("args", List.of("-I/etc")))), "args[0]");
    assertField(http.post("/api/tools/run", annKey, body(Map.of("files", List.of(Map.of("path", "sim.f", "text", "/etc/passwd\n")),
        "filelist", "sim.f"))), "filelist");
    // someone else's workspace, receipt or job is not found
    assertProblem(http.post("/api/tools/run", eveKey, ok), 404, "not_found");
    assertProblem(http.post("/api/tools/run", eveKey, ok.replace(annWs, eveWs)), 404, "not_found");
    assertProblem(http.post("/api/tools/run", annKey, ok.replace(receipt, "01NOSUCHRECEIPT0000000000")), 404, "not_found");
    assertProblem(http.post("/api/tools/run", annKey, ok.replace("\"version\":\"1.0.0\"", "\"version\":\"9.9.9\"")), 404, "not_found");
    assertProblem(http.post("/api/tools/run", annKey, ok.replace("\"job_id\":null,", "").replace("{\"workspace_id\"",
        "{\"job_id\":\"01NOSUCHJOB000000000000000\",\"workspace_id\"")), 404, "not_found");
    // a body over the cap
    String huge = body(Map.of("files", List.of(Map.of("path", "big.sv", "text", "x".repeat(300 * 1024)))));
    assertProblem(http.post("/api/tools/run", annKey, huge), 413, "payload_too_large");
    assertProblem(http.post("/api/tools/run", null, ok), 401, "unauthenticated");
    assertThat((List<?>) http.get("/api/jobs?workspace_id=" + eveWs, eveKey).json().get("items")).isEmpty();
  }

  /**
   * Finding M2: a path segment over 255 bytes was accepted (202), then the run failed with internal_error and left
   * its step running. Segments over 255 bytes of UTF-8 and paths over 1024 bytes are refused before the job exists;
   * a 255-byte segment runs.
   */
  @Test
  void m2_longSegmentRefusedByToolApi() {
    String seg256 = "t".repeat(253) + ".sv";
    String euro = "rtl/" + "\u20ac".repeat(85) + ".sv"; // 88 characters, 258 bytes
    List<Object> jobsBefore = jobIds();
    for (String path : List.of(seg256, "rtl/" + seg256, euro)) {
      TestHttp.Response r = http.post("/api/tools/run", annKey, body(Map.of("files",
          List.of(Map.of("path", path, "text", "module tb; endmodule\n")))));
      assertField(r, "files[0].path");
      assertThat(r.json()).containsEntry("reason", "path_too_long");
      assertThat(r.body()).hasSizeLessThan(1000);
    }
    TestHttp.Response list = http.post("/api/tools/run", annKey, body(Map.of("files",
        List.of(Map.of("path", "tb.sv", "text", "module tb; endmodule\n"), Map.of("path", "sim.f", "text",
            "rtl/" + seg256 + "\n")), "filelist", "sim.f")));
    assertField(list, "filelist");
    assertThat(jobIds()).as("no job created").isEqualTo(jobsBefore);
    String seg255 = "t".repeat(252) + ".sv";
    Map<String, Object> job = runToEnd(annKey, body(Map.of("top", "tb", "files",
        List.of(Map.of("path", "rtl/" + seg255, "text", "module tb; initial $finish; endmodule\n")))));
    assertThat(job).as(Json.write(job)).containsEntry("status", "succeeded");
  }

  @SuppressWarnings("unchecked")
  private List<Object> jobIds() {
    List<Map<String, Object>> items = (List<Map<String, Object>>) http.get("/api/jobs?workspace_id=" + annWs
        + "&limit=100", annKey).json().get("items");
    return items.stream().map(j -> j.get("job_id")).toList();
  }

  private String body(Map<String, Object> overrides) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("workspace_id", annWs);
    b.put("simulator", "iverilog");
    b.put("top", "tb");
    b.put("files", List.of(Map.of("path", "tb.sv", "text", "module tb; endmodule\n")));
    b.putAll(overrides);
    return Json.write(b);
  }

  private static void assertField(TestHttp.Response r, String field) {
    assertProblem(r, 400, "validation_failed");
    assertThat(r.json()).as(r.body()).containsEntry("field", field);
  }
}
