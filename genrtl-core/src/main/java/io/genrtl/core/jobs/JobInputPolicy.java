package io.genrtl.core.jobs;

/**
 * How {@link JobService#submit} checks and stores a job type's input before the job exists (see {@link JobUploads}).
 * A handler names its policy ({@link JobHandler#inputPolicy()}); the checks and the redaction are the core's, so every
 * embedder gets them.
 */
public enum JobInputPolicy {
  /** Stored exactly as given (tool runs: the design files run as they are and never reach a model). */
  AS_GIVEN,
  /** Secrets in every string of the (JSON) input are replaced by placeholders before it is stored (the default). */
  REDACTED,
  /**
   * The "minimal upload" of an implement job: {@code {plan, resolved_cbbs?, policy?: {readonly_paths}, files?,
   * allow_full_upload?}} checked against the caps of {@link JobUploads}, stored as {@code {plan, resolved_cbbs,
   * readonly_paths, files}}, redacted.
   */
  IMPLEMENT_UPLOAD,
  /**
   * The "minimal upload" of a repair job: {@code {evidence, plan?, policy?: {readonly_paths}, files?,
   * allow_full_upload?}} checked against the caps of {@link JobUploads}, stored as {@code {plan, evidence,
   * readonly_paths, files}}, redacted.
   */
  REPAIR_UPLOAD
}
