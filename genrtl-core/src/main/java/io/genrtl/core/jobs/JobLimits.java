package io.genrtl.core.jobs;

/**
 * How many jobs a user may have queued or running at once, by plan id. Checked by {@link JobService#submit} inside the
 * submission's transaction (the count is read from the store under a lock on the user's pool row, so hosts sharing a
 * database enforce one limit). {@link #UNLIMITED} is the default.
 */
@FunctionalInterface
public interface JobLimits {
  JobLimits UNLIMITED = planId -> Integer.MAX_VALUE;

  /** The most active (queued or running) jobs a user on {@code planId} may have; {@code Integer.MAX_VALUE}: no limit. */
  int maxActiveJobs(String planId);
}
