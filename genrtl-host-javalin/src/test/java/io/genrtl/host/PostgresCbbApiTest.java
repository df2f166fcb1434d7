package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.port.Stores;
import io.genrtl.core.testing.PgTestSupport;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;

class PostgresCbbApiTest extends CbbApiTest {
  private String url;
  private String schema;
  private HikariDataSource ds;

  @Override
  protected Stores openStores() {
    url = PgTestSupport.urlOrSkip();
    schema = PgTestSupport.createSchema(url);
    ds = PostgresDataSources.create(url, null, null, schema, 8);
    return PostgresStores.create(ds);
  }

  @Override
  protected void closeStores() {
    if (ds != null) ds.close();
    if (schema != null) PgTestSupport.dropSchema(url, schema);
  }
}
