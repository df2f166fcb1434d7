package io.genrtl.core.patch;

import io.genrtl.core.patch.UnifiedDiff.FilePatch;
import io.genrtl.core.patch.UnifiedDiff.Status;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * What a model-written diff may touch. {@link #check(UnifiedDiff, Set)} returns every violation (empty when the diff
 * is acceptable); nothing is thrown.
 *
 * <p>Paths (both the old and the new path of every section, so a rename or copy into or out of a read-only tree is
 * refused) must be {@linkplain #checkPathSyntax(String) safe relative paths} and not under a read-only prefix. Read-only
 * prefixes ({@code vendor/cbb/} by default) are compared on the normalised path, case-sensitively, as directory
 * prefixes: {@code vendor/cbb/x.v} and {@code vendor/cbb} itself are refused, {@code vendor/cbbx/y.v} is not. The
 * file modes must be regular files ({@code 100644}, {@code 100755}): symlinks ({@code 120000}) and submodules
 * ({@code 160000}) are refused, as are binary sections, more than {@code maxFiles} sections, a section larger than
 * {@code maxFileBytes} or a diff larger than {@code maxTotalBytes}, and two sections for one path.
 *
 * <p>{@link Mode#IMPLEMENT}: the diff may create new files and copy, and modify the files the request supplied (the
 * {@code suppliedPaths} argument) except read-only ones; it may not delete or rename anything, nor modify a file it was
 * not shown. {@link Mode#REPAIR}: any change within the rules above (whether it applies is {@link PatchApplier}'s
 * question).
 *
 * <p>Immutable and thread-safe.
 */
public final class PatchPolicy {
  /** Which job the diff answers. */
  public enum Mode { IMPLEMENT, REPAIR }

  /** The rule a path or section breaks; {@link #code()} is stable (it is shown to clients and models). */
  public enum Rule {
    /** Empty path, or longer than the maximum. */
    BAD_PATH("bad_path"),
    /** A leading {@code /}, a drive letter ({@code C:}) or a UNC-like start. */
    ABSOLUTE_PATH("absolute_path"),
    /** A {@code ..} segment. */
    PATH_TRAVERSAL("path_traversal"),
    /** A {@code .} segment, an empty segment ({@code //}) or a trailing slash. */
    NOT_NORMALIZED("not_normalized"),
    /** A backslash, NUL, another control character, or a bidirectional-text control character. */
    BAD_CHARACTER("bad_character"),
    /** A {@code .git} segment (any case): repository internals and hooks. */
    GIT_DIRECTORY("git_directory"),
    /** Under a read-only prefix. */
    READ_ONLY("read_only"),
    /** Mode 120000. */
    SYMLINK("symlink"),
    /** Mode 160000. */
    SUBMODULE("submodule"),
    /** Any other mode than 100644 or 100755. */
    BAD_MODE("bad_mode"),
    /** A binary section. */
    BINARY("binary"),
    /** A section larger than the per-file cap. */
    FILE_TOO_LARGE("file_too_large"),
    /** The whole diff larger than the cap. */
    PATCH_TOO_LARGE("patch_too_large"),
    /** More sections than allowed. */
    TOO_MANY_FILES("too_many_files"),
    /** Two sections touch the same path. */
    DUPLICATE_PATH("duplicate_path"),
    /** Implement mode: a deletion or rename. */
    DELETE_NOT_ALLOWED("delete_not_allowed"),
    /** Implement mode: a modification of a file the request did not supply. */
    NOT_SUPPLIED("not_supplied");

    private final String code;

    Rule(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** One broken rule: the path concerned (as written in the diff; null for diff-wide rules) and why. */
  public record Violation(String path, Rule rule, String message) {
    public Violation {
      Objects.requireNonNull(rule, "rule");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return (path == null ? "" : path + ": ") + rule.code() + ": " + message;
    }
  }

  public static final String DEFAULT_READ_ONLY = "vendor/cbb/";
  public static final int DEFAULT_MAX_FILES = 50;
  public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024;
  public static final long DEFAULT_MAX_TOTAL_BYTES = 1024L * 1024;
  public static final int MAX_PATH_LENGTH = 1024;

  private final Mode mode;
  private final List<String> readOnly; // normalised, each ending in '/'
  private final int maxFiles;
  private final long maxFileBytes;
  private final long maxTotalBytes;

  private PatchPolicy(Builder b) {
    this.mode = b.mode;
    this.readOnly = List.copyOf(b.readOnly);
    this.maxFiles = b.maxFiles;
    this.maxFileBytes = b.maxFileBytes;
    this.maxTotalBytes = b.maxTotalBytes;
  }

  /** The defaults for a mode: read-only {@code vendor/cbb/}, 50 files, 256 KiB per section, 1 MiB in all. */
  public static PatchPolicy defaults(Mode mode) {
    return builder(mode).build();
  }

  public static Builder builder(Mode mode) {
    return new Builder(mode);
  }

  public Mode mode() {
    return mode;
  }

  /** The read-only prefixes, normalised, each ending in {@code /}. */
  public List<String> readOnlyPrefixes() {
    return readOnly;
  }

  /**
   * Every violation of the diff, in diff order (diff-wide ones first).
   *
   * @param suppliedPaths the files the request supplied (implement mode may modify only these); may be empty
   */
  public List<Violation> check(UnifiedDiff diff, Set<String> suppliedPaths) {
    Objects.requireNonNull(diff, "diff");
    Set<String> supplied = suppliedPaths == null ? Set.of() : suppliedPaths;
    List<Violation> out = new ArrayList<>();
    if (diff.files().size() > maxFiles) {
      out.add(new Violation(null, Rule.TOO_MANY_FILES, "the diff touches " + diff.files().size() + " files; at most " + maxFiles));
    }
    if (diff.bytes() > maxTotalBytes) {
      out.add(new Violation(null, Rule.PATCH_TOO_LARGE, "the diff is " + diff.bytes() + " bytes; at most " + maxTotalBytes));
    }
    Set<String> touched = new HashSet<>();
    for (FilePatch f : diff.files()) {
      String shown = f.path();
      List<String> paths = new ArrayList<>(2);
      if (f.oldPath() != null) paths.add(f.oldPath());
      if (f.newPath() != null && !f.newPath().equals(f.oldPath())) paths.add(f.newPath());
      for (String p : paths) {
        out.addAll(checkPath(p));
        // a copy reads its source and writes only its target: the source may be any file
        boolean written = f.status() != Status.COPIED || p.equals(f.newPath());
        if (written && !touched.add(p)) out.add(new Violation(p, Rule.DUPLICATE_PATH, "more than one section changes this path"));
      }
      modeCheck(f, f.oldMode(), out);
      if (f.newMode() != null && !f.newMode().equals(f.oldMode())) modeCheck(f, f.newMode(), out);
      if (f.binary()) out.add(new Violation(shown, Rule.BINARY, "binary changes are not accepted; write text"));
      if (f.bytes() > maxFileBytes) {
        out.add(new Violation(shown, Rule.FILE_TOO_LARGE, "this file's part of the diff is " + f.bytes() + " bytes; at most " + maxFileBytes));
      }
      if (mode == Mode.IMPLEMENT) {
        switch (f.status()) {
          case DELETED -> out.add(new Violation(shown, Rule.DELETE_NOT_ALLOWED, "implement may not delete files"));
          case RENAMED -> out.add(new Violation(f.oldPath(), Rule.DELETE_NOT_ALLOWED, "implement may not rename files (it removes "
              + f.oldPath() + ")"));
          case MODIFIED -> {
            if (!supplied.contains(f.oldPath())) {
              out.add(new Violation(shown, Rule.NOT_SUPPLIED, "implement may only modify files the request supplied; create new files instead"));
            }
          }
          default -> { /* ADDED, COPIED: new files */ }
        }
      }
    }
    return out;
  }

  private static void modeCheck(FilePatch f, String m, List<Violation> out) {
    if (m == null || m.equals("100644") || m.equals("100755")) return;
    String p = f.path();
    switch (m) {
      case "120000" -> out.add(new Violation(p, Rule.SYMLINK, "symbolic links are not accepted"));
      case "160000" -> out.add(new Violation(p, Rule.SUBMODULE, "submodules are not accepted"));
      default -> out.add(new Violation(p, Rule.BAD_MODE, "mode " + m + " is not a regular file mode (100644 or 100755)"));
    }
  }

  /** The syntax rules ({@link #checkPathSyntax}) plus the read-only prefixes. */
  public List<Violation> checkPath(String path) {
    List<Violation> out = checkPathSyntax(path);
    if (out.isEmpty() && isReadOnly(path)) {
      out = List.of(new Violation(path, Rule.READ_ONLY, "read-only (under " + readOnlyPrefix(path) + ")"));
    }
    return out;
  }

  /** True when the (normalised) path is a read-only prefix itself or lies under one. */
  public boolean isReadOnly(String path) {
    return readOnlyPrefix(path) != null;
  }

  private String readOnlyPrefix(String path) {
    for (String prefix : readOnly) {
      if (path.startsWith(prefix) || path.equals(prefix.substring(0, prefix.length() - 1))) return prefix;
    }
    return null;
  }

  /**
   * Whether a path is a safe relative path: not empty, at most {@value #MAX_PATH_LENGTH} UTF-8 bytes, no leading
   * {@code /}, no drive letter, no backslash, no NUL or other control character (nor Unicode bidirectional controls),
   * no empty, {@code .} or {@code ..} segment, no trailing slash, no {@code .git} segment. Returns the violations
   * (empty when safe). Independent of any policy instance.
   */
  public static List<Violation> checkPathSyntax(String path) {
    if (path == null || path.isEmpty()) return List.of(new Violation(path, Rule.BAD_PATH, "an empty path"));
    if (path.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_LENGTH) {
      return List.of(new Violation(path, Rule.BAD_PATH, "a path longer than " + MAX_PATH_LENGTH + " bytes"));
    }
    for (int k = 0; k < path.length(); k++) {
      char c = path.charAt(k);
      if (c == '\\') return List.of(new Violation(path, Rule.BAD_CHARACTER, "a backslash in a path; use /"));
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        return List.of(new Violation(path, Rule.BAD_CHARACTER, "a control character in a path"));
      }
      if ((c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069') || c == '\u200e' || c == '\u200f'
          || c == '\u061c') {
        return List.of(new Violation(path, Rule.BAD_CHARACTER, "a bidirectional-text control character in a path"));
      }
    }
    if (path.startsWith("/")) return List.of(new Violation(path, Rule.ABSOLUTE_PATH, "an absolute path"));
    if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
      return List.of(new Violation(path, Rule.ABSOLUTE_PATH, "a drive letter"));
    }
    if (path.endsWith("/")) return List.of(new Violation(path, Rule.NOT_NORMALIZED, "a trailing slash"));
    for (String seg : path.split("/", -1)) {
      if (seg.equals("..")) return List.of(new Violation(path, Rule.PATH_TRAVERSAL, "a '..' segment"));
    }
    for (String seg : path.split("/", -1)) {
      if (seg.isEmpty()) return List.of(new Violation(path, Rule.NOT_NORMALIZED, "an empty segment (//)"));
      if (seg.equals(".")) return List.of(new Violation(path, Rule.NOT_NORMALIZED, "a '.' segment"));
      if (seg.toLowerCase(Locale.ROOT).equals(".git")) {
        return List.of(new Violation(path, Rule.GIT_DIRECTORY, "a .git segment"));
      }
    }
    return List.of();
  }

  /** Builds a {@link PatchPolicy}. */
  public static final class Builder {
    private final Mode mode;
    private final List<String> readOnly = new ArrayList<>(List.of(DEFAULT_READ_ONLY));
    private int maxFiles = DEFAULT_MAX_FILES;
    private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
    private long maxTotalBytes = DEFAULT_MAX_TOTAL_BYTES;

    private Builder(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
    }

    /**
     * Replaces the read-only prefixes (default {@code vendor/cbb/}). Each must be a safe relative path
     * ({@link #checkPathSyntax}), with or without a trailing slash; it is treated as a directory.
     *
     * @throws IllegalArgumentException for an unsafe prefix
     */
    public Builder readOnlyPrefixes(Collection<String> prefixes) {
      List<String> out = new ArrayList<>();
      for (String p : prefixes) out.add(normalisePrefix(p));
      readOnly.clear();
      readOnly.addAll(out);
      return this;
    }

    /** Adds read-only prefixes to the current ones. */
    public Builder addReadOnlyPrefixes(Collection<String> prefixes) {
      for (String p : prefixes) {
        String n = normalisePrefix(p);
        if (!readOnly.contains(n)) readOnly.add(n);
      }
      return this;
    }

    public Builder maxFiles(int max) {
      if (max < 1) throw new IllegalArgumentException("maxFiles must be positive");
      this.maxFiles = max;
      return this;
    }

    public Builder maxFileBytes(long max) {
      if (max < 1) throw new IllegalArgumentException("maxFileBytes must be positive");
      this.maxFileBytes = max;
      return this;
    }

    public Builder maxTotalBytes(long max) {
      if (max < 1) throw new IllegalArgumentException("maxTotalBytes must be positive");
      this.maxTotalBytes = max;
      return this;
    }

    public PatchPolicy build() {
      return new PatchPolicy(this);
    }

    /** A prefix as a directory ending in '/', after the path syntax check. */
    static String normalisePrefix(String prefix) {
      Objects.requireNonNull(prefix, "prefix");
      String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
      List<Violation> v = checkPathSyntax(p);
      if (!v.isEmpty()) throw new IllegalArgumentException("read-only prefix " + v.get(0).message() + ": " + prefix);
      return p + "/";
    }
  }
}
