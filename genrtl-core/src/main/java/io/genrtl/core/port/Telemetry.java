package io.genrtl.core.port;

import io.genrtl.core.jobs.Job;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.pool.UsageKind;

/**
 * What the library tells an observer (metrics, traces, log context) about its work. Every method has a no-op default
 * and {@link #NONE} is the builder's default, so the core stays free of any metrics or tracing library; the host
 * implements it with Micrometer and OpenTelemetry. Implementations must be fast, thread-safe and never throw.
 */
public interface Telemetry {
  Telemetry NONE = new Telemetry() {};

  /** A unit of work in flight (a job run, a provider call). Ended exactly once, on the thread that started it. */
  interface Span {
    Span NONE = outcome -> {};

    /** Ends the span; {@code outcome} is a short stable word ({@code succeeded}, {@code failed}, {@code ok}, {@code error}, ...). */
    void end(String outcome);
  }

  /** A job was queued (called on the submitting thread, after the commit). */
  default void jobSubmitted(Job job) {}

  /** A worker starts running a job; the span ends with the job's final status. */
  default Span jobStarted(Job job) {
    return Span.NONE;
  }

  /** A call to a model provider starts; the span ends with {@code ok}, {@code error} or {@code canceled}. */
  default Span providerCallStarted(String provider, String model) {
    return Span.NONE;
  }

  /** The tokens a provider reported for one call. */
  default void tokens(String provider, String model, LlmUsage usage) {}

  /** Money was taken from a pool (a charge or a settled hold), in micro-USD; replays are not reported. */
  default void charged(UsageKind kind, long micros) {}

  /** A charge or reservation was refused for lack of funds ({@code insufficient_funds}, {@code spend_limit_reached}). */
  default void paymentRefused(String code) {}
}
