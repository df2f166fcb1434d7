package io.genrtl.toolrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Wraps a tool command in the isolation level in force and its resource limits, and proves at creation that the level
 * works and keeps the protected paths out of reach ({@link #problem()} is null only then).
 *
 * <p>The argv is {@code [setsid] SHELL -c WRAPPER … [setpriv drop] <level> prlimit … -- <tool>}: the wrapper shell
 * runs <em>outside</em> the sandbox (a design cannot see its marker or write after it: every sandboxed process is
 * dead when the level's PID namespace ends), prints a marker only it knows and then the CPU times of everything it
 * waited for; its own job-status messages ("Aborted", which bash prefixes with {@code $0}) go to /dev/null. When the
 * runner runs as root every level first drops to the sandbox uid ({@code setpriv}), so the tools never run as root and
 * RLIMIT_NPROC (which the kernel never applies to uid 0) holds. {@code prlimit} runs inside the level, after its user
 * namespace exists, so the process limit counts that sandbox's processes only.
 */
final class Sandbox {
  private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  /** Where the run directory appears inside bubblewrap and the unshare jail. */
  static final String SANDBOX_DIR = "/sim";
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  /** The only device nodes a run sees (bwrap and the unshare jail): bound from the host's. */
  static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
  /** The size of the sandbox's own /dev (a tmpfs holding the device binds, the fd links and /dev/shm). */
  static final long DEV_BYTES = 64 * 1024;
  /** The outer wrapper: {@code $1} is the marker; the command's stderr goes to the output, the shell's own to /dev/null. */
  static final String WRAPPER = "m=$1; shift; exec 3>&2 2>/dev/null; \"$@\" 2>&3 3>&-; rc=$?; printf '\\n%s\\n' \"$m\"; times;"
      + " exit $rc";
  /**
   * The unshare jail, run as root of fresh user, mount, PID, network, IPC and UTS namespaces ({@code $1}: the run
   * directory, {@code $2}: the size of /tmp in bytes, then the command): a tmpfs root holding {@code /usr} and the
   * top-level links into it read-only, {@code /etc/alternatives} and {@code /etc/ld.so.cache} read-only, the run
   * directory at {@code /sim} (the only writable bind), a size-limited {@code /tmp}, a private {@code /proc} and a
   * minimal {@code /dev}; the old root is detached (pivot_root, then a lazy unmount) and every capability dropped
   * before the command runs, so it can neither unmount nor mount anything. PID 1 is a capability-less shell that
   * waits for the command (a PID 1 ignores signals such as SIGXCPU, so the tool must not be PID 1).
   */
  static final String UNSHARE_JAIL = String.join("\n",
      "set -eu",
      "path=$PATH; PATH=/usr/sbin:/usr/bin:/sbin:/bin",
      "run=$1; tmpb=$2; shift 2",
      "r=$run/.genrtl/root",
      "mount -t tmpfs -o mode=0755,size=1m genrtl-root \"$r\"",
      "cd \"$r\"",
      "mkdir usr sim tmp proc dev etc .oldroot",
      "ro() { mount --bind \"$1\" \"$2\"; mount -o remount,bind,ro \"$2\"; }",
      "ro /usr usr",
      "for t in bin sbin lib lib32 lib64 libx32; do",
      "  if [ -L \"/$t\" ]; then ln -s \"$(readlink \"/$t\")\" \"$t\"",
      "  elif [ -d \"/$t\" ]; then mkdir \"$t\"; ro \"/$t\" \"$t\"; fi",
      "done",
      "if [ -d /etc/alternatives ]; then mkdir etc/alternatives; ro /etc/alternatives etc/alternatives; fi",
      "if [ -f /etc/ld.so.cache ]; then : > etc/ld.so.cache; ro /etc/ld.so.cache etc/ld.so.cache; fi",
      "mount --bind \"$run\" sim",
      "mount -t tmpfs -o mode=1777,nosuid,nodev,size=\"$tmpb\" genrtl-tmp tmp",
      "mount -t proc -o nosuid,nodev,noexec proc proc",
      "mount -t tmpfs -o mode=0755,nosuid,size=64k genrtl-dev dev",
      "for n in null zero full random urandom tty; do : > \"dev/$n\"; mount --bind \"/dev/$n\" \"dev/$n\"; done",
      "ln -s /proc/self/fd dev/fd; ln -s /proc/self/fd/0 dev/stdin; ln -s /proc/self/fd/1 dev/stdout;"
          + " ln -s /proc/self/fd/2 dev/stderr; mkdir dev/shm",
      "mount -o remount,ro \"$r\" 2>/dev/null || mount -o remount,bind,ro \"$r\"",
      "pivot_root . .oldroot",
      "umount -l /.oldroot",
      "cd /sim",
      "PATH=$path",
      "exec setpriv --bounding-set=-all --inh-caps=-all --ambient-caps=-all --no-new-privs -- /bin/sh -c '\"$@\"; exit $?'"
          + " genrtl-init \"$@\"");
  /**
   * Names every argument a run can read (list a directory, read a byte of anything else), then a completion line. What
   * the tools print goes into a command substitution, never to {@code /dev/null}: on a host where the sandbox uid
   * cannot open {@code /dev/null} a redirection there fails before the read is tried, and the probe would miss a leak.
   */
  static final String CONTAINMENT_PROBE = "for p in \"$@\"; do if [ -d \"$p\" ]; then if x=$(ls -- \"$p\" 2>&1); then echo"
      + " \"GENRTL-LEAK $p\"; fi; elif [ -e \"$p\" ]; then if x=$(head -c 1 -- \"$p\" 2>&1); then echo \"GENRTL-LEAK $p\";"
      + " fi; fi; done; echo GENRTL-PROBE-DONE";
  /**
   * The wrapper shell: bash where it exists, since its {@code times} reads {@code getrusage} to the millisecond, while
   * dash's (Debian's {@code /bin/sh}) counts 10 ms clock ticks, so a short run (a small testbench compiles and runs in a
   * few ms) measured 0 CPU and was charged nothing; {@code /bin/sh} otherwise.
   */
  static final String SHELL = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";

  /** Limits of one phase; {@code processes} 0 means none. */
  record Limits(Duration wall, long cpuSeconds, long memoryBytes, long fileBytes, long outputBytes, int processes) {}

  /** What the runner asks of the sandbox besides the level; {@code find} locates programs (tests hide some). */
  record Options(long tmpBytes, int sandboxUid, List<Path> protectedPaths, java.util.function.UnaryOperator<String> find) {
    Options {
      protectedPaths = List.copyOf(protectedPaths);
    }

    Options(long tmpBytes, int sandboxUid, List<Path> protectedPaths) {
      this(tmpBytes, sandboxUid, protectedPaths, Tools::find);
    }
  }

  private final Isolation level;
  private final Options options;
  private final String bwrap;
  private final String unshare;
  private final String prlimit;
  private final String setsid;
  private final String setpriv;
  /** The uid the tools run as when the runner is root (else -1: the runner's own). */
  private final int dropUid;
  private String problem;
  /** What a client is told (no paths of the host): the kind of problem only. */
  private String summary;

  private Sandbox(Isolation level, Options options, int dropUid) {
    this.level = level;
    this.options = options;
    this.dropUid = dropUid;
    this.bwrap = options.find().apply("bwrap");
    this.unshare = options.find().apply("unshare");
    this.prlimit = options.find().apply("prlimit");
    this.setsid = options.find().apply("setsid");
    this.setpriv = options.find().apply("setpriv");
  }

  Isolation level() {
    return level;
  }

  /** Why runs are refused (the level does not work here, or a protected path is reachable from a run), else null. */
  String problem() {
    return problem;
  }

  /** The refusal as a client may read it (no host paths), else null. */
  String summary() {
    return summary;
  }

  boolean limitsEnforced() {
    return prlimit != null;
  }

  /** The uid the tools run as when the runner runs as root, else -1. */
  int dropUid() {
    return dropUid;
  }

  /**
   * Whether RLIMIT_NPROC bounds one run's processes: inside a user namespace (bwrap, unshare) it counts that sandbox's
   * processes; at {@code none} it counts every process of the tools' uid, so it is applied only when that uid is the
   * sandbox uid (the runner is root), and then shared by the runs executing at once.
   */
  boolean processLimitApplies() {
    return prlimit != null && (level != Isolation.NONE || dropUid >= 0);
  }

  /**
   * Sets up {@code wanted} ({@link Isolation#AUTO}: bubblewrap, never a weaker level) and probes it: the level must run
   * a command, and none of {@link Options#protectedPaths()} (nor another run's files, for the levels that isolate
   * files) may be readable from a run. A failed probe leaves {@link #problem()} set; nothing throws.
   */
  static Sandbox choose(Isolation wanted, Path workDir, Options options) {
    Isolation level = wanted == Isolation.AUTO ? Isolation.BWRAP : wanted;
    int uid = runnerUid();
    Sandbox s = new Sandbox(level, options, uid == 0 ? options.sandboxUid() : -1);
    s.problem = s.check(wanted, workDir);
    if (s.prlimit == null) LOG.warning("prlimit (util-linux) not found: tool runs have no CPU, memory, file size or process limits");
    return s;
  }

  private String check(Isolation wanted, Path workDir) {
    String missing = switch (level) {
      case BWRAP -> bwrap == null ? "bubblewrap (bwrap) is not installed" : null;
      case UNSHARE -> unshare == null || setpriv == null || options.find().apply("pivot_root") == null
          || options.find().apply("mount") == null
          ? "unshare, setpriv, mount or pivot_root (util-linux) is not installed" : null;
      default -> null;
    };
    if (missing == null && dropUid >= 0 && setpriv == null) {
      missing = "the runner runs as root and setpriv (util-linux), needed to run the tools as uid " + dropUid + ", is not installed";
    }
    if (missing != null) return refuse(wanted, missing, level.wire() + " is not installed or does not work on this host");
    try {
      Files.createDirectories(workDir);
    } catch (IOException e) {
      return refuse(wanted, "the work directory " + workDir + " cannot be created (" + e + ")", "the tool work directory is not usable");
    }
    try {
      if (dropUid >= 0) Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwx--x--x"));
      Path probe = Files.createTempDirectory(workDir, "probe-");
      Path other = Files.createTempDirectory(workDir, "probe-other-");
      try {
        Files.writeString(other.resolve("secret.txt"), "another run's file\n");
        prepare(probe);
        List<String> paths = new ArrayList<>();
        for (Path p : options.protectedPaths()) paths.add(p.toAbsolutePath().normalize().toString());
        if (level != Isolation.NONE) {
          paths.add(other.resolve("secret.txt").toString());
          paths.add(other.toString());
        } else if (!options.protectedPaths().isEmpty()) {
          paths.add("/proc/" + ProcessHandle.current().pid() + "/environ"); // the runner's environment holds secrets too
        }
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", CONTAINMENT_PROBE, "genrtl-probe"));
        cmd.addAll(paths);
        Exec.Result r = probeRun(probe, cmd);
        String out = r.output().strip();
        if (r.exitCode() != 0 || !out.contains("GENRTL-PROBE-DONE")) {
          String first = out.isEmpty() ? "exit code " + r.exitCode() : out.lines().findFirst().orElse("");
          String hint = dropUid >= 0 ? "; the runner runs as root, so the tools run as uid " + dropUid + ", which must be"
              + " able to reach the work directory " + workDir + " (search permission on every parent, e.g. chmod o+x)" : "";
          return refuse(wanted, level.wire() + " does not work here (" + Requests.printable(first) + ")" + hint,
              level.wire() + " is not installed or does not work on this host");
        }
        List<String> leaks = out.lines().filter(l -> l.startsWith("GENRTL-LEAK ")).map(l -> l.substring(12)).toList();
        if (!leaks.isEmpty()) {
          summary = "tool runs are disabled on this host: at isolation " + level.wire() + " a run could read files it"
              + " must not (the operator has the details in the server log)";
          return "tool runs are refused: at isolation " + level.wire() + " a run can read " + String.join(", ", leaks)
              + " (the data directory, keys, configuration and other runs must be out of reach of every run)";
        }
        return null;
      } finally {
        BuildCache.deleteTree(probe);
        BuildCache.deleteTree(other);
      }
    } catch (IOException | RuntimeException e) {
      return refuse(wanted, "the sandbox probe failed: " + e, "the sandbox probe failed");
    }
  }

  /** Records the client's summary and returns the full reason. */
  private String refuse(Isolation wanted, String why, String brief) {
    summary = "tool runs are disabled on this host: " + brief + (wanted == Isolation.AUTO ? " (untrusted designs run"
        + " only in bubblewrap)" : "") + "; the operator has the details in the server log";
    return reason(wanted, why);
  }

  private String reason(Isolation wanted, String why) {
    if (wanted == Isolation.AUTO) {
      return "tool runs are refused: " + why + "; untrusted designs run only in bubblewrap (an operator may choose"
          + " a weaker level explicitly, for trusted designs only)";
    }
    return "tool runs are refused: " + why;
  }

  private Exec.Result probeRun(Path dir, List<String> command) throws IOException {
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(nonce);
    String marker = "@@genrtl-probe-" + HexFormat.of().formatHex(nonce) + "@@";
    Limits l = new Limits(Duration.ofSeconds(20), 10, 512L << 20, 1 << 20, 1 << 16, 32);
    return Exec.run(wrap(dir, command, l, marker), dir, env(dir), l.wall(), l.outputBytes(), () -> false, marker,
        groupLeader(), null);
  }

  /** The effective uid of this JVM (the owner of {@code /proc/self}), or -1 when it cannot be read. */
  static int runnerUid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Before the tools see a run directory: the unshare jail's mount point exists, and when the tools run as the sandbox
   * uid, the directory and everything the runner wrote into it belong to that uid (symbolic links are not followed).
   */
  void prepare(Path dir) throws IOException {
    if (level == Isolation.UNSHARE) Files.createDirectories(dir.resolve(".genrtl/root")); // the jail's mount point
    if (dropUid < 0) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Files.setAttribute(p, "unix:uid", dropUid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", dropUid, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** True when the wrapper makes the command a process group leader (so its whole group can be killed). */
  boolean groupLeader() {
    return setsid != null;
  }

  /** The working directory the tool sees (relative paths in its messages resolve against it). */
  String toolDir(Path runDir) {
    return level == Isolation.NONE ? runDir.toString() : SANDBOX_DIR;
  }

  Map<String, String> env(Path runDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    if (level == Isolation.NONE) {
      env.put("HOME", runDir.toString());
      env.put("TMPDIR", runDir.resolve(".genrtl/tmp").toString());
    } else {
      env.put("HOME", SANDBOX_DIR);
      env.put("TMPDIR", "/tmp");
    }
    return env;
  }

  /** The full argv: the CPU-time wrapper (its marker is {@code marker}), the uid drop, isolation, limits, {@code command}. */
  List<String> wrap(Path runDir, List<String> command, Limits limits, String marker) {
    List<String> a = new ArrayList<>();
    if (setsid != null) a.add(setsid);
    a.addAll(List.of(SHELL, "-c", WRAPPER, "genrtl-wrapper", marker));
    if (dropUid >= 0) {
      a.addAll(List.of(setpriv, "--reuid=" + dropUid, "--regid=" + dropUid, "--clear-groups", "--inh-caps=-all",
          "--bounding-set=-all", "--no-new-privs", "--"));
    }
    switch (level) {
      case BWRAP -> {
        a.add(bwrap);
        a.addAll(List.of("--unshare-all", "--die-with-parent", "--new-session", "--clearenv"));
        for (Map.Entry<String, String> e : env(runDir).entrySet()) a.addAll(List.of("--setenv", e.getKey(), e.getValue()));
        a.addAll(List.of("--ro-bind", "/usr", "/usr"));
        for (String top : List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32")) {
          Path p = Path.of("/", top);
          if (Files.isSymbolicLink(p)) {
            try {
              a.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), p.toString()));
            } catch (IOException e) {
              // unreadable link: leave it out
            }
          } else if (Files.isDirectory(p)) {
            a.addAll(List.of("--ro-bind", p.toString(), p.toString()));
          }
        }
        a.addAll(List.of("--ro-bind-try", "/etc/alternatives", "/etc/alternatives",
            "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
            "--proc", "/proc"));
        // /dev: the six devices and the fd links only (bwrap's own --dev adds ptmx, a devpts and core -> /proc/kcore)
        a.addAll(List.of("--size", Long.toString(DEV_BYTES), "--tmpfs", "/dev"));
        for (String d : DEVICES) a.addAll(List.of(d.equals("tty") ? "--dev-bind-try" : "--dev-bind", "/dev/" + d, "/dev/" + d));
        a.addAll(List.of("--symlink", "/proc/self/fd", "/dev/fd", "--symlink", "/proc/self/fd/0", "/dev/stdin",
            "--symlink", "/proc/self/fd/1", "/dev/stdout", "--symlink", "/proc/self/fd/2", "/dev/stderr", "--dir", "/dev/shm",
            "--size", Long.toString(options.tmpBytes()), "--tmpfs", "/tmp",
            "--bind", runDir.toString(), SANDBOX_DIR, "--remount-ro", "/", "--chdir", SANDBOX_DIR, "--"));
      }
      case UNSHARE -> a.addAll(List.of(unshare, "--user", "--map-root-user", "--net", "--mount", "--pid", "--ipc", "--uts",
          "--fork", "--kill-child", "--", "/bin/sh", "-c", UNSHARE_JAIL, "genrtl-jail", runDir.toString(),
          Long.toString(options.tmpBytes())));
      default -> {
        // none: the tools run directly (as the sandbox uid when the runner is root)
      }
    }
    if (prlimit != null) {
      a.add(prlimit);
      a.add("--cpu=" + limits.cpuSeconds() + ":" + (limits.cpuSeconds() + 1)); // SIGXCPU first, SIGKILL a second later
      a.add("--as=" + limits.memoryBytes());
      a.add("--fsize=" + limits.fileBytes());
      a.add("--core=0");
      if (limits.processes() > 0 && processLimitApplies()) a.add("--nproc=" + limits.processes());
      a.add("--");
    }
    a.addAll(command);
    return a;
  }
}
