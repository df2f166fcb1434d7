package io.genrtl.core.patch;

import io.genrtl.core.patch.PatchParseException.Kind;
import io.genrtl.core.patch.UnifiedDiff.FilePatch;
import io.genrtl.core.patch.UnifiedDiff.Hunk;
import io.genrtl.core.patch.UnifiedDiff.Line;
import io.genrtl.core.patch.UnifiedDiff.LineKind;
import io.genrtl.core.patch.UnifiedDiff.Status;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The strict parser behind {@link UnifiedDiff#parse(String)}. One instance parses one text. */
final class DiffParser {
  private static final Pattern HUNK = Pattern.compile("^@@ -(\\d{1,9})(?:,(\\d{1,9}))? \\+(\\d{1,9})(?:,(\\d{1,9}))? @@(.*)$");
  private static final Pattern MODE = Pattern.compile("^[0-7]{6}$");
  private static final Pattern INDEX = Pattern.compile("^index ([0-9a-fA-F]{4,64})\\.\\.([0-9a-fA-F]{4,64})(?: ([0-7]{6}))?$");
  private static final Pattern PERCENT = Pattern.compile("^(\\d{1,3})%$");
  private static final Pattern BINARY_DATA = Pattern.compile("^(?:(?:literal|delta) \\d{1,12}|[A-Za-z][0-9A-Za-z!#$%&()*+;<=>?@^_`{|}~-]*)$");
  private static final String DEV_NULL = "/dev/null";

  private final String text;
  private final List<String> lines = new ArrayList<>();
  private final List<Integer> lineBytes = new ArrayList<>();
  private final int n;
  private int i;

  DiffParser(String text) {
    this.text = text;
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl;
      String l = text.substring(start, end);
      lines.add(l);
      lineBytes.add(l.getBytes(StandardCharsets.UTF_8).length + (nl < 0 ? 0 : 1));
      start = end + 1;
    }
    this.n = lines.size();
  }

  /** True when line {@code k} and all after it are blank (tolerated after the last section). */
  private boolean blankToEnd(int k) {
    for (int j = k; j < n; j++) if (!lines.get(j).isBlank()) return false;
    return true;
  }

  UnifiedDiff parse() {
    if (blankToEnd(0)) throw new PatchParseException(Kind.EMPTY, 1, "the diff is empty");
    List<FilePatch> files = new ArrayList<>();
    while (i < n) {
      String l = lines.get(i);
      if (l.isBlank() && blankToEnd(i)) {
        break;
      } else if (l.startsWith("diff --git ")) {
        files.add(gitSection());
      } else if (l.startsWith("--- ") && i + 1 < n && lines.get(i + 1).startsWith("+++ ")) {
        files.add(traditionalSection());
      } else {
        throw new PatchParseException(Kind.UNEXPECTED_LINE, i + 1, "the line belongs to no file section: " + preview(l));
      }
    }
    return new UnifiedDiff(text, files);
  }

  // ---------------------------------------------------------------- sections

  private FilePatch traditionalSection() {
    int start = i;
    String[] paths = headerPaths(null);
    String oldPath = paths[0];
    String newPath = paths[1];
    i += 2;
    List<Hunk> hunks = hunks();
    if (hunks.isEmpty()) throw new PatchParseException(Kind.MISSING_HUNKS, i + 1, "a ---/+++ section without hunks");
    Status status;
    if (oldPath == null && newPath == null) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "both sides are /dev/null");
    } else if (oldPath == null) {
      status = Status.ADDED;
    } else if (newPath == null) {
      status = Status.DELETED;
    } else if (oldPath.equals(newPath)) {
      status = Status.MODIFIED;
    } else {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1,
          "--- and +++ name different files; a rename needs git headers (diff --git, rename from/to)");
    }
    checkShape(status, hunks, start);
    return new FilePatch(oldPath, newPath, status, null, null, false, null, hunks, false, start + 1, i, bytes(start, i));
  }

  private FilePatch gitSection() {
    int start = i;
    String[] git = gitLinePaths(lines.get(i).substring("diff --git ".length()), i + 1);
    i++;
    Map<String, Integer> seen = new HashMap<>();
    String oldMode = null;
    String newMode = null;
    String newFileMode = null;
    String deletedFileMode = null;
    String indexMode = null;
    String renameFrom = null;
    String renameTo = null;
    String copyFrom = null;
    String copyTo = null;
    Integer similarity = null;
    boolean binary = false;
    while (i < n) {
      String l = lines.get(i);
      String name = extendedHeader(l);
      if (name == null) break;
      if (seen.put(name, i + 1) != null) {
        throw new PatchParseException(Kind.DUPLICATE_HEADER, i + 1, "'" + name + "' appears twice in one file section");
      }
      String value = l.substring(name.length() + 1);
      switch (name) {
        case "old mode" -> oldMode = mode(value);
        case "new mode" -> newMode = mode(value);
        case "new file mode" -> newFileMode = mode(value);
        case "deleted file mode" -> deletedFileMode = mode(value);
        case "similarity index" -> similarity = percent(value);
        case "dissimilarity index" -> percent(value);
        case "rename from" -> renameFrom = headerPath(value);
        case "rename to" -> renameTo = headerPath(value);
        case "copy from" -> copyFrom = headerPath(value);
        case "copy to" -> copyTo = headerPath(value);
        case "index" -> {
          Matcher m = INDEX.matcher(l);
          if (!m.matches()) throw new PatchParseException(Kind.BAD_HEADER, i + 1, "an index line must be 'index <hash>..<hash> [<mode>]'");
          indexMode = m.group(3);
        }
        default -> throw new IllegalStateException(name);
      }
      i++;
    }
    int headerEnd = i;
    // consistency of the extended headers
    if ((oldMode == null) != (newMode == null)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "'old mode' and 'new mode' go together");
    }
    if (newFileMode != null && deletedFileMode != null) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "a file cannot be both new and deleted");
    }
    if ((newFileMode != null || deletedFileMode != null) && (oldMode != null || renameFrom != null || renameTo != null
        || copyFrom != null || copyTo != null)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1,
          "a new or deleted file has no mode change, rename or copy headers");
    }
    if ((renameFrom == null) != (renameTo == null)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "'rename from' and 'rename to' go together");
    }
    if ((copyFrom == null) != (copyTo == null)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "'copy from' and 'copy to' go together");
    }
    if (renameFrom != null && copyFrom != null) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "a section is a rename or a copy, not both");
    }
    if (similarity != null && renameFrom == null && copyFrom == null) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "'similarity index' only goes with a rename or copy");
    }
    String from = renameFrom != null ? renameFrom : copyFrom;
    String to = renameTo != null ? renameTo : copyTo;
    if (from != null && from.equals(to)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "a rename or copy onto the same path");
    }

    // the body: binary, ---/+++ with hunks, or nothing
    List<Hunk> hunks = List.of();
    String[] dashPaths = null;
    if (i < n && lines.get(i).startsWith("Binary files ") && lines.get(i).endsWith(" differ")) {
      binary = true;
      i++;
    } else if (i < n && lines.get(i).equals("GIT binary patch")) {
      binary = true;
      i++;
      while (i < n && !lines.get(i).startsWith("diff --git ") && (lines.get(i).isEmpty() || BINARY_DATA.matcher(lines.get(i)).matches())) i++;
    } else if (i < n && lines.get(i).startsWith("--- ")) {
      if (i + 1 >= n || !lines.get(i + 1).startsWith("+++ ")) {
        throw new PatchParseException(Kind.BAD_HEADER, i + 2, "a '---' line must be followed by a '+++' line");
      }
      dashPaths = headerPaths(new boolean[] {true});
      i += 2;
      hunks = hunks();
      if (hunks.isEmpty()) throw new PatchParseException(Kind.MISSING_HUNKS, i + 1, "a ---/+++ section without hunks");
    }
    if (i < n && isHeaderName(lines.get(i))) {
      throw new PatchParseException(Kind.DUPLICATE_HEADER, i + 1, "an extended header after the section's body: " + preview(lines.get(i)));
    }

    // paths: diff --git line, ---/+++ and rename/copy headers must agree
    String a = git == null ? null : git[0];
    String b = git == null ? null : git[1];
    if (git == null) { // ambiguous unquoted names with spaces: resolved by the other headers
      if (from != null) {
        a = from;
        b = to;
      } else if (dashPaths != null) {
        a = dashPaths[0] != null ? dashPaths[0] : dashPaths[1];
        b = dashPaths[1] != null ? dashPaths[1] : dashPaths[0];
      } else {
        throw new PatchParseException(Kind.BAD_HEADER, start + 1, "cannot tell the two paths of the diff --git line apart");
      }
      if (!lines.get(start).equals("diff --git a/" + a + " b/" + b)) {
        throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "the diff --git line does not match the other headers");
      }
    }
    if (from != null && (!from.equals(a) || !to.equals(b))) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1, "rename/copy headers do not match the diff --git line");
    }
    if (from == null && !a.equals(b)) {
      throw new PatchParseException(Kind.INCONSISTENT_HEADERS, start + 1,
          "the diff --git line names two different paths without rename or copy headers");
    }
    if (dashPaths != null) {
      String expectOld = newFileMode != null ? null : a;
      String expectNew = deletedFileMode != null ? null : b;
      if (!java.util.Objects.equals(dashPaths[0], expectOld) || !java.util.Objects.equals(dashPaths[1], expectNew)) {
        throw new PatchParseException(Kind.INCONSISTENT_HEADERS, headerEnd + 1, "the ---/+++ paths do not match the diff --git"
            + " line (" + (expectOld == null ? DEV_NULL : "a/" + expectOld) + ", " + (expectNew == null ? DEV_NULL : "b/" + expectNew) + ")");
      }
    }

    Status status;
    String oldPath = a;
    String newPath = b;
    if (newFileMode != null) {
      status = Status.ADDED;
      oldPath = null;
    } else if (deletedFileMode != null) {
      status = Status.DELETED;
      newPath = null;
    } else if (renameFrom != null) {
      status = Status.RENAMED;
    } else if (copyFrom != null) {
      status = Status.COPIED;
    } else {
      status = Status.MODIFIED;
      if (hunks.isEmpty() && !binary && oldMode == null) {
        throw new PatchParseException(Kind.MISSING_HUNKS, start + 1, "a diff --git section that changes nothing");
      }
    }
    checkShape(status, hunks, start);
    String om = deletedFileMode != null ? deletedFileMode : oldMode != null ? oldMode : indexMode;
    String nm = newFileMode != null ? newFileMode : newMode != null ? newMode : indexMode;
    if (status == Status.ADDED) om = null;
    if (status == Status.DELETED) nm = null;
    return new FilePatch(oldPath, newPath, status, om, nm, binary, similarity, hunks, true, start + 1, i, bytes(start, i));
  }

  private static final String[] EXTENDED = {"old mode", "new mode", "deleted file mode", "new file mode", "similarity index",
      "dissimilarity index", "rename from", "rename to", "copy from", "copy to", "index"};

  private static String extendedHeader(String l) {
    for (String h : EXTENDED) if (l.startsWith(h + " ")) return h;
    return null;
  }

  private static boolean isHeaderName(String l) {
    return extendedHeader(l) != null;
  }

  /** An added file is one hunk -0,0 of added lines; a deleted file one hunk +0,0 of removed lines. */
  private static void checkShape(Status status, List<Hunk> hunks, int start) {
    if (status == Status.ADDED && !hunks.isEmpty()) {
      Hunk h = hunks.get(0);
      if (hunks.size() != 1 || h.oldStart() != 0 || h.oldCount() != 0) {
        throw new PatchParseException(Kind.HUNK_ORDER, h.lineNumber(), "an added file has exactly one hunk starting '@@ -0,0'");
      }
    }
    if (status == Status.DELETED && !hunks.isEmpty()) {
      Hunk h = hunks.get(0);
      if (hunks.size() != 1 || h.newStart() != 0 || h.newCount() != 0) {
        throw new PatchParseException(Kind.HUNK_ORDER, h.lineNumber(), "a deleted file has exactly one hunk ending '+0,0 @@'");
      }
    }
  }

  // ---------------------------------------------------------------- hunks

  private List<Hunk> hunks() {
    List<Hunk> hunks = new ArrayList<>();
    int prevEnd = -1;
    while (i < n && lines.get(i).startsWith("@@")) {
      int headerLine = i + 1;
      Matcher m = HUNK.matcher(lines.get(i));
      if (!m.matches()) {
        throw new PatchParseException(Kind.BAD_HUNK_HEADER, headerLine, "a hunk header must be '@@ -a,b +c,d @@': " + preview(lines.get(i)));
      }
      int oldStart = Integer.parseInt(m.group(1));
      int oldCount = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
      int newStart = Integer.parseInt(m.group(3));
      int newCount = m.group(4) == null ? 1 : Integer.parseInt(m.group(4));
      String heading = m.group(5).startsWith(" ") ? m.group(5).substring(1) : m.group(5);
      if (oldCount == 0 && newCount == 0) throw new PatchParseException(Kind.BAD_HUNK_HEADER, headerLine, "an empty hunk");
      if ((oldCount > 0 && oldStart == 0) || (newCount > 0 && newStart == 0)) {
        throw new PatchParseException(Kind.BAD_HUNK_HEADER, headerLine, "a hunk with lines starts at line 1 or later");
      }
      int startIdx = oldCount == 0 ? oldStart : oldStart - 1;
      if (startIdx < prevEnd) {
        throw new PatchParseException(Kind.HUNK_ORDER, headerLine, "hunks overlap or are out of order");
      }
      prevEnd = startIdx + oldCount;
      i++;
      int remOld = oldCount;
      int remNew = newCount;
      boolean oldEnded = false;
      boolean newEnded = false;
      List<Line> body = new ArrayList<>();
      while (remOld > 0 || remNew > 0) {
        if (i >= n) {
          throw new PatchParseException(Kind.HUNK_COUNT_MISMATCH, i + 1, "the hunk at line " + headerLine + " ends early: "
              + remOld + " old and " + remNew + " new lines missing");
        }
        String l = lines.get(i);
        char c = l.isEmpty() ? ' ' : l.charAt(0);
        String content = l.isEmpty() ? "" : l.substring(1);
        LineKind kind;
        switch (c) {
          case ' ' -> {
            if (remOld == 0 || remNew == 0) throw countMismatch(headerLine, remOld, remNew);
            if (oldEnded || newEnded) throw afterEnd();
            remOld--;
            remNew--;
            kind = LineKind.CONTEXT;
          }
          case '-' -> {
            if (remOld == 0) throw countMismatch(headerLine, remOld, remNew);
            if (oldEnded) throw afterEnd();
            remOld--;
            kind = LineKind.REMOVE;
          }
          case '+' -> {
            if (remNew == 0) throw countMismatch(headerLine, remOld, remNew);
            if (newEnded) throw afterEnd();
            remNew--;
            kind = LineKind.ADD;
          }
          case '\\' -> throw new PatchParseException(Kind.BAD_NO_NEWLINE_MARKER, i + 1,
              "'\\ No newline at end of file' must follow a hunk line");
          default -> throw countMismatch(headerLine, remOld, remNew);
        }
        body.add(new Line(kind, content, false));
        i++;
        if (i < n && lines.get(i).startsWith("\\")) {
          Line last = body.remove(body.size() - 1);
          body.add(new Line(last.kind(), last.text(), true));
          if (last.kind() != LineKind.ADD) oldEnded = true;
          if (last.kind() != LineKind.REMOVE) newEnded = true;
          i++;
        }
      }
      if (i < n && lines.get(i).startsWith("\\")) {
        throw new PatchParseException(Kind.BAD_NO_NEWLINE_MARKER, i + 1, "a second '\\' marker for one line");
      }
      if (i < n && isHunkLine(i)) {
        throw new PatchParseException(Kind.HUNK_COUNT_MISMATCH, i + 1, "the hunk at line " + headerLine
            + " has more lines than its header says (-" + oldStart + "," + oldCount + " +" + newStart + "," + newCount + ")");
      }
      hunks.add(new Hunk(oldStart, oldCount, newStart, newCount, heading, body, headerLine));
    }
    return hunks;
  }

  /** A line that looks like hunk content where the hunk should have ended (but not the start of a next section). */
  private boolean isHunkLine(int k) {
    String l = lines.get(k);
    if (l.startsWith("--- ") && k + 1 < n && lines.get(k + 1).startsWith("+++ ")) return false;
    return l.startsWith(" ") || l.startsWith("+") || l.startsWith("-");
  }

  private PatchParseException countMismatch(int headerLine, int remOld, int remNew) {
    return new PatchParseException(Kind.HUNK_COUNT_MISMATCH, i + 1, "the hunk at line " + headerLine
        + " does not add up to its header: " + remOld + " old and " + remNew + " new lines were still expected, then "
        + preview(lines.get(i)));
  }

  private PatchParseException afterEnd() {
    return new PatchParseException(Kind.BAD_NO_NEWLINE_MARKER, i + 1, "a line after the end of the file (after '\\ No newline')");
  }

  // ---------------------------------------------------------------- header values and paths

  private String mode(String v) {
    if (!MODE.matcher(v).matches()) throw new PatchParseException(Kind.BAD_HEADER, i + 1, "a mode is six octal digits: " + preview(v));
    return v;
  }

  private Integer percent(String v) {
    Matcher m = PERCENT.matcher(v);
    if (!m.matches() || Integer.parseInt(m.group(1)) > 100) {
      throw new PatchParseException(Kind.BAD_HEADER, i + 1, "a similarity index is a percentage from 0% to 100%");
    }
    return Integer.parseInt(m.group(1));
  }

  /** A path in a rename/copy header (no prefix; quoted when it has special characters). */
  private String headerPath(String v) {
    String p = v.startsWith("\"") ? unquoteWhole(v, i + 1) : v;
    if (p.isEmpty()) throw new PatchParseException(Kind.BAD_HEADER, i + 1, "an empty path");
    return p;
  }

  /**
   * The paths of the {@code ---}/{@code +++} lines at {@code i}, prefixes stripped; null for /dev/null. In a git
   * section ({@code git != null}) the prefixes a/ and b/ are required; in a traditional one both sides have them or
   * neither does.
   */
  private String[] headerPaths(boolean[] git) {
    String oldRaw = dashValue(lines.get(i).substring(4), i + 1);
    String newRaw = dashValue(lines.get(i + 1).substring(4), i + 2);
    boolean oldNull = DEV_NULL.equals(oldRaw);
    boolean newNull = DEV_NULL.equals(newRaw);
    boolean oldPrefixed = !oldNull && oldRaw.startsWith("a/");
    boolean newPrefixed = !newNull && newRaw.startsWith("b/");
    boolean prefixed;
    if (git != null) {
      if ((!oldNull && !oldPrefixed) || (!newNull && !newPrefixed)) {
        throw new PatchParseException(Kind.BAD_HEADER, i + 1, "in a git diff the paths start with a/ and b/");
      }
      prefixed = true;
    } else if (oldNull || newNull) {
      prefixed = oldNull ? newPrefixed : oldPrefixed;
    } else if (oldPrefixed != newPrefixed) {
      throw new PatchParseException(Kind.BAD_HEADER, i + 1, "either both paths carry the a/ and b/ prefixes or neither does");
    } else {
      prefixed = oldPrefixed;
    }
    String oldPath = oldNull ? null : prefixed ? oldRaw.substring(2) : oldRaw;
    String newPath = newNull ? null : prefixed ? newRaw.substring(2) : newRaw;
    if ((oldPath != null && oldPath.isEmpty()) || (newPath != null && newPath.isEmpty())) {
      throw new PatchParseException(Kind.BAD_HEADER, i + 1, "an empty path");
    }
    return new String[] {oldPath, newPath};
  }

  /** The path of a ---/+++ line: quoted, or up to a tab (a timestamp or git's marker after names with spaces). */
  private static String dashValue(String v, int lineNo) {
    if (v.startsWith("\"")) {
      int end = closingQuote(v, lineNo);
      String rest = v.substring(end + 1);
      if (!rest.isEmpty() && !rest.startsWith("\t")) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "text after a quoted path");
      return unquote(v.substring(0, end + 1), lineNo);
    }
    int tab = v.indexOf('\t');
    String p = tab < 0 ? v : v.substring(0, tab);
    if (p.isEmpty()) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "an empty path");
    return p;
  }

  /** The two prefixed paths of a {@code diff --git} line without prefixes, or null when unquoted names are ambiguous. */
  private static String[] gitLinePaths(String rest, int lineNo) {
    String a;
    String b;
    if (rest.startsWith("\"")) {
      int end = closingQuote(rest, lineNo);
      a = unquote(rest.substring(0, end + 1), lineNo);
      if (end + 1 >= rest.length() || rest.charAt(end + 1) != ' ') {
        throw new PatchParseException(Kind.BAD_HEADER, lineNo, "the diff --git line needs two paths");
      }
      b = secondGitPath(rest.substring(end + 2), lineNo);
    } else {
      int q = rest.indexOf(" \"");
      if (q >= 0 && rest.endsWith("\"")) {
        a = rest.substring(0, q);
        b = secondGitPath(rest.substring(q + 1), lineNo);
      } else {
        List<Integer> splits = new ArrayList<>();
        for (int k = rest.indexOf(" b/"); k >= 0; k = rest.indexOf(" b/", k + 1)) splits.add(k);
        if (splits.isEmpty()) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "the diff --git line needs 'a/<path> b/<path>'");
        String[] chosen = null;
        for (int k : splits) {
          String x = rest.substring(0, k);
          String y = rest.substring(k + 1);
          if (x.length() > 2 && x.substring(2).equals(y.substring(2))) {
            chosen = new String[] {x, y};
            break;
          }
        }
        if (chosen == null && splits.size() == 1) chosen = new String[] {rest.substring(0, splits.get(0)), rest.substring(splits.get(0) + 1)};
        if (chosen == null) {
          if (!rest.startsWith("a/")) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "in a git diff the paths start with a/ and b/");
          return null;
        }
        a = chosen[0];
        b = chosen[1];
      }
    }
    if (!a.startsWith("a/") || !b.startsWith("b/") || a.length() == 2 || b.length() == 2) {
      throw new PatchParseException(Kind.BAD_HEADER, lineNo, "in a git diff the paths start with a/ and b/");
    }
    return new String[] {a.substring(2), b.substring(2)};
  }

  private static String secondGitPath(String s, int lineNo) {
    if (s.startsWith("\"")) return unquoteWhole(s, lineNo);
    if (s.contains("\"")) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "a stray quote in the diff --git line");
    return s;
  }

  private static String unquoteWhole(String s, int lineNo) {
    int end = closingQuote(s, lineNo);
    if (end != s.length() - 1) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "text after a quoted path");
    return unquote(s, lineNo);
  }

  private static int closingQuote(String s, int lineNo) {
    for (int k = 1; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '\\') {
        k++;
      } else if (c == '"') {
        return k;
      }
    }
    throw new PatchParseException(Kind.BAD_HEADER, lineNo, "an unterminated quoted path");
  }

  /** Git's C-style quoting: {@code \" \\ \a \b \t \n \v \f \r} and three-digit octal bytes, UTF-8. */
  static String unquote(String quoted, int lineNo) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String s = quoted.substring(1, quoted.length() - 1);
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c != '\\') {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && k + 1 < s.length()) {
          b = s.substring(k, k + 2).getBytes(StandardCharsets.UTF_8);
          k++;
        }
        out.writeBytes(b);
        continue;
      }
      if (++k >= s.length()) throw new PatchParseException(Kind.BAD_HEADER, lineNo, "a quoted path ends with a backslash");
      char e = s.charAt(k);
      switch (e) {
        case '"', '\\' -> out.write(e);
        case 'a' -> out.write(7);
        case 'b' -> out.write(8);
        case 't' -> out.write(9);
        case 'n' -> out.write(10);
        case 'v' -> out.write(11);
        case 'f' -> out.write(12);
        case 'r' -> out.write(13);
        default -> {
          if (e >= '0' && e <= '3' && k + 2 < s.length() && isOctal(s.charAt(k + 1)) && isOctal(s.charAt(k + 2))) {
            out.write(Integer.parseInt(s.substring(k, k + 3), 8));
            k += 2;
          } else {
            throw new PatchParseException(Kind.BAD_HEADER, lineNo, "an unknown escape in a quoted path: \\" + e);
          }
        }
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray())).toString();
    } catch (CharacterCodingException ex) {
      throw new PatchParseException(Kind.BAD_HEADER, lineNo, "a quoted path is not UTF-8");
    }
  }

  private static boolean isOctal(char c) {
    return c >= '0' && c <= '7';
  }

  private long bytes(int from, int to) {
    long sum = 0;
    for (int k = from; k < to; k++) sum += lineBytes.get(k);
    return sum;
  }

  /** A line for an error message: at most 80 characters, control characters shown as '?'. */
  static String preview(String l) {
    String s = l.length() > 80 ? l.substring(0, 80) + "…" : l;
    StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.append('\'').toString();
  }
}
