package io.genrtl.core.patch;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A unified diff, parsed strictly: {@link #parse(String)} accepts git diffs ({@code diff --git} with the extended
 * headers {@code index}, {@code old mode}/{@code new mode}, {@code new file mode}, {@code deleted file mode},
 * {@code similarity index}, {@code dissimilarity index}, {@code rename from/to}, {@code copy from/to}, {@code Binary
 * files … differ}, {@code GIT binary patch}) and traditional {@code ---}/{@code +++} sections, with {@code a/}/{@code
 * b/} prefixes (or none on both sides) and {@code /dev/null}, hunks {@code @@ -a,b +c,d @@} and {@code \ No newline at
 * end of file}.
 *
 * <p>Strict means: every line belongs to exactly one file section (no prose before, between or after sections; strip
 * that before parsing), every extended header appears at most once and only before the section's hunks, the paths of a
 * section's headers agree with each other, hunk line counts match their header exactly, hunks of a file are in order
 * and do not overlap. The one leniency: an empty line inside a hunk that still expects lines is read as an empty
 * context line (editors and models often drop the single space). Anything else is a {@link PatchParseException}
 * with the 1-based line number.
 *
 * <p>Line contents keep a trailing {@code \r}, so CRLF files round-trip. Paths are returned without their {@code a/}
 * / {@code b/} prefix and unquoted (git's C-style quoting); they are <em>not</em> checked here: that is
 * {@link PatchPolicy}'s job.
 */
public final class UnifiedDiff {
  /** What a file section does. */
  public enum Status {
    ADDED, MODIFIED, DELETED, RENAMED, COPIED;

    /** The wire name: {@code added}, {@code modified}, {@code deleted}, {@code renamed}, {@code copied}. */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The kind of a hunk line. */
  public enum LineKind {
    CONTEXT(' '), ADD('+'), REMOVE('-');

    private final char prefix;

    LineKind(char prefix) {
      this.prefix = prefix;
    }

    public char prefix() {
      return prefix;
    }
  }

  /**
   * One line of a hunk: its kind, its text without the prefix and without the line feed, and whether it was followed by
   * {@code \ No newline at end of file}.
   */
  public record Line(LineKind kind, String text, boolean noNewlineAtEnd) {
    public Line {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(text, "text");
      if (text.indexOf('\n') >= 0) throw new IllegalArgumentException("a line cannot contain a line feed");
    }

    /** The line as it is (or will be) in the file: the text plus a line feed unless marked otherwise. */
    String withEol() {
      return noNewlineAtEnd ? text : text + "\n";
    }
  }

  /**
   * A hunk: {@code @@ -oldStart,oldCount +newStart,newCount @@ heading}. {@code lineNumber} is where its header is in
   * the diff text (1-based).
   */
  public record Hunk(int oldStart, int oldCount, int newStart, int newCount, String heading, List<Line> lines, int lineNumber) {
    public Hunk {
      lines = List.copyOf(lines);
      heading = heading == null ? "" : heading;
    }

    public int added() {
      return (int) lines.stream().filter(l -> l.kind() == LineKind.ADD).count();
    }

    public int removed() {
      return (int) lines.stream().filter(l -> l.kind() == LineKind.REMOVE).count();
    }
  }

  /**
   * One file section. {@code oldPath} is null for an added file, {@code newPath} null for a deleted one; both are set
   * (and equal) for a modification. Modes are git's octal strings ({@code 100644}, {@code 100755}, {@code 120000}
   * symlink, {@code 160000} submodule) or null when the diff does not say. {@code binary} is true for {@code Binary
   * files … differ} and {@code GIT binary patch} sections. {@code firstLine}/{@code lastLine} locate the section in the
   * diff text and {@code bytes} is its size (UTF-8, line feeds included).
   */
  public record FilePatch(String oldPath, String newPath, Status status, String oldMode, String newMode, boolean binary,
      Integer similarity, List<Hunk> hunks, boolean gitHeader, int firstLine, int lastLine, long bytes) {
    public FilePatch {
      Objects.requireNonNull(status, "status");
      hunks = List.copyOf(hunks);
    }

    /** The path the section leaves behind (the new path), or the old path for a deletion. */
    public String path() {
      return newPath != null ? newPath : oldPath;
    }

    public int added() {
      return hunks.stream().mapToInt(Hunk::added).sum();
    }

    public int removed() {
      return hunks.stream().mapToInt(Hunk::removed).sum();
    }
  }

  private final String text;
  private final List<FilePatch> files;

  UnifiedDiff(String text, List<FilePatch> files) {
    this.text = text;
    this.files = List.copyOf(files);
  }

  /**
   * Parses a diff strictly (see the class comment).
   *
   * @throws PatchParseException with the 1-based line number of the first problem
   */
  public static UnifiedDiff parse(String text) {
    return new DiffParser(Objects.requireNonNull(text, "text")).parse();
  }

  /** The diff text as given. */
  public String text() {
    return text;
  }

  /** The diff's size in UTF-8 bytes. */
  public long bytes() {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** The file sections, in order. Never empty. */
  public List<FilePatch> files() {
    return files;
  }

  public int added() {
    return files.stream().mapToInt(FilePatch::added).sum();
  }

  public int removed() {
    return files.stream().mapToInt(FilePatch::removed).sum();
  }

  @Override
  public String toString() {
    return "UnifiedDiff[" + files.size() + " files, +" + added() + " -" + removed() + "]";
  }
}
