package io.genrtl.store.jdbc.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Group commit for a database with one writer (SQLite): units of work that arrive while another unit holds the
 * writer share its transaction and its one fsync.
 *
 * <p>Every unit runs on its caller's own thread (thread-locals such as the request's trace stay intact), one at a
 * time, on one connection, each inside its own {@code SAVEPOINT}: a unit that throws is rolled back to its savepoint
 * and fails alone, its batch goes on. After its unit, a thread commits the batch when nobody is waiting for the
 * writer (or the batch is full or old); otherwise it hands the writer to the next thread and waits for the batch's
 * {@code COMMIT}. No caller returns before the {@code COMMIT} that makes its unit durable, so an acknowledged charge is
 * exactly as durable as with one transaction per unit. A failed {@code COMMIT} fails every unit of the batch (none of
 * them is stored).
 *
 * <p>A unit must not wait for another thread's transaction (it holds the writer); the same was true of SQLite's
 * write lock before. Not API.
 */
final class GroupCommit {
  private final Jdbi jdbi;
  private final int maxUnits;
  private final long maxNanos;
  private final Function<RuntimeException, RuntimeException> translate;
  /** Fair: the writer goes to the threads in their order of arrival. */
  private final ReentrantLock writer = new ReentrantLock(true);
  /** The batch being built, or null; guarded by {@link #writer}. */
  private Batch open;
  /** Units run and transactions ended, guarded by {@link #writer} (read without it: a snapshot is enough). */
  private volatile long units;
  private volatile long commits;
  /** Of {@link #commits}, those that waited for the disk. */
  private volatile long durableCommits;

  GroupCommit(Jdbi jdbi, int maxUnits, long maxMillis, Function<RuntimeException, RuntimeException> translate) {
    if (maxUnits < 1) throw new IllegalArgumentException("maxUnits must be at least 1");
    this.jdbi = jdbi;
    this.maxUnits = maxUnits;
    this.maxNanos = TimeUnit.MILLISECONDS.toNanos(maxMillis);
    this.translate = translate;
  }

  private static final class Batch {
    final Handle handle;
    /** Only relaxed units (see {@code Transactor.relaxed}): committed without waiting for the disk. */
    final boolean relaxed;
    final long openedAt = System.nanoTime();
    final CountDownLatch done = new CountDownLatch(1);
    int units;
    /** Set when the transaction itself can no longer commit (a savepoint statement or the COMMIT failed). */
    RuntimeException failure;

    Batch(Handle handle, boolean relaxed) {
      this.handle = handle;
      this.relaxed = relaxed;
    }
  }

  /**
   * Runs {@code work} as one unit of a batch. A relaxed unit may join a durable batch (it then waits for its fsync);
   * a durable unit never joins a relaxed one: that batch is committed first (no fsync), and a durable one begins.
   */
  <T> T run(Supplier<T> work, ThreadLocal<Handle> current, boolean relaxed) {
    Batch b;
    T result = null;
    RuntimeException own = null;
    Error ownError = null;
    boolean committer;
    writer.lock();
    try {
      if (open != null && open.relaxed && !relaxed) {
        Batch r = open;
        open = null;
        commits++;
        end(r);
      }
      if (open == null) open = begin(relaxed);
      b = open;
      String sp = "genrtl_u" + b.units++;
      units++;
      if (b.failure == null) {
        try {
          b.handle.execute("SAVEPOINT " + sp);
        } catch (RuntimeException e) {
          b.failure = e;
        }
      }
      if (b.failure == null) {
        current.set(b.handle);
        try {
          result = work.get();
        } catch (RuntimeException e) {
          own = e;
        } catch (Error e) {
          ownError = e;
        } finally {
          current.remove();
        }
        try {
          if (own != null || ownError != null) b.handle.execute("ROLLBACK TO " + sp);
          b.handle.execute("RELEASE " + sp);
        } catch (RuntimeException e) {
          b.failure = e;
        }
      }
      committer = b.failure != null || !writer.hasQueuedThreads() || b.units >= maxUnits
          || System.nanoTime() - b.openedAt >= maxNanos;
      if (committer) {
        open = null;
        commits++;
        end(b);
      }
    } finally {
      writer.unlock();
    }
    if (!committer) awaitCommit(b);
    if (ownError != null) throw ownError;
    if (own != null) throw own; // rolled back to its savepoint: its own failure, whatever became of the batch
    if (b.failure != null) throw translate.apply(b.failure);
    return result;
  }

  /** Units of work run so far, and the transactions they were committed (or rolled back) in. */
  long[] stats() {
    return new long[] {units, commits, durableCommits};
  }

  private Batch begin(boolean relaxed) {
    Handle h = jdbi.open();
    try {
      // set on every batch, so a connection can never carry a relaxed setting into a durable batch
      h.execute(relaxed ? "PRAGMA synchronous = NORMAL" : "PRAGMA synchronous = FULL");
      h.execute("BEGIN IMMEDIATE");
      return new Batch(h, relaxed);
    } catch (RuntimeException e) {
      h.close();
      throw translate.apply(e);
    }
  }

  /** Commits (or, when the transaction failed, rolls back) the batch, then releases its waiters. */
  private void end(Batch b) {
    try {
      if (b.failure == null) {
        try {
          b.handle.execute("COMMIT");
          if (!b.relaxed) durableCommits++;
        } catch (RuntimeException e) {
          b.failure = e;
        }
      }
      if (b.failure != null) {
        try {
          b.handle.execute("ROLLBACK");
        } catch (RuntimeException ignored) {
          // SQLite may have rolled back already; the connection is closed next either way
        }
      }
    } finally {
      try {
        if (b.relaxed) b.handle.execute("PRAGMA synchronous = FULL"); // for other users of the pooled connection
      } catch (RuntimeException ignored) {
        // a connection that cannot run a PRAGMA is broken; durable batches set FULL themselves anyway
      }
      try {
        b.handle.close();
      } finally {
        b.done.countDown();
      }
    }
  }

  private static void awaitCommit(Batch b) {
    boolean interrupted = false;
    while (true) {
      try {
        b.done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the unit is in the batch: its outcome is only known after the COMMIT
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }
}
