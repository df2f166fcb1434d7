package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.store.postgres.PgTestDatabase;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

class PostgresAlertWebhooksTest extends AlertWebhooksTest {
  private PgTestDatabase db;
  private final List<HikariDataSource> others = new CopyOnWriteArrayList<>();

  @Override
  protected Stores openStores() {
    db = PgTestDatabase.open(8);
    return db.stores();
  }

  @Override
  protected Stores openAnotherHost() {
    HikariDataSource ds = PostgresDataSources.create(db.url(), null, null, db.schema(), 4);
    others.add(ds);
    return PostgresStores.create(ds);
  }

  @Override
  protected void closeStores() {
    others.forEach(HikariDataSource::close);
    if (db != null) db.close();
  }
}
