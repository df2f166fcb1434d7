package io.genrtl.cbb.pkg;

import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Builds reproducible CBB archives from a package directory (the {@code catalog/<id>/} layout): the same files
 * give the same bytes, and so the same SHA-256, on every machine. Entries are sorted by path, directories
 * included; times are fixed to 2000-01-01T00:00:00Z; modes are 0644 for files, 0755 for {@code *.sh} and
 * directories; uid/gid 0 without owner names; the gzip header has no name or time. Dotfiles and dot-directories
 * and directories named {@code build} or {@code obj_dir} (simulator output) are left out; a symbolic link or a
 * special file in the directory is refused. Every archive is inspected with {@link PackageLimits#DEFAULTS}
 * before it replaces {@code outFile}, so the builder never produces a package the inspector would refuse.
 */
public final class PackageBuilder {
  private static final List<String> IGNORED_DIRS = List.of("build", "obj_dir");

  private PackageBuilder() {}

  /**
   * Builds {@code outFile} from {@code packageDir} and returns it.
   *
   * @throws io.genrtl.core.base.GenRtlException {@code INVALID_PACKAGE} when the directory holds a link or special file,
   *     or when the result fails inspection (same reasons as {@link ArchiveInspector})
   */
  public static Path build(Path packageDir, Path outFile, CbbPackage.Format format) {
    buildInspected(packageDir, outFile, format);
    return outFile;
  }

  /**
   * Builds {@code <id>-<version>.tar.gz} in {@code outDir} for every sub-directory of {@code catalogDir} that holds
   * a {@code manifest.json}. Returns the archives by package id, in id order.
   */
  public static Map<String, Path> buildCatalog(Path catalogDir, Path outDir) {
    Objects.requireNonNull(catalogDir, "catalogDir");
    Objects.requireNonNull(outDir, "outDir");
    Map<String, Path> built = new TreeMap<>();
    try {
      Files.createDirectories(outDir);
      List<Path> dirs = new ArrayList<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(catalogDir)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          if (!name.startsWith(".") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)
              && Files.isRegularFile(p.resolve("manifest.json"), LinkOption.NOFOLLOW_LINKS)) {
            dirs.add(p);
          }
        }
      }
      dirs.sort(Comparator.comparing(p -> p.getFileName().toString()));
      for (Path dir : dirs) {
        Path tmp = Files.createTempFile(outDir, ".cbb-", ".tar.gz");
        try {
          CbbPackage pkg = buildInspected(dir, tmp, CbbPackage.Format.TAR_GZ);
          String id = pkg.manifest().id();
          if (built.containsKey(id)) {
            throw new IllegalArgumentException("two catalog directories hold package id '" + id + "': " + dir);
          }
          Path target = outDir.resolve(id + "-" + pkg.manifest().version() + ".tar.gz");
          move(tmp, target);
          built.put(id, target);
        } finally {
          Files.deleteIfExists(tmp);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Collections.unmodifiableMap(built);
  }

  static CbbPackage buildInspected(Path packageDir, Path outFile, CbbPackage.Format format) {
    Objects.requireNonNull(packageDir, "packageDir");
    Objects.requireNonNull(outFile, "outFile");
    Objects.requireNonNull(format, "format");
    Path dir = packageDir.toAbsolutePath().normalize();
    Path out = outFile.toAbsolutePath().normalize();
    if (out.startsWith(dir)) throw new IllegalArgumentException("the archive must not be written inside " + packageDir);
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) throw new IllegalArgumentException(packageDir + " is not a directory");
      List<ArchiveWriter.Item> items = new ArrayList<>();
      collect(dir, "", items);
      items.sort(Comparator.comparing(ArchiveWriter.Item::entryName));
      Path parent = out.getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, ".cbb-", ".tmp");
      try {
        if (format == CbbPackage.Format.ZIP) {
          ArchiveWriter.writeZip(items, tmp);
        } else {
          ArchiveWriter.writeTarGz(items, tmp);
        }
        CbbPackage pkg = new ArchiveInspector().inspect(tmp, PackageLimits.DEFAULTS);
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        }
        move(tmp, out);
        return pkg;
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void collect(Path dir, String prefix, List<ArchiveWriter.Item> items) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path child : ds) {
        String name = child.getFileName().toString();
        if (name.startsWith(".")) continue;
        String rel = prefix.isEmpty() ? name : prefix + "/" + name;
        String problem = PathRules.problem(rel, false);
        if (problem != null) throw Reasons.reject(problem, rel, PathRules.describe(problem, rel));
        BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink()) {
          throw Reasons.reject(Reasons.LINK, rel, "'" + Reasons.printable(rel) + "' is a symbolic link; packages hold"
              + " only files and directories");
        } else if (a.isDirectory()) {
          if (IGNORED_DIRS.contains(name)) continue;
          items.add(new ArchiveWriter.Item(rel, child, true, false));
          collect(child, rel, items);
        } else if (a.isRegularFile()) {
          items.add(new ArchiveWriter.Item(rel, child, false, name.endsWith(".sh")));
        } else {
          throw Reasons.reject(Reasons.SPECIAL_FILE, rel, "'" + Reasons.printable(rel) + "' is not a regular file or"
              + " directory");
        }
      }
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
