package io.genrtl.core.pool;

import java.util.Objects;

/**
 * One append-only row of the usage ledger: one bucket's share of one charge (a charge that straddles buckets writes
 * one row per bucket, all with the same {@code callId}; token counts only on the first). {@code usdMicros} is
 * positive for usage and negative for refunds; {@code periodStart} is the pool period the row belongs to.
 */
public record LedgerEntry(
    String entryId,
    String userId,
    String tenantId,
    long timestamp,
    UsageKind kind,
    Bucket bucket,
    long usdMicros,
    String callId,
    long periodStart,
    Attribution attribution,
    TokenUsage tokens,
    CbbPurchase cbb,
    String idempotencyKey,
    String refundOf,
    boolean overrun,
    String note) {

  public LedgerEntry {
    Objects.requireNonNull(entryId, "entryId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(callId, "callId");
    if (attribution == null) attribution = Attribution.NONE;
  }
}
