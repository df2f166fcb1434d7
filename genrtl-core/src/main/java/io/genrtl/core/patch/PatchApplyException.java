package io.genrtl.core.patch;

import java.util.Objects;

/**
 * A diff that does not apply to the given files. Nothing was changed (see {@link PatchApplier}). {@link #path()} is the
 * file concerned, {@link #hunk()} the 1-based hunk index within its section (0 when not about a hunk) and {@link
 * #line()} the hunk's header line in the diff text (0 when not about a hunk).
 */
public final class PatchApplyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The class of problem. */
  public enum Kind {
    /** A file to modify, delete, rename or copy is not there. */
    MISSING_FILE,
    /** A file to create (or the target of a rename or copy) is already there. */
    FILE_EXISTS,
    /** A hunk's context and removed lines are not in the file (exactly; no fuzz). */
    CONTEXT_MISMATCH,
    /** A deletion whose removed lines are not the whole file. */
    DELETE_MISMATCH,
    /** A binary section (not supported). */
    BINARY,
    /** The path is unsafe on disk (syntax, a symbolic link on the way, outside the root). */
    UNSAFE_PATH,
    /** An existing file is not UTF-8 text. */
    NOT_TEXT,
    /** Reading or writing the directory failed; whatever was written has been rolled back. */
    IO
  }

  private final Kind kind;
  private final String path;
  private final int hunk;
  private final int line;

  public PatchApplyException(Kind kind, String path, int hunk, int line, String message) {
    this(kind, path, hunk, line, message, null);
  }

  public PatchApplyException(Kind kind, String path, int hunk, int line, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.path = path;
    this.hunk = hunk;
    this.line = line;
  }

  public Kind kind() {
    return kind;
  }

  public String path() {
    return path;
  }

  public int hunk() {
    return hunk;
  }

  public int line() {
    return line;
  }
}
