package io.genrtl.core.pool;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Spend alerts waiting to be (or already) delivered to the alert webhook: an outbox next to {@link AlertStore}. A
 * delivery is enqueued in the transaction that records its alert, {@link #claimDue claimed} with a lease by one
 * deliverer at a time, and marked by that deliverer. Every mark is conditional on the row still being pending and
 * leased to the caller, so a deliverer whose lease ran out (and was taken over) changes nothing.
 */
public interface AlertDeliveryStore {
  /** Records a pending delivery of a recorded alert, due at {@code now}; false when the alert has one already. */
  boolean enqueue(String alertId, long now);

  Optional<AlertDelivery> find(String alertId);

  /**
   * Takes up to {@code limit} pending deliveries due at {@code now} ({@code nextAttemptAt <= now}), earliest due first,
   * for {@code owner} until {@code leaseUntil}: counts the attempt and moves {@code nextAttemptAt} to the lease's end.
   * Each delivery is returned to exactly one of concurrent callers (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}, so
   * callers do not wait for each other; SQLite: one IMMEDIATE transaction).
   */
  List<AlertDelivery> claimDue(String owner, long now, long leaseUntil, int limit);

  /** Marks a delivery the caller holds delivered. */
  boolean markDelivered(String alertId, String owner, long at);

  /** Gives a delivery the caller holds back, pending until {@code at}, noting why (never a secret). */
  boolean retryAt(String alertId, String owner, long at, String error);

  /** Gives up on a delivery the caller holds, noting why. */
  boolean markFailed(String alertId, String owner, long at, String error);

  /** The earliest {@code nextAttemptAt} of a pending delivery (a held one counts at its lease's end), if any is pending. */
  OptionalLong nextDue();

  /** How many deliveries there are in each status (statuses without any are left out). */
  Map<AlertDelivery.Status, Long> counts();
}
