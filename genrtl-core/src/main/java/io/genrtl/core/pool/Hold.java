package io.genrtl.core.pool;

import java.util.Objects;

/** Money set aside before work whose price is only known afterwards. {@code callId} is set once settled. */
public record Hold(
    String holdId,
    String userId,
    long amountMicros,
    HoldStatus status,
    long createdAt,
    long expiresAt,
    String idempotencyKey,
    Attribution attribution,
    String callId,
    Long closedAt) {
  public Hold {
    Objects.requireNonNull(holdId, "holdId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
    if (attribution == null) attribution = Attribution.NONE;
  }
}
