package io.genrtl.core.base;

import java.util.function.Supplier;

/**
 * The transaction boundary. Store calls made inside {@link #inTransaction} on the same thread take part in one
 * transaction: all of them commit or none does. Nested calls join the outer transaction. An exception thrown by
 * the work rolls everything back and is rethrown unchanged.
 */
public interface Transactor {
  <T> T inTransaction(Supplier<T> work);

  default void inTransaction(Runnable work) {
    inTransaction(() -> {
      work.run();
      return null;
    });
  }
}
