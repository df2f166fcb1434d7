package io.genrtl.store.postgres;

import io.genrtl.store.jdbc.Dialect;
import java.sql.SQLException;

final class PostgresDialect implements Dialect {
  static final PostgresDialect INSTANCE = new PostgresDialect();

  @Override
  public String name() {
    return "postgres";
  }

  @Override
  public String migrationsLocation() {
    return "classpath:db/genrtl/postgres";
  }

  @Override
  public String relaxedCommit() {
    return "SET LOCAL synchronous_commit = off";
  }

  @Override
  public String boundLockWait(long millis) {
    return "SET LOCAL lock_timeout = '" + Math.max(1, millis) + "ms'";
  }

  @Override
  public String unboundLockWait() {
    return "SET LOCAL lock_timeout TO DEFAULT";
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState());
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }
}
