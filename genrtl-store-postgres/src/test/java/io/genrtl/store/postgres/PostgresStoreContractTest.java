package io.genrtl.store.postgres;

import io.genrtl.core.Stores;
import io.genrtl.core.testing.StoreContractTest;

class PostgresStoreContractTest extends StoreContractTest {
  private PgTestDatabase db;

  @Override
  protected Stores createStores() {
    db = PgTestDatabase.open(16);
    return db.stores();
  }

  @Override
  protected void closeStores(Stores stores) {
    if (db != null) db.close();
  }
}
