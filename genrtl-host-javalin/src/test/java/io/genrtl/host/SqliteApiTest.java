package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteApiTest extends ApiContractTest {
  @TempDir Path dir;
  private HikariDataSource ds;

  @Override
  protected Stores openStores() {
    ds = SqliteDataSources.file(dir.resolve("genrtl.db"));
    return SqliteStores.create(ds);
  }

  @Override
  protected void closeStores() {
    ds.close();
  }
}
