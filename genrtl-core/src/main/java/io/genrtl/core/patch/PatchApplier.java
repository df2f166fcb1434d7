package io.genrtl.core.patch;

import io.genrtl.core.patch.PatchApplyException.Kind;
import io.genrtl.core.patch.UnifiedDiff.FilePatch;
import io.genrtl.core.patch.UnifiedDiff.Hunk;
import io.genrtl.core.patch.UnifiedDiff.Line;
import io.genrtl.core.patch.UnifiedDiff.LineKind;
import io.genrtl.core.patch.UnifiedDiff.Status;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Applies a {@link UnifiedDiff} to text files, all or nothing: to an in-memory map path → text ({@link #apply}) or to
 * a directory ({@link #applyTo}). Hunks match exactly (context and removed lines, line ends and the end-of-file
 * newline included; no fuzz). With {@link #withOffsets()} a hunk whose lines are not at the stated position may match
 * elsewhere (the nearest exact match after the previous hunk, like {@code patch}'s offsets); {@link #exact()} takes
 * the stated positions only. Binary sections are refused. The paths are not policy-checked here (use {@link
 * PatchPolicy} first); {@link #applyTo} refuses unsafe paths on disk anyway.
 *
 * <p>Immutable and thread-safe.
 */
public final class PatchApplier {
  /** What happened to one file: its path (the new one), the old path for renames and copies, and line counts. */
  public record FileChange(String path, String oldPath, Status status, int added, int removed) {}

  /** Totals: files touched, lines added and removed. */
  public record Stats(int files, int added, int removed) {}

  /**
   * The outcome. {@code files} is the new content: for {@link #apply} the whole new map (sorted by path, unmodifiable);
   * for {@link #applyTo} the new contents of the files the diff read or wrote (deleted and renamed-away files absent).
   * {@code offsetHunks} counts the hunks that matched away from their stated line.
   */
  public record Result(Map<String, String> files, List<FileChange> changes, Stats stats, int offsetHunks) {}

  /** Moves a file into place (a seam for tests that need a move to fail). */
  interface Mover {
    void move(Path from, Path to) throws IOException;
  }

  private static final Mover FILES = PatchApplier::move;
  private static final PatchApplier EXACT = new PatchApplier(false, FILES);
  private static final PatchApplier OFFSETS = new PatchApplier(true, FILES);

  private final boolean offsets;
  private final Mover mover;

  PatchApplier(boolean offsets, Mover mover) {
    this.offsets = offsets;
    this.mover = mover;
  }

  /** Hunks apply at their stated lines only. */
  public static PatchApplier exact() {
    return EXACT;
  }

  /** Hunks may move to the nearest exact match of their lines (never before the previous hunk). */
  public static PatchApplier withOffsets() {
    return OFFSETS;
  }

  /**
   * Applies the diff to {@code files} (path → UTF-8 text; not modified) and returns the new map.
   *
   * @throws PatchApplyException when any section does not apply; nothing is returned then
   */
  public Result apply(UnifiedDiff diff, Map<String, String> files) {
    Objects.requireNonNull(diff, "diff");
    Map<String, String> work = new TreeMap<>(files);
    List<FileChange> changes = new ArrayList<>();
    int[] moved = {0};
    int added = 0;
    int removed = 0;
    for (FilePatch f : diff.files()) {
      String path = f.path();
      if (f.binary()) throw new PatchApplyException(Kind.BINARY, path, 0, f.firstLine(), path + ": binary changes are not supported");
      switch (f.status()) {
        case ADDED -> {
          if (work.containsKey(f.newPath())) throw exists(f.newPath(), f);
          work.put(f.newPath(), hunks(f.newPath(), "", f, moved));
        }
        case MODIFIED -> work.put(path, hunks(path, existing(work, f.oldPath(), f), f, moved));
        case DELETED -> {
          String left = hunks(f.oldPath(), existing(work, f.oldPath(), f), f, moved);
          if (!left.isEmpty()) {
            throw new PatchApplyException(Kind.DELETE_MISMATCH, f.oldPath(), 0, f.firstLine(),
                f.oldPath() + ": the deletion does not remove the whole file");
          }
          work.remove(f.oldPath());
        }
        case RENAMED, COPIED -> {
          String source = existing(work, f.oldPath(), f);
          if (work.containsKey(f.newPath())) throw exists(f.newPath(), f);
          String content = hunks(f.newPath(), source, f, moved);
          if (f.status() == Status.RENAMED) work.remove(f.oldPath());
          work.put(f.newPath(), content);
        }
        default -> throw new IllegalStateException(f.status().name());
      }
      changes.add(new FileChange(path, f.status() == Status.RENAMED || f.status() == Status.COPIED ? f.oldPath() : null,
          f.status(), f.added(), f.removed()));
      added += f.added();
      removed += f.removed();
    }
    return new Result(Collections.unmodifiableMap(work), List.copyOf(changes), new Stats(changes.size(), added, removed), moved[0]);
  }

  private static String existing(Map<String, String> work, String path, FilePatch f) {
    String s = work.get(path);
    if (s == null) throw new PatchApplyException(Kind.MISSING_FILE, path, 0, f.firstLine(), path + ": no such file");
    return s;
  }

  private static PatchApplyException exists(String path, FilePatch f) {
    return new PatchApplyException(Kind.FILE_EXISTS, path, 0, f.firstLine(), path + ": the file already exists");
  }

  /** The lines of a text, each with its line feed (the last one may have none). */
  static List<String> split(String s) {
    List<String> out = new ArrayList<>();
    int start = 0;
    while (start < s.length()) {
      int nl = s.indexOf('\n', start);
      if (nl < 0) {
        out.add(s.substring(start));
        break;
      }
      out.add(s.substring(start, nl + 1));
      start = nl + 1;
    }
    return out;
  }

  private String hunks(String path, String content, FilePatch f, int[] moved) {
    List<String> src = split(content);
    StringBuilder out = new StringBuilder(content.length() + 256);
    int cursor = 0;
    int shift = 0;
    for (int k = 0; k < f.hunks().size(); k++) {
      Hunk h = f.hunks().get(k);
      List<String> old = new ArrayList<>();
      List<String> neu = new ArrayList<>();
      for (Line l : h.lines()) {
        if (l.kind() != LineKind.ADD) old.add(l.withEol());
        if (l.kind() != LineKind.REMOVE) neu.add(l.withEol());
      }
      int stated = h.oldCount() == 0 ? h.oldStart() : h.oldStart() - 1;
      int pos = find(src, old, stated + shift, cursor);
      if (pos < 0) {
        throw new PatchApplyException(Kind.CONTEXT_MISMATCH, path, k + 1, h.lineNumber(), path + ": hunk " + (k + 1)
            + " (@@ -" + h.oldStart() + "," + h.oldCount() + " @@, diff line " + h.lineNumber() + ") does not match the file"
            + (offsets ? "" : " at that line"));
      }
      if (pos != stated) moved[0]++;
      shift = pos - stated;
      for (int j = cursor; j < pos; j++) append(out, src.get(j), path, k + 1, h.lineNumber());
      for (String l : neu) append(out, l, path, k + 1, h.lineNumber());
      cursor = pos + old.size();
    }
    for (int j = cursor; j < src.size(); j++) {
      append(out, src.get(j), path, f.hunks().size(), f.hunks().isEmpty() ? 0 : f.hunks().get(f.hunks().size() - 1).lineNumber());
    }
    return out.toString();
  }

  /** Appends a line; a line without a line feed can only be the last one. */
  private static void append(StringBuilder out, String line, String path, int hunk, int diffLine) {
    if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
      throw new PatchApplyException(Kind.CONTEXT_MISMATCH, path, hunk, diffLine, path + ": hunk " + hunk
          + " leaves a line without a line feed in the middle of the file (a misplaced '\\ No newline at end of file')");
    }
    out.append(line);
  }

  /** Where {@code old} matches {@code src}: at {@code expected}, else (with offsets) the nearest match at or after {@code min}. */
  private int find(List<String> src, List<String> old, int expected, int min) {
    int max = src.size() - old.size();
    if (expected >= min && expected <= max && matches(src, old, expected)) return expected;
    if (!offsets || old.isEmpty()) return -1;
    for (int d = 1; expected - d >= min || expected + d <= max; d++) {
      int lo = expected - d;
      int hi = expected + d;
      if (lo >= min && lo <= max && matches(src, old, lo)) return lo;
      if (hi >= min && hi <= max && matches(src, old, hi)) return hi;
    }
    return -1;
  }

  private static boolean matches(List<String> src, List<String> old, int at) {
    for (int j = 0; j < old.size(); j++) if (!src.get(at + j).equals(old.get(j))) return false;
    return true;
  }

  // ---------------------------------------------------------------- directories

  /**
   * Applies the diff to the files under {@code root}, all or nothing: every file the diff reads is loaded (UTF-8
   * text), the whole diff is applied in memory first, then the new contents are written to temporary files next to
   * their targets and moved into place; on any failure what was moved is put back and the temporary files removed. Paths
   * must pass {@link PatchPolicy#checkPathSyntax}, must stay under {@code root} and may not pass through a symbolic link.
   * New files get the default permissions; modified files keep theirs; a mode change to or from {@code 100755} sets or
   * clears the execute bits where the file system supports POSIX permissions.
   *
   * <p>All-or-nothing holds for failures Java can see (an exception); a crash of the process between the moves can leave
   * a {@code .genrtl-patch-*.bak} file next to a target.
   *
   * @throws PatchApplyException for an unsafe path, a file that is not UTF-8, a diff that does not apply, or an I/O error
   */
  public Result applyTo(Path root, UnifiedDiff diff) {
    Objects.requireNonNull(diff, "diff");
    Path base;
    try {
      base = root.toRealPath();
    } catch (IOException e) {
      throw new PatchApplyException(Kind.IO, null, 0, 0, "the root directory cannot be opened", e);
    }
    Map<String, String> current = new LinkedHashMap<>();
    Map<String, Path> targets = new LinkedHashMap<>();
    for (FilePatch f : diff.files()) {
      for (String p : new String[] {f.oldPath(), f.newPath()}) {
        if (p == null || targets.containsKey(p)) continue;
        Path t = resolve(base, p, f);
        targets.put(p, t);
        if (Files.exists(t, LinkOption.NOFOLLOW_LINKS)) {
          if (!Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS)) {
            throw new PatchApplyException(Kind.UNSAFE_PATH, p, 0, f.firstLine(), p + ": not a regular file");
          }
          current.put(p, read(t, p, f));
        }
      }
    }
    Result r = apply(diff, current);
    Map<String, String> writes = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : r.files().entrySet()) {
      if (!e.getValue().equals(current.get(e.getKey()))) writes.put(e.getKey(), e.getValue());
    }
    List<String> deletes = new ArrayList<>();
    for (String p : current.keySet()) if (!r.files().containsKey(p)) deletes.add(p);
    Map<String, String> modes = new LinkedHashMap<>();
    for (FilePatch f : diff.files()) {
      if (f.newPath() != null && f.newMode() != null && !f.newMode().equals(f.oldMode())) modes.put(f.newPath(), f.newMode());
    }
    commit(targets, writes, deletes, modes);
    return r;
  }

  private static Path resolve(Path base, String p, FilePatch f) {
    List<PatchPolicy.Violation> v = PatchPolicy.checkPathSyntax(p);
    if (!v.isEmpty()) throw new PatchApplyException(Kind.UNSAFE_PATH, p, 0, f.firstLine(), p + ": " + v.get(0).message());
    Path cur = base;
    String[] segs = p.split("/");
    for (int k = 0; k < segs.length; k++) {
      cur = cur.resolve(segs[k]);
      if (Files.isSymbolicLink(cur)) {
        throw new PatchApplyException(Kind.UNSAFE_PATH, p, 0, f.firstLine(), p + ": a symbolic link on the way");
      }
      if (k < segs.length - 1 && Files.exists(cur, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(cur, LinkOption.NOFOLLOW_LINKS)) {
        throw new PatchApplyException(Kind.UNSAFE_PATH, p, 0, f.firstLine(), p + ": a parent is not a directory");
      }
    }
    if (!cur.normalize().startsWith(base)) {
      throw new PatchApplyException(Kind.UNSAFE_PATH, p, 0, f.firstLine(), p + ": outside the root");
    }
    return cur;
  }

  private static String read(Path t, String p, FilePatch f) {
    try {
      byte[] bytes = Files.readAllBytes(t);
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new PatchApplyException(Kind.NOT_TEXT, p, 0, f.firstLine(), p + ": not UTF-8 text");
    } catch (IOException e) {
      throw new PatchApplyException(Kind.IO, p, 0, f.firstLine(), p + ": cannot be read", e);
    }
  }

  private void commit(Map<String, Path> targets, Map<String, String> writes, List<String> deletes, Map<String, String> modes) {
    List<Path> createdDirs = new ArrayList<>();
    Map<Path, Path> staged = new LinkedHashMap<>(); // target -> temp
    List<Path[]> backups = new ArrayList<>(); // {target, backup}
    List<Path> placed = new ArrayList<>();
    String tag = UUID.randomUUID().toString().substring(0, 8);
    try {
      for (Map.Entry<String, String> w : writes.entrySet()) {
        Path target = targets.get(w.getKey());
        Path parent = target.getParent();
        List<Path> missing = new ArrayList<>();
        for (Path d = parent; d != null && !Files.exists(d, LinkOption.NOFOLLOW_LINKS); d = d.getParent()) missing.add(0, d);
        for (Path d : missing) {
          Files.createDirectory(d);
          createdDirs.add(d);
        }
        Path temp = parent.resolve(".genrtl-patch-" + tag + "-" + staged.size() + ".tmp");
        try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
          staged.put(target, temp);
          out.write(w.getValue().getBytes(StandardCharsets.UTF_8));
        }
        permissions(target, temp, modes.get(w.getKey()));
      }
      int b = 0;
      for (Map.Entry<Path, Path> s : staged.entrySet()) {
        Path target = s.getKey();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          Path backup = target.resolveSibling(".genrtl-patch-" + tag + "-" + (b++) + ".bak");
          mover.move(target, backup);
          backups.add(new Path[] {target, backup});
        }
        mover.move(s.getValue(), target);
        placed.add(target);
      }
      for (String p : deletes) {
        Path target = targets.get(p);
        if (staged.containsKey(target)) continue;
        Path backup = target.resolveSibling(".genrtl-patch-" + tag + "-" + (b++) + ".bak");
        mover.move(target, backup);
        backups.add(new Path[] {target, backup});
      }
      for (Map.Entry<String, String> m : modes.entrySet()) {
        if (!writes.containsKey(m.getKey())) permissions(targets.get(m.getKey()), targets.get(m.getKey()), m.getValue());
      }
    } catch (IOException | RuntimeException e) {
      for (int k = placed.size() - 1; k >= 0; k--) quietlyDelete(placed.get(k));
      for (int k = backups.size() - 1; k >= 0; k--) {
        try {
          move(backups.get(k)[1], backups.get(k)[0]);
        } catch (IOException ignored) {
          // left as a .bak next to its target; reported through the exception below
        }
      }
      for (Path t : staged.values()) quietlyDelete(t);
      for (int k = createdDirs.size() - 1; k >= 0; k--) quietlyDelete(createdDirs.get(k));
      throw new PatchApplyException(Kind.IO, null, 0, 0, "writing the patched files failed; the changes were rolled back", e);
    }
    for (Path[] bk : backups) quietlyDelete(bk[1]);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  /** Copies the target's permissions to the new file (when it exists) and applies a mode change. */
  private static void permissions(Path original, Path file, String mode) throws IOException {
    Set<PosixFilePermission> perms;
    try {
      if (Files.exists(original, LinkOption.NOFOLLOW_LINKS)) {
        perms = EnumSet.copyOf(Files.getPosixFilePermissions(original, LinkOption.NOFOLLOW_LINKS));
      } else {
        perms = EnumSet.copyOf(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
      }
    } catch (UnsupportedOperationException e) {
      return;
    }
    if ("100755".equals(mode)) {
      if (perms.contains(PosixFilePermission.OWNER_READ)) perms.add(PosixFilePermission.OWNER_EXECUTE);
      if (perms.contains(PosixFilePermission.GROUP_READ)) perms.add(PosixFilePermission.GROUP_EXECUTE);
      if (perms.contains(PosixFilePermission.OTHERS_READ)) perms.add(PosixFilePermission.OTHERS_EXECUTE);
    } else if ("100644".equals(mode)) {
      perms.removeAll(EnumSet.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_EXECUTE));
    }
    Files.setPosixFilePermissions(file, perms);
  }

  private static void quietlyDelete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // best effort during rollback
    }
  }
}
