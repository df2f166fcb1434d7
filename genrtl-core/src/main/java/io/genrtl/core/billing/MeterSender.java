package io.genrtl.core.billing;

/**
 * Sends one usage event to a provider's meter (the host wires Stripe's {@code POST /v1/billing/meter_events}). Throws
 * any {@link RuntimeException} to have the row retried later with backoff; the identifier of a retry is the same.
 */
@FunctionalInterface
public interface MeterSender {
  void send(MeterEvent event);

  /** {@code value} is micro-USD; {@code timestampSeconds} is when the usage was charged. */
  record MeterEvent(String identifier, String customerId, long value, long timestampSeconds, String userId) {}
}
