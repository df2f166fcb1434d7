package io.genrtl.toolrunner;

import io.genrtl.cbb.pkg.PathRules;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-scan of sources before any tool runs: file names given as string literals to {@code `include},
 * {@code $readmemh}/{@code $readmemb}/{@code $writememh}/{@code $writememb}, {@code $fopen}, {@code $dumpfile} and
 * {@code $sdf_annotate} must be relative paths inside the run directory, and {@code $system} is refused outright.
 * Comments are ignored; string contents are not code. Names computed at run time cannot be checked here: the
 * sandbox contains those (see {@link Isolation}).
 */
final class SourceScan {
  private static final Pattern INCLUDE = Pattern.compile("`include\\s*([\"<])([^\">\\n]*)[\">]");
  private static final Pattern FILE_TASK = Pattern.compile(
      "\\$(readmemh|readmemb|writememh|writememb|fopen|dumpfile|sdf_annotate)\\s*\\(\\s*\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  private static final Pattern SYSTEM = Pattern.compile("\\$system\\b");

  private SourceScan() {}

  /** Problems in one file's text, as error diagnostics with the file's path, line and column. */
  static List<Diagnostic> scan(String path, String text) {
    List<Diagnostic> out = new ArrayList<>();
    String code = blankComments(text);
    Matcher m = INCLUDE.matcher(code);
    while (m.find()) {
      String reason = problem(m.group(2));
      if (reason != null) {
        out.add(at(path, text, m.start(), "refused: `include \"" + Requests.printable(m.group(2)) + "\" " + reason));
      }
    }
    m = FILE_TASK.matcher(code);
    while (m.find()) {
      String reason = problem(m.group(2));
      if (reason != null) {
        out.add(at(path, text, m.start(), "refused: $" + m.group(1) + "(\"" + Requests.printable(m.group(2)) + "\") " + reason));
      }
    }
    m = SYSTEM.matcher(stringsBlanked(code));
    while (m.find()) {
      out.add(at(path, text, m.start(), "refused: $system runs host commands and is not allowed"));
    }
    out.sort(java.util.Comparator.comparingInt(Diagnostic::line).thenComparing(d -> d.column() == null ? 0 : d.column()));
    return out;
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
