package io.genrtl.store.sqlite;

import io.genrtl.store.jdbc.Dialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

final class SqliteDialect implements Dialect {
  static final SqliteDialect INSTANCE = new SqliteDialect();

  @Override
  public String name() {
    return "sqlite";
  }

  @Override
  public String migrationsLocation() {
    return "classpath:db/genrtl/sqlite";
  }

  @Override
  public String skipLocked() {
    return ""; // SQLite has one writer at a time: the claiming UPDATE is already exclusive
  }

  @Override
  public boolean groupCommit() {
    return true;
  }

  @Override
  public String least() {
    return "MIN";
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    if (e instanceof SQLiteException s) {
      SQLiteErrorCode c = s.getResultCode();
      return c == SQLiteErrorCode.SQLITE_BUSY || c == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT
          || c == SQLiteErrorCode.SQLITE_BUSY_RECOVERY || c == SQLiteErrorCode.SQLITE_BUSY_TIMEOUT;
    }
    return false;
  }

  @Override
  public boolean isUniqueViolation(SQLException e) {
    if (e instanceof SQLiteException s) {
      SQLiteErrorCode c = s.getResultCode();
      return c == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE || c == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY;
    }
    return false;
  }

  @Override
  public void checkDataSource(DataSource ds) {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      String journal = pragma(st, "journal_mode");
      String sync = pragma(st, "synchronous");
      String fk = pragma(st, "foreign_keys");
      StringBuilder wrong = new StringBuilder();
      if (!"wal".equals(journal.toLowerCase(Locale.ROOT))) wrong.append(" journal_mode=").append(journal).append(" (need wal);");
      if (!"2".equals(sync) && !"3".equals(sync)) wrong.append(" synchronous=").append(sync).append(" (need FULL);");
      if (!"1".equals(fk)) wrong.append(" foreign_keys=").append(fk).append(" (need on);");
      if (c.isWrapperFor(SQLiteConnection.class)) {
        SQLiteConfig.TransactionMode mode = c.unwrap(SQLiteConnection.class).getConnectionConfig().getTransactionMode();
        if (mode != SQLiteConfig.TransactionMode.IMMEDIATE) wrong.append(" transaction_mode=").append(mode).append(" (need IMMEDIATE);");
      }
      if (wrong.length() > 0) {
        throw new IllegalArgumentException("SQLite data source is not configured for genRTL:" + wrong
            + " build it with SqliteDataSources.file(path)");
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("cannot open the SQLite data source: " + e.getMessage(), e);
    }
  }

  private static String pragma(Statement st, String name) throws SQLException {
    try (ResultSet rs = st.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getString(1) : "";
    }
  }
}
