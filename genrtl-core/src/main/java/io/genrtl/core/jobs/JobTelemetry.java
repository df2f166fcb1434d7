package io.genrtl.core.jobs;

import io.genrtl.core.base.Span;

/** What the job service and runner tell an observer; the jobs part of {@link io.genrtl.core.Telemetry}. */
public interface JobTelemetry {
  JobTelemetry NONE = new JobTelemetry() {};

  /** A job was queued (called on the submitting thread, after the commit). */
  default void jobSubmitted(Job job) {}

  /** A worker starts running a job; the span ends with the job's final status. */
  default Span jobStarted(Job job) {
    return Span.NONE;
  }
}
