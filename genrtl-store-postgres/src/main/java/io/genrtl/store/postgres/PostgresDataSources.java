package io.genrtl.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/** A pooled PostgreSQL data source. Any correctly configured {@code DataSource} works as well. */
public final class PostgresDataSources {
  public static final int DEFAULT_POOL_SIZE = 10;

  private PostgresDataSources() {}

  /**
   * A pool on {@code jdbcUrl}; {@code user} and {@code password} may be null when the URL carries them.
   * {@code schema} (nullable) becomes every connection's search path.
   */
  public static HikariDataSource create(String jdbcUrl, String user, String password, String schema, int poolSize) {
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) throw new IllegalArgumentException("not a PostgreSQL JDBC URL");
    HikariConfig h = new HikariConfig();
    h.setPoolName("genrtl-postgres");
    h.setJdbcUrl(jdbcUrl);
    if (user != null) h.setUsername(user);
    if (password != null) h.setPassword(password);
    if (schema != null) h.setSchema(schema);
    h.setMaximumPoolSize(poolSize);
    h.setConnectionTimeout(10_000);
    h.setInitializationFailTimeout(10_000);
    return new HikariDataSource(h);
  }
}
