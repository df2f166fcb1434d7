package io.genrtl.cbb.pkg;

/**
 * The one definition of a safe path inside a package, used for archive entry names, for the paths the manifest
 * and the filelists name, and by the builder: relative, {@code /}-separated, no {@code ..}, {@code .} or empty
 * segment, no backslash, no drive letter, no NUL or other control character, no segment ending in a dot or a space
 * (Windows drops them, so {@code a.sv.} and {@code a.sv} would be one file there), at most {@value #MAX_SEGMENT_BYTES}
 * bytes of UTF-8 per segment (what Linux, macOS and Windows file systems hold) and {@value #MAX_PATH_BYTES} bytes in
 * all (so that {@code vendor/cbb/<id>/<version>/<path>} stays far below {@code PATH_MAX}).
 *
 * <p>Public for other modules (the ToolRunner checks users' file paths with the same rules) through
 * {@link #problem(String, boolean)}, {@link #normalise(String)} and {@link #describe(String, String)} only; the
 * rest is internal.
 */
public final class PathRules {
  /** The longest path segment, in bytes of UTF-8 (a file name on ext4, XFS, APFS, NTFS). */
  public static final int MAX_SEGMENT_BYTES = 255;
  /** The longest path, in bytes of UTF-8 (after a leading {@code ./} is dropped, before a trailing {@code /}). */
  public static final int MAX_PATH_BYTES = 1024;

  /** A normalised entry name; directories are given without their trailing {@code /}. */
  record Name(String path, boolean dir) {}

  private PathRules() {}

  /**
   * Validates and normalises an archive entry name: a leading {@code ./} (any number of them) is dropped and a
   * trailing {@code /} marks a directory. Returns null for the archive root ({@code ./}, {@code .}), which
   * {@code tar -C dir .} writes first.
   *
   * @throws io.genrtl.core.base.GenRtlException with the reason of the first rule the name breaks
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
      case Reasons.AMBIGUOUS_NAME:
        return "'" + shown + "' has a path segment ending in a dot or a space";
      case Reasons.PATH_TOO_LONG:
        return "'" + clip(shown) + "' is longer than " + MAX_PATH_BYTES + " bytes or has a segment longer than "
            + MAX_SEGMENT_BYTES + " bytes (UTF-8)";
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

  /** The segments' rules, then the lengths (a traversal is named as such even in a long path). */
  private static String segments(String p) {
    String[] segs = p.split("/", -1);
    for (String seg : segs) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) return Reasons.PATH_TRAVERSAL;
    }
    for (String seg : segs) {
      char last = seg.charAt(seg.length() - 1);
      if (last == '.' || last == ' ') return Reasons.AMBIGUOUS_NAME;
      if (utf8Length(seg) > MAX_SEGMENT_BYTES) return Reasons.PATH_TOO_LONG;
    }
    return utf8Length(p) > MAX_PATH_BYTES ? Reasons.PATH_TOO_LONG : null;
  }

  /** The UTF-8 length of well-formed text (a lone surrogate counts as the 3 bytes of its replacement). */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else n += 3;
    }
    return n;
  }

  /** A long name shortened for a message: its first 64 characters and its length. */
  private static String clip(String shown) {
    return shown.length() <= 80 ? shown : shown.substring(0, 64) + "…(" + shown.length() + " characters)";
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
