package io.genrtl.cbb.pkg;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Checks a simulator filelist ({@code -f} file): every line is a comment ({@code //}, {@code #}), an option or a
 * path. Paths are relative to the package root (the run scripts run there), except inside a list included with
 * {@code -F}, whose paths are relative to that list's directory. Every file and directory named must be in the
 * package and stay inside it. Nested lists ({@code -f}, {@code -F}) are checked too.
 */
final class Filelists {
  /** Reads a file of the package (at most 256 KiB), or refuses. */
  interface Source {
    byte[] read(String path);
  }

  private static final int MAX_DEPTH = 8;
  private static final Set<String> DIR_ARG = Set.of("-y", "-I", "-incdir", "--incdir", "-Y");
  private static final Set<String> FILE_ARG = Set.of("-v");
  private static final Set<String> LIST_ARG = Set.of("-f", "-F");
  /** Options whose argument is not a path. */
  private static final Set<String> VALUE_ARG = Set.of("-timescale", "--timescale", "-top", "--top", "--top-module",
      "-L", "-work", "-D", "-U", "-G", "-P", "-s");

  private record Pending(String path, String base, int depth) {}

  private final Layout layout;
  private final Source source;

  private Filelists(Layout layout, Source source) {
    this.layout = layout;
    this.source = source;
  }

  /** Checks {@code path} (a file of the package) and the lists it includes. */
  static void check(String path, Layout layout, Source source) {
    new Filelists(layout, source).run(path);
  }

  private void run(String root) {
    Deque<Pending> todo = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    todo.add(new Pending(root, "", 0));
    while (!todo.isEmpty()) {
      Pending p = todo.poll();
      if (!seen.add(p.path() + "\0" + p.base())) continue;
      byte[] bytes = source.read(p.path());
      String text = Utf8.decode(bytes);
      if (text == null) throw bad(p.path(), "is not valid UTF-8");
      checkOne(p, text, todo, p.path().equals(root));
    }
  }

  private void checkOne(Pending list, String text, Deque<Pending> todo, boolean top) {
    String[] lines = text.split("\r\n|\r|\n", -1);
    int sources = 0;
    for (int i = 0; i < lines.length; i++) {
      int line = i + 1;
      String t = lines[i].strip();
      if (t.isEmpty() || t.startsWith("//") || t.startsWith("#")) continue;
      String[] tokens = t.split("\\s+");
      for (int j = 0; j < tokens.length; j++) {
        String tok = tokens[j];
        if (tok.startsWith("//")) break;
        for (char c : new char[] {'"', '\'', '$', '`'}) {
          if (tok.indexOf(c) >= 0) {
            throw bad(list.path(), "line " + line + ": '" + Reasons.printable(tok) + "': quotes, backticks and"
                + " environment variables are not supported");
          }
        }
        if (tok.startsWith("+")) {
          if (tok.startsWith("+incdir+")) {
            for (String d : tok.substring("+incdir+".length()).split("\\+")) {
              if (!d.isEmpty()) resolve(list, line, d, true);
            }
          }
          continue; // +define+, +libext+ and plusargs name no files
        }
        if (tok.startsWith("-") && !DIR_ARG.contains(tok) && !FILE_ARG.contains(tok) && !LIST_ARG.contains(tok)
            && !tok.startsWith("-I") && !tok.startsWith("-D") && SourceScan.CODE_LOADING.matcher(tok).matches()) {
          throw bad(list.path(), "line " + line + ": option '" + Reasons.printable(tok) + "' would make the simulator load,"
              + " build or link code; every tool run with this package would be refused");
        }
        if (tok.startsWith("-")) {
          String arg = j + 1 < tokens.length ? tokens[j + 1] : null;
          if (DIR_ARG.contains(tok) || FILE_ARG.contains(tok) || LIST_ARG.contains(tok)) {
            if (arg == null || arg.startsWith("//")) throw bad(list.path(), "line " + line + ": " + tok + " needs an argument");
            j++;
            String p = resolve(list, line, arg, DIR_ARG.contains(tok));
            if (FILE_ARG.contains(tok)) sources++;
            if (LIST_ARG.contains(tok)) {
              if (list.depth() + 1 > MAX_DEPTH) throw bad(list.path(), "line " + line + ": filelists nest too deep");
              String base = tok.equals("-F") ? parent(p) : list.base();
              todo.add(new Pending(p, base, list.depth() + 1));
              sources++;
            }
          } else if (tok.startsWith("-I") && tok.length() > 2) {
            resolve(list, line, tok.substring(2), true);
          } else if (VALUE_ARG.contains(tok)) {
            j++;
          }
          continue; // other options are flags
        }
        resolve(list, line, tok, false);
        sources++;
      }
    }
    if (top && sources == 0) throw bad(list.path(), "names no source files");
  }

  /** Checks one path of a list and that it is in the package (a directory when {@code dir}); returns it. */
  private String resolve(Pending list, int line, String token, boolean dir) {
    String t = token;
    if (dir) {
      if (t.equals(".") || t.equals("./")) {
        if (list.base().isEmpty()) return "";
        t = ".";
      }
      if (t.length() > 1 && t.endsWith("/")) t = t.substring(0, t.length() - 1);
    }
    String problem = t.equals(".") ? null : PathRules.problem(t, true);
    if (problem != null) {
      throw bad(list.path(), "line " + line + ": " + PathRules.describe(problem, token)
          + " (filelist paths must stay inside the package)");
    }
    String p = t.equals(".") ? list.base() : PathRules.normalise(t);
    if (!list.base().isEmpty() && !t.equals(".")) p = list.base() + "/" + p;
    boolean ok = dir ? layout.isDir(p) : layout.isFile(p);
    if (!ok) {
      throw Reasons.reject(Reasons.MISSING_FILE, p, list.path() + " line " + line + " names " + (dir ? "directory " : "")
          + "'" + Reasons.printable(p) + "', which is not in the package");
    }
    return p;
  }

  private static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  private static io.genrtl.core.base.GenRtlException bad(String list, String message) {
    return Reasons.reject(Reasons.BAD_FILELIST, list, list + ": " + message);
  }
}
