package io.genrtl.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.Stores;
import io.genrtl.core.testing.PgTestSupport;

/**
 * A fresh PostgreSQL schema with a pool on it and migrated stores, dropped again on close. Skips the calling test when
 * no server is configured (see {@link PgTestSupport}).
 */
public final class PgTestDatabase implements AutoCloseable {
  private final String url;
  private final String schema;
  private final HikariDataSource dataSource;
  private final Stores stores;

  private PgTestDatabase(int poolSize) {
    this.url = PgTestSupport.urlOrSkip();
    this.schema = PgTestSupport.createSchema(url);
    this.dataSource = PostgresDataSources.create(url, null, null, schema, poolSize);
    this.stores = PostgresStores.create(dataSource);
  }

  public static PgTestDatabase open(int poolSize) {
    return new PgTestDatabase(poolSize);
  }

  public Stores stores() {
    return stores;
  }

  public String url() {
    return url;
  }

  public String schema() {
    return schema;
  }

  public HikariDataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    dataSource.close();
    PgTestSupport.dropSchema(url, schema);
  }
}
