package io.genrtl.store.postgres;

import io.genrtl.core.Stores;
import io.genrtl.store.jdbc.JdbcStores;
import io.genrtl.store.jdbc.Migrations;
import javax.sql.DataSource;

/** genRTL's stores on PostgreSQL, in the data source's current schema. The data source stays yours to close. */
public final class PostgresStores {
  private PostgresStores() {}

  /** Migrates the schema and returns the stores. */
  public static Stores create(DataSource dataSource) {
    return JdbcStores.create(dataSource, PostgresDialect.INSTANCE);
  }

  /** Migrates the schema to the latest version; returns the number of migrations applied. */
  public static int migrate(DataSource dataSource) {
    return Migrations.migrate(dataSource, PostgresDialect.INSTANCE);
  }

  /** Where this dialect's migrations live on the classpath. */
  public static String migrationsLocation() {
    return PostgresDialect.INSTANCE.migrationsLocation();
  }
}
