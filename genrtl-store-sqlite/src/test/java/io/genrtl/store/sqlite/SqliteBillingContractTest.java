package io.genrtl.store.sqlite;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.BillingContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

class SqliteBillingContractTest extends BillingContractTest {
  private HikariDataSource ds;

  @Override
  protected Stores createStores() {
    try {
      ds = SqliteDataSources.file(Files.createTempDirectory("genrtl-sqlite-billing").resolve("genrtl.db"));
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
