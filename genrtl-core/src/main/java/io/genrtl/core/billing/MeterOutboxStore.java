package io.genrtl.core.billing;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The meter outbox: one row per on-demand ledger row, inserted in the ledger row's transaction, drained by
 * {@code MeterReporter}. A row is sent only by the caller that {@link #claim claimed} it, so two reporters never send the
 * same row at once; a claim that is never marked (the reporter died) expires with its lease and the row is sent again
 * with the same identifier.
 */
public interface MeterOutboxStore {
  void insert(MeterRecord record);

  Optional<MeterRecord> find(String entryId);

  /** Pending rows with {@code nextAttemptAt <= now}, oldest first. */
  List<MeterRecord> due(long now, int limit);

  /** The earliest {@code nextAttemptAt} of a pending row, if any is pending. */
  OptionalLong nextDue();

  /**
   * Takes a due pending row for sending: one conditional update that counts the attempt and moves
   * {@code nextAttemptAt} to {@code leaseUntil}. True for exactly one of concurrent callers.
   */
  boolean claim(String entryId, long now, long leaseUntil);

  /** Marks a pending row reported (with the customer it was reported for). */
  boolean markReported(String entryId, String customerId, long at);

  /** Marks a pending row skipped: there is nobody to bill at the provider. */
  boolean markSkipped(String entryId, String reason, long at);

  /** Leaves a pending row pending until {@code at}, noting why (never a secret). */
  boolean retryAt(String entryId, long at, String error);

  /** On-demand usage rows (not refunds) per user and period against their outbox rows, by user then period. */
  List<MeterTotal> totals();
}
