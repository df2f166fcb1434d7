package io.genrtl.store.sqlite;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.AuthContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

class SqliteAuthContractTest extends AuthContractTest {
  private HikariDataSource ds;

  @Override
  protected Stores createStores() {
    try {
      Path dir = Files.createTempDirectory("genrtl-sqlite-auth");
      ds = SqliteDataSources.file(dir.resolve("genrtl.db"));
      return SqliteStores.create(ds);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void closeStores(Stores stores) {
    ds.close();
  }
}
