package io.genrtl.core.pool;

/**
 * A user's money, all integer micro-USD: the included balance left this period, stackable credits, on-demand spent
 * this period and the user's on-demand limit, the sum of active holds, and the total granted to included this
 * period (to tell how much of it is used). The period is
 * [{@code periodStart}, {@code periodEnd}).
 */
public record PoolAccount(
    String userId,
    String tenantId,
    long includedMicros,
    long creditsMicros,
    long onDemandSpentMicros,
    long onDemandLimitMicros,
    long holdsMicros,
    long includedGrantedMicros,
    long periodStart,
    long periodEnd,
    long updatedAt) {

  /** included + credits + (limit − spent, when on-demand is allowed) − holds. May be negative after an overrun. */
  public long availableMicros(boolean onDemandAllowed) {
    long room = onDemandAllowed ? onDemandLimitMicros - onDemandSpentMicros : 0;
    return includedMicros + creditsMicros + room - holdsMicros;
  }
}
