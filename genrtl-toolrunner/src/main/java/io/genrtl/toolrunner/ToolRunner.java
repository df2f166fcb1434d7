package io.genrtl.toolrunner;

import io.genrtl.cbb.pkg.PackageExtractor;
import io.genrtl.cbb.pkg.PathRules;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs a design in Icarus Verilog or Verilator and returns an {@link EvidenceBundle}. Each run gets a fresh
 * directory (deleted afterwards) holding the user's files and the requested CBB packages under
 * {@code vendor/cbb/<id>/<version>/}; sources are pre-scanned for file names that would reach outside it and for every
 * way to run host code ({@code $system}, Verilator's C escapes, DPI, also after Verilator's preprocessor); compile and
 * run execute in the {@link Isolation} level chosen at creation, never as root, with their own limits (wall clock, CPU
 * seconds, address space, file size, processes, output bytes) and the run's (bytes and entries written, /tmp). A level
 * that does not work or lets a run read a protected path refuses every run. At most {@link Settings#maxConcurrent()}
 * runs execute at once; the rest wait in a fair queue. Verilator builds are cached by content hash. Thread-safe.
 */
public final class ToolRunner {
  /** The processes one phase may run at once when nothing else is said ({@link Limits#processes()}). */
  public static final int DEFAULT_PROCESSES = 128;

  /**
   * Limits of one phase. {@code processes}: RLIMIT_NPROC inside the sandbox (a compile runs about three processes per
   * Verilator job, plus make and the shells).
   */
  public record Limits(Duration wallClock, Duration cpuTime, long memoryBytes, long outputBytes, long fileBytes, int processes) {
    public Limits {
      Objects.requireNonNull(wallClock, "wallClock");
      Objects.requireNonNull(cpuTime, "cpuTime");
      if (wallClock.isNegative() || wallClock.isZero() || cpuTime.getSeconds() < 1 || memoryBytes < (16L << 20)
          || outputBytes < 1024 || fileBytes < 1024 || processes < 8) {
        throw new IllegalArgumentException("limits must be positive (CPU at least 1 s, memory at least 16 MiB, at least 8"
            + " processes)");
      }
    }

    public Limits(Duration wallClock, Duration cpuTime, long memoryBytes, long outputBytes, long fileBytes) {
      this(wallClock, cpuTime, memoryBytes, outputBytes, fileBytes, DEFAULT_PROCESSES);
    }

    Limits withWall(Duration wall) {
      return new Limits(wall, cpuTime, memoryBytes, outputBytes, fileBytes, processes);
    }

    public Limits withProcesses(int n) {
      return new Limits(wallClock, cpuTime, memoryBytes, outputBytes, fileBytes, n);
    }
  }

  /**
   * What a run may write, over both phases: bytes and entries (files, directories, links) added to its directory,
   * and the size of its private {@code /tmp} (bwrap, unshare). Past the first two the phase is killed
   * ({@code limit_exceeded}: {@code write_bytes}, {@code file_count}); a full /tmp fails the tool's writes
   * ({@code tmp_bytes}).
   */
  public record WriteLimits(long bytes, long files, long tmpBytes) {
    public WriteLimits {
      if (bytes < (1L << 20) || files < 16 || tmpBytes < (1L << 20)) {
        throw new IllegalArgumentException("write limits: at least 1 MiB, 16 files and a 1 MiB /tmp");
      }
    }
  }

  /**
   * @param workDir where run directories are created (null: the system temp directory)
   * @param isolation the level wanted ({@link Isolation#AUTO}: bubblewrap, else no runs)
   * @param maxConcurrent runs executing at once (others queue)
   * @param compile limits of the compile phase
   * @param run limits of the run phase; its wall clock is the default timeout
   * @param maxRunTimeout the longest run timeout a request may ask for
   * @param cacheDir Verilator build cache (null: no cache)
   * @param cacheMaxBytes the cache's bound
   * @param verilatorJobs {@code -j} for Verilator's C++ build
   * @param excerptChars the log excerpt keeps this many characters from the head and as many from the tail
   * @param writes what a run may write
   * @param sandboxUid the uid the tools run as when the runner runs as root (they never run as root)
   * @param protectedPaths paths no run may read (the embedding application's data, keys, configuration): the runner
   *     proves it at creation and refuses every run if one is readable (at {@code none}, also its own
   *     {@code /proc/<pid>/environ} when any is given); the work directory's other runs and the cache are always
   *     protected at the levels that isolate files
   */
  public record Settings(Path workDir, Isolation isolation, int maxConcurrent, Limits compile, Limits run,
      Duration maxRunTimeout, Path cacheDir, long cacheMaxBytes, int verilatorJobs, int excerptChars, WriteLimits writes,
      int sandboxUid, List<Path> protectedPaths) {
    public Settings {
      Objects.requireNonNull(isolation, "isolation");
      Objects.requireNonNull(compile, "compile");
      Objects.requireNonNull(run, "run");
      Objects.requireNonNull(maxRunTimeout, "maxRunTimeout");
      Objects.requireNonNull(writes, "writes");
      protectedPaths = List.copyOf(protectedPaths);
      if (maxConcurrent < 1 || verilatorJobs < 1 || excerptChars < 256 || cacheMaxBytes < 0 || sandboxUid < 1) {
        throw new IllegalArgumentException("maxConcurrent, verilatorJobs, sandboxUid must be positive; excerptChars at least 256");
      }
    }

    /**
     * As many runs as cores; compile: 300 s wall, 300 s CPU per process, 4 GiB, 4 MiB of output; run: 30 s wall
     * (requests may ask up to 600 s), 600 s CPU, 2 GiB, 4 MiB of output; 256 MiB per file, {@value #DEFAULT_PROCESSES}
     * processes; 1 GiB and 10,000 entries written per run, a 256 MiB /tmp; tools as uid 65534 under root; no build
     * cache; nothing protected beyond the work directory.
     */
    public static Settings defaults() {
      return new Settings(null, Isolation.AUTO, Runtime.getRuntime().availableProcessors(),
          new Limits(Duration.ofSeconds(300), Duration.ofSeconds(300), 4L << 30, 4L << 20, 256L << 20),
          new Limits(Duration.ofSeconds(30), Duration.ofSeconds(600), 2L << 30, 4L << 20, 256L << 20),
          Duration.ofSeconds(600), null, 1L << 30, 1, 8 * 1024, new WriteLimits(1L << 30, 10_000, 256L << 20), 65534, List.of());
    }

    public Settings withWorkDir(Path d) {
      return new Settings(d, isolation, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withIsolation(Isolation i) {
      return new Settings(workDir, i, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withMaxConcurrent(int n) {
      return new Settings(workDir, isolation, n, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withLimits(Limits c, Limits r, Duration maxRun) {
      return new Settings(workDir, isolation, maxConcurrent, c, r, maxRun, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withCache(Path dir, long maxBytes) {
      return new Settings(workDir, isolation, maxConcurrent, compile, run, maxRunTimeout, dir, maxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withVerilatorJobs(int j) {
      return new Settings(workDir, isolation, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, j,
          excerptChars, writes, sandboxUid, protectedPaths);
    }

    public Settings withWrites(WriteLimits w) {
      return new Settings(workDir, isolation, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, w, sandboxUid, protectedPaths);
    }

    public Settings withSandboxUid(int uid) {
      return new Settings(workDir, isolation, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, uid, protectedPaths);
    }

    public Settings withProtectedPaths(List<Path> paths) {
      return new Settings(workDir, isolation, maxConcurrent, compile, run, maxRunTimeout, cacheDir, cacheMaxBytes, verilatorJobs,
          excerptChars, writes, sandboxUid, paths);
    }
  }

  /**
   * A run canceled while it waited or ran ({@code conflict}); {@link #cpuMs()} is what it used up to the cancel (the
   * phases that ended, as measured, and the wall time of the one that was killed).
   */
  public static final class Canceled extends GenRtlException {
    private static final long serialVersionUID = 1L;
    private final long cpuMs;

    Canceled(String message, long cpuMs) {
      super(ErrorCode.CONFLICT, message);
      this.cpuMs = cpuMs;
    }

    public long cpuMs() {
      return cpuMs;
    }
  }

  /** Where the preprocessor's output goes (inside the reserved {@code .genrtl/}). */
  static final String PREPROCESSED = ".genrtl/preprocessed.sv";
  /** Part of every build cache key: a build cached under older scan rules is not reused. */
  static final String SCAN_VERSION = "2";
  /** A package filelist token (never read by a tool: its sources and options become arguments). */
  static final java.util.regex.Pattern PACKAGE_TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_.:/+='-]+");
  /** What a shell, make, g++ or a C library print when fork, clone or a thread is refused (EAGAIN). */
  static final java.util.regex.Pattern FORK_REFUSED = java.util.regex.Pattern.compile(
      "(?i)(fork|clone|spawn|pthread_create|thread)[^\n]{0,80}(Resource temporarily unavailable|EAGAIN)|cannot fork|Cannot fork"
          + "|Resource temporarily unavailable[^\n]{0,40}fork");
  static final java.util.regex.Pattern NO_SPACE = java.util.regex.Pattern.compile("No space left on device");
  /** The wrapper's markers, wherever they might show (they are the runner's, never the tools'). */
  static final java.util.regex.Pattern MARKER = java.util.regex.Pattern.compile("@@genrtl-[a-z]+(-[0-9a-f]*)?@@");

  /** Packages unpacked for a run: the default package caps. */
  static final PackageLimits CBB_LIMITS = PackageLimits.DEFAULTS;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Settings settings;
  private final Path workDir;
  private final Sandbox sandbox;
  private final Semaphore slots;
  private final BuildCache cache;
  private final Map<Simulator, String> versions = new ConcurrentHashMap<>();
  /** For tests: the pre-scan can be switched off to prove the sandbox alone contains a design. */
  private final boolean prescan;

  private ToolRunner(Settings settings, boolean prescan) {
    this(settings, prescan, Tools::find);
  }

  private ToolRunner(Settings settings, boolean prescan, java.util.function.UnaryOperator<String> find) {
    this.settings = settings;
    this.prescan = prescan;
    this.workDir = settings.workDir() != null ? settings.workDir()
        : Path.of(System.getProperty("java.io.tmpdir"), "genrtl-toolrunner");
    List<Path> guarded = new ArrayList<>(settings.protectedPaths());
    if (settings.cacheDir() != null) guarded.add(settings.cacheDir());
    this.sandbox = Sandbox.choose(settings.isolation(), workDir,
        new Sandbox.Options(settings.writes().tmpBytes(), settings.sandboxUid(), guarded, find));
    this.slots = new Semaphore(settings.maxConcurrent(), true);
    this.cache = settings.cacheDir() == null ? null : new BuildCache(settings.cacheDir(), settings.cacheMaxBytes());
  }

  /**
   * Creates a runner and probes its isolation level now: {@link Isolation#AUTO} means bubblewrap, never a silent
   * fallback; a level that does not work here, or a protected path a run could read, leaves
   * {@link #sandboxProblem()} set and every run refused ({@code tool_sandbox_unavailable}). Never throws for that.
   */
  public static ToolRunner create(Settings settings) {
    return new ToolRunner(settings, true);
  }

  static ToolRunner withoutPrescan(Settings settings) {
    return new ToolRunner(settings, false);
  }

  /** For tests: a runner whose sandbox finds programs with {@code find} (to act as if one were not installed). */
  static ToolRunner withTools(Settings settings, java.util.function.UnaryOperator<String> find) {
    return new ToolRunner(settings, true, find);
  }

  /** The isolation level every run of this runner gets ({@link Isolation#BWRAP} for AUTO). */
  public Isolation isolation() {
    return sandbox.level();
  }

  /**
   * Why this runner refuses every run (its level does not work here, or a run could read a protected path), in full
   * (with host paths: for the operator's log).
   */
  public java.util.Optional<String> sandboxProblem() {
    return java.util.Optional.ofNullable(sandbox.problem());
  }

  /** The refusal as a client is told it ({@code tool_sandbox_unavailable}): the kind of problem, no host paths. */
  public java.util.Optional<String> sandboxRefusal() {
    return java.util.Optional.ofNullable(sandbox.summary());
  }

  /** The uid the tools run as (when the runner runs as root), else empty: the runner's own. */
  public java.util.OptionalInt toolUid() {
    return sandbox.dropUid() < 0 ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(sandbox.dropUid());
  }

  public Settings settings() {
    return settings;
  }

  /** Whether the simulator's programs are installed here. */
  public static boolean available(Simulator sim) {
    return sim == Simulator.IVERILOG ? Tools.find("iverilog") != null && Tools.find("vvp") != null
        : Tools.find("verilator") != null;
  }

  /**
   * Checks a request without running it: paths, the user filelist, arguments, top. Package archives are not
   * needed. Throws {@code validation_failed} with the request field.
   */
  public static void validate(RunRequest request) {
    Requests.validate(request);
  }

  public EvidenceBundle run(RunRequest request) {
    return run(request, () -> false);
  }

  /**
   * Runs the request (waiting for a free slot first) and returns its bundle. A failing design is a bundle, not an
   * exception; exceptions are for invalid requests ({@code validation_failed}), a missing simulator
   * ({@code unavailable}), a sandbox that cannot contain runs ({@code tool_sandbox_unavailable}), a package whose
   * archive is not the one named ({@code conflict}) or a broken archive ({@code invalid_package}). {@code canceled} is
   * polled while waiting and running; a canceled run is killed and ends in {@link Canceled}.
   */
  public EvidenceBundle run(RunRequest request, BooleanSupplier canceled) {
    validate(request);
    if (sandbox.problem() != null) throw new GenRtlException(ErrorCode.TOOL_SANDBOX_UNAVAILABLE, sandbox.summary());
    for (RunRequest.Cbb c : request.cbbs()) {
      if (c.archive() == null) throw new IllegalArgumentException("package " + c.cbbId() + " has no archive");
    }
    if (!available(request.simulator())) {
      throw new GenRtlException(ErrorCode.UNAVAILABLE, request.simulator().wire() + " is not installed on this host");
    }
    try {
      while (!slots.tryAcquire(500, TimeUnit.MILLISECONDS)) {
        if (canceled.getAsBoolean()) throw new Canceled("the run was canceled while queued", 0);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GenRtlException(ErrorCode.UNAVAILABLE, "interrupted while waiting for a free run slot");
    }
    Path runDir = null;
    try {
      runDir = Files.createTempDirectory(workDir, "run-");
      return new Run(request, runDir, canceled).execute();
    } catch (IOException e) {
      throw new UncheckedIOException("tool run failed", e);
    } finally {
      slots.release();
      if (runDir != null) BuildCache.deleteTree(runDir);
    }
  }

  String version(Simulator sim) {
    return versions.computeIfAbsent(sim, s -> {
      String v = s == Simulator.IVERILOG ? Tools.firstLine("iverilog", "-V") : Tools.firstLine("verilator", "--version");
      return v == null ? s.wire() + " (unknown version)" : v;
    });
  }

  /** One run: its directory, commands and outcome. */
  private final class Run {
    final RunRequest req;
    final Path dir;
    final BooleanSupplier canceled;
    final List<Diagnostic> diagnostics = new ArrayList<>();
    final List<EvidenceBundle.Installed> installed = new ArrayList<>();
    final List<String> cbbArgs = new ArrayList<>();
    final String version;
    /** The run directory's size before any tool ran (what a run writes is measured against it). */
    RunDirUsage.Usage baseline = new RunDirUsage.Usage(0, 0);
    /** The preprocessor's command and output, shown before the compile's in the log. */
    String preLog = "";
    /** Whether the compile ran (or came from the cache): the log shows its command then. */
    boolean compileRan;

    Run(RunRequest req, Path dir, BooleanSupplier canceled) {
      this.req = req;
      this.dir = dir;
      this.canceled = canceled;
      this.version = version(req.simulator());
    }

    EvidenceBundle execute() throws IOException {
      Files.createDirectories(dir.resolve(".genrtl/tmp"));
      for (Map.Entry<String, String> f : req.files().entrySet()) {
        Path p = inside(f.getKey());
        Files.createDirectories(p.getParent());
        Files.writeString(p, f.getValue(), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      }
      for (RunRequest.Cbb c : req.cbbs()) install(c);
      List<String> compile = compileCommand();
      List<String> runCmd = runCommand();
      String compileText = commandLine(compile);
      String runText = commandLine(runCmd);
      if (prescan) scanSources();
      if (hasErrors()) {
        return bundle(compileText, runText, null, EvidenceBundle.COMPILE_ERROR, null, null, "", "", null, Verdicts.summarise(""));
      }
      sandbox.prepare(dir);
      baseline = RunDirUsage.measure(dir);
      Sandbox.Limits cl = limits(settings.compile());
      Duration wall = req.timeout() == null ? settings.run().wallClock()
          : (req.timeout().compareTo(settings.maxRunTimeout()) > 0 ? settings.maxRunTimeout() : req.timeout());
      Sandbox.Limits rl = limits(settings.run().withWall(wall));

      // ---- compile (Verilator: from the cache when the same inputs were built and scanned before)
      String cacheKey = null;
      String compileOut;
      EvidenceBundle.Phase cp;
      if (req.simulator() == Simulator.VERILATOR && cache != null) {
        List<String> keyed = new ArrayList<>(compile);
        int j = keyed.indexOf("-j");
        if (j >= 0) {
          keyed.remove(j + 1);
          keyed.remove(j);
        }
        keyed.add(0, "scan:" + SCAN_VERSION);
        cacheKey = BuildCache.key(version, keyed, dir);
        var hit = cache.find(cacheKey);
        if (hit.isPresent()) {
          Path exe = dir.resolve("obj_dir").resolve("V" + req.top());
          Files.createDirectories(exe.getParent());
          Files.copy(hit.get().executable(), exe, StandardCopyOption.REPLACE_EXISTING);
          Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
          sandbox.prepare(dir.resolve("obj_dir"));
          compileOut = hit.get().compileOutput();
          compileRan = true;
          cp = new EvidenceBundle.Phase(0, 0, 0, true, null);
          return runPhase(compileText, runText, cp, compileOut, runCmd, rl);
        }
      }
      // ---- Verilator: what the preprocessor makes of the sources is scanned too (names assembled by macros)
      long ppMs = 0;
      long ppCpu = 0;
      if (prescan && req.simulator() == Simulator.VERILATOR) {
        List<String> pp = preprocessCommand();
        Exec.Result e = exec(pp, cl);
        ppMs = e.durationMs();
        ppCpu = e.cpuMs();
        preLog = "$ " + commandLine(pp.subList(4, pp.size())) + " > " + PREPROCESSED + "\n" + e.output();
        if (e.stop() == Exec.Stop.CANCELED) throw new Canceled("the run was canceled", ppCpu);
        String limit = limitOf(e, cl);
        Path out = dir.resolve(PREPROCESSED);
        if (e.exitCode() != 0 || limit != null || !Files.isRegularFile(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          diagnostics.addAll(Diagnostics.parse(req.simulator(), true, e.output(), dir.toString()));
          cp = new EvidenceBundle.Phase(e.stop() == Exec.Stop.NONE ? e.exitCode() : null, ppMs, ppCpu, false, limit);
          return bundle(compileText, runText, cp, timeLimit(limit) ? EvidenceBundle.TIMEOUT : EvidenceBundle.COMPILE_ERROR,
              limit, cp.exitCode(), "", "", null, Verdicts.summarise(""));
        }
        String expanded = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
        Files.delete(out);
        diagnostics.addAll(SourceScan.scanPreprocessed(expanded, dir.toString()));
        if (hasErrors()) {
          cp = new EvidenceBundle.Phase(null, ppMs, ppCpu, false, null);
          return bundle(compileText, runText, cp, EvidenceBundle.COMPILE_ERROR, null, null, "", "", null, Verdicts.summarise(""));
        }
      }
      compileRan = true;
      Exec.Result c = exec(compile, cl);
      compileOut = c.output();
      String limit = limitOf(c, cl);
      cp = new EvidenceBundle.Phase(c.stop() == Exec.Stop.NONE ? c.exitCode() : null, ppMs + c.durationMs(), ppCpu + c.cpuMs(),
          false, limit);
      diagnostics.addAll(Diagnostics.parse(req.simulator(), true, compileOut, dir.toString()));
      if (c.stop() == Exec.Stop.CANCELED) throw new Canceled("the run was canceled", cp.cpuMs());
      if (timeLimit(limit)) {
        return bundle(compileText, runText, cp, EvidenceBundle.TIMEOUT, limit, cp.exitCode(), compileOut, "", null, Verdicts.summarise(""));
      }
      java.nio.file.LinkOption nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
      boolean built = req.simulator() == Simulator.IVERILOG ? Files.isRegularFile(dir.resolve("sim.vvp"), nofollow)
          : Files.isRegularFile(dir.resolve("obj_dir").resolve("V" + req.top()), nofollow);
      if (c.exitCode() != 0 || limit != null || !built) {
        return bundle(compileText, runText, cp, EvidenceBundle.COMPILE_ERROR, limit, cp.exitCode(), compileOut, "", null, Verdicts.summarise(""));
      }
      if (cacheKey != null) cache.put(cacheKey, dir.resolve("obj_dir").resolve("V" + req.top()), compileOut);
      return runPhase(compileText, runText, cp, compileOut, runCmd, rl);
    }

    private boolean hasErrors() {
      return diagnostics.stream().anyMatch(d -> d.severity().equals("error"));
    }

    private EvidenceBundle runPhase(String compileText, String runText, EvidenceBundle.Phase cp, String compileOut,
        List<String> runCmd, Sandbox.Limits rl) throws IOException {
      if (cp.cached()) diagnostics.addAll(Diagnostics.parse(req.simulator(), true, compileOut, dir.toString()));
      Exec.Result r = exec(runCmd, rl);
      if (r.stop() == Exec.Stop.CANCELED) throw new Canceled("the run was canceled", cp.cpuMs() + r.cpuMs());
      String limit = limitOf(r, rl);
      EvidenceBundle.Phase rp = new EvidenceBundle.Phase(r.stop() == Exec.Stop.NONE ? r.exitCode() : null, r.durationMs(),
          r.cpuMs(), false, limit);
      diagnostics.addAll(Diagnostics.parse(req.simulator(), false, r.output(), dir.toString()));
      Verdicts.Summary s = Verdicts.summarise(r.output());
      String verdict;
      if (timeLimit(limit)) verdict = EvidenceBundle.TIMEOUT;
      else if (limit != null) verdict = EvidenceBundle.FATAL;
      else verdict = Verdicts.verdict(s, r.exitCode());
      return bundle(compileText, runText, cp, verdict, limit, rp.exitCode(), compileOut, r.output(), rp, s);
    }

    /**
     * The limit that stopped or failed a phase, or null: the runner's own watches (wall clock, output, the run
     * directory's bytes and entries), the signals of prlimit's limits (SIGXCPU, or SIGKILL at the hard CPU limit;
     * SIGXFSZ), and a failed phase whose output reports a refused fork or clone (the process limit) or a full /tmp.
     */
    private String limitOf(Exec.Result r, Sandbox.Limits l) {
      if (r.stop() == Exec.Stop.WALL_CLOCK) return "wall_clock";
      if (r.stop() == Exec.Stop.OUTPUT) return "output";
      if (r.stop() == Exec.Stop.LIMIT) return r.limit();
      if (r.exitCode() == 128 + 24 || (r.exitCode() == 128 + 9 && r.cpuMs() >= l.cpuSeconds() * 900)) return "cpu_time";
      if (r.exitCode() == 128 + 25) return "file_size";
      String written = RunDirUsage.over(dir, baseline, settings.writes());
      if (written != null) return written;
      if (r.exitCode() != 0 && l.processes() > 0 && sandbox.processLimitApplies() && FORK_REFUSED.matcher(r.output()).find()) {
        return "processes";
      }
      if (r.exitCode() != 0 && sandbox.level() != Isolation.NONE && NO_SPACE.matcher(r.output()).find()) return "tmp_bytes";
      return null;
    }

    private Exec.Result exec(List<String> command, Sandbox.Limits l) throws IOException {
      String marker = "@@genrtl-times-" + HexFormat.of().formatHex(nonce()) + "@@";
      List<String> argv = sandbox.wrap(dir, command, l, marker);
      return Exec.run(argv, dir, sandbox.env(dir), l.wall(), l.outputBytes(), canceled, marker, sandbox.groupLeader(),
          () -> RunDirUsage.over(dir, baseline, settings.writes()));
    }

    private byte[] nonce() {
      byte[] b = new byte[12];
      RANDOM.nextBytes(b);
      return b;
    }

    private Sandbox.Limits limits(Limits l) {
      return new Sandbox.Limits(l.wallClock(), Math.max(1, l.cpuTime().getSeconds()), l.memoryBytes(), l.fileBytes(),
          l.outputBytes(), l.processes());
    }

    private Path inside(String rel) {
      Path p = dir.resolve(rel).normalize();
      if (!p.startsWith(dir) || p.equals(dir)) throw new IllegalStateException("path outside the run directory: " + rel);
      return p;
    }

    private void install(RunRequest.Cbb c) throws IOException {
      String prefix = "vendor/cbb/" + c.cbbId() + "/" + c.version();
      Path dest = inside(prefix);
      CbbPackage pkg = PackageExtractor.extract(c.archive(), dest, CBB_LIMITS);
      if (!pkg.manifest().id().equals(c.cbbId()) || !pkg.manifest().version().equals(c.version())) {
        throw new GenRtlException(ErrorCode.CONFLICT, "the package given for " + c.cbbId() + "@" + c.version() + " is "
            + pkg.manifest().id() + "@" + pkg.manifest().version());
      }
      installed.add(new EvidenceBundle.Installed(c.cbbId(), c.version(), prefix, pkg.sha256()));
      rebase(prefix, pkg.manifest().entrypoints().filelistRtl(), "", 0);
    }

    /**
     * Adds a package filelist's sources and options to the compile with paths rebased onto the package's install
     * directory (package filelists name paths relative to the package root; {@code -F} lists relative to
     * themselves). The package inspector already checked every path stays inside the package.
     */
    private void rebase(String prefix, String list, String base, int depth) throws IOException {
      String listPath = prefix + "/" + list;
      if (depth > 8) {
        diagnostics.add(new Diagnostic(listPath, 1, null, "error", "filelists nest too deep"));
        return;
      }
      String text = Files.readString(inside(listPath), StandardCharsets.UTF_8);
      String[] lines = text.split("\r\n|\r|\n", -1);
      for (int n = 0; n < lines.length; n++) {
        String t = lines[n].strip();
        if (t.isEmpty() || t.startsWith("//") || t.startsWith("#")) continue;
        String[] tokens = t.split("\\s+");
        for (int j = 0; j < tokens.length; j++) {
          String tok = tokens[j];
          if (tok.startsWith("//")) break;
          if (!PACKAGE_TOKEN.matcher(tok).matches()) {
            refuse(listPath, n, "'" + Requests.printable(tok) + "' in a package filelist: paths and options of letters,"
                + " digits and _ . : / + = ' - only");
          } else if (tok.startsWith("+incdir+")) {
            for (String d : tok.substring(8).split("\\+")) if (!d.isEmpty()) cbbArgs.add("-I" + join(prefix, base, d));
          } else if (tok.startsWith("+define+")) {
            for (String d : tok.substring(8).split("\\+")) if (!d.isEmpty()) define(listPath, n, d);
          } else if (tok.equals("-I") && j + 1 < tokens.length) {
            cbbArgs.add("-I" + join(prefix, base, tokens[++j]));
          } else if (tok.startsWith("-I") && tok.length() > 2) {
            cbbArgs.add("-I" + join(prefix, base, tok.substring(2)));
          } else if ((tok.equals("-D")) && j + 1 < tokens.length) {
            define(listPath, n, tokens[++j]);
          } else if (tok.startsWith("-D") && tok.length() > 2) {
            define(listPath, n, tok.substring(2));
          } else if ((tok.equals("-f") || tok.equals("-F")) && j + 1 < tokens.length) {
            String nested = PathRules.normalise(tokens[++j]);
            String nestedFull = base.isEmpty() ? nested : base + "/" + nested;
            String nestedBase = tok.equals("-F") ? parent(nestedFull) : base;
            rebase(prefix, nestedFull, nestedBase, depth + 1);
          } else if (tok.startsWith("-") || tok.startsWith("+")) {
            if (Requests.CODE_LOADING.matcher(tok).matches()) {
              refuse(listPath, n, "option '" + Requests.printable(tok) + "' in a package filelist would make the simulator"
                  + " load, build or link code");
            } else {
              diagnostics.add(new Diagnostic(listPath, n + 1, null, "error", "option '" + Requests.printable(tok)
                  + "' in a package filelist is not supported by the ToolRunner"));
            }
          } else if (Requests.NATIVE_FILE.matcher(tok).matches() || !tok.matches(".*\\.(v|sv|vh|svh)")) {
            refuse(listPath, n, "'" + Requests.printable(tok) + "' in a package filelist is not a Verilog or SystemVerilog"
                + " source (.v, .sv, .vh, .svh): other files would be compiled, linked or run");
          } else {
            cbbArgs.add(join(prefix, base, tok));
          }
        }
      }
    }

    /** A package filelist's define: NAME or NAME=VALUE by the same rule as the request's (a value is source text). */
    private void define(String listPath, int line, String d) {
      if (Requests.DEFINE.matcher(d).matches()) {
        cbbArgs.add("-D" + d);
      } else {
        refuse(listPath, line, "define '" + Requests.printable(d) + "' in a package filelist is not NAME or NAME=VALUE"
            + " (letters, digits, _ . : ' + -): a macro's value is source text the pre-scan would not see");
      }
    }

    private void refuse(String listPath, int line, String what) {
      diagnostics.add(new Diagnostic(listPath, line + 1, null, "error", "refused: " + what));
    }

    private String join(String prefix, String base, String p) {
      String n = p.equals(".") ? "" : PathRules.normalise(p);
      if (n.endsWith("/")) n = n.substring(0, n.length() - 1);
      String b = base.isEmpty() ? n : (n.isEmpty() ? base : base + "/" + n);
      return b.isEmpty() ? prefix : prefix + "/" + b;
    }

    private String parent(String p) {
      int s = p.lastIndexOf('/');
      return s < 0 ? "" : p.substring(0, s);
    }

    private List<String> userSources() {
      List<String> out = new ArrayList<>();
      for (String a : req.args()) out.addAll(Requests.toolArgs("args", a));
      out.addAll(cbbArgs);
      if (req.filelist() != null) {
        out.add("-f");
        out.add(req.filelist());
      } else {
        req.files().keySet().stream().filter(p -> p.endsWith(".v") || p.endsWith(".sv")).sorted().forEach(out::add);
      }
      return out;
    }

    /**
     * Verilator's preprocessor over exactly the compile's inputs and defines ({@code --timing} defines
     * {@code VERILATOR_TIMING} as the compile does), its output written to {@link #PREPROCESSED}.
     */
    private List<String> preprocessCommand() {
      List<String> c = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$@\" > " + PREPROCESSED, "genrtl-preprocess",
          "verilator", "-E", "--timing", "-Wno-fatal", "--top-module", req.top()));
      c.addAll(userSources());
      return c;
    }

    private List<String> compileCommand() {
      List<String> c = new ArrayList<>();
      if (req.simulator() == Simulator.IVERILOG) {
        c.addAll(List.of("iverilog", "-g2012", "-o", "sim.vvp", "-s", req.top()));
      } else {
        c.addAll(List.of("verilator", "--binary", "--timing", "-Wno-fatal", "-j", Integer.toString(settings.verilatorJobs()),
            "--top-module", req.top()));
      }
      c.addAll(userSources());
      return c;
    }

    private List<String> runCommand() {
      return req.simulator() == Simulator.IVERILOG ? List.of("vvp", "-n", "sim.vvp") : List.of("obj_dir/V" + req.top());
    }

    /** Every user file and every source-like file of the installed packages. */
    private void scanSources() throws IOException {
      for (Map.Entry<String, String> f : req.files().entrySet()) diagnostics.addAll(SourceScan.scan(f.getKey(), f.getValue()));
      Path vendor = dir.resolve("vendor/cbb");
      if (!Files.isDirectory(vendor)) return;
      List<Path> files;
      try (Stream<Path> s = Files.walk(vendor)) {
        files = s.filter(Files::isRegularFile).filter(p -> p.toString().matches(".*\\.(s?v|s?vh|svi|inc|vinc)$")).sorted().toList();
      }
      for (Path p : files) {
        String text;
        try {
          text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(p))).toString();
        } catch (CharacterCodingException e) {
          // a source the pre-scan cannot read is refused, never skipped: the compilers would still read it
          diagnostics.add(new Diagnostic(dir.relativize(p).toString(), 1, null, "error", "refused: the file is not valid UTF-8,"
              + " so the pre-scan cannot read it"));
          continue;
        }
        diagnostics.addAll(SourceScan.scan(dir.relativize(p).toString(), text));
      }
    }

    private EvidenceBundle bundle(String compileText, String runText, EvidenceBundle.Phase cp, String verdict, String limit,
        Integer exit, String compileOut, String runOut, EvidenceBundle.Phase rp, Verdicts.Summary s) {
      StringBuilder log = new StringBuilder();
      if (!preLog.isEmpty()) {
        log.append(MARKER.matcher(preLog).replaceAll(""));
        if (log.charAt(log.length() - 1) != '\n') log.append('\n');
      }
      if (preLog.isEmpty() || compileRan) {
        log.append("$ ").append(compileText).append('\n');
        if (cp != null && cp.cached()) log.append("(cached build; its compile output follows)\n");
        log.append(MARKER.matcher(compileOut).replaceAll(""));
      }
      if (rp != null) {
        if (log.length() > 0 && log.charAt(log.length() - 1) != '\n') log.append('\n');
        log.append("$ ").append(runText).append('\n').append(MARKER.matcher(runOut).replaceAll(""));
      }
      if (limit != null) log.append("\n[genrtl] stopped: ").append(limit).append(" limit reached\n");
      String excerpt = excerpt(log.toString(), settings.excerptChars());
      long duration = (cp == null ? 0 : cp.durationMs()) + (rp == null ? 0 : rp.durationMs());
      long cpu = (cp == null ? 0 : cp.cpuMs()) + (rp == null ? 0 : rp.cpuMs());
      boolean passed = EvidenceBundle.PASS.equals(verdict) && rp != null && Integer.valueOf(0).equals(rp.exitCode()) && limit == null;
      boolean ran = rp != null;
      List<Diagnostic> diags = diagnostics.size() > Diagnostics.MAX ? diagnostics.subList(0, Diagnostics.MAX) : diagnostics;
      return new EvidenceBundle(req.simulator(), version, compileText, runText, exit, passed, verdict, duration, cpu, cp, rp,
          new ArrayList<>(new java.util.LinkedHashSet<>(diags)), excerpt, log.length(), ran ? s.mismatches() : null,
          ran ? s.samples() : null, ran ? s.firstMismatchTime() : null, sandbox.level(), sandbox.limitsEnforced(), limit, installed);
    }
  }

  /** Wall clock and CPU time: the limits that make a verdict {@code timeout} (the others are {@code fatal} or a compile error). */
  static boolean timeLimit(String limit) {
    return "wall_clock".equals(limit) || "cpu_time".equals(limit);
  }

  static String excerpt(String log, int keep) {
    if (log.length() <= 2L * keep + 64) return log;
    int omitted = log.length() - 2 * keep;
    return log.substring(0, keep) + "\n… [" + omitted + " characters omitted] …\n" + log.substring(log.length() - keep);
  }

  /** The command as a user would type it: words with shell metacharacters single-quoted. */
  static String commandLine(List<String> argv) {
    StringBuilder b = new StringBuilder();
    for (String a : argv) {
      if (b.length() > 0) b.append(' ');
      if (a.matches("[A-Za-z0-9_./=+:,@%-]+")) b.append(a);
      else b.append('\'').append(a.replace("'", "'\\''")).append('\'');
    }
    return b.toString();
  }
}
