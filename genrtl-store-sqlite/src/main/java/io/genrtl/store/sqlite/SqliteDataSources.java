package io.genrtl.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Data sources configured the way genRTL needs SQLite: WAL journal, {@code synchronous=FULL} (an acknowledged
 * charge survives a power loss), foreign keys on, a 30 s busy timeout, and IMMEDIATE transactions (a transaction
 * takes the write lock at BEGIN, so two writers never deadlock upgrading a read lock). The pool is small: SQLite
 * has one writer at a time, and extra connections only add lock contention. The stores built on it commit concurrent
 * transactions together (group commit, see docs/durability.md): one connection writes, the others read.
 */
public final class SqliteDataSources {
  public static final int DEFAULT_POOL_SIZE = 4;
  public static final int BUSY_TIMEOUT_MS = 30_000;

  private SqliteDataSources() {}

  /** A pooled data source on the database file {@code file} (created with its parent directory if missing). */
  public static HikariDataSource file(Path file) {
    return file(file, DEFAULT_POOL_SIZE);
  }

  public static HikariDataSource file(Path file, int poolSize) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the directory of " + file, e);
    }
    return url("jdbc:sqlite:" + file.toAbsolutePath(), poolSize);
  }

  /** A pooled data source on a {@code jdbc:sqlite:} URL, with genRTL's required settings applied. */
  public static HikariDataSource url(String jdbcUrl, int poolSize) {
    if (!jdbcUrl.startsWith("jdbc:sqlite:")) throw new IllegalArgumentException("not a SQLite JDBC URL");
    if (poolSize < 1) throw new IllegalArgumentException("poolSize must be at least 1");
    SQLiteConfig cfg = new SQLiteConfig();
    cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
    cfg.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    cfg.enforceForeignKeys(true);
    cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
    cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
    SQLiteDataSource sqlite = new SQLiteDataSource(cfg);
    sqlite.setUrl(jdbcUrl);

    HikariConfig h = new HikariConfig();
    h.setPoolName("genrtl-sqlite");
    h.setDataSource(sqlite);
    h.setMaximumPoolSize(poolSize);
    h.setMinimumIdle(1);
    h.setConnectionTimeout(BUSY_TIMEOUT_MS);
    return new HikariDataSource(h);
  }
}
