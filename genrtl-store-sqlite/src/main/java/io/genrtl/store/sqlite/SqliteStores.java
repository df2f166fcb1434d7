package io.genrtl.store.sqlite;

import io.genrtl.core.Stores;
import io.genrtl.store.jdbc.JdbcStores;
import io.genrtl.store.jdbc.Migrations;
import javax.sql.DataSource;

/** genRTL's stores on SQLite. Build the data source with {@link SqliteDataSources}; it stays yours to close. */
public final class SqliteStores {
  private SqliteStores() {}

  /** Checks the data source's settings, migrates the schema, and returns the stores. */
  public static Stores create(DataSource dataSource) {
    return JdbcStores.create(dataSource, SqliteDialect.INSTANCE);
  }

  /** Migrates the schema to the latest version; returns the number of migrations applied. */
  public static int migrate(DataSource dataSource) {
    SqliteDialect.INSTANCE.checkDataSource(dataSource);
    return Migrations.migrate(dataSource, SqliteDialect.INSTANCE);
  }

  /** Where this dialect's migrations live on the classpath. */
  public static String migrationsLocation() {
    return SqliteDialect.INSTANCE.migrationsLocation();
  }
}
