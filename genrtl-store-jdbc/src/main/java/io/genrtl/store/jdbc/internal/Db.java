package io.genrtl.store.jdbc.internal;

import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.Transactor;
import io.genrtl.store.jdbc.Dialect;
import java.sql.SQLException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * Jdbi plus the thread's current transaction. Store code calls {@link #withHandle}; inside
 * {@link #inTransaction} that is the transaction's handle, outside it a short-lived one (autocommit).
 * Not API.
 */
public final class Db implements Transactor {
  private final Jdbi jdbi;
  private final Dialect dialect;
  private final ThreadLocal<Handle> current = new ThreadLocal<>();
  /** True while this thread runs inside {@link #relaxed}. */
  private final ThreadLocal<Boolean> relaxedMode = new ThreadLocal<>();
  /** Non-null where the dialect has one writer (SQLite): concurrent transactions share one commit. */
  private final GroupCommit group;

  public Db(Jdbi jdbi, Dialect dialect) {
    this.jdbi = jdbi;
    this.dialect = dialect;
    this.group = dialect.groupCommit() ? new GroupCommit(jdbi, GROUP_MAX_UNITS, GROUP_MAX_MILLIS,
        e -> e instanceof JdbiException j ? lockTimeoutOr(j) : e) : null;
  }

  /** A batch commits after this many units even when more are waiting (bounds a waiter's delay). */
  static final int GROUP_MAX_UNITS = 128;
  /** ... or when it has been open this long. */
  static final long GROUP_MAX_MILLIS = 20;

  /** Group commit so far: transactions asked for and database transactions they ran in (empty without it). */
  public java.util.Optional<CommitStats> commitStats() {
    if (group == null) return java.util.Optional.empty();
    long[] s = group.stats();
    return java.util.Optional.of(new CommitStats(s[0], s[1], s[2]));
  }

  /**
   * {@code units} transactions asked for, run in {@code commits} database transactions, of which {@code durable}
   * committed with an fsync (the others were relaxed, see {@code Transactor.relaxed}).
   */
  public record CommitStats(long units, long commits, long durable) {}

  public Dialect dialect() {
    return dialect;
  }

  @Override
  public <T> T inTransaction(Supplier<T> work) {
    if (current.get() != null) return work.get();
    boolean relaxed = Boolean.TRUE.equals(relaxedMode.get());
    if (group != null) {
      try {
        return group.run(work, current, relaxed);
      } catch (JdbiException e) {
        throw lockTimeoutOr(e);
      }
    }
    try (Handle h = jdbi.open()) {
      current.set(h);
      try {
        String relax = relaxed ? dialect.relaxedCommit() : null;
        return h.inTransaction(x -> {
          if (relax != null) x.execute(relax);
          return work.get();
        });
      } catch (JdbiException e) {
        throw lockTimeoutOr(e);
      } finally {
        current.remove();
      }
    }
  }

  @Override
  public <T> T relaxed(Supplier<T> work) {
    Boolean before = relaxedMode.get();
    relaxedMode.set(Boolean.TRUE);
    try {
      return work.get();
    } finally {
      if (before == null) relaxedMode.remove();
      else relaxedMode.set(before);
    }
  }

  /** A transaction that gave up waiting for the database's lock becomes the core's retryable lock-wait error. */
  private RuntimeException lockTimeoutOr(JdbiException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && dialect.isLockTimeout(sql)) {
        return new io.genrtl.core.base.LockWaitTimeoutException("the database stayed locked by other work", e);
      }
    }
    return e;
  }

  public <T> T withHandle(Function<Handle, T> f) {
    Handle h = current.get();
    if (h != null) return f.apply(h);
    try (Handle fresh = jdbi.open()) {
      return f.apply(fresh);
    }
  }

  /** Runs an insert that returns something, translating a unique-key violation like {@link #insert}. */
  public <T> T insertReturning(String what, Function<Handle, T> f) {
    try {
      return withHandle(f);
    } catch (JdbiException e) {
      if (e.getCause() instanceof SQLException sql && dialect.isUniqueViolation(sql)) {
        throw new DuplicateKeyException(what + " already exists", e);
      }
      throw e;
    }
  }

  /** Runs an insert, translating a unique-key violation into the core's {@link DuplicateKeyException}. */
  public int insert(String what, Function<Handle, Integer> f) {
    try {
      return withHandle(f);
    } catch (JdbiException e) {
      if (e.getCause() instanceof SQLException sql && dialect.isUniqueViolation(sql)) {
        throw new DuplicateKeyException(what + " already exists", e);
      }
      throw e;
    }
  }
}
