package io.genrtl.store.jdbc;

import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * What differs between the databases genRTL runs on. Implemented by the dialect modules
 * ({@code genrtl-store-sqlite}, {@code genrtl-store-postgres}); the SQL itself is shared.
 */
public interface Dialect {
  /** A short name: {@code sqlite} or {@code postgres}. */
  String name();

  /** Classpath location of this dialect's Flyway migrations, e.g. {@code classpath:db/genrtl/sqlite}. */
  String migrationsLocation();

  /** The SQL function returning the smaller of two values: {@code LEAST} (PostgreSQL) or {@code MIN} (SQLite). */
  default String least() {
    return "LEAST";
  }

  /**
   * A statement that bounds, for the rest of the transaction, how long a statement waits for a row lock
   * ({@code SET LOCAL lock_timeout = ...} on PostgreSQL), or null where transactions are serialised anyway
   * (SQLite).
   */
  default String boundLockWait(long millis) {
    return null;
  }

  /** The statement that lifts {@link #boundLockWait}'s bound again. */
  default String unboundLockWait() {
    return null;
  }

  /** Suffix of a row-locking subquery that skips rows other transactions hold ({@code FOR UPDATE SKIP LOCKED}). */
  default String skipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  /** Whether the exception reports giving up on a lock wait. */
  default boolean isLockTimeout(SQLException e) {
    return false;
  }

  /**
   * Whether concurrent transactions should share one commit (group commit): true where the database has a single
   * writer anyway (SQLite), so the units run one after another in one {@code BEGIN IMMEDIATE … COMMIT}, each in its
   * own savepoint, and wait for one fsync together.
   */
  default boolean groupCommit() {
    return false;
  }

  /**
   * The first statement of a transaction whose commit need not wait for the disk ({@code Transactor.relaxed}):
   * {@code SET LOCAL synchronous_commit = off} on PostgreSQL; null where group commit handles it (SQLite).
   */
  default String relaxedCommit() {
    return null;
  }

  /** Whether the exception reports a unique or primary-key violation. */
  boolean isUniqueViolation(SQLException e);

  /**
   * Checks that a caller-supplied data source is configured the way this dialect needs (for SQLite: WAL,
   * synchronous=FULL, foreign keys, IMMEDIATE transactions) and throws {@link IllegalArgumentException} saying
   * what is wrong otherwise.
   */
  default void checkDataSource(DataSource dataSource) {}
}
