package io.genrtl.toolrunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Wraps a tool command in the isolation level in force and its resource limits. Every level runs the command
 * through {@code prlimit} (CPU seconds, address space, file size, no core dumps) and a shell ({@link #SHELL}) that prints the
 * CPU times of everything it ran after a marker; BWRAP and the others differ in what the command can see.
 */
final class Sandbox {
  private static final Logger LOG = Logger.getLogger(Sandbox.class.getName());
  /** Where the run directory appears inside bubblewrap. */
  static final String SANDBOX_DIR = "/sim";
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  private static final String WRAPPER = "\"$@\"; rc=$?; printf '\\n%s\\n' \"$0\"; times; exit $rc";
  /**
   * The wrapper shell: bash where it exists, since its {@code times} reads {@code getrusage} to the millisecond, while
   * dash's (Debian's {@code /bin/sh}) counts 10 ms clock ticks, so a short run (a small testbench compiles and runs in a
   * few ms) measured 0 CPU and was charged nothing; {@code /bin/sh} otherwise.
   */
  static final String SHELL = Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh";

  /** Limits of one phase. */
  record Limits(java.time.Duration wall, long cpuSeconds, long memoryBytes, long fileBytes, long outputBytes) {}

  private final Isolation level;
  private final String bwrap;
  private final String unshare;
  private final String prlimit;
  private final String setsid;

  private Sandbox(Isolation level, String bwrap, String unshare, String prlimit, String setsid) {
    this.level = level;
    this.bwrap = bwrap;
    this.unshare = unshare;
    this.prlimit = prlimit;
    this.setsid = setsid;
  }

  Isolation level() {
    return level;
  }

  boolean limitsEnforced() {
    return prlimit != null;
  }

  /** Picks {@code wanted} (AUTO: the best level whose probe works). A level asked for explicitly must work. */
  static Sandbox choose(Isolation wanted, Path probeDir) {
    String bwrap = Tools.find("bwrap");
    String unshare = Tools.find("unshare");
    String prlimit = Tools.find("prlimit");
    String setsid = Tools.find("setsid");
    if (prlimit == null) LOG.warning("prlimit (util-linux) not found: tool runs have no CPU, memory or file size limits");
    Sandbox s;
    if (wanted == Isolation.BWRAP || wanted == Isolation.AUTO) {
      s = new Sandbox(Isolation.BWRAP, bwrap, unshare, prlimit, setsid);
      if (bwrap != null && s.probe(probeDir)) return s;
      if (wanted == Isolation.BWRAP) throw new IllegalStateException("bubblewrap (bwrap) is not installed or does not work here");
    }
    if (wanted == Isolation.UNSHARE || wanted == Isolation.AUTO) {
      s = new Sandbox(Isolation.UNSHARE, bwrap, unshare, prlimit, setsid);
      if (unshare != null && s.probe(probeDir)) {
        if (wanted == Isolation.AUTO) {
          LOG.warning("bubblewrap is not available: tool runs only get a new network namespace (unshare -rn); install"
              + " bubblewrap for file system isolation");
        }
        return s;
      }
      if (wanted == Isolation.UNSHARE) throw new IllegalStateException("unshare -rn does not work here");
    }
    if (wanted == Isolation.AUTO) {
      LOG.warning("neither bubblewrap nor unshare works here: tool runs are NOT isolated (source pre-scan and limits only)");
    }
    return new Sandbox(Isolation.NONE, bwrap, unshare, prlimit, setsid);
  }

  private boolean probe(Path dir) {
    try {
      Files.createDirectories(dir);
      Path d = Files.createTempDirectory(dir, "probe-");
      try {
        List<String> argv = wrap(d, List.of("true"), new Limits(java.time.Duration.ofSeconds(10), 5, 256L << 20, 1 << 20, 1 << 16));
        Process p = new ProcessBuilder(argv).directory(d.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return false;
        }
        return p.exitValue() == 0;
      } finally {
        Files.deleteIfExists(d);
      }
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** True when the wrapper makes the command a process group leader (so its whole group can be killed). */
  boolean groupLeader() {
    return level != Isolation.BWRAP && setsid != null;
  }

  /** The working directory the tool sees (relative paths in its messages resolve against it). */
  String toolDir(Path runDir) {
    return level == Isolation.BWRAP ? SANDBOX_DIR : runDir.toString();
  }

  Map<String, String> env(Path runDir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", PATH);
    env.put("LANG", "C.UTF-8");
    env.put("LC_ALL", "C.UTF-8");
    if (level == Isolation.BWRAP) {
      env.put("HOME", SANDBOX_DIR);
      env.put("TMPDIR", "/tmp");
    } else {
      env.put("HOME", runDir.toString());
      env.put("TMPDIR", runDir.resolve(".genrtl/tmp").toString());
    }
    return env;
  }

  /** The full argv: isolation, limits, the CPU-time wrapper (its marker is {@code marker}), then {@code command}. */
  List<String> wrap(Path runDir, List<String> command, Limits limits) {
    return wrap(runDir, command, limits, "@@genrtl-probe@@");
  }

  List<String> wrap(Path runDir, List<String> command, Limits limits, String marker) {
    List<String> a = new ArrayList<>();
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
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
            "--bind", runDir.toString(), SANDBOX_DIR, "--remount-ro", "/", "--chdir", SANDBOX_DIR, "--"));
      }
      case UNSHARE -> {
        a.addAll(List.of(unshare, "-rn"));
        if (setsid != null) a.add(setsid);
      }
      default -> {
        if (setsid != null) a.add(setsid);
      }
    }
    if (prlimit != null) {
      a.add(prlimit);
      a.add("--cpu=" + limits.cpuSeconds() + ":" + (limits.cpuSeconds() + 1)); // SIGXCPU first, SIGKILL a second later
      a.add("--as=" + limits.memoryBytes());
      a.add("--fsize=" + limits.fileBytes());
      a.add("--core=0");
      a.add("--");
    }
    a.addAll(List.of(SHELL, "-c", WRAPPER, marker));
    a.addAll(command);
    return a;
  }
}
