package io.genrtl.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.JobStoreContractTest;

class PostgresJobStoreContractTest extends JobStoreContractTest {
  private PgTestDatabase db;
  private HikariDataSource second;

  @Override
  protected Stores createStores() {
    db = PgTestDatabase.open(8);
    return db.stores();
  }

  /** A second host: its own pool on the same schema. */
  @Override
  protected Stores secondHost() {
    second = PostgresDataSources.create(db.url(), null, null, db.schema(), 8);
    return PostgresStores.create(second);
  }

  @Override
  protected void closeStores(Stores stores) {
    if (second != null) second.close();
    if (db != null) db.close();
  }
}
