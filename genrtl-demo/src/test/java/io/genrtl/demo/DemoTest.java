package io.genrtl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.client.CbbInstaller;
import io.genrtl.client.CbbLock;
import io.genrtl.core.GenRtl;
import io.genrtl.core.patch.UnifiedDiff;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.LedgerCheck;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.PgTestSupport;
import io.genrtl.toolrunner.Simulator;
import io.genrtl.toolrunner.ToolRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genrtl demo} end to end: the whole loop (recorded providers, a real host, the client, the installer, the patch
 * applier and real Icarus Verilog through {@code POST /api/tools/run}) on SQLite and on PostgreSQL, checked from the
 * outside (the working tree, the lock, the ledger rows in the store, the balance, {@code PoolService.verifyAll()}), and
 * the {@code demo} command itself. The loop tests are skipped without iverilog unless {@code
 * GENRTL_REQUIRE_SIMULATORS=1}.
 */
class DemoTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  static final String VENDOR = "vendor/cbb/sync_fifo/1.0.0/";

  @TempDir Path tmp;

  @org.junit.jupiter.api.BeforeEach
  void reachable() {
    io.genrtl.toolrunner.Sims.reachable(tmp); // under root the tools run as another uid, which must reach the runs
  }


  static void requireIverilog() {
    boolean have = ToolRunner.available(Simulator.IVERILOG);
    if (!have && "1".equals(System.getenv("GENRTL_REQUIRE_SIMULATORS"))) {
      throw new AssertionError("iverilog is required (GENRTL_REQUIRE_SIMULATORS=1) but not installed");
    }
    if (!have) System.err.println("\n*** DemoTest SKIPPED: iverilog is not installed (apt-get install iverilog) ***\n");
    Assumptions.assumeTrue(have, "iverilog not installed: the demo loop is not run (apt-get install iverilog)");
  }

  record Run(Demo.Result result, String out, Live live) {}

  /** What the test saw while the host was still up. */
  record Live(List<LedgerEntry> ledger, Balance balance, List<LedgerCheck> checks, CbbInstaller.Report verify,
      Map<String, String> vendorAfter) {}

  private Run demo(Map<String, String> hostEnv) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    AtomicReference<Live> seen = new AtomicReference<>();
    Demo.Result r = Demo.run(new Demo.Settings(tmp, true, hostEnv, null, live -> {
      GenRtl g = live.genrtl();
      List<LedgerEntry> rows = new ArrayList<>();
      g.stores().pool().ledger().forEach(LedgerQuery.all(live.report().userId()), rows::add);
      seen.set(new Live(rows, g.pool().balance(live.report().userId()), g.pool().verifyAll(),
          CbbInstaller.create(live.client(), live.report().workTree()).verify(), hashes(live.report().workTree().resolve(VENDOR))));
    }), new PrintStream(buf, true, StandardCharsets.UTF_8));
    return new Run(r, buf.toString(StandardCharsets.UTF_8), seen.get());
  }

  @Test
  void theWholeLoopOnSqlite() throws Exception {
    requireIverilog();
    Run run = demo(Map.of());
    assertTheLoop(run);
    assertThat(run.out()).contains("(SQLite in ");
  }

  @Test
  void theWholeLoopOnPostgres() throws Exception {
    requireIverilog();
    String url = PgTestSupport.urlOrSkip();
    String schema = PgTestSupport.createSchema(url);
    try {
      Run run = demo(Map.of("GENRTL_DB_URL", url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema));
      assertTheLoop(run);
      assertThat(run.out()).contains("(PostgreSQL)");
      assertThat(run.result().dir().resolve("data/genrtl.db")).doesNotExist();
    } finally {
      PgTestSupport.dropSchema(url, schema);
    }
  }

  private void assertTheLoop(Run run) throws IOException {
    assertThat(run.result().exitCode()).as(run.out()).isEqualTo(Demo.PASS);
    assertThat(run.out()).contains("RECORDED answers").contains("no real model is called").contains("Demo passed.")
        .doesNotContain("GENRTL_ADMIN_KEY").doesNotContain("grtl_");
    Demo.Report rep = run.result().report();
    Live live = run.live();
    assertThat(live).isNotNull();
    Path work = rep.workTree();

    // the lock, the read-only vendor files, verify() clean (while the host ran and from the lock alone afterwards)
    String lockText = Files.readString(work.resolve(CbbLock.FILE_NAME));
    assertThat(lockText).contains("\"id\": \"sync_fifo\"").contains("\"version\": \"1.0.0\"")
        .contains("\"receipt_id\": \"" + rep.receiptId() + "\"");
    CbbLock lock = CbbLock.read(work);
    assertThat(lock.packages()).singleElement().satisfies(e -> {
      assertThat(e.id()).isEqualTo("sync_fifo");
      assertThat(e.receiptId()).isEqualTo(rep.receiptId());
      assertThat(e.files()).containsKey("rtl/sync_fifo.sv");
    });
    assertThat(live.verify().ok()).as(live.verify().findings().toString()).isTrue();
    try (Stream<Path> s = Files.walk(work.resolve(VENDOR))) {
      for (Path f : s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        assertThat(Files.getPosixFilePermissions(f)).as(f.toString())
            .doesNotContain(PosixFilePermission.OWNER_WRITE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
      }
    }
    // vendor/cbb untouched by the patches: the installed files are the catalog's, and no patch names a vendor path
    assertThat(Files.readString(work.resolve(VENDOR + "rtl/sync_fifo.sv")))
        .isEqualTo(Files.readString(CATALOG.resolve("sync_fifo/rtl/sync_fifo.sv")));
    assertThat(live.vendorAfter()).isEqualTo(lock.packages().get(0).files());
    for (String patch : List.of(rep.implementPatch(), rep.repairPatch())) {
      for (UnifiedDiff.FilePatch f : UnifiedDiff.parse(patch).files()) {
        assertThat(f.newPath()).doesNotStartWith("vendor/");
        if (f.oldPath() != null) assertThat(f.oldPath()).doesNotStartWith("vendor/");
      }
    }
    assertThat(Files.readString(work.resolve("rtl/pack16.sv"))).contains("out_data  <= {rd_data, low};")
        .doesNotContain("{low, rd_data}");

    // first run: a real failure the bundle shows (the testbench's mismatches); second: pass
    Map<String, Object> first = rep.firstBundle();
    assertThat(first).containsEntry("passed", false).containsEntry("verdict", "fail").containsEntry("tool", "iverilog");
    assertThat(first.get("command")).isInstanceOf(Map.class); // fed to repair exactly as the tool run returned it
    assertThat((String) first.get("log_excerpt")).contains("FAIL: 32 errors").contains("word 0: got 0b30, expected 300b");
    assertThat(rep.secondBundle()).containsEntry("passed", true).containsEntry("verdict", "pass");
    assertThat(rep.served()).containsEntry("plan", 1).containsEntry("implement", 1).containsEntry("repair", 1);
    assertThat(run.out()).contains("verdict FAIL").contains("verdict PASS").contains("| word 0: got 0b30, expected 300b");

    // the statement: its total is the sum of the store's ledger rows and the balance change
    long ledgerTotal = live.ledger().stream().mapToLong(LedgerEntry::usdMicros).sum();
    assertThat(live.ledger()).hasSize(rep.rows().size());
    assertThat(rep.rowsMicros()).isEqualTo(ledgerTotal).isEqualTo(rep.summaryMicros()).isEqualTo(rep.balanceChangeMicros());
    assertThat(live.balance().includedMicros()).isEqualTo(20_000_000L - ledgerTotal); // plan pro: $20 included, all from it
    assertThat(live.balance().holdsMicros()).isZero();
    assertThat(rep.rowsByBucketMicros()).containsOnlyKeys(Bucket.INCLUDED.wire());
    assertThat(run.out()).contains("total:      " + Demo.usd(ledgerTotal) + " in " + live.ledger().size() + " ledger rows")
        .contains("✓ rows, summary and balance change agree to the micro-dollar");

    // every step has non-zero usage: three model calls with tokens, one purchase, two tool runs with CPU time
    Map<String, String> jobs = Map.of(rep.planJobId(), "plan", rep.implementJobId(), "implement", rep.repairJobId(), "repair");
    for (Map.Entry<String, String> j : jobs.entrySet()) {
      List<LedgerEntry> rows = live.ledger().stream().filter(e -> e.kind() == UsageKind.LLM
          && j.getKey().equals(e.attribution().jobId())).toList();
      assertThat(rows).as(j.getValue()).singleElement().satisfies(e -> {
        assertThat(e.usdMicros()).as(j.getValue()).isPositive();
        assertThat(e.tokens().inputTokens()).isPositive();
        assertThat(e.tokens().outputTokens()).isPositive();
        assertThat(e.attribution().stepId()).isNotNull();
      });
    }
    assertThat(live.ledger().stream().filter(e -> e.kind() == UsageKind.CBB).toList()).singleElement()
        .satisfies(e -> assertThat(e.usdMicros()).isEqualTo(500_000L)); // sync_fifo $0.50, bought once (the replay is free)
    for (String toolJob : rep.toolJobIds()) {
      assertThat(live.ledger().stream().filter(e -> e.kind() == UsageKind.TOOL && toolJob.equals(e.attribution().jobId())).toList())
          .singleElement().satisfies(e -> assertThat(e.usdMicros()).as("tool run " + toolJob).isPositive());
    }
    assertThat(live.ledger()).hasSize(6);
    assertThat(live.checks()).allSatisfy(c -> assertThat(c.ok()).as(c.problems().toString()).isTrue());

    // the printed statement has one line per step with its provider, model and tokens
    assertThat(run.out()).containsPattern("plan +openai +gpt-\\S+ +\\d+ +\\d+ +\\d+ +\\d+ +included +\\$0\\.\\d{6}")
        .containsPattern("implement +anthropic +claude-\\S+ +\\d+ +\\d+ +\\d+ +\\d+ +included")
        .containsPattern("repair +anthropic +claude-\\S+ +\\d+ +\\d+ +\\d+ +\\d+ +included")
        .containsPattern("cbb sync_fifo@1\\.0\\.0 +genRTL")
        .containsPattern("tool run 1 +iverilog +\\d+ ms cpu")
        .containsPattern("tool run 2 +iverilog +\\d+ ms cpu");
  }

  /** SHA-256 of every file under {@code root}, by relative path. */
  static Map<String, String> hashes(Path root) {
    Map<String, String> m = new HashMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(root.relativize(p).toString().replace('\\', '/'), java.util.HexFormat.of().formatHex(
            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
      }
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
    return m;
  }

  // ------------------------------------------------------------------ the command

  record Cli(int code, String out, String err) {}

  private static Cli main(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    // the demo ignores the configured host: a GENRTL_DB_URL pointing nowhere must not matter
    Map<String, String> env = Map.of("GENRTL_DB_URL", "jdbc:postgresql://127.0.0.1:1/nowhere");
    int code = io.genrtl.host.Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), List.of(Demo.COMMAND));
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void theDemoCommandRunsTheLoopPrintsTheStatementAndExitsZero() {
    requireIverilog();
    Cli cli = main("demo");
    assertThat(cli.code()).as(cli.out() + cli.err()).isZero();
    String out = cli.out();
    assertThat(out).contains("RECORDED answers", "no real model is called", "[1/9] Plan", "[3/9] Buy them",
        "[4/9] Deliver", "[5/9] Implement", "[6/9] Simulate in Icarus Verilog", "verdict FAIL", "[7/9] Repair",
        "verdict PASS", "[9/9] What the run cost", "by bucket:  included $", "on-demand $0.000000",
        "✓ rows, summary and balance change agree to the micro-dollar", "Demo passed.");
    assertThat(out.indexOf("verdict FAIL")).isLessThan(out.indexOf("[7/9]")).isLessThan(out.indexOf("verdict PASS"));
    assertThat(out + cli.err()).doesNotContain("GENRTL_ADMIN_KEY").doesNotContain("grtl_").doesNotContain("sk-demo")
        .doesNotContain("Exception").doesNotContain("\tat ");
    // without --keep the temporary directory is gone
    Matcher m = Pattern.compile("Directory: (\\S+) \\(removed at the end").matcher(out);
    assertThat(m.find()).as(out).isTrue();
    assertThat(Path.of(m.group(1))).doesNotExist();
  }

  @Test
  void withoutIverilogItSaysWhatToInstallAndExitsTwoStartingNothing() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Demo.Result r = Demo.run(new Demo.Settings(tmp, false, Map.of(), () -> false, null),
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    assertThat(r.exitCode()).isEqualTo(Demo.MISSING_TOOL).isEqualTo(2);
    assertThat(buf.toString(StandardCharsets.UTF_8)).contains("Icarus Verilog").contains("apt-get install iverilog")
        .doesNotContain("Exception");
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.toList()).isEmpty(); // no directory, no host, no stub
    }
  }

  @Test
  void badArgumentsAreAUsageError() {
    Cli cli = main("demo", "--nope");
    assertThat(cli.code()).isEqualTo(2);
    assertThat(cli.err()).contains("unexpected argument: --nope").contains("demo [--keep]");
  }

  /**
   * A step that fails (here the Anthropic base URL points at a closed port, so implement fails after its retries) ends
   * the demo with exit 1 and a one-line reason, and stops the host and the recorded providers: nothing keeps listening.
   */
  @Test
  void aFailedStepExitsOneAndStopsTheHostAndTheStub() throws IOException {
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = s.getLocalPort();
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    Demo.Result r = Demo.run(new Demo.Settings(tmp, false, Map.of("ANTHROPIC_BASE_URL", "http://127.0.0.1:" + closed + "/v1"),
        () -> true, live -> { throw new AssertionError("the loop must not get to the statement"); }),
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(r.exitCode()).as(out).isEqualTo(Demo.FAILED);
    assertThat(out).contains("✗ the implement job").contains("Demo FAILED (exit 1)").doesNotContain("\tat ");
    List<Integer> ports = new ArrayList<>();
    Matcher m = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)").matcher(out);
    while (m.find()) ports.add(Integer.parseInt(m.group(1)));
    assertThat(ports).hasSizeGreaterThanOrEqualTo(2); // the stub and the host
    for (int port : ports) {
      assertThat(listening(port)).as("port " + port).isFalse();
    }
    assertThat(r.dir()).doesNotExist();
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
