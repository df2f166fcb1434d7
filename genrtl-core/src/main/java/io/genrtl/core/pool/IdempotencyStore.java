package io.genrtl.core.pool;

import io.genrtl.core.base.LockWaitTimeoutException;
import java.util.Optional;

/**
 * Idempotency keys of money-moving calls, scoped per user and operation. A claim is made inside the call's
 * transaction, so a call that fails leaves no claim behind and may be retried with the same key.
 */
public interface IdempotencyStore {
  /**
   * Claims (user, operation, key) for a request with this fingerprint. Returns false if it was claimed before (a
   * concurrent claimer waits for the first transaction to end).
   */
  boolean claim(String userId, String operation, String key, String fingerprint, long at);

  /**
   * Like {@link #claim(String, String, String, String, long)}, but waits at most {@code maxWait} for a concurrent
   * claimer of the same key to finish, then throws {@link LockWaitTimeoutException}. Stores whose transactions are
   * serialised anyway (SQLite, in-memory) never wait on one key alone and may ignore the bound.
   */
  default boolean claim(String userId, String operation, String key, String fingerprint, long at, java.time.Duration maxWait) {
    return claim(userId, operation, key, fingerprint, at);
  }

  Optional<IdempotencyRecord> find(String userId, String operation, String key);

  /**
   * Records a finished call in one statement (for calls that check {@link #find} first and write their record last):
   * false if the key was recorded meanwhile (a concurrent writer of the same key waits for the first to finish).
   */
  boolean insertCompleted(String userId, String operation, String key, String fingerprint, String resultRef,
      String resultData, long at);

  /** Stores what the claimed call produced. */
  void complete(String userId, String operation, String key, String resultRef, String resultData);
}
