package io.genrtl.toolrunner;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a simulator (or of the ToolRunner's own source checks) about a place in the design.
 * {@code file} is relative to the run directory; {@code column} is null when the tool does not give one
 * (Icarus Verilog never does). {@code severity}: {@code error}, {@code warning}, {@code fatal} or {@code info}.
 */
public record Diagnostic(String file, int line, Integer column, String severity, String message) {
  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(message, "message");
  }

  /** snake_case JSON members. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("file", file);
    m.put("line", line);
    m.put("column", column);
    m.put("severity", severity);
    m.put("message", message);
    return m;
  }
}
