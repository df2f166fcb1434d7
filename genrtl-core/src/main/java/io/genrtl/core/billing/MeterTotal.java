package io.genrtl.core.billing;

/**
 * On-demand usage of one user in one pool period: what the ledger charged and what became of it in the meter outbox.
 * {@code missingMicros} are ledger rows without an outbox row (written before metering existed, or a defect).
 */
public record MeterTotal(String userId, long periodStart, long ledgerMicros, long reportedMicros, long skippedMicros,
    long pendingMicros, long missingMicros) {

  /** Charged but neither reported nor deliberately skipped. */
  public long differenceMicros() {
    return ledgerMicros - reportedMicros - skippedMicros;
  }
}
