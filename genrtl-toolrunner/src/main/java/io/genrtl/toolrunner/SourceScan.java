package io.genrtl.toolrunner;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-scan of sources before any tool runs, as diagnostics: the rules and the tokenizer are
 * {@link io.genrtl.cbb.pkg.SourceScan}'s (shared with the package registry, which refuses at publish what this would
 * refuse at run time). Names assembled by macros are caught by {@link #scanPreprocessed} on the preprocessor's output.
 */
final class SourceScan {
  /** Verilator's {@code `line N "file" L} directives in {@code -E} output. */
  private static final Pattern LINE = Pattern.compile("^\\s*`line\\s+(\\d+)\\s+\"((?:[^\"\\\\]|\\\\.)*)\"");

  private SourceScan() {}

  /** Problems in one file's text, as error diagnostics with the file's path, line and column. */
  static List<Diagnostic> scan(String path, String text) {
    List<Diagnostic> out = new ArrayList<>();
    for (io.genrtl.cbb.pkg.SourceScan.Finding f : io.genrtl.cbb.pkg.SourceScan.scan(text)) {
      out.add(new Diagnostic(path, f.line(), f.column(), "error", f.message()));
    }
    return out;
  }

  /**
   * The preprocessor's output ({@code verilator -E}, with its {@code `line} directives) checked for the constructs
   * that run host code, so names assembled by macros are refused too; each offence is reported at the file and line
   * the directives name (paths relative to the run directory, no column).
   */
  static List<Diagnostic> scanPreprocessed(String expanded, String runDirPrefix) {
    List<io.genrtl.cbb.pkg.SourceScan.Offence> offences = io.genrtl.cbb.pkg.SourceScan.hostCode(expanded,
        " (after macro expansion)");
    if (offences.isEmpty()) return List.of();
    // line starts, and the file and line each output line came from
    List<Integer> starts = new ArrayList<>();
    List<String> files = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    String file = "(preprocessed)";
    int next = 1;
    int pos = 0;
    while (pos <= expanded.length()) {
      int nl = expanded.indexOf('\n', pos);
      int end = nl < 0 ? expanded.length() : nl;
      String line = expanded.substring(pos, end);
      starts.add(pos);
      Matcher d = LINE.matcher(line);
      if (d.find()) {
        files.add(file);
        lines.add(next);
        file = Diagnostics.relative(d.group(2), runDirPrefix);
        next = Integer.parseInt(d.group(1));
      } else {
        files.add(file);
        lines.add(next++);
      }
      if (nl < 0) break;
      pos = nl + 1;
    }
    List<Diagnostic> out = new ArrayList<>();
    for (io.genrtl.cbb.pkg.SourceScan.Offence o : offences) {
      int i = java.util.Collections.binarySearch(starts, o.offset());
      if (i < 0) i = -i - 2;
      out.add(new Diagnostic(files.get(i), lines.get(i), null, "error", o.message()));
    }
    return new ArrayList<>(new java.util.LinkedHashSet<>(out));
  }
}
