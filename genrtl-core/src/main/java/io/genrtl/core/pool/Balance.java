package io.genrtl.core.pool;

/** What {@code GET /api/billing/balance} shows, in micro-USD. */
public record Balance(
    String planId,
    String subscriptionStatus,
    long periodStart,
    long periodEnd,
    long includedMicros,
    long creditsMicros,
    long onDemandSpentMicros,
    long onDemandLimitMicros,
    long holdsMicros,
    long availableMicros,
    boolean onDemandAllowed) {}
