package io.genrtl.core.jobs;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.List;
import java.util.Optional;

/**
 * Persisted jobs and their event streams. Claiming is atomic across hosts: a queued job is handed to exactly one
 * worker (PostgreSQL: {@code FOR UPDATE SKIP LOCKED}; SQLite: one conditional update), which holds a lease it renews
 * while it works; only the lease holder can finish the job.
 */
public interface JobStore {
  void insert(Job job);

  Optional<Job> find(String jobId);

  /** A workspace's jobs, newest first. */
  Page<Job> listForWorkspace(String workspaceId, PageRequest page);

  /** How many of the user's jobs are queued or running (the concurrency limit counts these). */
  int countActive(String userId);

  /** Takes the oldest queued job for {@code worker} with a lease until {@code now + leaseMillis}; empty if none. */
  Optional<Job> claimNext(String worker, long now, long leaseMillis);

  /** Extends the lease; false if the job is no longer running under this worker. */
  boolean renewLease(String jobId, String worker, long leaseUntil);

  /** Ends a running job held by {@code worker}; false if it is not (any more) its job. */
  boolean finish(String jobId, String worker, JobStatus status, String result, String errorCode, String errorMessage, long now);

  /** Asks a job to stop: a queued job is canceled at once (returns true); a running one gets the flag. */
  boolean requestCancel(String jobId, long now);

  /** Running jobs whose lease ended before {@code now} (their host is gone), oldest first. */
  List<Job> expiredLeases(long now, int limit);

  /** Puts a job whose lease ended back in the queue (conditional on it still being that expired lease). */
  boolean requeue(String jobId, String expiredWorker, long now);

  /** Appends an event; its sequence number is the next one of the job. */
  JobEvent append(String jobId, String name, String data, long now);

  /** The job's events after {@code afterSeq}, in order. */
  List<JobEvent> events(String jobId, long afterSeq);
}
