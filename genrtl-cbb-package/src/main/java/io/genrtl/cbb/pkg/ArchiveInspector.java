package io.genrtl.cbb.pkg;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbManifest;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageInspector;
import io.genrtl.core.cbb.PackageLimits;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Inspects a CBB archive in place: the format comes from the first bytes ({@code PK\3\4}: zip; {@code 1f 8b}:
 * tar.gz), entries are streamed and counted against the {@link PackageLimits} as they are decompressed, and only
 * {@code manifest.json} and the filelists (each at most 256 KiB) are kept in memory. Nothing is ever written.
 * Thread-safe and stateless. See {@code docs/cbb-packages.md} for every rule and refusal reason.
 *
 * <p>Refusals throw {@link GenRtlException} with {@link io.genrtl.core.base.ErrorCode#INVALID_PACKAGE} and details
 * {@code reason} and, when one entry is to blame, {@code entry} (plus {@code field} for {@code manifest_invalid}).
 * An I/O error reading the file itself is an {@link UncheckedIOException}.
 */
public final class ArchiveInspector implements PackageInspector {
  /** Largest manifest.json or filelist kept in memory. */
  static final int MAX_TEXT_BYTES = 256 * 1024;
  /** The largest source file the publish-time pre-scan reads. */
  static final int MAX_SOURCE_BYTES = 8 << 20;
  /** Filelist candidates ({@code *.f}) kept while streaming, in total; others are read again after. */
  private static final long MAX_RETAINED_BYTES = 4L << 20;

  private final LongConsumer unpackedObserver;

  public ArchiveInspector() {
    this(n -> {});
  }

  /** For tests: told how many unpacked bytes one inspection read, whether it passed or not. */
  ArchiveInspector(LongConsumer unpackedObserver) {
    this.unpackedObserver = Objects.requireNonNull(unpackedObserver);
  }

  @Override
  public CbbPackage inspect(Path archive, PackageLimits limits) {
    Objects.requireNonNull(archive, "archive");
    Objects.requireNonNull(limits, "limits");
    try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ)) {
      long size = ch.size();
      java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(4);
      while (head.hasRemaining() && ch.read(head, head.position()) >= 0) {
        // at most four bytes; fewer for a tiny file
      }
      byte[] magic = head.array();
      int got = head.position();
      Budget budget = new Budget(limits, size);
      Collector collector = new Collector(budget);
      try {
        if (got >= 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4) {
          return inspectZip(ch, size, budget, collector);
        }
        if (got >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
          return inspectTarGz(archive, size, budget, collector);
        }
        throw Reasons.reject(Reasons.NOT_AN_ARCHIVE, null, "not a zip or tar.gz archive (unknown leading bytes)");
      } finally {
        unpackedObserver.accept(budget.unpacked());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + archive, e);
    }
  }

  private CbbPackage inspectZip(FileChannel ch, long size, Budget budget, Collector collector) throws IOException {
    ZipReader reader = new ZipReader(ch);
    reader.read(budget, collector);
    CbbManifest manifest = finish(collector, path -> {
      try {
        return reader.reread(path, new Budget(budget.limits(), size));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    MessageDigest sha = sha256();
    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(64 * 1024);
    long pos = 0;
    while (pos < size) {
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) break;
      sha.update(buf.array(), 0, n);
      pos += n;
    }
    return new CbbPackage(manifest, HexFormat.of().formatHex(sha.digest()), size, CbbPackage.Format.ZIP,
        budget.entries(), budget.unpacked());
  }

  private CbbPackage inspectTarGz(Path archive, long size, Budget budget, Collector collector) throws IOException {
    MessageDigest sha = sha256();
    try (SourceStream file = new SourceStream(Files.newInputStream(archive), sha)) {
      try {
        InputStream gz = GzipCompressorInputStream.builder()
            .setInputStream(new BufferedInputStream(file, 64 * 1024)).setDecompressConcatenated(true).get();
        new TarReader(gz, budget).read(collector);
      } catch (IOException e) {
        throw Reasons.reject(Reasons.NOT_AN_ARCHIVE, null, "not a valid tar.gz archive: " + describe(e), e);
      }
      file.drain(); // the gzip reader reads to the end of the file; hash anything it did not
    }
    CbbManifest manifest = finish(collector, path -> rereadTar(archive, path, budget.limits(), size));
    return new CbbPackage(manifest, HexFormat.of().formatHex(sha.digest()), size, CbbPackage.Format.TAR_GZ,
        budget.entries(), budget.unpacked());
  }

  /** A second pass over a tar.gz for one file that was not kept in the first (already validated) pass. */
  private static byte[] rereadTar(Path archive, String wanted, PackageLimits limits, long size) {
    Map<String, byte[]> found = new HashMap<>();
    EntryVisitor picker = new EntryVisitor() {
      @Override
      public Accepted entry(String rawName, Kind kind, long declaredSize) {
        PathRules.Name n = PathRules.entryName(rawName, kind == Kind.DIR);
        if (n == null) return Accepted.ROOT;
        return new Accepted(n.path(), !n.dir() && n.path().equals(wanted) && declaredSize <= MAX_TEXT_BYTES);
      }

      @Override
      public void retained(String path, byte[] data) {
        found.put(path, data);
      }
    };
    try (InputStream file = new SourceStream(Files.newInputStream(archive), null);
        InputStream gz = GzipCompressorInputStream.builder()
            .setInputStream(new BufferedInputStream(file, 64 * 1024)).setDecompressConcatenated(true).get()) {
      new TarReader(gz, new Budget(limits, size)).read(picker);
    } catch (IOException e) {
      throw Reasons.reject(Reasons.NOT_AN_ARCHIVE, null, "not a valid tar.gz archive: " + e.getMessage(), e);
    }
    return found.get(wanted);
  }

  private static String describe(IOException e) {
    if (e instanceof java.io.EOFException) return "the gzip stream is truncated";
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Layout, manifest and filelists, once every entry has been seen. */
  private static CbbManifest finish(Collector collector, Filelists.Source reread) {
    collector.layout.requireLayout();
    if (!collector.unscanned.isEmpty()) {
      String p = collector.unscanned.get(0);
      throw Reasons.reject(Reasons.TOO_LARGE, p, "source '" + Reasons.printable(p) + "' is larger than " + MAX_SOURCE_BYTES
          + " bytes, the most the pre-scan of tool runs reads");
    }
    CbbManifest manifest = ManifestValidator.validate(collector.retained.get("manifest.json"));
    Filelists.Source source = path -> {
      if (!collector.layout.isFile(path)) {
        throw Reasons.reject(Reasons.MISSING_FILE, path, "'" + Reasons.printable(path) + "' is not in the package");
      }
      long size = collector.sizes.getOrDefault(path, -1L);
      if (size > MAX_TEXT_BYTES) {
        throw Reasons.reject(Reasons.TOO_LARGE, path, "filelist '" + Reasons.printable(path) + "' is larger than "
            + MAX_TEXT_BYTES + " bytes");
      }
      byte[] data = collector.retained.get(path);
      return data != null ? data : Objects.requireNonNull(reread.read(path), path);
    };
    String[][] lists = {{"filelist_rtl", manifest.entrypoints().filelistRtl()},
        {"filelist_tb", manifest.entrypoints().filelistTb()}};
    for (String[] list : lists) {
      if (!collector.layout.isFile(list[1])) {
        throw Reasons.reject(Reasons.MISSING_FILE, list[1], "manifest.json entrypoints." + list[0] + " names '"
            + Reasons.printable(list[1]) + "', which is not a file of the package");
      }
      Filelists.check(list[1], collector.layout, source);
    }
    return manifest;
  }

  /** The inspection's view of the entries: names, layout, and the few small files kept. */
  private static final class Collector implements EntryVisitor {
    final Budget budget;
    final Layout layout = new Layout();
    final Map<String, byte[]> retained = new HashMap<>();
    final Map<String, Long> sizes = new HashMap<>();
    /** Sources too large for the pre-scan to read. */
    final List<String> unscanned = new java.util.ArrayList<>();
    long retainedBytes;

    Collector(Budget budget) {
      this.budget = budget;
    }

    @Override
    public Accepted entry(String rawName, Kind kind, long declaredSize) {
      budget.entry(rawName);
      PathRules.Name n = PathRules.entryName(rawName, kind == Kind.DIR);
      String shown = Reasons.printable(rawName);
      switch (kind) {
        case SYMLINK:
        case HARDLINK:
          throw Reasons.reject(Reasons.LINK, rawName, "'" + shown + "' is a " + (kind == Kind.SYMLINK ? "symbolic"
              : "hard") + " link; packages hold only files and directories");
        case SPECIAL:
          throw Reasons.reject(Reasons.SPECIAL_FILE, rawName, "'" + shown + "' is a device, FIFO, socket or other"
              + " special entry; packages hold only files and directories");
        default:
          break;
      }
      if (n == null) {
        if (kind != Kind.DIR) throw Reasons.reject(Reasons.PATH_TRAVERSAL, rawName, "'" + shown + "' is not a file name");
        return Accepted.ROOT;
      }
      layout.add(n.path(), n.dir(), rawName);
      if (n.dir()) return new Accepted(n.path(), false);
      sizes.put(n.path(), declaredSize);
      if (n.path().equals("manifest.json")) {
        if (declaredSize > MAX_TEXT_BYTES) {
          throw Reasons.reject(Reasons.TOO_LARGE, rawName, "manifest.json is larger than " + MAX_TEXT_BYTES + " bytes");
        }
        return new Accepted(n.path(), true);
      }
      if (SourceScan.SOURCE_NAME.matcher(n.path()).matches()) {
        // read (and pre-scanned in retained()) but not kept: a package whose sources a run would refuse is refused now
        if (declaredSize > MAX_SOURCE_BYTES) {
          unscanned.add(n.path()); // refused in finish(), after the archive's own checks (sizes, ratios)
          return new Accepted(n.path(), false);
        }
        return new Accepted(n.path(), true);
      }
      boolean keep = n.path().endsWith(".f") && declaredSize <= MAX_TEXT_BYTES
          && retainedBytes + declaredSize <= MAX_RETAINED_BYTES;
      if (keep) retainedBytes += declaredSize;
      return new Accepted(n.path(), keep);
    }

    @Override
    public void retained(String path, byte[] data) {
      if (SourceScan.SOURCE_NAME.matcher(path).matches()) {
        String text = Utf8.decode(data);
        if (text == null) {
          throw Reasons.reject(Reasons.HOST_CODE, path, "'" + Reasons.printable(path) + "' is not valid UTF-8, so the"
              + " pre-scan of tool runs cannot read it");
        }
        List<SourceScan.Finding> f = SourceScan.scan(text);
        if (!f.isEmpty()) {
          SourceScan.Finding first = f.get(0);
          throw Reasons.reject(Reasons.HOST_CODE, path, Reasons.printable(path) + ":" + first.line() + ":" + first.column()
              + ": " + first.message() + " (every tool run with this package would be refused)");
        }
        return;
      }
      retained.put(path, data);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The archive file itself, hashed as it is read (skips are reads, so every byte is hashed once). Its I/O
   * errors are not the archive's fault: they leave as {@link UncheckedIOException} instead of reading as a
   * corrupt archive.
   */
  private static final class SourceStream extends FilterInputStream {
    private final MessageDigest digest;

    SourceStream(InputStream in, MessageDigest digest) {
      super(in);
      this.digest = digest;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      try {
        int n = in.read(b, off, len);
        if (n > 0 && digest != null) digest.update(b, off, n);
        return n;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public long skip(long n) {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) break;
        done += r;
      }
      return done;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    void drain() {
      byte[] buf = new byte[8192];
      while (read(buf, 0, buf.length) >= 0) {
        // hash the rest
      }
    }

    @Override
    public int available() {
      try {
        return in.available();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
