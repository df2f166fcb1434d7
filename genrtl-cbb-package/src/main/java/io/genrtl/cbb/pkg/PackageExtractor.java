package io.genrtl.cbb.pkg;

import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a CBB package into a directory, for the server's own use (the ToolRunner's {@code vendor/cbb/<id>/<version>/}).
 * The archive is first inspected in full by {@link ArchiveInspector} with the given limits (so only a package the
 * registry would accept is ever unpacked), then read a second time by the same strict readers, writing each file
 * under {@code dest} with the entry name the inspection accepted. Only regular files and directories are written;
 * a path that would leave {@code dest} is impossible by the path rules and checked again anyway. Files are written
 * with {@code CREATE_NEW}: an archive cannot overwrite anything, even an earlier entry of its own.
 */
public final class PackageExtractor {
  private PackageExtractor() {}

  /**
   * Inspects {@code archive} and unpacks it under {@code dest} (created if needed; must be empty or absent).
   *
   * @return the inspected package (manifest, sha256, counts)
   * @throws io.genrtl.core.base.GenRtlException {@code invalid_package} when the inspection refuses it
   */
  public static CbbPackage extract(Path archive, Path dest, PackageLimits limits) {
    Objects.requireNonNull(dest, "dest");
    CbbPackage pkg = new ArchiveInspector().inspect(archive, limits);
    Path root = dest.toAbsolutePath().normalize();
    try {
      Files.createDirectories(root);
      EntryVisitor writer = new EntryVisitor() {
        @Override
        public Accepted entry(String rawName, Kind kind, long declaredSize) {
          PathRules.Name n = PathRules.entryName(rawName, kind == Kind.DIR);
          if (n == null) return Accepted.ROOT;
          if (kind != Kind.FILE && kind != Kind.DIR) throw new IllegalStateException("inspected archive changed");
          if (n.dir()) {
            mkdirs(target(root, n.path()));
            return new Accepted(n.path(), false);
          }
          return new Accepted(n.path(), true);
        }

        @Override
        public void retained(String path, byte[] data) {
          Path t = target(root, path);
          try {
            mkdirs(t.getParent());
            Files.write(t, data, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + t, e);
          }
        }
      };
      Budget budget = new Budget(limits, pkg.sizeBytes());
      if (pkg.format() == CbbPackage.Format.ZIP) {
        try (FileChannel ch = FileChannel.open(archive, StandardOpenOption.READ)) {
          new ZipReader(ch).read(budget, writer);
        }
      } else {
        try (InputStream file = Files.newInputStream(archive);
            InputStream gz = GzipCompressorInputStream.builder()
                .setInputStream(new BufferedInputStream(file, 64 * 1024)).setDecompressConcatenated(true).get()) {
          new TarReader(gz, budget).read(writer);
        }
      }
      return pkg;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack " + archive, e);
    }
  }

  private static Path target(Path root, String path) {
    Path t = root.resolve(path).normalize();
    if (!t.startsWith(root) || t.equals(root)) throw new IllegalStateException("entry outside the destination: " + path);
    return t;
  }

  private static void mkdirs(Path dir) {
    try {
      if (Files.isSymbolicLink(dir)) throw new IOException("refusing to write through a symbolic link: " + dir);
      Files.createDirectories(dir);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IOException("not a directory: " + dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
