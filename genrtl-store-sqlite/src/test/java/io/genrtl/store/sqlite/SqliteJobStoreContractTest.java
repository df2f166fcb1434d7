package io.genrtl.store.sqlite;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.JobStoreContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

class SqliteJobStoreContractTest extends JobStoreContractTest {
  private Path file;
  private HikariDataSource ds;
  private HikariDataSource second;

  @Override
  protected Stores createStores() {
    try {
      file = Files.createTempDirectory("genrtl-sqlite-jobs").resolve("genrtl.db");
      ds = SqliteDataSources.file(file);
      return SqliteStores.create(ds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A second process on the same file: its own pool. */
  @Override
  protected Stores secondHost() {
    second = SqliteDataSources.file(file);
    return SqliteStores.create(second);
  }

  @Override
  protected void closeStores(Stores stores) {
    if (second != null) second.close();
    ds.close();
  }
}
