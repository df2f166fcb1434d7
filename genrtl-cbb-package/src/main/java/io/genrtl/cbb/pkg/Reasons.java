package io.genrtl.cbb.pkg;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine {@code reason} values of {@link ErrorCode#INVALID_PACKAGE} (listed in
 * {@link io.genrtl.core.cbb.PackageInspector}) and the one way this module builds the exception.
 */
final class Reasons {
  static final String NOT_AN_ARCHIVE = "not_an_archive";
  static final String ABSOLUTE_PATH = "absolute_path";
  static final String PATH_TRAVERSAL = "path_traversal";
  static final String BACKSLASH = "backslash";
  static final String NUL_IN_NAME = "nul_in_name";
  static final String AMBIGUOUS_NAME = "ambiguous_name";
  static final String PATH_TOO_LONG = "path_too_long";
  static final String LINK = "link";
  static final String SPECIAL_FILE = "special_file";
  static final String CASE_COLLISION = "case_collision";
  static final String DUPLICATE_ENTRY = "duplicate_entry";
  static final String TOP_LEVEL_ENTRY = "top_level_entry";
  static final String TOO_MANY_ENTRIES = "too_many_entries";
  static final String TOO_LARGE = "too_large";
  static final String COMPRESSION_RATIO = "compression_ratio";
  static final String MISSING_FILE = "missing_file";
  static final String MANIFEST_INVALID = "manifest_invalid";
  static final String BAD_FILELIST = "bad_filelist";
  /** A source the ToolRunner's pre-scan refuses (host code, a file name outside the run directory, ambiguous text). */
  static final String HOST_CODE = "host_code";

  private Reasons() {}

  /** A refused package; {@code entry} may be null when no single entry is to blame. */
  static GenRtlException reject(String reason, String entry, String message) {
    return reject(reason, entry, message, null);
  }

  static GenRtlException reject(String reason, String entry, String message, Throwable cause) {
    Map<String, Object> details = new LinkedHashMap<>();
    if (entry != null) details.put("entry", printable(entry));
    details.put("reason", reason);
    return new GenRtlException(ErrorCode.INVALID_PACKAGE, message, details, cause);
  }

  /** {@code manifest_invalid}, naming the offending field as a JSON path ({@code $} for the whole document). */
  static GenRtlException manifest(String field, String message) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("entry", "manifest.json");
    details.put("reason", MANIFEST_INVALID);
    details.put("field", field);
    return new GenRtlException(ErrorCode.INVALID_PACKAGE, "manifest.json: " + message, details);
  }

  /**
   * Entry names come from untrusted archives: control characters (and the odd lone surrogate) are shown as
   * {@code \}{@code uXXXX} so that a name never breaks a log line or a terminal.
   */
  static String printable(String name) {
    StringBuilder b = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean bad = c < 0x20 || (c >= 0x7f && c <= 0x9f) || Character.isSurrogate(c) && !validPair(name, i);
      if (bad) {
        if (b == null) b = new StringBuilder(name.substring(0, i));
        b.append(String.format("\\u%04x", (int) c));
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? name : b.toString();
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
