package io.genrtl.store.jdbc;

import java.io.IOException;
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
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Runs genRTL's Flyway migrations. The history table is {@value #HISTORY_TABLE}, so an embedding application's own
 * Flyway history ({@code flyway_schema_history}) is never touched.
 */
public final class Migrations {
  public static final String HISTORY_TABLE = "genrtl_schema_history";

  private Migrations() {}

  /** Migrates the data source's current schema to the latest version; returns the number of migrations applied. */
  public static int migrate(DataSource dataSource, Dialect dialect) {
    MigrateResult r = Flyway.configure(Migrations.class.getClassLoader())
        .dataSource(dataSource)
        .locations(dialect.migrationsLocation())
        .table(HISTORY_TABLE)
        .baselineOnMigrate(false)
        .validateMigrationNaming(true)
        .load()
        .migrate();
    return r.migrationsExecuted;
  }

  /**
   * The migration file names under a classpath location ({@code classpath:} prefix optional), sorted, whether the
   * location is a directory or inside a jar. Used by tests that compare the dialects' versions.
   */
  public static List<String> list(ClassLoader loader, String location) {
    String path = location.startsWith("classpath:") ? location.substring("classpath:".length()) : location;
    List<String> names = new ArrayList<>();
    try {
      Enumeration<URL> urls = loader.getResources(path);
      for (URL url : Collections.list(urls)) {
        URI uri = url.toURI();
        if ("jar".equals(uri.getScheme())) {
          FileSystem fs;
          try {
            fs = FileSystems.newFileSystem(uri, Map.of());
          } catch (FileSystemAlreadyExistsException e) {
            fs = FileSystems.getFileSystem(uri);
          }
          collect(fs.getPath(path), names);
        } else {
          collect(Path.of(uri), names);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Collections.sort(names);
    return names;
  }

  private static void collect(Path dir, List<String> names) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).forEach(names::add);
    }
  }
}
