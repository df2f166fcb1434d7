package io.genrtl.cbb.pkg;

/**
 * The one definition of a safe path inside a package, used for archive entry names, for the paths the manifest
 * and the filelists name, and by the builder: relative, {@code /}-separated, no {@code ..}, {@code .} or empty
 * segment, no backslash, no drive letter, no NUL or other control character.
 *
 * <p>Public for other modules (the ToolRunner checks users' file paths with the same rules) through
 * {@link #problem(String, boolean)}, {@link #normalise(String)} and {@link #describe(String, String)} only; the
 * rest is internal.
 */
public final class PathRules {
  /** A normalised entry name; directories are given without their trailing {@code /}. */
  record Name(String path, boolean dir) {}

  private PathRules() {}

  /**
   * Validates and normalises an archive entry name: a leading {@code ./} (any number of them) is dropped and a
   * trailing {@code /} marks a directory. Returns null for the archive root ({@code ./}, {@code .}), which
   * {@code tar -C dir .} writes first.
   *
   * @throws io.genrtl.core.GenRtlException with the reason of the first rule the name breaks
   */
  static Name entryName(String raw, boolean dirType) {
    String reason = characters(raw);
    if (reason == null && raw.isEmpty()) reason = Reasons.PATH_TRAVERSAL;
    if (reason != null) throw Reasons.reject(reason, raw, describe(reason, raw));
    String p = raw;
    while (p.startsWith("./")) p = p.substring(2);
    reason = absolute(p);
    if (reason != null) throw Reasons.reject(reason, raw, describe(reason, raw));
    boolean dir = dirType || p.endsWith("/");
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty() || p.equals(".")) return null;
    reason = segments(p);
    if (reason != null) throw Reasons.reject(reason, raw, describe(reason, raw));
    return new Name(p, dir);
  }

  /**
   * Checks a path named inside the package (manifest entrypoints, filelist lines). A leading {@code ./} is
   * allowed when {@code allowDotSlash}; a trailing {@code /} never is. Returns the reason it breaks, or null.
   */
  public static String problem(String path, boolean allowDotSlash) {
    String reason = characters(path);
    if (reason != null) return reason;
    String p = path;
    if (allowDotSlash) {
      while (p.startsWith("./")) p = p.substring(2);
    }
    reason = absolute(p);
    if (reason != null) return reason;
    if (p.isEmpty()) return Reasons.PATH_TRAVERSAL;
    return segments(p);
  }

  /** {@link #problem} passed: the path without its leading {@code ./}. */
  public static String normalise(String path) {
    String p = path;
    while (p.startsWith("./")) p = p.substring(2);
    return p;
  }

  /** A sentence for humans naming the path and the rule a {@link #problem} reason stands for. */
  public static String describe(String reason, String name) {
    String shown = Reasons.printable(name);
    switch (reason) {
      case Reasons.NUL_IN_NAME:
        return "'" + shown + "' contains a NUL or another control character";
      case Reasons.BACKSLASH:
        return "'" + shown + "' contains a backslash";
      case Reasons.ABSOLUTE_PATH:
        return "'" + shown + "' is an absolute path";
      case Reasons.PATH_TRAVERSAL:
        return "'" + shown + "' has a '..', '.' or empty path segment";
      default:
        return "'" + shown + "' is not a valid path";
    }
  }

  static boolean isControl(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f);
  }

  private static String characters(String p) {
    for (int i = 0; i < p.length(); i++) {
      if (isControl(p.charAt(i))) return Reasons.NUL_IN_NAME;
    }
    if (p.indexOf('\\') >= 0) return Reasons.BACKSLASH;
    return null;
  }

  private static String absolute(String p) {
    if (p.startsWith("/")) return Reasons.ABSOLUTE_PATH;
    if (p.length() >= 2 && p.charAt(1) == ':' && isAsciiLetter(p.charAt(0))) return Reasons.ABSOLUTE_PATH;
    return null;
  }

  private static String segments(String p) {
    int start = 0;
    while (true) {
      int slash = p.indexOf('/', start);
      String seg = slash < 0 ? p.substring(start) : p.substring(start, slash);
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) return Reasons.PATH_TRAVERSAL;
      if (slash < 0) return null;
      start = slash + 1;
    }
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
