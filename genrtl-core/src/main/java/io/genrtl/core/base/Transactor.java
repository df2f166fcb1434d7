package io.genrtl.core.base;

import java.util.function.Supplier;

/**
 * The transaction boundary. Store calls made inside {@link #inTransaction} on the same thread take part in one
 * transaction: all of them commit or none does. Nested calls join the outer transaction. An exception thrown by
 * the work rolls everything back and is rethrown unchanged.
 */
public interface Transactor {
  <T> T inTransaction(Supplier<T> work);

  /**
   * Runs {@code work} with relaxed durability: the transactions it starts on this thread commit (all or nothing,
   * visible to everyone, in order) but need not wait for the disk. A later durable commit by anyone makes them durable
   * too (the log is written in order, so after a power loss the database holds a prefix of the commits); until then a
   * power loss (or, on PostgreSQL, a crash of the database server) may lose them. Callers make a durable commit before
   * they tell a client anything those transactions did; the jobs use this for a running job's own bookkeeping and make
   * its final commit durable. Stores without a disk run {@code work} unchanged.
   */
  default <T> T relaxed(Supplier<T> work) {
    return work.get();
  }

  default void inTransaction(Runnable work) {
    inTransaction(() -> {
      work.run();
      return null;
    });
  }
}
