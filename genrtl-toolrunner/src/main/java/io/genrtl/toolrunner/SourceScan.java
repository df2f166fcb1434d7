package io.genrtl.toolrunner;

import io.genrtl.cbb.pkg.PathRules;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-scan of sources before any tool runs: file names given as string literals to {@code `include},
 * {@code $readmemh}/{@code $readmemb}/{@code $writememh}/{@code $writememb}, {@code $fopen}, {@code $dumpfile} and
 * {@code $sdf_annotate} must be relative paths inside the run directory, and every way to run host code from a design
 * is refused outright: {@code $system}, Verilator's C++ escapes {@code $c}, {@code $c8}…{@code $c64}, {@code $cpure},
 * the same names as escaped identifiers ({@code \$system }), DPI imports and exports ({@code import "DPI-C"}, any
 * {@code import}/{@code export} followed by a string) and Verilator's verbatim C++ blocks ({@code `systemc_header},
 * {@code `systemc_implementation}, …). Comments are ignored, string contents are not code, and line continuations
 * ({@code \} at the end of a line, as in a {@code `define}) are joined first, so a name split across lines is
 * still seen. Names assembled by macros ({@code `define}, token pasting with {@code ``}) are caught by
 * {@link #scanPreprocessed} on the preprocessor's output. Names computed at run time cannot be checked here: the
 * sandbox contains those (see {@link Isolation}).
 */
final class SourceScan {
  private static final Pattern INCLUDE = Pattern.compile("`include\\s*([\"<])([^\">\\n]*)[\">]");
  private static final Pattern FILE_TASK = Pattern.compile(
      "\\$(readmemh|readmemb|writememh|writememb|fopen|dumpfile|sdf_annotate)\\s*\\(\\s*\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  /** Host code from a design: {@code $system}, {@code $c}/{@code $cN}/{@code $cpure}, also as escaped identifiers. */
  private static final Pattern EXEC = Pattern.compile("(\\\\?)\\$(system|cpure|c[0-9]*)(?![A-Za-z0-9_$])");
  /** DPI: {@code import "DPI-C" …}, {@code export "DPI" …} (a package import never takes a string). */
  private static final Pattern DPI = Pattern.compile("\\b(import|export)\\s*\"");
  /** Verilator's verbatim C++ sections. */
  private static final Pattern SYSTEMC = Pattern.compile("`(systemc_[A-Za-z_]*)");
  /** Verilator's {@code `line N "file" L} directives in {@code -E} output. */
  private static final Pattern LINE = Pattern.compile("^\\s*`line\\s+(\\d+)\\s+\"((?:[^\"\\\\]|\\\\.)*)\"");

  private SourceScan() {}

  /** Problems in one file's text, as error diagnostics with the file's path, line and column. */
  static List<Diagnostic> scan(String path, String text) {
    List<Diagnostic> out = new ArrayList<>();
    // comments first (as the lexer sees them outside macros, a "\\" ending a // comment continues nothing), then
    // continuations; blankComments keeps every offset, so the joined text maps back onto the original
    Joined j = joinContinuations(blankComments(text));
    String code = j.text();
    Matcher m = INCLUDE.matcher(code);
    while (m.find()) {
      String reason = problem(m.group(2));
      if (reason != null) {
        out.add(at(path, text, j.original(m.start()), "refused: `include \"" + Requests.printable(m.group(2)) + "\" " + reason));
      }
    }
    m = FILE_TASK.matcher(code);
    while (m.find()) {
      String reason = problem(m.group(2));
      if (reason != null) {
        out.add(at(path, text, j.original(m.start()), "refused: $" + m.group(1) + "(\"" + Requests.printable(m.group(2)) + "\") "
            + reason));
      }
    }
    String bare = stringsBlanked(code);
    for (Offence o : codeExecution(bare, "")) out.add(at(path, text, j.original(o.offset()), o.message()));
    out.sort(java.util.Comparator.comparingInt(Diagnostic::line).thenComparing(d -> d.column() == null ? 0 : d.column()));
    return out;
  }

  /** One construct that runs host code, at an offset of the scanned text. */
  record Offence(int offset, String message) {}

  /** Every construct in comment- and string-blanked {@code code} that would run host code. */
  static List<Offence> codeExecution(String code, String suffix) {
    List<Offence> out = new ArrayList<>();
    Matcher m = EXEC.matcher(code);
    while (m.find()) {
      String name = "$" + m.group(2);
      String what = name.equals("$system") ? "runs host commands" : "embeds C++ code in the simulation (Verilator)";
      String spelled = m.group(1).isEmpty() ? name : "\\" + name + " (an escaped identifier spelling " + name + ")";
      out.add(new Offence(m.start(), "refused: " + spelled + " " + what + " and is not allowed" + suffix));
    }
    m = DPI.matcher(code);
    while (m.find()) {
      out.add(new Offence(m.start(), "refused: " + m.group(1) + " \"DPI…\" links C code into the simulation (DPI) and is"
          + " not allowed" + suffix));
    }
    m = SYSTEMC.matcher(code);
    while (m.find()) {
      out.add(new Offence(m.start(), "refused: `" + m.group(1) + " inserts C++ code verbatim (Verilator) and is not allowed"
          + suffix));
    }
    return out;
  }

  /**
   * The preprocessor's output ({@code verilator -E}, with its {@code `line} directives) checked for the constructs
   * that run host code, so names assembled by macros are refused too; each offence is reported at the file and line
   * the directives name (paths relative to the run directory, no column).
   */
  static List<Diagnostic> scanPreprocessed(String expanded, String runDirPrefix) {
    String bare = stringsBlanked(blankComments(expanded));
    List<Offence> offences = codeExecution(bare, " (after macro expansion)");
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
    for (Offence o : offences) {
      int i = java.util.Collections.binarySearch(starts, o.offset());
      if (i < 0) i = -i - 2;
      out.add(new Diagnostic(files.get(i), lines.get(i), null, "error", o.message()));
    }
    return new ArrayList<>(new java.util.LinkedHashSet<>(out));
  }

  /** Text with line continuations (backslash, newline) removed, and each of its offsets' place in the original. */
  record Joined(String text, int[] map) {
    int original(int offset) {
      return offset < map.length ? map[offset] : (map.length == 0 ? 0 : map[map.length - 1] + 1);
    }
  }

  static Joined joinContinuations(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int[] map = new int[s.length()];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == '\n' || s.charAt(i + 1) == '\r')) {
        i++;
        if (s.charAt(i) == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') i++;
        continue;
      }
      b.append(c);
      map[n++] = i;
    }
    return new Joined(b.toString(), java.util.Arrays.copyOf(map, n));
  }

  /** Why a file name is refused, or null: absolute, {@code ..}, backslash, control characters. */
  static String problem(String name) {
    if (name.isEmpty()) return "has an empty file name";
    String reason = PathRules.problem(name, true);
    if (reason == null) return null;
    return switch (reason) {
      case "absolute_path" -> "is an absolute path; file names must be relative to the run directory";
      case "path_traversal" -> "leaves or escapes the run directory ('..', '.' or empty segments are not allowed)";
      case "backslash" -> "contains a backslash";
      default -> "contains control characters";
    };
  }

  private static Diagnostic at(String path, String text, int offset, String message) {
    int line = 1;
    int col = 1;
    for (int i = 0; i < offset && i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new Diagnostic(path, line, col, "error", message);
  }

  /** The text with comments replaced by spaces (newlines kept), strings left alone. */
  static String blankComments(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '"') {
        int j = i + 1;
        while (j < n && s.charAt(j) != '"' && s.charAt(j) != '\n') j += s.charAt(j) == '\\' ? 2 : 1;
        j = Math.min(n, j + 1);
        b.append(s, i, j);
        i = j;
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
        while (i < n && s.charAt(i) != '\n') {
          b.append(' ');
          i++;
        }
      } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
        b.append("  ");
        i += 2;
        while (i < n && !(s.charAt(i) == '*' && i + 1 < n && s.charAt(i + 1) == '/')) {
          b.append(s.charAt(i) == '\n' ? '\n' : ' ');
          i++;
        }
        if (i < n) {
          b.append("  ");
          i += 2;
        }
      } else {
        b.append(c);
        i++;
      }
    }
    return b.toString();
  }

  /** Comment-free text with string contents blanked too (so "$system" inside a message is not a call). */
  private static String stringsBlanked(String code) {
    StringBuilder b = new StringBuilder(code);
    int i = 0;
    int n = code.length();
    while (i < n) {
      if (code.charAt(i) == '"') {
        int j = i + 1;
        while (j < n && code.charAt(j) != '"' && code.charAt(j) != '\n') {
          b.setCharAt(j, ' ');
          if (code.charAt(j) == '\\' && j + 1 < n) b.setCharAt(j + 1, ' ');
          j += code.charAt(j) == '\\' ? 2 : 1;
        }
        i = j + 1;
      } else {
        i++;
      }
    }
    return b.toString();
  }
}
