package io.genrtl.demo;

import io.genrtl.client.Accounts;
import io.genrtl.client.Billing;
import io.genrtl.client.Cbb;
import io.genrtl.client.CbbInstaller;
import io.genrtl.client.CbbLock;
import io.genrtl.client.GenRtlApiException;
import io.genrtl.client.GenRtlClient;
import io.genrtl.client.Jobs;
import io.genrtl.client.Page;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.patch.PatchApplier;
import io.genrtl.core.patch.PatchPolicy;
import io.genrtl.core.patch.UnifiedDiff;
import io.genrtl.host.GenRtlServer;
import io.genrtl.host.HostConfig;
import io.genrtl.toolrunner.Simulator;
import io.genrtl.toolrunner.ToolRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code genrtl demo}: the whole loop, offline, in a fresh temporary directory. It starts {@link RecordedProviders}
 * (recorded OpenAI Responses and Anthropic Messages answers, said so on screen), starts the host on SQLite in that
 * directory with its OpenAI and Anthropic base URLs pointed at the stub, creates a demo user on plan {@code pro}, and
 * drives {@link GenRtlClient} through plan → resolve → checkout → deliver → {@link CbbInstaller} install → implement →
 * {@link PatchApplier} → tool run in Icarus Verilog (FAIL: the recorded implement patch has a real byte-order bug) →
 * repair with the run's EvidenceBundle → apply → tool run (PASS), then prints the itemised statement from {@code
 * /api/usage} and {@code /api/usage/summary} and checks that its rows, the summary and the balance change agree to the
 * micro-dollar. Exit code {@link #PASS} only then; {@link #MISSING_TOOL} without iverilog (nothing is started).
 *
 * <p>Tool runs are charged at a demo price ({@value #TOOL_USD_PER_CPU_SECOND} USD per CPU second) so every step of the
 * statement has a visible amount.
 */
public final class Demo {
  public static final int PASS = 0;
  public static final int FAILED = 1;
  public static final int MISSING_TOOL = 2;
  static final String TOOL_USD_PER_CPU_SECOND = "0.001";
  static final String EMAIL = "demo@genrtl.local";
  static final String PLAN_ID = "pro";
  static final String SPEC = "pack16: pack a byte stream into 16-bit words, the first byte of each pair in the low half "
      + "(little-endian), valid/ready on both sides, the bytes buffered in a 16-entry FIFO; with a self-checking testbench "
      + "that stalls both sides at random and prints PASS or FAIL.";
  private static final int STEPS = 9;

  /**
   * How to run.
   *
   * @param parentDir where the temporary directory is created (null: the system's temporary directory)
   * @param keep keep the directory (working tree, data, logs) at the end
   * @param hostEnv extra host settings over the demo's (e.g. {@code GENRTL_DB_URL} for PostgreSQL)
   * @param iverilog whether Icarus Verilog is installed (the real check by default)
   * @param beforeStop called with the live run after the statement, before the host stops (tests inspect it)
   */
  public record Settings(Path parentDir, boolean keep, Map<String, String> hostEnv, BooleanSupplier iverilog,
      Consumer<Live> beforeStop) {
    public Settings {
      hostEnv = hostEnv == null ? Map.of() : Map.copyOf(hostEnv);
      iverilog = iverilog == null ? () -> ToolRunner.available(Simulator.IVERILOG) : iverilog;
      beforeStop = beforeStop == null ? live -> { } : beforeStop;
    }

    public static Settings defaults(boolean keep) {
      return new Settings(null, keep, null, null, null);
    }
  }

  /** What a run did, for the checks of a test; {@code dir} is gone afterwards unless kept. */
  public record Report(String userId, String workspaceId, Path dir, Path workTree, String planJobId, String receiptId,
      String implementJobId, String repairJobId, List<String> toolJobIds, Map<String, Object> firstBundle,
      Map<String, Object> secondBundle, String implementPatch, String repairPatch, List<Billing.UsageEntry> rows,
      Map<String, Long> rowsByBucketMicros, long rowsMicros, long summaryMicros, long balanceChangeMicros,
      Map<String, Integer> served) {}

  /** The running demo, handed to {@link Settings#beforeStop()}: the library behind the host, the client and the report. */
  public record Live(GenRtl genrtl, GenRtlClient client, Report report) {}

  /** The exit code and, when the loop got to the statement, its report. */
  public record Result(int exitCode, Path dir, Report report) {}

  private final Settings settings;
  /** The caller's stream. */
  private final PrintStream raw;
  /** What the loop prints to: {@link #raw} until a stop from outside (Ctrl-C) mutes it, so no step reports the stop. */
  private final PrintStream out;
  private volatile boolean muted;
  private final Object lock = new Object();
  private RecordedProviders stub;
  private GenRtlServer server;
  private Path dir;
  private boolean closed;

  private Demo(Settings settings, PrintStream out) {
    this.settings = settings;
    this.raw = out;
    this.out = new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        if (!muted) raw.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        if (!muted) raw.write(b, off, len);
      }

      @Override
      public void flush() {
        raw.flush();
      }
    }, true, StandardCharsets.UTF_8);
  }

  /** Runs the demo; {@code out} gets the step-by-step story. Never throws for a failed step: see the exit code. */
  public static Result run(Settings settings, PrintStream out) {
    return new Demo(settings, out).run();
  }

  /**
   * {@code genrtl demo [--keep]} as a command of the host's command line ({@link io.genrtl.host.Main}): its own host on
   * its own temporary directory, whatever the GENRTL_* environment says (it never touches the configured database).
   * Exit 0 on PASS, 1 on a failure, 2 for a usage error or without iverilog.
   */
  public static final io.genrtl.host.Main.Command COMMAND = new io.genrtl.host.Main.Command("demo", String.join("\n",
      "  demo [--keep]                           the whole loop offline in a temp dir (recorded model answers, SQLite,",
      "                                          Icarus Verilog): plan, buy and install a CBB, implement, simulate (FAIL),",
      "                                          repair, simulate (PASS), the itemised statement; exit 0 on PASS",
      ""), Demo::command);

  static int command(String[] args, PrintStream out, PrintStream err) {
    boolean keep = false;
    for (int i = 1; i < args.length; i++) {
      if (!args[i].equals("--keep")) throw new io.genrtl.host.Main.UsageException("unexpected argument: " + args[i]);
      keep = true;
    }
    return runAsCommand(Settings.defaults(keep), out);
  }

  /**
   * For {@code genrtl demo} in its own process: a shutdown hook (Ctrl-C) stops the host and the stub and removes the
   * directory unless kept.
   */
  public static int runAsCommand(Settings settings, PrintStream out) {
    Demo d = new Demo(settings, out);
    Thread hook = new Thread(() -> d.stop(true), "genrtl-demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return d.run().exitCode();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running already
      }
    }
  }

  private Result run() {
    if (!settings.iverilog().getAsBoolean()) {
      out.println("genrtl demo simulates the design in Icarus Verilog, which is not installed here (no iverilog and vvp"
          + " on the PATH).");
      out.println("Install it and run the demo again:  apt-get install iverilog   (macOS: brew install icarus-verilog)");
      return new Result(MISSING_TOOL, null, null);
    }
    Report report = null;
    int code = FAILED;
    try {
      report = loop();
      code = report == null ? FAILED : PASS;
    } catch (GenRtlApiException e) {
      out.println("  ✗ the host refused: " + e.status() + " " + e.code() + ": " + e.detail()
          + (e.requestId() == null ? "" : " (request " + e.requestId() + ")"));
    } catch (GenRtlClient.AwaitTimeoutException e) {
      out.println("  ✗ " + e.getMessage());
    } catch (StepFailed e) {
      out.println("  ✗ " + e.getMessage());
    } catch (RuntimeException e) {
      out.println("  ✗ " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    } finally {
      stop(false);
    }
    out.println(code == PASS ? "Demo passed." : "Demo FAILED (exit " + code + ").");
    out.flush();
    return new Result(code, dir, report);
  }

  /** A step did not give what the loop needs. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message);
    }
  }

  // ------------------------------------------------------------------ the loop

  private Report loop() {
    try {
      dir = settings.parentDir() == null ? Files.createTempDirectory("genrtl-demo-")
          : Files.createTempDirectory(settings.parentDir(), "genrtl-demo-");
      // search permission for others: when the host runs as root, the tools run as another uid and must reach runs/
      Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    Path work = dir.resolve("work");
    Path data = dir.resolve("data");
    try {
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + work, e);
    }
    out.println("genRTL demo: spec → plan → CBB → implement → simulate → repair → PASS, offline.");
    out.println("Directory: " + dir + (settings.keep() ? " (kept)" : " (removed at the end; --keep keeps it)"));
    synchronized (lock) {
      if (closed) throw new StepFailed("stopped");
      stub = RecordedProviders.start(out);
    }
    int port = freePort();
    String base = "http://127.0.0.1:" + port;
    Map<String, String> env = new LinkedHashMap<>();
    env.put("GENRTL_DATA_DIR", data.toString());
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("GENRTL_PORT", Integer.toString(port));
    env.put("GENRTL_PUBLIC_URL", base);
    env.put("GENRTL_JOB_WORKERS", "2");
    env.put("GENRTL_TOOL_USD_PER_CPU_SECOND", TOOL_USD_PER_CPU_SECOND);
    env.put("GENRTL_TOOL_WORK_DIR", dir.resolve("runs").toString());
    env.put("OPENAI_API_KEY", "sk-demo-recorded");
    env.put("OPENAI_BASE_URL", stub.baseUrl());
    env.put("ANTHROPIC_API_KEY", "sk-ant-demo-recorded");
    env.put("ANTHROPIC_BASE_URL", stub.baseUrl());
    env.putAll(settings.hostEnv());
    HostConfig config = HostConfig.load(env);
    ByteArrayOutputStream adminLine = new ByteArrayOutputStream(); // the first admin's key: kept in admin.key, not shown
    synchronized (lock) {
      if (closed) throw new StepFailed("stopped");
      server = GenRtlServer.start(config, Clock.systemUTC(), new PrintStream(adminLine, true, StandardCharsets.UTF_8));
    }
    out.println("Host: genRTL on " + base + " (" + (config.isPostgres() ? "PostgreSQL" : "SQLite in " + data)
        + "), its OpenAI and Anthropic base URLs pointed at the recorded providers; the first super admin's key is in "
        + data.resolve(GenRtlServer.ADMIN_KEY_FILE) + " (not shown).");

    GenRtl g = server.runtime().genrtl();
    CreatedUser user = g.accounts().createUser(new NewUser(EMAIL, "demo", Role.USER, PLAN_ID));
    String apiKey = g.apiKeys().issue(user.user().userId(), "demo", null).apiKey();
    GenRtlClient api = GenRtlClient.builder().baseUrl(base).apiKey(apiKey).pollInterval(Duration.ofMillis(100)).build();
    Accounts.Me me = api.me();
    Accounts.Workspace ws = api.createWorkspace("pack16-demo");
    Billing.Balance before = api.balance();
    out.println("User: " + me.email() + " on plan " + me.plan() + " (" + usd(before.includedMicros())
        + " included this period), workspace " + ws.name() + " " + ws.workspaceId());

    // 1. plan
    step(1, "Plan the spec (POST /api/jobs/plan → OpenAI Responses, recorded)");
    out.println("      spec: " + SPEC);
    Jobs.Job plan = await(api, api.submitPlan(new Jobs.PlanRequest(ws.workspaceId(), SPEC, null), "demo-plan"),
        Duration.ofMinutes(2));
    requireSucceeded(plan, "the plan job");
    Map<String, Object> planTree = obj(plan.resultObject().get("plan"), "the plan");
    List<Map<String, Object>> modules = objects(planTree.get("modules"));
    List<Map<String, Object>> reqs = objects(planTree.get("cbb_requirements"));
    out.println("      " + modules.size() + " modules: " + String.join(", ", modules.stream()
        .map(m -> m.get("name") + " (" + m.get("type") + ")").toList()) + "; " + reqs.size() + " CBB requirement(s)");
    stepUsage(plan);

    // 2. resolve
    step(2, "Resolve the plan's cbb_requirements (POST /api/cbb/resolve, free)");
    List<Cbb.Requirement> requirements = new ArrayList<>();
    for (Map<String, Object> r : reqs) {
      requirements.add(new Cbb.Requirement(str(r.get("cbb_id")), str(r.get("version")), strings(r.get("tags")),
          str(r.get("simulator")), str(r.get("sv")), str(r.get("text"))));
    }
    List<Cbb.Item> items = new ArrayList<>();
    for (Cbb.Resolution res : api.resolve(requirements)) {
      Cbb.Requirement asked = requirements.get(res.requirementIndex());
      if (res.candidates().isEmpty()) throw new StepFailed("no CBB satisfies requirement " + res.requirementIndex());
      Cbb.Candidate best = res.candidates().get(0);
      items.add(new Cbb.Item(best.cbbId(), best.version()));
      out.println("      " + (asked.cbbId() == null ? "requirement " + res.requirementIndex() : asked.cbbId() + " "
          + Objects.toString(asked.version(), "")) + " → " + best.cbbId() + "@" + best.version() + " ("
          + usd(best.priceMicros()) + ", best of " + res.candidates().size() + ")");
    }

    // 3. checkout
    String key = "demo-checkout-" + plan.jobId();
    step(3, "Buy them (POST /api/cbb/checkout, Idempotency-Key " + key + ")");
    Cbb.Checkout bought = api.checkout(new Cbb.CheckoutRequest(ws.workspaceId(), plan.jobId(), items), key);
    for (Cbb.Charged c : bought.charged()) {
      out.println("      charged " + c.cbbId() + "@" + c.version() + " " + usd(c.priceMicros()) + " from " + c.bucket());
    }
    Cbb.Checkout again = api.checkout(new Cbb.CheckoutRequest(ws.workspaceId(), plan.jobId(), items), key);
    if (!again.receiptId().equals(bought.receiptId()) || !again.replayed()) {
      throw new StepFailed("the same checkout key gave another receipt");
    }
    out.println("      receipt " + bought.receiptId() + "; the same key again replays it (nothing charged twice)");

    // 4. deliver + install
    step(4, "Deliver, download, verify and install (CbbInstaller → vendor/cbb/, genrtl.lock)");
    CbbInstaller installer = CbbInstaller.create(api, work);
    CbbLock lockFile = installer.install(bought.receiptId());
    for (CbbLock.Entry e : lockFile.packages()) {
      out.println("      " + e.path() + "/  " + e.files().size() + " files, read-only, sha256 " + e.sha256().substring(0, 16) + "…");
    }
    requireClean(installer, "after the install");
    out.println("      " + CbbLock.FILE_NAME + " written; verify: clean");

    // 5. implement
    step(5, "Implement (POST /api/jobs/implement → Anthropic Messages, recorded; vendor/cbb/ read-only)");
    List<Map<String, Object>> manifests = new ArrayList<>();
    for (Cbb.Item it : items) {
      Cbb.Version v = api.cbb(it.cbbId()).versions().stream().filter(x -> x.version().equals(it.version())).findFirst()
          .orElseThrow(() -> new StepFailed("the catalog does not list " + it.cbbId() + "@" + it.version()));
      manifests.add(v.manifest());
    }
    Jobs.Job impl = await(api, api.submitImplement(new Jobs.ImplementRequest(ws.workspaceId(), planTree, manifests,
        List.of(PatchPolicy.DEFAULT_READ_ONLY), userFiles(work)), "demo-implement"), Duration.ofMinutes(2));
    requireSucceeded(impl, "the implement job");
    String implementPatch = str(impl.resultObject().get("patch"));
    apply(work, implementPatch, PatchPolicy.Mode.IMPLEMENT);
    stepUsage(impl);

    // 6. simulate
    String top = topModule(planTree);
    List<Jobs.CbbRef> refs = lockFile.packages().stream().map(e -> new Jobs.CbbRef(e.receiptId(), e.id(), e.version())).toList();
    step(6, "Simulate in Icarus Verilog (POST /api/tools/run: your files + the CBB by receipt, top " + top + ")");
    Jobs.Job run1 = await(api, api.runTool(new Jobs.ToolRunRequest(ws.workspaceId(), impl.jobId(), "iverilog",
        userFiles(work), refs, top, null, null, null), "demo-run-1"), Duration.ofMinutes(5));
    requireSucceeded(run1, "the first tool run");
    Map<String, Object> bundle1 = run1.resultObject();
    showBundle(bundle1);
    if (Boolean.TRUE.equals(bundle1.get("passed"))) throw new StepFailed("the recorded buggy design passed: nothing to repair");

    // 7. repair
    step(7, "Repair with the evidence bundle (POST /api/jobs/repair → Anthropic Messages, recorded)");
    List<Jobs.FileText> files = userFiles(work);
    List<Jobs.Snippet> snippets = files.stream().filter(f -> f.path().startsWith("rtl/"))
        .map(f -> new Jobs.Snippet(f.path(), 1, f.text())).toList();
    StringBuilder lockSummary = new StringBuilder();
    for (CbbLock.Entry e : lockFile.packages()) {
      lockSummary.append(e.id()).append('@').append(e.version()).append(" sha256=").append(e.sha256()).append('\n');
    }
    Map<String, Object> evidence = Jobs.RepairRequest.evidence(bundle1, snippets, implementPatch, lockSummary.toString());
    Jobs.Job repair = await(api, api.submitRepair(new Jobs.RepairRequest(ws.workspaceId(), planTree, evidence, files, false),
        "demo-repair"), Duration.ofMinutes(2));
    requireSucceeded(repair, "the repair job");
    String repairPatch = str(repair.resultObject().get("patch"));
    apply(work, repairPatch, PatchPolicy.Mode.REPAIR);
    stepUsage(repair);

    // 8. simulate again
    step(8, "Simulate again");
    Jobs.Job run2 = await(api, api.runTool(new Jobs.ToolRunRequest(ws.workspaceId(), repair.jobId(), "iverilog",
        userFiles(work), refs, top, null, null, null), "demo-run-2"), Duration.ofMinutes(5));
    requireSucceeded(run2, "the second tool run");
    Map<String, Object> bundle2 = run2.resultObject();
    showBundle(bundle2);
    requireClean(installer, "after both patches");
    out.println("      vendor/cbb/ untouched by the patches (CbbInstaller.verify: clean)");

    // 9. statement
    step(9, "What the run cost (GET /api/usage, /api/usage/summary, /api/billing/balance)");
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(plan.jobId(), "plan");
    labels.put(impl.jobId(), "implement");
    labels.put(repair.jobId(), "repair");
    labels.put(run1.jobId(), "tool run 1");
    labels.put(run2.jobId(), "tool run 2");
    Map<String, Long> cpuMs = Map.of(run1.jobId(), num(bundle1.get("cpu_ms")), run2.jobId(), num(bundle2.get("cpu_ms")));
    Statement st = statement(api, labels, cpuMs, before);
    Report report = new Report(user.user().userId(), ws.workspaceId(), dir, work, plan.jobId(), bought.receiptId(),
        impl.jobId(), repair.jobId(), List.of(run1.jobId(), run2.jobId()), bundle1, bundle2, implementPatch, repairPatch,
        st.rows(), st.byBucket(), st.rowsMicros(), st.summaryMicros(), st.balanceMicros(), stub.served());
    settings.beforeStop().accept(new Live(g, api, report));
    boolean passed = Boolean.TRUE.equals(bundle2.get("passed"));
    if (!passed) out.println("  ✗ the repaired design did not pass");
    return passed && st.agrees() ? report : null;
  }

  // ------------------------------------------------------------------ steps

  private void step(int n, String title) {
    out.println();
    out.println("[" + n + "/" + STEPS + "] " + title);
    out.flush();
  }

  private static Jobs.Job await(GenRtlClient api, Jobs.Job submitted, Duration timeout) {
    return api.awaitDone(submitted.jobId(), timeout);
  }

  private static void requireSucceeded(Jobs.Job j, String what) {
    if (!j.succeeded()) {
      throw new StepFailed(what + " " + j.jobId() + " ended " + j.status()
          + (j.error() == null ? "" : ": " + j.error().code() + ": " + j.error().message()));
    }
  }

  private static void requireClean(CbbInstaller installer, String when) {
    CbbInstaller.Report r = installer.verify();
    if (!r.ok()) throw new StepFailed("vendor/cbb/ changed " + when + ": " + r.findings());
  }

  private void stepUsage(Jobs.Job j) {
    for (Jobs.Step s : j.steps()) {
      Jobs.Usage u = s.usage();
      out.println("      " + s.provider() + " " + s.model() + ": " + u.inputTokens() + " input, " + u.cachedInputTokens()
          + " cached, " + u.cacheWriteTokens() + " cache write, " + u.outputTokens() + " output tokens — " + usd(u.usdMicros()));
    }
  }

  /** Checks the patch with the client-side policy (vendor/cbb/ read-only) and applies it to the tree, all or nothing. */
  private void apply(Path work, String patch, PatchPolicy.Mode mode) {
    UnifiedDiff diff = UnifiedDiff.parse(patch);
    Set<String> present = new TreeSet<>();
    for (Jobs.FileText f : userFiles(work)) present.add(f.path());
    List<PatchPolicy.Violation> v = PatchPolicy.builder(mode).readOnlyPrefixes(List.of(PatchPolicy.DEFAULT_READ_ONLY))
        .build().check(diff, present);
    if (!v.isEmpty()) throw new StepFailed("the patch breaks the policy: " + v);
    PatchApplier.Result r = PatchApplier.exact().applyTo(work, diff);
    for (PatchApplier.FileChange c : r.changes()) {
      out.println("      " + c.status().wire() + " " + c.path() + " (+" + c.added() + " -" + c.removed() + ")");
    }
    out.println("      applied with PatchApplier (policy checked: nothing under vendor/cbb/)");
  }

  /** The working tree's own sources (everything but vendor/cbb/, the lock and scratch), sorted by path. */
  static List<Jobs.FileText> userFiles(Path work) {
    List<Jobs.FileText> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(work)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String rel = work.relativize(p).toString().replace('\\', '/');
        if (rel.startsWith("vendor/") || rel.startsWith(".genrtl/") || rel.equals(CbbLock.FILE_NAME)) continue;
        if (!rel.matches(".*\\.(sv|v|svh|vh)")) continue;
        files.add(new Jobs.FileText(rel, Files.readString(p, StandardCharsets.UTF_8)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the working tree", e);
    }
    return files;
  }

  /** The testbench top: the plan's first testbench file's name without its extension. */
  static String topModule(Map<String, Object> plan) {
    Map<String, Object> vp = obj(plan.get("verification_plan"), "the plan's verification_plan");
    List<String> tbs = strings(vp.get("testbenches"));
    if (tbs == null || tbs.isEmpty()) throw new StepFailed("the plan names no testbench");
    String name = tbs.get(0).substring(tbs.get(0).lastIndexOf('/') + 1);
    return name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
  }

  private void showBundle(Map<String, Object> b) {
    Map<String, Object> command = b.get("command") instanceof Map<?, ?> ? obj(b.get("command"), "command") : Map.of();
    for (String phase : List.of("compile", "run")) {
      if (command.get(phase) != null) out.println("      $ " + command.get(phase));
    }
    boolean passed = Boolean.TRUE.equals(b.get("passed"));
    out.println("      verdict " + String.valueOf(b.get("verdict")).toUpperCase(java.util.Locale.ROOT) + " (passed " + passed
        + ", exit code " + b.get("exit_code") + ", cpu " + b.get("cpu_ms") + " ms, isolation " + b.get("isolation") + ")");
    List<Map<String, Object>> diags = objects(b.get("diagnostics"));
    for (Map<String, Object> d : diags.subList(0, Math.min(5, diags.size()))) {
      out.println("      " + d.get("severity") + " " + d.get("file") + ":" + d.get("line") + ": " + d.get("message"));
    }
    if (b.get("mismatches") != null) out.println("      mismatches " + b.get("mismatches") + " in " + b.get("samples") + " samples");
    String log = str(b.get("log_excerpt"));
    if (log != null) {
      List<String> lines = log.lines().filter(l -> !l.isBlank() && !l.contains("$finish")).toList();
      for (String l : lines.subList(Math.max(0, lines.size() - 6), lines.size())) out.println("      | " + l);
    }
  }

  // ------------------------------------------------------------------ the statement

  record Statement(List<Billing.UsageEntry> rows, Map<String, Long> byBucket, long rowsMicros, long summaryMicros,
      long balanceMicros, boolean agrees) {}

  private Statement statement(GenRtlClient api, Map<String, String> labels, Map<String, Long> cpuMs, Billing.Balance before) {
    List<Billing.UsageEntry> rows = new ArrayList<>();
    String cursor = null;
    do {
      Page<Billing.UsageEntry> page = api.usage(Billing.UsageQuery.all(), cursor, 200);
      rows.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    rows.sort(Comparator.comparing(Billing.UsageEntry::id)); // ids are time-ordered: oldest first
    Billing.UsageSummary byKind = api.usageSummary(Billing.UsageQuery.all(), "kind");
    Billing.Balance after = api.balance();

    String fmt = "  %-22s %-10s %-18s %8s %8s %8s %8s  %-9s %12s%n";
    out.printf(fmt, "step", "provider", "model", "input", "cached", "c.write", "output", "bucket", "USD");
    Map<String, Long> byBucket = new TreeMap<>();
    long total = 0;
    for (Billing.UsageEntry e : rows) {
      String label;
      String provider = e.provider() == null ? "" : e.provider();
      String model = e.model() == null ? "" : e.model();
      if ("cbb".equals(e.kind())) {
        label = "cbb " + e.cbbId() + "@" + e.cbbVersion();
        provider = "genRTL";
        model = "receipt";
      } else if ("tool".equals(e.kind())) {
        label = labels.getOrDefault(e.jobId(), "tool run");
        provider = "iverilog";
        Long cpu = cpuMs.get(e.jobId());
        model = cpu == null ? "" : cpu + " ms cpu";
      } else {
        label = labels.getOrDefault(e.jobId(), e.kind());
      }
      out.printf(fmt, label, provider, model, tokens(e.inputTokens()), tokens(e.cachedInputTokens()),
          tokens(e.cacheWriteTokens()), tokens(e.outputTokens()), e.bucket(), usd(e.usdMicros()));
      byBucket.merge(e.bucket(), e.usdMicros(), Long::sum);
      total += e.usdMicros();
    }
    out.println();
    out.println("  by bucket:  included " + usd(byBucket.getOrDefault("included", 0L)) + "   on-demand "
        + usd(byBucket.getOrDefault("on_demand", 0L))
        + (byBucket.getOrDefault("credits", 0L) == 0 ? "" : "   credits " + usd(byBucket.get("credits"))));
    List<String> kinds = new ArrayList<>();
    for (Billing.Group grp : byKind.groups()) kinds.add(grp.key() + " " + usd(grp.usdMicros()));
    out.println("  by kind:    " + String.join("   ", kinds) + "   (summary)");
    long summary = byKind.total().usdMicros();
    long change = (before.includedMicros() - after.includedMicros()) + (before.creditsMicros() - after.creditsMicros())
        + (after.onDemandSpentMicros() - before.onDemandSpentMicros());
    out.println("  total:      " + usd(total) + " in " + rows.size() + " ledger rows;  summary " + usd(summary)
        + ";  balance change " + usd(change) + " (included " + usd(before.includedMicros()) + " → "
        + usd(after.includedMicros()) + ", on-demand spent " + usd(before.onDemandSpentMicros()) + " → "
        + usd(after.onDemandSpentMicros()) + ", holds " + usd(after.holdsMicros()) + ")");
    boolean agrees = total == summary && total == change && byKind.total().rows() == rows.size();
    out.println(agrees ? "  ✓ rows, summary and balance change agree to the micro-dollar"
        : "  ✗ the totals do not agree: rows " + total + ", summary " + summary + ", balance change " + change + " micro-USD");
    return new Statement(List.copyOf(rows), Map.copyOf(byBucket), total, summary, change, agrees);
  }

  private static String tokens(Long n) {
    return n == null ? "-" : Long.toString(n);
  }

  /** Exact dollars from micro-USD: {@code $0.012345}. */
  static String usd(long micros) {
    return (micros < 0 ? "-$" : "$") + BigDecimal.valueOf(Math.abs(micros), 6).toPlainString();
  }

  // ------------------------------------------------------------------ JSON trees

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Object o, String what) {
    if (!(o instanceof Map)) throw new StepFailed(what + " is not an object");
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> objects(Object o) {
    if (!(o instanceof List<?> l)) return List.of();
    return (List<Map<String, Object>>) (List<?>) l.stream().filter(x -> x instanceof Map).toList();
  }

  private static List<String> strings(Object o) {
    if (!(o instanceof List<?> l)) return null;
    return l.stream().map(String::valueOf).toList();
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private static long num(Object o) {
    return o instanceof BigDecimal b ? b.longValue() : o instanceof Number n ? n.longValue() : 0;
  }

  // ------------------------------------------------------------------ lifecycle

  /** Stops the host and the stub and removes the directory unless kept; safe to call twice and from a shutdown hook. */
  private void stop(boolean interrupted) {
    if (interrupted) {
      // the process is exiting: the workers' complaints about a pool closed under them are noise, not news
      muted = true;
      out.flush();
      java.util.logging.LogManager.getLogManager().reset();
    }
    synchronized (lock) {
      if (closed) return;
      closed = true;
      if (interrupted) raw.println("\nInterrupted: stopping the host and the recorded providers.");
      try {
        if (server != null) server.close();
      } catch (RuntimeException e) {
        out.println("  (stopping the host: " + e.getMessage() + ")");
      }
      if (stub != null) stub.close();
      if (dir != null && !settings.keep()) deleteTree(dir);
      else if (dir != null) raw.println("Kept: " + dir + " (work/ is the working tree, data/ the host's database and blobs)");
      if (interrupted) raw.println("Stopped.");
      raw.flush();
    }
  }

  /** Deletes a tree, making read-only directories (installed CBBs) writable first. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isDirectory).toList()) {
        try {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException ignored) {
          // best effort
        }
      }
    } catch (IOException ignored) {
      // best effort
    }
    io.genrtl.host.Trees.delete(root);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
