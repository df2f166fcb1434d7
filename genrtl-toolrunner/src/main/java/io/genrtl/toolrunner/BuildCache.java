package io.genrtl.toolrunner;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Verilator builds by content hash: the key covers the Verilator version, the compile command and every file of the
 * run directory (path and SHA-256), so a hit is a build of exactly the same inputs. An entry holds the executable and
 * the compile output (its warnings are reported again on a hit). Entries are written to a temporary directory and
 * moved into place, so readers never see half an entry; the least recently used are deleted past the byte bound.
 */
final class BuildCache {
  private static final Logger LOG = Logger.getLogger(BuildCache.class.getName());
  static final String EXE = "exe";
  static final String LOG_FILE = "compile.log";

  record Entry(Path executable, String compileOutput) {}

  private final Path dir;
  private final long maxBytes;

  BuildCache(Path dir, long maxBytes) {
    this.dir = dir;
    this.maxBytes = maxBytes;
  }

  static String key(String toolVersion, List<String> command, Path runDir) throws IOException {
    MessageDigest sha = sha256();
    sha.update(("v1\0" + toolVersion + "\0" + String.join("\0", command) + "\0\0").getBytes(StandardCharsets.UTF_8));
    List<Path> files;
    try (Stream<Path> s = Files.walk(runDir)) {
      files = s.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> runDir.relativize(p).toString())).toList();
    }
    byte[] buf = new byte[64 * 1024];
    for (Path f : files) {
      String rel = runDir.relativize(f).toString();
      if (rel.startsWith(".genrtl/") || rel.startsWith("obj_dir/") || rel.equals("sim.vvp")) continue;
      MessageDigest one = sha256();
      try (InputStream in = Files.newInputStream(f)) {
        int n;
        while ((n = in.read(buf)) >= 0) one.update(buf, 0, n);
      }
      sha.update((rel + "\0" + HexFormat.of().formatHex(one.digest()) + "\0").getBytes(StandardCharsets.UTF_8));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  Optional<Entry> find(String key) {
    Path e = dir.resolve(key);
    Path exe = e.resolve(EXE);
    if (!Files.isRegularFile(exe)) return Optional.empty();
    try {
      String log = Files.readString(e.resolve(LOG_FILE), StandardCharsets.UTF_8);
      Files.setLastModifiedTime(e, FileTime.fromMillis(System.currentTimeMillis()));
      return Optional.of(new Entry(exe, log));
    } catch (IOException ex) {
      return Optional.empty();
    }
  }

  void put(String key, Path executable, String compileOutput) {
    try {
      Files.createDirectories(dir);
      Path target = dir.resolve(key);
      if (Files.exists(target)) return;
      Path tmp = dir.resolve("tmp-" + UUID.randomUUID());
      Files.createDirectories(tmp);
      Files.copy(executable, tmp.resolve(EXE), StandardCopyOption.COPY_ATTRIBUTES);
      Files.writeString(tmp.resolve(LOG_FILE), compileOutput, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        deleteTree(tmp); // another run stored the same build first
      } catch (AtomicMoveNotSupportedException e) {
        deleteTree(tmp);
        return;
      }
      evict();
    } catch (IOException e) {
      LOG.warning("could not store a Verilator build in the cache: " + e);
    }
  }

  /** Deletes the least recently used entries until the cache is within its bound. */
  synchronized void evict() throws IOException {
    List<Path> entries = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("tmp-")).forEach(entries::add);
    }
    long total = 0;
    List<long[]> meta = new ArrayList<>();
    for (Path e : entries) {
      long size = size(e);
      total += size;
      meta.add(new long[] {Files.getLastModifiedTime(e).toMillis(), size});
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) order.add(i);
    order.sort(Comparator.comparingLong(i -> meta.get(i)[0]));
    for (int i : order) {
      if (total <= maxBytes) break;
      deleteTree(entries.get(i));
      total -= meta.get(i)[1];
    }
  }

  long totalBytes() throws IOException {
    if (!Files.isDirectory(dir)) return 0;
    return size(dir);
  }

  private static long size(Path p) throws IOException {
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).mapToLong(f -> {
        try {
          return Files.size(f);
        } catch (IOException e) {
          return 0;
        }
      }).sum();
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException | UncheckedIOException ignored) {
      // best effort
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
