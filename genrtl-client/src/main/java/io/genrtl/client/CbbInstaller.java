package io.genrtl.client;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Installs bought CBBs into a working tree and checks them later.
 *
 * <p>{@link #install(String)}: deliver → download each package to a temporary file → check its size and SHA-256
 * against the delivery → unpack it safely (see {@link Limits}; zip and tar.gz) into a staging directory under
 * {@code <tree>/.genrtl/tmp} (the same file system) → make every file read-only → move the directory atomically to
 * {@code vendor/cbb/<id>/<version>/} → rewrite {@code genrtl.lock} (atomically). Every package is downloaded,
 * checked and unpacked before the first one is moved into place, so a bad package installs nothing. A download URL
 * that has expired (403 {@code forbidden}, 404 or 410) is refreshed by calling deliver once more. A package already
 * installed with the same SHA-256 and no local change is left as it is.
 *
 * <p>{@link #verify()} re-hashes {@code vendor/cbb/} against the lock and reports every edited, missing or extra file.
 */
public final class CbbInstaller {
  public static final String VENDOR_DIR = "vendor/cbb";
  static final String SCRATCH_DIR = ".genrtl/tmp";
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

  /** Caps on what one package may unpack to (zip bombs): entries, bytes in all, bytes per entry. */
  public record Limits(int maxEntries, long maxBytes, long maxEntryBytes) {
    public static final Limits DEFAULTS = new Limits(10_000, 256L << 20, 64L << 20);

    public Limits {
      if (maxEntries < 1 || maxBytes < 1 || maxEntryBytes < 1) throw new IllegalArgumentException("limits must be positive");
    }
  }

  /** A package was refused: {@code reason} is a stable word, {@code entry} the offending archive entry (or null). */
  public static final class InstallException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;
    private final String entry;

    InstallException(String reason, String entry, String message) {
      super(message + (entry == null ? "" : " (entry " + entry + ")"));
      this.reason = reason;
      this.entry = entry;
    }

    /** {@code unsafe_path}, {@code link}, {@code special_file}, {@code duplicate_entry}, {@code too_many_entries},
     * {@code too_large}, {@code unknown_format}, {@code corrupt_archive}, {@code bad_delivery}. */
    public String reason() {
      return reason;
    }

    public String entry() {
      return entry;
    }
  }

  /** What {@link #verify()} found wrong with one file. */
  public enum Kind { EDITED, MISSING, EXTRA }

  /** One finding; {@code path} is relative to the tree root, with forward slashes. */
  public record Finding(Kind kind, String path) {}

  /** The result of {@link #verify()}: empty when every installed file matches the lock. */
  public record Report(List<Finding> findings) {
    public Report {
      findings = List.copyOf(findings);
    }

    public boolean ok() {
      return findings.isEmpty();
    }
  }

  private final GenRtlClient client;
  private final Path tree;
  private final Limits limits;

  private CbbInstaller(GenRtlClient client, Path tree, Limits limits) {
    this.client = client;
    this.tree = tree.toAbsolutePath().normalize();
    this.limits = limits;
  }

  public static CbbInstaller create(GenRtlClient client, Path workTree) {
    return new CbbInstaller(Objects.requireNonNull(client, "client"), workTree, Limits.DEFAULTS);
  }

  public static CbbInstaller create(GenRtlClient client, Path workTree, Limits limits) {
    return new CbbInstaller(Objects.requireNonNull(client, "client"), workTree, Objects.requireNonNull(limits, "limits"));
  }

  public Path workTree() {
    return tree;
  }

  /** The tree's lock (empty when there is none). */
  public CbbLock lock() {
    return CbbLock.read(tree);
  }

  /** Delivers {@code receiptId} and installs every package on it; returns the new lock. */
  public CbbLock install(String receiptId) {
    return install(client.deliver(receiptId));
  }

  /**
   * Installs the packages of a delivery obtained earlier; URLs that have expired meanwhile are refreshed by one more
   * deliver call. Returns the new lock.
   */
  public CbbLock install(Cbb.Delivery delivery) {
    for (Cbb.DeliveryItem it : delivery.items()) {
      checkSegment("cbb_id", it.cbbId());
      checkSegment("version", it.version());
      if (it.sha256() == null || !it.sha256().matches("[0-9a-fA-F]{64}")) {
        throw new InstallException("bad_delivery", null, "the delivery of " + it.cbbId() + " has no valid sha256");
      }
    }
    CbbLock lock = CbbLock.read(tree);
    Path scratch = null;
    try {
      Files.createDirectories(tree.resolve(VENDOR_DIR));
      scratch = Files.createTempDirectory(Files.createDirectories(tree.resolve(SCRATCH_DIR)), "install-");
      record Staged(Cbb.DeliveryItem item, Path dir, Map<String, String> files) {}
      List<Staged> staged = new ArrayList<>();
      Cbb.Delivery current = delivery;
      boolean refreshed = false;
      for (Cbb.DeliveryItem original : delivery.items()) {
        var existing = lock.find(original.cbbId(), original.version());
        if (existing.isPresent() && existing.get().sha256().equalsIgnoreCase(original.sha256())
            && verify(existing.get(), true).isEmpty()) {
          staged.add(new Staged(original, null, existing.get().files()));
          continue;
        }
        Path pkg = scratch.resolve(original.cbbId() + "-" + original.version() + ".pkg");
        Cbb.DeliveryItem item = find(current, original);
        while (true) {
          try (OutputStream out = Files.newOutputStream(pkg)) {
            client.download(item, out);
            break;
          } catch (GenRtlApiException e) {
            if (refreshed || !expired(e)) throw e;
            refreshed = true;
            current = client.deliver(delivery.receiptId());
            item = find(current, original);
          }
        }
        Path dir = scratch.resolve("stage-" + original.cbbId() + "-" + original.version());
        Files.createDirectory(dir);
        Map<String, String> files = Extractor.extract(pkg, dir, limits);
        Files.delete(pkg);
        staged.add(new Staged(item, dir, files));
      }
      // everything is checked and unpacked: move into place, then write the lock
      for (Staged s : staged) {
        Cbb.DeliveryItem it = s.item();
        if (s.dir() != null) {
          Path target = tree.resolve(VENDOR_DIR).resolve(it.cbbId()).resolve(it.version());
          Files.createDirectories(target.getParent());
          if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Path old = scratch.resolve("old-" + it.cbbId() + "-" + it.version());
            move(target, old);
          }
          move(s.dir(), target);
        }
        lock = lock.with(new CbbLock.Entry(it.cbbId(), it.version(), it.sha256().toLowerCase(java.util.Locale.ROOT), it.size(),
            delivery.receiptId(), s.files()));
      }
      writeLock(lock, scratch);
      return lock;
    } catch (IOException e) {
      throw new UncheckedIOException("installing CBBs into " + VENDOR_DIR + " failed", e);
    } finally {
      if (scratch != null) deleteTree(scratch);
    }
  }

  private static boolean expired(GenRtlApiException e) {
    return e.status() == 403 || e.status() == 404 || e.status() == 410;
  }

  private static Cbb.DeliveryItem find(Cbb.Delivery d, Cbb.DeliveryItem wanted) {
    for (Cbb.DeliveryItem it : d.items()) {
      if (it.cbbId().equals(wanted.cbbId()) && it.version().equals(wanted.version())) {
        if (!it.sha256().equalsIgnoreCase(wanted.sha256())) {
          throw new InstallException("bad_delivery", null, "a fresh delivery of " + it.cbbId() + " names another sha256");
        }
        return it;
      }
    }
    throw new InstallException("bad_delivery", null, "a fresh delivery no longer lists " + wanted.cbbId() + "@" + wanted.version());
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to);
    }
  }

  private void writeLock(CbbLock lock, Path scratch) throws IOException {
    Path tmp = scratch.resolve(CbbLock.FILE_NAME + ".new");
    Files.writeString(tmp, lock.text(), StandardCharsets.UTF_8);
    Path target = tree.resolve(CbbLock.FILE_NAME);
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ------------------------------------------------------------------ verify

  /**
   * Re-hashes every file under {@code vendor/cbb/} against the lock: a file of the lock that is gone (or no longer a
   * plain file) is MISSING, one whose SHA-256 differs is EDITED, and any file or link the lock does not list is EXTRA.
   * Findings are sorted by path.
   */
  public Report verify() {
    CbbLock lock = CbbLock.read(tree);
    List<Finding> out = new ArrayList<>();
    Set<String> expected = new TreeSet<>();
    for (CbbLock.Entry e : lock.packages()) {
      out.addAll(verify(e, false));
      for (String f : e.files().keySet()) expected.add(e.path() + "/" + f);
    }
    Path vendor = tree.resolve(VENDOR_DIR);
    if (Files.isDirectory(vendor, LinkOption.NOFOLLOW_LINKS)) {
      try {
        Files.walkFileTree(vendor, new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            String rel = rel(file);
            if (!expected.contains(rel)) out.add(new Finding(Kind.EXTRA, rel));
            return FileVisitResult.CONTINUE;
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot walk " + VENDOR_DIR, e);
      }
    } else if (Files.exists(vendor, LinkOption.NOFOLLOW_LINKS)) {
      out.add(new Finding(Kind.EXTRA, VENDOR_DIR));
    }
    out.sort(Comparator.comparing(Finding::path).thenComparing(Finding::kind));
    return new Report(out);
  }

  /** Edited and missing files of one entry; {@code stopAtFirst} for the quick check before a reinstall. */
  private List<Finding> verify(CbbLock.Entry e, boolean stopAtFirst) {
    List<Finding> out = new ArrayList<>();
    Path dir = tree.resolve(e.path());
    for (Map.Entry<String, String> f : e.files().entrySet()) {
      Path p = dir.resolve(f.getKey());
      String rel = e.path() + "/" + f.getKey();
      if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || !p.normalize().startsWith(dir)) {
        out.add(new Finding(Kind.MISSING, rel));
      } else if (!f.getValue().equalsIgnoreCase(sha256(p))) {
        out.add(new Finding(Kind.EDITED, rel));
      }
      if (stopAtFirst && !out.isEmpty()) return out;
    }
    return out;
  }

  private String rel(Path p) {
    return tree.relativize(p).toString().replace(java.io.File.separatorChar, '/');
  }

  private static String sha256(Path p) {
    MessageDigest md = GenRtlClient.sha256();
    try (var in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
    } catch (IOException e) {
      return "unreadable";
    }
    return HexFormat.of().formatHex(md.digest());
  }

  // ------------------------------------------------------------------ names

  /** A CBB id or version used as a directory name: letters, digits, {@code . _ + -}, not starting with a dot. */
  static void checkSegment(String what, String s) {
    if (s == null || !SEGMENT.matcher(s).matches()) {
      throw new InstallException("bad_delivery", null, what + " is not a safe directory name");
    }
  }

  /**
   * An archive entry name as a safe relative path: no absolute path, drive letter, backslash, NUL, empty or
   * {@code ..} segment; leading {@code ./} segments dropped. Returns the normalised name ("" for the root itself).
   */
  static String checkEntryName(String raw) {
    if (raw == null) throw new InstallException("unsafe_path", null, "an entry has no name");
    if (raw.indexOf('\\') >= 0 || raw.indexOf('\0') >= 0) throw new InstallException("unsafe_path", raw, "backslash or NUL in a name");
    if (raw.startsWith("/") || raw.matches("^[A-Za-z]:.*")) throw new InstallException("unsafe_path", raw, "absolute path");
    List<String> parts = new ArrayList<>();
    for (String seg : raw.split("/", -1)) {
      if (seg.equals(".") || (seg.isEmpty() && parts.isEmpty())) continue;
      if (seg.isEmpty()) throw new InstallException("unsafe_path", raw, "empty path segment");
      if (seg.equals("..")) throw new InstallException("unsafe_path", raw, "'..' in a path");
      parts.add(seg);
    }
    return String.join("/", parts);
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
          Files.delete(dir);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException ignored) {
      // scratch space; what is left is removed by the next install
    }
  }
}
