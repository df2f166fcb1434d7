package io.genrtl.host;

import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.GenRtl;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbService;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed CBB catalog shipped inside the jar (the sources under {@code catalog/} at build time): packaged
 * reproducibly and published on start. Publishing the same bytes again is a no-op, so every start is idempotent.
 */
final class SeedCatalog {
  private static final Logger LOG = LoggerFactory.getLogger(SeedCatalog.class);
  static final String RESOURCE_ROOT = "seed-catalog";

  private SeedCatalog() {}

  /** Publishes every seed package; returns the ids@versions newly published. */
  static List<String> publish(GenRtl genrtl) {
    List<String> created = new ArrayList<>();
    Path work = null;
    try {
      work = Files.createTempDirectory("genrtl-seed-");
      Path src = extract(work.resolve("src"));
      if (src == null) {
        LOG.warn("no seed catalog in this build");
        return created;
      }
      Map<String, Path> built = PackageBuilder.buildCatalog(src, Files.createDirectories(work.resolve("out")));
      for (Map.Entry<String, Path> e : built.entrySet()) {
        try {
          CbbService.Published p = genrtl.cbbs().publish(e.getValue(), "seed");
          if (p.created()) created.add(p.version().cbbId() + "@" + p.version().version());
        } catch (GenRtlException ex) {
          LOG.warn("seed package {} not published: {}", e.getKey(), ex.getMessage());
        }
      }
      if (!created.isEmpty()) LOG.info("published {} seed CBB packages: {}", created.size(), created);
      return created;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the seed catalog", e);
    } finally {
      if (work != null) Trees.delete(work);
    }
  }

  /** Copies the catalog resources (from a directory or from inside the jar) to {@code dest}. */
  static Path extract(Path dest) throws IOException {
    URL url = SeedCatalog.class.getClassLoader().getResource(RESOURCE_ROOT);
    if (url == null) return null;
    try {
      URI uri = url.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        copyTree(fs.getPath(RESOURCE_ROOT), dest);
      } else {
        copyTree(Path.of(uri), dest);
      }
      return dest;
    } catch (URISyntaxException e) {
      throw new IOException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path rel = from.relativize(p);
        Path target = to.resolve(rel.toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          try (InputStream in = Files.newInputStream(p)) {
            Files.copy(in, target);
          }
        }
      }
    }
  }
}
