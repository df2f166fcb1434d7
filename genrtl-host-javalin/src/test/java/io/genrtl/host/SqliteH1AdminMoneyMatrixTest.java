package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;

class SqliteH1AdminMoneyMatrixTest extends H1AdminMoneyMatrixTest {
  private HikariDataSource ds;

  @Override
  protected Stores openStores() {
    ds = SqliteDataSources.file(tmp.resolve("genrtl.db"));
    return SqliteStores.create(ds);
  }

  @Override
  protected void closeStores() {
    if (ds != null) ds.close();
  }
}
