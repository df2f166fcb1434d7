package io.genrtl.core.jobs;

/**
 * Runs one type of job ({@code plan}, {@code implement}, {@code repair}, {@code tool}). Registered with the
 * {@link JobRunner} explicitly. Failures are {@link io.genrtl.core.base.GenRtlException}s (their code becomes the job's
 * error code); anything else fails the job with {@code internal_error}.
 */
public interface JobHandler {
  /**
   * The most the job's first step can cost, in micro-USD, from its input alone. It is reserved when the job is
   * submitted, so a job that cannot be paid for is refused before it exists.
   */
  long firstStepWorstCaseMicros(String input);

  /**
   * Refuses new jobs of this type when the handler cannot run them on this host (for example tool runs without a
   * working sandbox): throws the {@link io.genrtl.core.base.GenRtlException} a submission answers. Called before a job is
   * submitted or retried, so nothing is reserved or created. By default every job can run.
   */
  default void checkAvailable() {}

  /** Does the work and returns the result document (JSON). */
  String run(JobContext context);

  /**
   * How a submission's input is checked and stored ({@link JobUploads}); by default secrets in it are redacted.
   */
  default JobInputPolicy inputPolicy() {
    return JobInputPolicy.REDACTED;
  }

  /**
   * Builds a handler from the library's services once they exist ({@code GenRtl.builder().jobHandler(type, factory)}):
   * no handler needs a half-built {@code GenRtl} or a reference set after construction.
   */
  @FunctionalInterface
  interface Factory {
    JobHandler create(JobEnvironment environment);
  }
}
