package io.genrtl.core.pool;

import java.util.Objects;

/**
 * A charge of {@code amountMicros} to a user. {@code idempotencyKey} (may be null for internal calls that are
 * idempotent by construction) scopes replays per user; {@code callId} names the charge (generated when null).
 */
public record ChargeRequest(
    String userId,
    UsageKind kind,
    long amountMicros,
    String idempotencyKey,
    String callId,
    Attribution attribution,
    TokenUsage tokens,
    CbbPurchase cbb,
    String note) {
  public ChargeRequest {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(kind, "kind");
    if (kind == UsageKind.REFUND) throw new IllegalArgumentException("refunds go through PoolService.refund");
    if (amountMicros < 0) throw new IllegalArgumentException("a charge must not be negative");
    if (attribution == null) attribution = Attribution.NONE;
  }

  public static ChargeRequest of(String userId, UsageKind kind, long amountMicros, String idempotencyKey) {
    return new ChargeRequest(userId, kind, amountMicros, idempotencyKey, null, Attribution.NONE, null, null, null);
  }
}
