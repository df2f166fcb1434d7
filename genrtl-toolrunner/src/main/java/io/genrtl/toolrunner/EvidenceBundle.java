package io.genrtl.toolrunner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run proves: the commands (as a user would type them in the run directory), what each phase did, the
 * diagnostics, a log excerpt and the verdict. {@code passed} is true only when the simulation ran to its end (exit
 * code 0, no limit hit) and the testbench said PASS (a line exactly {@code PASS}, or {@code Mismatches: 0 in N
 * samples}); see {@link #toMap()} for the JSON shape.
 *
 * @param verdict {@code pass}, {@code fail}, {@code timeout}, {@code compile_error}, {@code no_verdict} or {@code fatal}
 * @param exitCode the run's exit code, or the compile's when the run did not happen; null when no tool ran
 * @param limitExceeded null, or the limit that stopped or failed a phase: {@code wall_clock}, {@code cpu_time},
 *     {@code output}, {@code file_size}, {@code write_bytes}, {@code file_count}, {@code processes}, {@code tmp_bytes}
 */
public record EvidenceBundle(
    Simulator tool,
    String toolVersion,
    String compileCommand,
    String runCommand,
    Integer exitCode,
    boolean passed,
    String verdict,
    long durationMs,
    long cpuMs,
    Phase compile,
    Phase run,
    List<Diagnostic> diagnostics,
    String logExcerpt,
    long logBytes,
    Long mismatches,
    Long samples,
    Long firstMismatchTime,
    Isolation isolation,
    boolean limitsEnforced,
    String limitExceeded,
    List<Installed> cbbs) {

  public static final String PASS = "pass";
  public static final String FAIL = "fail";
  public static final String TIMEOUT = "timeout";
  public static final String COMPILE_ERROR = "compile_error";
  public static final String NO_VERDICT = "no_verdict";
  public static final String FATAL = "fatal";

  public EvidenceBundle {
    diagnostics = List.copyOf(diagnostics);
    cbbs = List.copyOf(cbbs);
  }

  /** One phase (compile or run): null exit code when it did not start or was killed. */
  public record Phase(Integer exitCode, long durationMs, long cpuMs, boolean cached, String limitExceeded) {
    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("exit_code", exitCode);
      m.put("duration_ms", durationMs);
      m.put("cpu_ms", cpuMs);
      m.put("cached", cached);
      m.put("limit_exceeded", limitExceeded);
      return m;
    }
  }

  /** A package installed for the run and where. */
  public record Installed(String cbbId, String version, String path, String sha256) {}

  /** The JSON document (snake_case), as the host's job result and {@code POST /api/jobs/repair} input. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tool", tool.wire());
    m.put("tool_version", toolVersion);
    Map<String, Object> cmd = new LinkedHashMap<>();
    cmd.put("compile", compileCommand);
    cmd.put("run", runCommand);
    m.put("command", cmd);
    m.put("exit_code", exitCode);
    m.put("passed", passed);
    m.put("verdict", verdict);
    m.put("duration_ms", durationMs);
    m.put("cpu_ms", cpuMs);
    m.put("compile", compile == null ? null : compile.toMap());
    m.put("run", run == null ? null : run.toMap());
    List<Map<String, Object>> diags = new ArrayList<>();
    for (Diagnostic d : diagnostics) diags.add(d.toMap());
    m.put("diagnostics", diags);
    m.put("log_excerpt", logExcerpt);
    m.put("log_bytes", logBytes);
    m.put("mismatches", mismatches);
    m.put("samples", samples);
    m.put("first_mismatch_time", firstMismatchTime);
    m.put("isolation", isolation.wire());
    m.put("limits_enforced", limitsEnforced);
    m.put("limit_exceeded", limitExceeded);
    List<Map<String, Object>> installed = new ArrayList<>();
    for (Installed c : cbbs) {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("cbb_id", c.cbbId());
      i.put("version", c.version());
      i.put("path", c.path());
      i.put("sha256", c.sha256());
      installed.add(i);
    }
    m.put("cbbs", installed);
    return m;
  }
}
