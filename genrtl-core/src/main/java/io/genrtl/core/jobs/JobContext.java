package io.genrtl.core.jobs;

/** What a running handler sees: its job, a way to publish events, and whether it has been asked to stop. */
public interface JobContext {
  Job job();

  /** Publishes an event on the job's stream ({@code step}, {@code delta}, …). */
  void emit(String name, String dataJson);

  /** True once the job should stop; handlers check it between steps and pass it to model calls. */
  boolean cancelRequested();

  /**
   * The hold placed for the first step when the job was submitted, handed over once (null afterwards): a handler
   * passes it to its first model call, which uses it instead of reserving again.
   */
  String takeSubmissionHold();

  /**
   * A listener for one model call's streamed text that publishes it as coalesced {@code delta} events of step
   * {@code stepId} ({@link DeltaStream}); close it when the call ends.
   */
  default DeltaStream deltas(String stepId) {
    return new DeltaStream(this, stepId, java.time.Clock.systemUTC(), DeltaStream.Timer.SHARED);
  }
}
