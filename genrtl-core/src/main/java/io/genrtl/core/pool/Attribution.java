package io.genrtl.core.pool;

/** What a charge is for: the job, its step and the workspace. Any part may be null. */
public record Attribution(String jobId, String stepId, String workspaceId) {
  public static final Attribution NONE = new Attribution(null, null, null);
}
