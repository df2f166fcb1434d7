package io.genrtl.core.pool;

/** What the pool tells an observer about money; the charges part of {@link io.genrtl.core.Telemetry}. */
public interface PoolTelemetry {
  PoolTelemetry NONE = new PoolTelemetry() {};

  /** Money was taken from a pool (a charge or a settled hold), in micro-USD; replays are not reported. */
  default void charged(UsageKind kind, long micros) {}

  /** A charge or reservation was refused for lack of funds ({@code insufficient_funds}, {@code spend_limit_reached}). */
  default void paymentRefused(String code) {}
}
