package io.genrtl.toolrunner;

import io.genrtl.cbb.pkg.PathRules;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks a {@link RunRequest} must pass before anything is written: user paths by the package path rules
 * (relative, normalised, no {@code ..}, not absolute) and outside the reserved trees ({@code vendor/cbb/}, where
 * packages are unpacked, and {@code build/}, where outputs go), the user filelist's lines, the extra arguments'
 * allowlist and the top module's name. Failures are {@code validation_failed} naming the request field.
 */
final class Requests {
  static final int MAX_FILES = 1000;
  static final long MAX_TOTAL_CHARS = 32L << 20;
  static final int MAX_PATH = 512;
  static final int MAX_ARGS = 64;
  static final int MAX_CBBS = 32;
  static final int MAX_LIST_DEPTH = 8;
  static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,127}");
  static final Pattern DEFINE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}(=[A-Za-z0-9_.:'+-]{0,256})?");
  /**
   * Options that would make a simulator load or build code (Verilator: C++ flags, the compiler, libraries, extra C++
   * sources, plugins; Icarus/vvp: VPI modules and their paths), in any case and with any value glued to them
   * ({@code -CFLAGS-O2}, {@code --compiler=clang}, {@code -LDFLAGS=…}, {@code --Compiler}). Every option outside the
   * allowlist is refused; these are named so the refusal says why.
   */
  static final Pattern CODE_LOADING = io.genrtl.cbb.pkg.SourceScan.CODE_LOADING;
  /** C, C++, object and library files a tool would compile or link. */
  static final Pattern NATIVE_FILE = Pattern.compile("(?i).*\\.(c|cc|cpp|cxx|c\\+\\+|h|hh|hpp|hxx|o|a|so|dylib|dll|vpi|vpl|sh|mk|py|pl)");
  /** What a filelist token may consist of: tools parse filelists themselves (comments, quotes, escapes), so nothing else. */
  static final Pattern LIST_TOKEN = Pattern.compile("[A-Za-z0-9_.:/+=-]+");
  /** Installed packages, the build outputs (Icarus, Verilator) and the runner's own scratch space. */
  static final List<String> RESERVED = List.of("vendor/cbb", "obj_dir", "sim.vvp", ".genrtl");

  private Requests() {}

  static void validate(RunRequest r) {
    if (r.files().size() > MAX_FILES) throw invalid("files", "at most " + MAX_FILES + " files per run");
    long chars = 0;
    Map<String, String> folded = new HashMap<>();
    Set<String> dirs = new HashSet<>();
    int i = 0;
    for (Map.Entry<String, String> e : r.files().entrySet()) {
      String field = "files[" + i + "].path";
      String p = e.getKey();
      checkUserPath(field, p);
      String f = fold(p);
      String other = folded.putIfAbsent(f, p);
      if (other != null) throw invalid(field, "'" + p + "' and '" + other + "' differ only in case");
      for (int s = p.indexOf('/'); s >= 0; s = p.indexOf('/', s + 1)) dirs.add(fold(p.substring(0, s)));
      if (e.getValue() == null) throw invalid("files[" + i + "].text", "text is required");
      chars += e.getValue().length();
      if (chars > MAX_TOTAL_CHARS) throw invalid("files", "the files hold more than " + MAX_TOTAL_CHARS + " characters");
      i++;
    }
    i = 0;
    for (String p : r.files().keySet()) {
      if (dirs.contains(fold(p))) throw invalid("files[" + i + "].path", "'" + p + "' is both a file and a directory");
      i++;
    }
    if (r.top() == null || !IDENT.matcher(r.top()).matches()) {
      throw invalid("top", "top must be a module name (a SystemVerilog identifier)");
    }
    if (r.cbbs().size() > MAX_CBBS) throw invalid("cbbs", "at most " + MAX_CBBS + " packages per run");
    Set<String> ids = new HashSet<>();
    for (int k = 0; k < r.cbbs().size(); k++) {
      RunRequest.Cbb c = r.cbbs().get(k);
      if (!c.cbbId().matches("[a-z][a-z0-9_]{2,63}")) throw invalid("cbbs[" + k + "].cbb_id", "not a CBB id");
      if (!c.version().matches("[0-9A-Za-z.+-]{1,128}")) throw invalid("cbbs[" + k + "].version", "not a version");
      if (!ids.add(c.cbbId())) throw invalid("cbbs[" + k + "].cbb_id", "a package can be installed once per run");
    }
    if (r.filelist() != null) {
      if (!r.files().containsKey(r.filelist())) throw invalid("filelist", "filelist must be the path of one of the files");
      checkFilelist(r.filelist(), r.files());
    }
    if (r.args().size() > MAX_ARGS) throw invalid("args", "at most " + MAX_ARGS + " arguments");
    for (int k = 0; k < r.args().size(); k++) toolArgs("args[" + k + "]", r.args().get(k));
    if (r.timeout() != null && (r.timeout().isNegative() || r.timeout().isZero())) {
      throw invalid("timeout_s", "timeout_s must be positive");
    }
  }

  static void checkUserPath(String field, String p) {
    if (p == null || p.isEmpty()) throw invalid(field, "a path is required");
    if (p.length() > MAX_PATH) throw invalid(field, "paths are at most " + MAX_PATH + " characters");
    String reason = PathRules.problem(p, false);
    if (reason != null) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, PathRules.describe(reason, p)
          + " (paths are relative to the run directory and must stay inside it)", Map.of("field", field, "reason", reason));
    }
    String lower = p.toLowerCase(Locale.ROOT);
    for (String r : RESERVED) {
      if (lower.equals(r) || lower.startsWith(r + "/")) {
        throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "'" + p + "' is reserved: " + r
            + (r.equals("vendor/cbb") ? "/ holds the installed packages" : " is where the runner writes"),
            Map.of("field", field, "reason", "reserved_path"));
      }
    }
  }

  /**
   * One extra argument translated to what both simulators accept: {@code -DNAME[=V]} and {@code -IDIR}
   * ({@code +define+} and {@code +incdir+} become several of those).
   */
  static List<String> toolArgs(String field, String a) {
    if (a == null) throw invalid(field, "an argument must be a string");
    List<String> out = new ArrayList<>();
    if (a.startsWith("+define+")) {
      for (String d : a.substring(8).split("\\+", -1)) out.add(define(field, d));
    } else if (a.startsWith("-D")) {
      out.add(define(field, a.substring(2)));
    } else if (a.startsWith("+incdir+")) {
      for (String d : a.substring(8).split("\\+", -1)) out.add("-I" + dir(field, d));
    } else if (a.startsWith("-I")) {
      out.add("-I" + dir(field, a.substring(2)));
    } else {
      throw notAllowed(field, a, "arg_not_allowed", "extra arguments are -DNAME[=VALUE], +define+NAME[=VALUE], -IDIR and"
          + " +incdir+DIR only");
    }
    return out;
  }

  /** The refusal of an option outside the allowlist, naming the code-loading ones as such. */
  static GenRtlException notAllowed(String field, String tok, String reason, String allowed) {
    if (CODE_LOADING.matcher(tok).matches()) {
      return new GenRtlException(ErrorCode.VALIDATION_FAILED, "'" + printable(tok) + "' is refused: it would make the simulator"
          + " load, build or link code (compiler flags, libraries, C++ sources, plugins, VPI modules); " + allowed,
          Map.of("field", field, "reason", "code_loading_option"));
    }
    return new GenRtlException(ErrorCode.VALIDATION_FAILED, "'" + printable(tok) + "' is not allowed: " + allowed,
        Map.of("field", field, "reason", reason));
  }

  /**
   * Why a filelist's text is refused as a whole, or null: what tools read as block comments or line continuations
   * anywhere (comment lines included: simulators strip comments differently), and quotes, escapes or variables
   * outside comment lines.
   */
  static String listTextProblem(String text) {
    for (String line : text.split("\r\n|\r|\n", -1)) {
      String t = line.strip();
      for (String bad : List.of("/*", "*/")) {
        if (t.contains(bad)) return "'" + bad + "': block comments are not supported in a filelist (comment lines included)";
      }
      if (t.endsWith("\\")) return "a backslash at the end of a line (a line continuation) is not supported in a filelist";
      if (t.startsWith("//") || t.startsWith("#")) continue;
      for (char c : new char[] {'"', '\'', '\\', '$', '`'}) {
        if (t.indexOf(c) >= 0) return "'" + c + "': quotes, backslashes and variables are not supported in a filelist";
      }
    }
    return null;
  }

  private static String define(String field, String d) {
    if (!DEFINE.matcher(d).matches()) throw invalid(field, "'" + printable(d) + "' is not NAME or NAME=VALUE (letters, digits, _ . : ' + -)");
    return "-D" + d;
  }

  private static String dir(String field, String d) {
    if (d.equals(".")) return ".";
    String t = d.endsWith("/") && d.length() > 1 ? d.substring(0, d.length() - 1) : d;
    String reason = PathRules.problem(t, true);
    if (reason != null) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, PathRules.describe(reason, d)
          + " (include directories must be inside the run directory)", Map.of("field", field, "reason", reason));
    }
    return PathRules.normalise(t);
  }

  /**
   * A user filelist: comments ({@code //}, {@code #}), {@code .v}/{@code .sv}/{@code .vh}/{@code .svh} source
   * paths inside the run directory (no C++ for Verilator to build; they may name
   * {@code vendor/cbb/} files), {@code +incdir+}, {@code +define+}, {@code -I}, {@code -D} and nested {@code -f}
   * lists that are files of the request. Anything else (other options, quotes, variables) is refused.
   */
  static void checkFilelist(String root, Map<String, String> files) {
    Map<String, Integer> depth = new LinkedHashMap<>();
    List<String> todo = new ArrayList<>(List.of(root));
    depth.put(root, 0);
    while (!todo.isEmpty()) {
      String list = todo.remove(0);
      String whole = listTextProblem(files.get(list));
      if (whole != null) throw listInvalid(list + ": " + whole);
      String[] lines = files.get(list).split("\r\n|\r|\n", -1);
      for (int n = 0; n < lines.length; n++) {
        String where = list + " line " + (n + 1) + ": ";
        String t = lines[n].strip();
        if (t.isEmpty() || t.startsWith("//") || t.startsWith("#")) continue;
        String[] tokens = t.split("\\s+");
        for (int j = 0; j < tokens.length; j++) {
          String tok = tokens[j];
          if (tok.startsWith("//")) break;
          if (!LIST_TOKEN.matcher(tok).matches()) {
            throw listInvalid(where + "'" + printable(tok) + "': a filelist holds paths and options of letters, digits and"
                + " _ . : / + = - only");
          }
          try {
            if (tok.equals("-f") || tok.equals("-I")) {
              if (j + 1 >= tokens.length) throw listInvalid(where + tok + " needs an argument");
              String arg = tokens[++j];
              if (!LIST_TOKEN.matcher(arg).matches()) {
                throw listInvalid(where + "'" + printable(arg) + "': a filelist holds paths and options of letters, digits"
                    + " and _ . : / + = - only");
              }
              if (tok.equals("-I")) {
                dir("filelist", arg);
              } else {
                String nested = listPath(arg);
                if (!files.containsKey(nested)) throw listInvalid(where + "-f " + arg + " is not one of the files");
                int d = depth.get(list) + 1;
                if (d > MAX_LIST_DEPTH) throw listInvalid(where + "filelists nest too deep");
                if (!depth.containsKey(nested)) {
                  depth.put(nested, d);
                  todo.add(nested);
                }
              }
            } else if (tok.startsWith("+define+") || tok.startsWith("-D") || tok.startsWith("+incdir+") || tok.startsWith("-I")) {
              toolArgs("filelist", tok);
            } else if (tok.startsWith("-") || tok.startsWith("+")) {
              GenRtlException e = notAllowed("filelist", tok, "bad_filelist", "a filelist holds paths, -f, -I, -D, +incdir+"
                  + " and +define+ only");
              throw "bad_filelist".equals(e.details().get("reason")) ? listInvalid(where + e.getMessage()) : e;
            } else {
              String path = listPath(tok);
              if (!Character.isLetterOrDigit(path.charAt(0)) && path.charAt(0) != '_') {
                throw listInvalid(where + "'" + printable(tok) + "': a path in a filelist starts with a letter, digit or _");
              }
              if (NATIVE_FILE.matcher(path).matches()) {
                throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "'" + printable(tok) + "' is refused: C, C++,"
                    + " object, library and script files would be compiled, linked or run (.v, .sv, .vh, .svh only)",
                    Map.of("field", "filelist", "reason", "code_loading_option"));
              }
              if (!path.matches(".*\\.(v|sv|vh|svh)")) {
                throw listInvalid(where + "'" + printable(tok) + "' is not a Verilog or SystemVerilog file (.v, .sv, .vh, .svh)");
              }
            }
          } catch (GenRtlException e) {
            if (e.details().containsKey("reason") && !"bad_filelist".equals(e.details().get("reason"))) {
              throw new GenRtlException(ErrorCode.VALIDATION_FAILED, where + e.getMessage(),
                  Map.of("field", "filelist", "reason", e.details().get("reason")));
            }
            throw e;
          }
        }
      }
    }
  }

  private static String listPath(String p) {
    String reason = PathRules.problem(p, true);
    if (reason != null) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, PathRules.describe(reason, p)
          + " (filelist paths must stay inside the run directory)", Map.of("field", "filelist", "reason", reason));
    }
    return PathRules.normalise(p);
  }

  private static GenRtlException listInvalid(String message) {
    return new GenRtlException(ErrorCode.VALIDATION_FAILED, message, Map.of("field", "filelist", "reason", "bad_filelist"));
  }

  static GenRtlException invalid(String field, String message) {
    return GenRtlException.invalid(field, message);
  }

  static String fold(String p) {
    return Normalizer.normalize(p, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
  }

  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < s.length() && k < 200; k++) {
      char c = s.charAt(k);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.toString();
  }
}
