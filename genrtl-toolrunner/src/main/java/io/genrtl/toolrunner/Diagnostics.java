package io.genrtl.toolrunner;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Diagnostics parsed from Icarus Verilog, vvp and Verilator output, with paths made relative to the run directory. */
final class Diagnostics {
  static final int MAX = 200;
  /** {@code %Error: f.sv:3:5: msg}, {@code %Warning-WIDTH: f.sv:4:12: msg}, {@code [5] %Error: f.sv:4: msg}. */
  private static final Pattern VERILATOR = Pattern.compile(
      "^(?:\\[[^\\]]*\\]\\s+)?%(Error|Warning|Fatal|Info)(?:-([A-Za-z0-9_]+))?:\\s+([^\\s:]+):(\\d+):(?:(\\d+):)?\\s*(.*)$");
  /** {@code f.sv:3: syntax error}, {@code f.sv:3: error: Unknown module type: m}, {@code f.sv:9: warning: …}. */
  private static final Pattern IVERILOG = Pattern.compile(
      "^([^\\s:]+):(\\d+):\\s+(?:(error|warning|sorry|internal error|fatal):\\s*)?(.*)$");
  /** vvp's {@code FATAL: f.sv:4: msg}, {@code ERROR: f.sv:4: msg} ($fatal, $error, $warning, $info). */
  private static final Pattern VVP = Pattern.compile("^(FATAL|ERROR|WARNING|INFO):\\s+([^\\s:]+):(\\d+):\\s*(.*)$");

  private Diagnostics() {}

  static List<Diagnostic> parse(Simulator sim, boolean compile, String output, String runDirPrefix) {
    Set<Diagnostic> out = new LinkedHashSet<>();
    for (String raw : output.split("\r?\n")) {
      if (out.size() >= MAX) break;
      String line = raw.stripTrailing();
      Diagnostic d = null;
      if (sim == Simulator.VERILATOR) {
        Matcher m = VERILATOR.matcher(line);
        if (m.matches()) {
          String sev = switch (m.group(1)) {
            case "Error" -> "error";
            case "Warning" -> "warning";
            case "Fatal" -> "fatal";
            default -> "info";
          };
          String msg = m.group(6).strip();
          if (m.group(2) != null) msg = m.group(2) + ": " + msg;
          d = new Diagnostic(relative(m.group(3), runDirPrefix), Integer.parseInt(m.group(4)),
              m.group(5) == null ? null : Integer.valueOf(m.group(5)), sev, msg);
        }
      } else if (compile) {
        Matcher m = IVERILOG.matcher(line);
        if (m.matches() && looksLikeSource(m.group(1))) {
          String kind = m.group(3);
          String msg = m.group(4).strip();
          String sev;
          if (kind == null) sev = msg.startsWith(":") ? "info" : "error";
          else if (kind.equals("warning")) sev = "warning";
          else if (kind.equals("fatal")) sev = "fatal";
          else sev = "error";
          if (kind != null && (kind.equals("sorry") || kind.equals("internal error"))) msg = kind + ": " + msg;
          if (msg.startsWith(":")) msg = msg.substring(1).strip();
          d = new Diagnostic(relative(m.group(1), runDirPrefix), Integer.parseInt(m.group(2)), null, sev, msg);
        }
      } else {
        Matcher m = VVP.matcher(line);
        if (m.matches()) {
          d = new Diagnostic(relative(m.group(2), runDirPrefix), Integer.parseInt(m.group(3)), null,
              m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(4).strip());
        }
      }
      if (d != null) out.add(d);
    }
    return new ArrayList<>(out);
  }

  private static boolean looksLikeSource(String file) {
    int dot = file.lastIndexOf('.');
    return dot > 0 && dot < file.length() - 1;
  }

  /** {@code /sim/rtl/a.sv} (inside the sandbox) or {@code <run dir>/rtl/a.sv} → {@code rtl/a.sv}; {@code ./a.sv} → {@code a.sv}. */
  static String relative(String file, String runDirPrefix) {
    String f = file;
    if (f.startsWith(Sandbox.SANDBOX_DIR + "/")) f = f.substring(Sandbox.SANDBOX_DIR.length() + 1);
    else if (runDirPrefix != null && f.startsWith(runDirPrefix + "/")) f = f.substring(runDirPrefix.length() + 1);
    while (f.startsWith("./")) f = f.substring(2);
    return f;
  }
}
