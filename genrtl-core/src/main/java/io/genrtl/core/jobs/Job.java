package io.genrtl.core.jobs;

import java.util.Objects;

/**
 * A persisted unit of work (a plan, implement, repair or tool run). {@code input} and {@code result} are JSON
 * documents owned by the job's handler. A running job is leased by one worker until {@code leaseUntil}; a job whose
 * lease ran out (its host died) is recovered by {@code JobStore.recoverExpired}.
 */
public record Job(
    String jobId,
    String userId,
    String tenantId,
    String workspaceId,
    String type,
    JobStatus status,
    String input,
    String result,
    String errorCode,
    String errorMessage,
    String idempotencyKey,
    String holdId,
    String worker,
    long leaseUntil,
    int attempts,
    boolean cancelRequested,
    long createdAt,
    Long startedAt,
    Long finishedAt) {
  public Job {
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(input, "input");
  }

  public static Job queued(String jobId, String userId, String tenantId, String workspaceId, String type, String input,
      String idempotencyKey, String holdId, long now) {
    return new Job(jobId, userId, tenantId, workspaceId, type, JobStatus.QUEUED, input, null, null, null, idempotencyKey,
        holdId, null, 0, 0, false, now, null, null);
  }
}
