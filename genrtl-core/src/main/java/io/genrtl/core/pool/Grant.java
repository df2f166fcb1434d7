package io.genrtl.core.pool;

import java.util.Objects;

/**
 * Money in, recorded apart from usage. {@code sourceKey} is unique per user and makes every grant idempotent:
 * {@code period:<subscription>:<period start>} for the included amount of a period, the payment id for a credit
 * pack, the admin's request key for a manual grant. A period grant sets the included balance; the others add.
 */
public record Grant(
    String grantId,
    String userId,
    Bucket bucket,
    long amountMicros,
    long periodStart,
    String kind,
    String sourceKey,
    long createdAt,
    String actorUserId,
    String reason) {
  public static final String KIND_PERIOD = "period";
  public static final String KIND_CREDIT_PACK = "credit_pack";
  public static final String KIND_MANUAL = "manual";

  public Grant {
    Objects.requireNonNull(grantId, "grantId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(sourceKey, "sourceKey");
    if (amountMicros < 0) throw new IllegalArgumentException("grant amount must not be negative");
  }
}
