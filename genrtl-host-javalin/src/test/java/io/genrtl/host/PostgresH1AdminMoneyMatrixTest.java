package io.genrtl.host;

import io.genrtl.core.Stores;
import io.genrtl.store.postgres.PgTestDatabase;

class PostgresH1AdminMoneyMatrixTest extends H1AdminMoneyMatrixTest {
  private PgTestDatabase db;

  @Override
  protected Stores openStores() {
    db = PgTestDatabase.open(8);
    return db.stores();
  }

  @Override
  protected void closeStores() {
    if (db != null) db.close();
  }
}
