package io.genrtl.cbb.pkg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pre-scan of Verilog/SystemVerilog sources, shared by the ToolRunner (before any tool runs) and the package
 * registry (at publish, so a package that cannot run is never sold). File names given as string literals to
 * {@code `include}, {@code $readmemh}/{@code $readmemb}/{@code $writememh}/{@code $writememb}, {@code $fopen},
 * {@code $dumpfile} and {@code $sdf_annotate} must be relative paths inside the run directory, and every way to run
 * host code from a design is refused outright: {@code $system}, Verilator's C++ escapes {@code $c}, {@code $c8}…
 * {@code $c64}, {@code $cpure}, the same names as escaped identifiers ({@code \$system }), DPI imports and exports
 * ({@code import "DPI-C"}, any {@code import}/{@code export} followed by a string) and Verilator's verbatim C++ blocks
 * ({@code `systemc_header}, …).
 *
 * <p>The scanner tokenizes as the compilers do, and where they disagree it reads the text every way a compiler may
 * and refuses what any reading refuses (fail closed):
 * <ul>
 *   <li>comments ({@code //}, {@code /* *}{@code /}) and string contents are not code; a string's {@code \} escapes
 *       the next character, a line continuation inside a string continues it;</li>
 *   <li>an escaped identifier ({@code \foo"bar }) runs to the next white space: a {@code "}, {@code //} or
 *       {@code /*} inside one starts nothing (both compilers agree);</li>
 *   <li>SystemVerilog triple-quoted strings {@code """…"""} (Verilator 5.006 accepts them, Icarus 11 does not): read
 *       both as one string and as {@code ""} followed by {@code "…};</li>
 *   <li>attributes {@code (* … *)}: Verilator skips to the first {@code *)} without seeing strings, Icarus parses
 *       strings in them: read both ways;</li>
 *   <li>the macro quotes {@code `"} and {@code `\`"} are code, never string delimiters (what a macro stringifies
 *       is scanned as code);</li>
 *   <li>line continuations (a {@code \} at the end of a line) are joined after tokenizing, so a name split across
 *       lines is still seen;</li>
 *   <li>what the compilers read differently is refused with the line and column: NUL bytes and a byte-order mark
 *       after the first character (Verilator drops both, so {@code $sys<NUL>tem} is {@code $system} to it), a
 *       carriage return not followed by a line feed (Icarus ends a {@code //} comment there, Verilator drops it),
 *       and the other control characters except tab and form feed.</li>
 * </ul>
 * Names assembled by macros ({@code `define}, token pasting with {@code ``}) are caught on the preprocessor's output
 * with {@link #hostCode}. Names computed at run time cannot be checked here: the sandbox contains those.
 */
public final class SourceScan {
  private static final Pattern INCLUDE = Pattern.compile("`include\\s*([\"<])([^\">\\n]*)[\">]");
  private static final Pattern FILE_TASK = Pattern.compile(
      "\\$(readmemh|readmemb|writememh|writememb|fopen|dumpfile|sdf_annotate)\\s*\\(\\s*\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
  /** Host code from a design: {@code $system}, {@code $c}/{@code $cN}/{@code $cpure}, also as escaped identifiers. */
  private static final Pattern EXEC = Pattern.compile("(\\\\?)\\$(system|cpure|c[0-9]*)(?![A-Za-z0-9_$])");
  /** DPI: {@code import "DPI-C" …}, {@code export "DPI" …} (a package import never takes a string). */
  private static final Pattern DPI = Pattern.compile("\\b(import|export)\\s*\"");
  /** Verilator's verbatim C++ sections. */
  private static final Pattern SYSTEMC = Pattern.compile("`(systemc_[A-Za-z_]*)");

  /** The files of a package the pre-scan reads (at publish and before a run). */
  public static final Pattern SOURCE_NAME = Pattern.compile(".*\\.(s?v|s?vh|svi|inc|vinc)");
  /**
   * Options that would make a simulator load or build code (Verilator: C++ flags, the compiler, libraries, extra C++
   * sources, plugins; Icarus/vvp: VPI modules and their paths), in any case and with any value glued to them
   * ({@code -CFLAGS-O2}, {@code --compiler=clang}, {@code -LDFLAGS=…}, {@code --Compiler}).
   */
  public static final Pattern CODE_LOADING = Pattern.compile("(?i)-{1,2}(CFLAGS|LDFLAGS|LDLIBS|MAKEFLAGS|compiler"
      + "|compiler-include|exe|make|build|build-jobs|main|cc|sc|lib-create|protect-lib|vpi|plugin|fplugin|load|c|l|m|y|v|o|E)"
      + "(.*)?", Pattern.DOTALL);

  /** One problem, at a 1-based line and column of the scanned text. */
  public record Finding(int line, int column, String message) {}

  /** One construct that runs host code, at an offset of the scanned text. */
  public record Offence(int offset, String message) {}

  /** How a compiler may read the text (see the class comment); every reading is scanned. */
  private record Reading(boolean tripleQuotes, boolean opaqueAttributes) {}

  private static final List<Reading> READINGS = List.of(new Reading(true, true), new Reading(false, false),
      new Reading(true, false), new Reading(false, true));

  private SourceScan() {}

  /** Problems in one source file's text, in line and column order. */
  public static List<Finding> scan(String text) {
    LinkedHashSet<Finding> out = new LinkedHashSet<>();
    for (Offence o : ambiguities(text)) out.add(at(text, o.offset(), o.message()));
    for (Reading r : READINGS) {
      Joined j = joinContinuations(lex(text, r, false));
      String code = j.text();
      Matcher m = INCLUDE.matcher(code);
      while (m.find()) {
        String reason = problem(m.group(2));
        if (reason != null) {
          out.add(at(text, j.original(m.start()), "refused: `include \"" + Reasons.printable(m.group(2)) + "\" " + reason));
        }
      }
      m = FILE_TASK.matcher(code);
      while (m.find()) {
        String reason = problem(m.group(2));
        if (reason != null) {
          out.add(at(text, j.original(m.start()), "refused: $" + m.group(1) + "(\"" + Reasons.printable(m.group(2)) + "\") "
              + reason));
        }
      }
      Joined bare = joinContinuations(lex(text, r, true));
      for (Offence o : codeExecution(bare.text(), "")) out.add(at(text, bare.original(o.offset()), o.message()));
    }
    List<Finding> list = new ArrayList<>(out);
    list.sort(Comparator.comparingInt(Finding::line).thenComparingInt(Finding::column));
    return list;
  }

  /**
   * Every construct of {@code text} (a preprocessor's output, or a source) that would run host code, under every
   * reading, with the characters the compilers read differently; offsets of {@code text}, in order.
   */
  public static List<Offence> hostCode(String text, String suffix) {
    LinkedHashSet<Offence> out = new LinkedHashSet<>(ambiguities(text));
    for (Reading r : READINGS) {
      Joined bare = joinContinuations(lex(text, r, true));
      for (Offence o : codeExecution(bare.text(), suffix)) out.add(new Offence(bare.original(o.offset()), o.message()));
    }
    List<Offence> list = new ArrayList<>(out);
    list.sort(Comparator.comparingInt(Offence::offset));
    return list;
  }

  /** The characters two compilers read differently, or that one of them silently drops. */
  static List<Offence> ambiguities(String s) {
    List<Offence> out = new ArrayList<>();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String what = null;
      if (c == 0) {
        what = "a NUL character (Verilator skips it, so it can hide a name such as $system)";
      } else if (c == '\r' && (i + 1 >= s.length() || s.charAt(i + 1) != '\n')) {
        what = "a carriage return not followed by a line feed (Icarus ends a // comment there, Verilator ignores it)";
      } else if (c == '\uFEFF' && i > 0) {
        what = "a byte-order mark after the start of the file (Verilator skips it, so it can hide a name)";
      } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f') || c == 0x7f) {
        what = "the control character U+" + String.format("%04X", (int) c);
      }
      if (what != null) {
        out.add(new Offence(i, "refused: " + what + "; the compilers read it differently, so the pre-scan cannot be"
            + " sure what it hides"));
      }
    }
    return out;
  }

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

  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
  }

  private static boolean newlineAt(String s, int i) {
    return i < s.length() && (s.charAt(i) == '\n' || (s.charAt(i) == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n'));
  }

  /**
   * The text as one reading tokenizes it, offset for offset: comments blanked (newlines kept), in escaped identifiers
   * every character that is not a letter, digit, {@code _} or {@code $} replaced by {@code _}, and, with
   * {@code blankStrings}, string contents blanked (the quotes kept). A byte-order mark at the start is blanked.
   */
  static String lex(String s, Reading r, boolean blankStrings) {
    char[] o = s.toCharArray();
    int n = s.length();
    int i = 0;
    if (n > 0 && s.charAt(0) == '\uFEFF') o[i++] = ' ';
    while (i < n) {
      char c = s.charAt(i);
      char next = i + 1 < n ? s.charAt(i + 1) : 0;
      if (c == '/' && next == '/') {
        while (i < n && s.charAt(i) != '\n') o[i++] = ' ';
      } else if (c == '/' && next == '*') {
        o[i] = ' ';
        o[i + 1] = ' ';
        i += 2;
        while (i < n && !(s.charAt(i) == '*' && i + 1 < n && s.charAt(i + 1) == '/')) {
          if (s.charAt(i) != '\n') o[i] = ' ';
          i++;
        }
        if (i < n) {
          o[i] = ' ';
          o[i + 1] = ' ';
          i += 2;
        }
      } else if (c == '`' && next == '"') {
        i += 2; // a macro's stringification quote: what it quotes is scanned as code
      } else if (c == '`' && next == '\\' && s.startsWith("`\\`\"", i)) {
        i += 4; // an escaped quote inside a macro string: code too
      } else if (c == '"') {
        boolean triple = r.tripleQuotes() && s.startsWith("\"\"\"", i);
        int j = i + (triple ? 3 : 1);
        while (j < n) {
          char d = s.charAt(j);
          if (d == '\\' && j + 1 < n) {
            int skip = newlineAt(s, j + 1) ? (s.charAt(j + 1) == '\r' ? 3 : 2) : 2;
            for (int k = j; k < j + skip && k < n; k++) if (blankStrings && s.charAt(k) != '\n') o[k] = ' ';
            j += skip;
            continue;
          }
          if (triple ? s.startsWith("\"\"\"", j) : d == '"') break;
          if (!triple && d == '\n') break;
          if (blankStrings && d != '\n') o[j] = ' ';
          j++;
        }
        if (j >= n) i = n;
        else if (triple) i = j + 3;
        else i = s.charAt(j) == '"' ? j + 1 : j;
      } else if (c == '\\' && i + 1 < n && !space(next)) {
        int j = i + 1; // an escaped identifier, to the next white space (or a line continuation)
        while (j < n && !space(s.charAt(j)) && !(s.charAt(j) == '\\' && j + 1 < n && newlineAt(s, j + 1))) {
          char d = s.charAt(j);
          if (!(Character.isLetterOrDigit(d) && d < 0x80) && d != '_' && d != '$') o[j] = '_';
          j++;
        }
        i = j;
      } else if (c == '(' && next == '*' && r.opaqueAttributes() && attributeStart(s, i + 2)) {
        int end = s.indexOf("*)", i + 2); // Verilator skips an attribute to its first "*)", strings or not
        i = end < 0 ? n : end + 2;
      } else {
        i++;
      }
    }
    return new String(o);
  }

  /** Whether {@code (*} before {@code from} opens an attribute ({@code @(*)} and {@code @( * )} do not). */
  private static boolean attributeStart(String s, int from) {
    int k = from;
    while (k < s.length() && space(s.charAt(k))) k++;
    return k < s.length() && s.charAt(k) != ')';
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
    return new Joined(b.toString(), Arrays.copyOf(map, n));
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

  private static Finding at(String text, int offset, String message) {
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
    return new Finding(line, col, message);
  }
}
