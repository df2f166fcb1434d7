package io.genrtl.core.llm;

import io.genrtl.core.base.Span;

/** What the model gateway tells an observer; the provider-call part of {@link io.genrtl.core.Telemetry}. */
public interface LlmTelemetry {
  LlmTelemetry NONE = new LlmTelemetry() {};

  /** A call to a model provider starts; the span ends with {@code ok}, {@code error} or {@code canceled}. */
  default Span providerCallStarted(String provider, String model) {
    return Span.NONE;
  }

  /** The tokens a provider reported for one call. */
  default void tokens(String provider, String model, LlmUsage usage) {}
}
