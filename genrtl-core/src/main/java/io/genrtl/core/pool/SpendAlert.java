package io.genrtl.core.pool;

import java.util.Objects;

/**
 * A spend threshold crossed: {@code kind} is {@code included} or {@code on_demand} with {@code thresholdPercent}
 * 50, 80 or 100 (once per period each), or {@code overrun} when a settled amount went past the on-demand limit
 * ({@code entryId} names the flagged ledger row).
 */
public record SpendAlert(
    String alertId,
    String userId,
    long periodStart,
    String kind,
    int thresholdPercent,
    long amountMicros,
    long limitMicros,
    String entryId,
    long createdAt) {
  public SpendAlert {
    Objects.requireNonNull(alertId, "alertId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(kind, "kind");
  }

  /** Unique per user: at most one alert per key. */
  public String alertKey() {
    return "overrun".equals(kind) ? "overrun:" + entryId : kind + ":" + thresholdPercent + ":" + periodStart;
  }
}
