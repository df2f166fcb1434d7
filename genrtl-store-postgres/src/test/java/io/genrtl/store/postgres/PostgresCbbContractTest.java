package io.genrtl.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.port.Stores;
import io.genrtl.core.testing.PgTestSupport;
import io.genrtl.core.testing.CbbContractTest;

class PostgresCbbContractTest extends CbbContractTest {
  private String url;
  private String schema;
  private HikariDataSource ds;

  @Override
  protected Stores createStores() {
    url = PgTestSupport.urlOrSkip();
    schema = PgTestSupport.createSchema(url);
    ds = PostgresDataSources.create(url, null, null, schema, 16);
    return PostgresStores.create(ds);
  }

  @Override
  protected void closeStores(Stores stores) {
    if (ds != null) ds.close();
    if (schema != null) PgTestSupport.dropSchema(url, schema);
  }
}
