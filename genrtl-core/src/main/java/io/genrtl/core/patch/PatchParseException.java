package io.genrtl.core.patch;

import java.util.Objects;

/** A diff that {@link UnifiedDiff#parse(String)} refuses: what is wrong ({@link Kind}) and on which line (1-based). */
public final class PatchParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The class of problem. */
  public enum Kind {
    /** No file section at all. */
    EMPTY,
    /** A line that belongs to no file section (prose, a stray {@code index} line, text after the last hunk). */
    UNEXPECTED_LINE,
    /** A header line that cannot be read ({@code diff --git}, {@code ---}/{@code +++}, mode, similarity, …). */
    BAD_HEADER,
    /** The same extended header twice in one section, or one after the section's hunks began. */
    DUPLICATE_HEADER,
    /** Headers of one section that contradict each other (paths, new and deleted, rename without both ends, …). */
    INCONSISTENT_HEADERS,
    /** A section that changes nothing it could describe (no hunks where hunks are needed). */
    MISSING_HUNKS,
    /** A hunk header that is not {@code @@ -a[,b] +c[,d] @@}. */
    BAD_HUNK_HEADER,
    /** A hunk whose lines do not add up to the counts in its header (too few or too many). */
    HUNK_COUNT_MISMATCH,
    /** Hunks out of order or overlapping, or a hunk that does not fit an added or deleted file. */
    HUNK_ORDER,
    /** A {@code \ No newline at end of file} marker that is misplaced. */
    BAD_NO_NEWLINE_MARKER
  }

  private final Kind kind;
  private final int line;
  private final String reason;

  public PatchParseException(Kind kind, int line, String reason) {
    super("line " + line + ": " + reason);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.line = line;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Kind kind() {
    return kind;
  }

  /** 1-based line number in the diff text (the line after the last one for problems found at the end). */
  public int line() {
    return line;
  }

  /** The message without the line number. */
  public String reason() {
    return reason;
  }
}
