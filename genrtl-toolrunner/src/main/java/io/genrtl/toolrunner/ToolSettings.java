package io.genrtl.toolrunner;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The ToolRunner's settings as an operator gives them ({@code GENRTL_TOOL_*}): price per CPU second in micro-USD,
 * isolation level (a level weaker than bubblewrap, {@code unshare} or {@code none}, only with
 * {@code GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true}: for trusted designs), concurrency, where runs and the Verilator build
 * cache live (cache bound 0: no cache), Verilator's {@code -j}, the limits (time, memory, output, processes, bytes and
 * entries a run writes, its /tmp), the uid the tools run as when the host runs as root, and the paths no run may read
 * (given by the host: its data directory, key, database and configuration files): the runner proves at start that none
 * is readable from a run and refuses every run otherwise.
 */
public record ToolSettings(long microsPerCpuSecond, String isolation, int maxConcurrent, Path workDir, Path cacheDir,
    long cacheBytes, int verilatorJobs, int compileTimeoutSeconds, int runTimeoutSeconds, int maxRunTimeoutSeconds,
    long compileMemoryBytes, long runMemoryBytes, long maxOutputBytes, boolean allowWeakIsolation, int maxProcesses,
    long maxWriteBytes, long maxFiles, long tmpBytes, int sandboxUid, List<Path> protectedPaths) {
  public ToolSettings {
    protectedPaths = List.copyOf(protectedPaths);
  }

  /** Whether {@code key} (a {@code GENRTL_*} name) is one of these settings. */
  public static boolean claims(String key) {
    return KEYS.contains(key);
  }

  static final List<String> KEYS = List.of("GENRTL_TOOL_USD_PER_CPU_SECOND", "GENRTL_TOOL_ISOLATION",
      "GENRTL_TOOL_MAX_CONCURRENT", "GENRTL_TOOL_WORK_DIR", "GENRTL_TOOL_CACHE_DIR", "GENRTL_TOOL_CACHE_MB",
      "GENRTL_TOOL_VERILATOR_JOBS", "GENRTL_TOOL_COMPILE_TIMEOUT_S", "GENRTL_TOOL_RUN_TIMEOUT_S",
      "GENRTL_TOOL_MAX_RUN_TIMEOUT_S", "GENRTL_TOOL_COMPILE_MEMORY_MB", "GENRTL_TOOL_RUN_MEMORY_MB",
      "GENRTL_TOOL_MAX_OUTPUT_KB", "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "GENRTL_TOOL_MAX_PROCESSES",
      "GENRTL_TOOL_MAX_WRITE_MB", "GENRTL_TOOL_MAX_FILES", "GENRTL_TOOL_TMP_MB", "GENRTL_TOOL_SANDBOX_UID");

  /**
   * Reads the settings from {@code v} (names as above); the cache goes under {@code dataDir} unless set, and
   * {@code protectedPaths} are the paths no run may read. Each problem found is added to {@code problems}.
   */
  public static ToolSettings parse(Map<String, String> v, Path dataDir, List<Path> protectedPaths, List<String> problems) {
    long micros = 0;
    String price = v.get("GENRTL_TOOL_USD_PER_CPU_SECOND");
    if (price != null) {
      try {
        BigDecimal usd = new BigDecimal(price);
        if (usd.signum() < 0 || usd.compareTo(BigDecimal.valueOf(1000)) > 0 || usd.stripTrailingZeros().scale() > 6) {
          problems.add("GENRTL_TOOL_USD_PER_CPU_SECOND: a dollar amount from 0 to 1000 with at most 6 decimals (got " + price + ")");
        } else {
          micros = usd.movePointRight(6).longValueExact();
        }
      } catch (NumberFormatException | ArithmeticException e) {
        problems.add("GENRTL_TOOL_USD_PER_CPU_SECOND: not a number: '" + price + "'");
      }
    }
    String isolation = v.getOrDefault("GENRTL_TOOL_ISOLATION", "auto");
    if (!List.of("auto", "bwrap", "unshare", "none").contains(isolation)) {
      problems.add("GENRTL_TOOL_ISOLATION: one of auto, bwrap, unshare, none");
    }
    String weak = v.getOrDefault("GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "false");
    if (!weak.equals("true") && !weak.equals("false")) {
      problems.add("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: true or false");
    } else if ((isolation.equals("unshare") || isolation.equals("none")) && !weak.equals("true")) {
      problems.add("GENRTL_TOOL_ISOLATION=" + isolation + " runs designs without bubblewrap, for trusted designs only:"
          + " set GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true to confirm (see docs/security.md)");
    } else if (weak.equals("true") && !(isolation.equals("unshare") || isolation.equals("none"))) {
      problems.add("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: only with GENRTL_TOOL_ISOLATION=unshare or none (auto never falls"
          + " back to a weaker level)");
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int concurrent = (int) number(v, "GENRTL_TOOL_MAX_CONCURRENT", cores, 1, 256, problems);
    Path work = v.containsKey("GENRTL_TOOL_WORK_DIR") ? Path.of(v.get("GENRTL_TOOL_WORK_DIR")).toAbsolutePath().normalize() : null;
    Path cache = Path.of(v.getOrDefault("GENRTL_TOOL_CACHE_DIR", dataDir.resolve("verilator-cache").toString()))
        .toAbsolutePath().normalize();
    long cacheMb = number(v, "GENRTL_TOOL_CACHE_MB", 1024, 0, 1L << 20, problems);
    int jobs = (int) number(v, "GENRTL_TOOL_VERILATOR_JOBS", 1, 1, 64, problems);
    int compile = (int) number(v, "GENRTL_TOOL_COMPILE_TIMEOUT_S", 300, 5, 7200, problems);
    int maxRun = (int) number(v, "GENRTL_TOOL_MAX_RUN_TIMEOUT_S", 600, 1, 86_400, problems);
    int run = (int) number(v, "GENRTL_TOOL_RUN_TIMEOUT_S", Math.min(30, maxRun), 1, 86_400, problems);
    if (run > maxRun) problems.add("GENRTL_TOOL_RUN_TIMEOUT_S: must not exceed GENRTL_TOOL_MAX_RUN_TIMEOUT_S (" + maxRun + ")");
    long compileMem = number(v, "GENRTL_TOOL_COMPILE_MEMORY_MB", 4096, 64, 1L << 20, problems);
    long runMem = number(v, "GENRTL_TOOL_RUN_MEMORY_MB", 2048, 64, 1L << 20, problems);
    long outKb = number(v, "GENRTL_TOOL_MAX_OUTPUT_KB", 4096, 16, 1L << 20, problems);
    int procs = (int) number(v, "GENRTL_TOOL_MAX_PROCESSES", Math.max(128, 3 * jobs + 16), 16, 65_536, problems);
    if (procs < 3 * jobs + 16) {
      problems.add("GENRTL_TOOL_MAX_PROCESSES: at least 3 per Verilator job plus 16 (" + (3 * jobs + 16) + " with"
          + " GENRTL_TOOL_VERILATOR_JOBS=" + jobs + ")");
    }
    long writeMb = number(v, "GENRTL_TOOL_MAX_WRITE_MB", 1024, 1, 1L << 20, problems);
    long files = number(v, "GENRTL_TOOL_MAX_FILES", 10_000, 16, 10_000_000, problems);
    long tmpMb = number(v, "GENRTL_TOOL_TMP_MB", 256, 1, 1L << 20, problems);
    int uid = (int) number(v, "GENRTL_TOOL_SANDBOX_UID", 65534, 1, Integer.MAX_VALUE, problems);
    return new ToolSettings(micros, isolation, concurrent, work, cache, cacheMb << 20, jobs, compile, run, maxRun,
        compileMem << 20, runMem << 20, outKb << 10, weak.equals("true"), procs, writeMb << 20, files, tmpMb << 20, uid,
        protectedPaths);
  }

  private static long number(Map<String, String> v, String key, long def, long min, long max, List<String> problems) {
    String s = v.get(key);
    if (s == null) return def;
    try {
      long n = Long.parseLong(s);
      if (n < min || n > max) {
        problems.add(key + ": must be between " + min + " and " + max + " (got " + s + ")");
        return def;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(key + ": not a whole number: '" + s + "'");
      return def;
    }
  }
}
