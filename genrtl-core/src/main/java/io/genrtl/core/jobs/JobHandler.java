package io.genrtl.core.jobs;

/**
 * Runs one type of job ({@code plan}, {@code implement}, {@code repair}, {@code tool}). Registered with the
 * {@link JobRunner} explicitly. Failures are {@link io.genrtl.core.GenRtlException}s (their code becomes the job's
 * error code); anything else fails the job with {@code internal_error}.
 */
public interface JobHandler {
  /**
   * The most the job's first step can cost, in micro-USD, from its input alone. It is reserved when the job is
   * submitted, so a job that cannot be paid for is refused before it exists.
   */
  long firstStepWorstCaseMicros(String input);

  /** Does the work and returns the result document (JSON). */
  String run(JobContext context);
}
