package io.genrtl.core.base;

/** A unit of work in flight (a job run, a provider call), told to telemetry. Ended exactly once, on the thread that started it. */
@FunctionalInterface
public interface Span {
  Span NONE = outcome -> {};

  /** Ends the span; {@code outcome} is a short stable word ({@code succeeded}, {@code failed}, {@code ok}, {@code error}, ...). */
  void end(String outcome);
}
