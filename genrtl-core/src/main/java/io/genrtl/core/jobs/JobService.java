package io.genrtl.core.jobs;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.pool.PoolStores;
import io.genrtl.core.account.AccountService;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.Hold;
import io.genrtl.core.pool.IdempotencyRecord;
import io.genrtl.core.pool.PoolService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Submitting, reading and canceling jobs. A submission reserves its first step's worst case and inserts the job in one
 * transaction: a job that cannot be paid for is refused with 402 and never created. Submissions are idempotent per
 * user, type and key.
 */
public final class JobService {
  public static final Duration SUBMISSION_HOLD_TTL = Duration.ofMinutes(30);

  private final Transactor tx;

  private final PoolStores poolStores;

  private final JobStore jobStore;
  private final Clock clock;
  private final IdGenerator ids;
  private final PoolService pool;
  private final AccountService accounts;
  private final Map<String, JobHandler> handlers;
  private final JobSignals signals = new JobSignals();
  private final JobLimits limits;
  private final JobTelemetry telemetry;
  /** How often {@link #await} re-reads a job that may finish on another host. */
  static final Duration AWAIT_POLL = Duration.ofMillis(250);

  public JobService(Transactor tx, PoolStores poolStores, JobStore jobStore, Clock clock, IdGenerator ids,
      PoolService pool, AccountService accounts, Map<String, JobHandler> handlers) {
    this(tx, poolStores, jobStore, clock, ids, pool, accounts, handlers, JobLimits.UNLIMITED, JobTelemetry.NONE);
  }

  public JobService(Transactor tx, PoolStores poolStores, JobStore jobStore, Clock clock, IdGenerator ids,
      PoolService pool, AccountService accounts, Map<String, JobHandler> handlers, JobLimits limits,
      JobTelemetry telemetry) {
    this.limits = limits;
    this.telemetry = telemetry;
    this.tx = tx;
    this.poolStores = poolStores;
    this.jobStore = jobStore;
    this.clock = clock;
    this.ids = ids;
    this.pool = pool;
    this.accounts = accounts;
    this.handlers = Map.copyOf(handlers);
  }

  JobHandler handler(String type) {
    JobHandler h = handlers.get(type);
    if (h == null) throw GenRtlException.invalid("type", "unknown job type " + type);
    return h;
  }

  /**
   * Queues a job in a workspace the caller may act in; a replay of the same key returns the same job. The input is
   * first checked and stored as the handler's {@link JobHandler#inputPolicy()} says ({@link JobUploads}: the upload
   * caps of implement and repair jobs, and secrets redacted), so nothing secret is stored whoever submits.
   */
  public Job submit(Principal principal, String type, String workspaceId, String rawInput, String idempotencyKey) {
    JobHandler handler = handler(type);
    String input = JobUploads.prepare(handler.inputPolicy(), rawInput);
    Workspace ws = accounts.getWorkspace(principal, workspaceId);
    handler.checkAvailable();
    long worst = handler.firstStepWorstCaseMicros(input);
    String op = "job:" + type;
    String fp = sha256(workspaceId + "\0" + input);
    Job queued = tx.inTransaction(() -> {
      long now = clock.millis();
      if (idempotencyKey != null && !poolStores.idempotency().claim(principal.userId(), op, idempotencyKey, fp, now)) {
        IdempotencyRecord rec = poolStores.idempotency().find(principal.userId(), op, idempotencyKey).orElseThrow();
        if (!rec.fingerprint().equals(fp)) {
          throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this idempotency key was used for a different job",
              Map.of("field", "idempotency_key"));
        }
        return jobStore.find(rec.resultRef()).orElseThrow();
      }
      checkConcurrency(principal.userId());
      String jobId = ids.newId();
      String holdId = null;
      if (worst > 0) {
        Hold h = pool.reserve(principal.userId(), worst, SUBMISSION_HOLD_TTL, "job:" + jobId,
            new Attribution(jobId, null, ws.workspaceId()));
        holdId = h.holdId();
      }
      Job job = Job.queued(jobId, principal.userId(), ws.tenantId(), ws.workspaceId(), type, input, idempotencyKey, holdId, now);
      jobStore.insert(job);
      jobStore.append(jobId, "status", "{\"status\":\"queued\"}", now);
      if (idempotencyKey != null) poolStores.idempotency().complete(principal.userId(), op, idempotencyKey, jobId, null);
      // before the commit: a worker (this host's or another's) can only see the job once telemetry knows it, so the
      // job's span always joins the submitting request's trace
      telemetry.jobSubmitted(job);
      return job;
    });
    if (queued.status() == JobStatus.QUEUED) signals.jobQueued();
    return queued;
  }

  /**
   * Refuses a new job (429 {@code too_many_jobs}) when the user already has their plan's number of queued or running
   * jobs. Runs inside the submission's transaction: the user's pool row is locked first, so concurrent submissions of
   * one user (on any host) are counted one after another and the limit is exact.
   */
  private void checkConcurrency(String userId) {
    String planId = pool.planIdOf(userId);
    int max = limits.maxActiveJobs(planId);
    if (max == Integer.MAX_VALUE) return;
    poolStores.accounts().lock(userId);
    int active = jobStore.countActive(userId);
    if (active >= max) {
      throw new GenRtlException(ErrorCode.TOO_MANY_JOBS, "you already have " + active + " jobs queued or running; the "
          + planId + " plan allows " + max + " at once. Wait for one to finish or cancel one",
          Map.of("active_jobs", active, "max_active_jobs", max, "retry_after_seconds", 5));
    }
  }

  JobTelemetry telemetry() {
    return telemetry;
  }

  /**
   * The job once it has ended, or as it is after {@code max}. A job finishing on this host wakes the waiter at once;
   * one finishing on another host is seen within {@link #AWAIT_POLL}.
   */
  public Job await(Principal principal, String jobId, Duration max) throws InterruptedException {
    Job j = get(principal, jobId);
    long deadline = System.nanoTime() + max.toNanos();
    while (!j.status().isFinal()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      java.util.concurrent.CompletableFuture<Void> f = signals.whenFinished(jobId);
      try {
        j = get(principal, jobId); // it may have ended before the future was registered
        if (j.status().isFinal()) break;
        JobSignals.await(f, Duration.ofNanos(Math.min(left, AWAIT_POLL.toNanos())));
      } finally {
        signals.forget(jobId, f);
      }
      j = get(principal, jobId);
    }
    return j;
  }

  /** Idle workers wait here between polls of the store; a job queued on this host ends the wait at once. */
  void awaitWork(Duration poll) throws InterruptedException {
    signals.awaitWork(poll);
  }

  /** Called when a job reached its final state on this host. */
  void finished(String jobId) {
    signals.jobFinished(jobId);
  }

  /** A job the caller may see (owner; tenant admin of its tenant; super admin), else not found. */
  public Job get(Principal principal, String jobId) {
    Job j = jobStore.find(jobId).orElseThrow(() -> GenRtlException.notFound("job"));
    if (!principal.canAccess(j.userId(), j.tenantId())) throw GenRtlException.notFound("job");
    return j;
  }

  public Page<Job> list(Principal principal, String workspaceId, PageRequest page) {
    accounts.getWorkspace(principal, workspaceId);
    Page<Job> p = jobStore.listForWorkspace(workspaceId, page);
    return new Page<>(p.items().stream().filter(j -> principal.canAccess(j.userId(), j.tenantId())).toList(), p.nextAfter());
  }

  /**
   * Retries a failed or canceled job as a <em>new</em> job: same owner, workspace, type and input, a fresh id, a fresh
   * submission hold on the owner's pool (402 when it cannot be paid for) and its own event stream, whose first event
   * names the original ({@code retry_of}). The original stays as it ended. Idempotent per (owner, key): a replay
   * returns the same new job. The caller checks who may retry (the admin API); the job must be visible to
   * {@code principal}, else not found.
   */
  public Retried retry(Principal principal, String jobId, String idempotencyKey) {
    if (idempotencyKey == null || idempotencyKey.isBlank()) {
      throw GenRtlException.invalid("idempotency_key", "a retry needs an Idempotency-Key");
    }
    Job orig = get(principal, jobId);
    if (orig.status() != JobStatus.FAILED && orig.status() != JobStatus.CANCELED) {
      throw new GenRtlException(ErrorCode.CONFLICT, "only a failed or canceled job can be retried; this one is "
          + orig.status().name().toLowerCase(java.util.Locale.ROOT), Map.of("status", orig.status().name().toLowerCase(java.util.Locale.ROOT)));
    }
    JobHandler handler = handler(orig.type());
    handler.checkAvailable();
    long worst = handler.firstStepWorstCaseMicros(orig.input());
    String op = "job:retry";
    String fp = sha256(orig.jobId());
    Retried r = tx.inTransaction(() -> {
      long now = clock.millis();
      if (!poolStores.idempotency().claim(orig.userId(), op, idempotencyKey, fp, now)) {
        IdempotencyRecord rec = poolStores.idempotency().find(orig.userId(), op, idempotencyKey).orElseThrow();
        if (!rec.fingerprint().equals(fp)) {
          throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this idempotency key was used to retry another job",
              Map.of("field", "idempotency_key"));
        }
        return new Retried(jobStore.find(rec.resultRef()).orElseThrow(), true);
      }
      String newId = ids.newId();
      String holdId = null;
      if (worst > 0) {
        Hold h = pool.reserve(orig.userId(), worst, SUBMISSION_HOLD_TTL, "job:" + newId,
            new Attribution(newId, null, orig.workspaceId()));
        holdId = h.holdId();
      }
      Job job = Job.queued(newId, orig.userId(), orig.tenantId(), orig.workspaceId(), orig.type(), orig.input(), null,
          holdId, now);
      jobStore.insert(job);
      jobStore.append(newId, "status", "{\"status\":\"queued\",\"retry_of\":\"" + orig.jobId() + "\"}", now);
      poolStores.idempotency().complete(orig.userId(), op, idempotencyKey, newId, null);
      return new Retried(job, false);
    });
    if (!r.replayed()) signals.jobQueued();
    return r;
  }

  /** The new job of a retry, and whether this call only replayed an earlier retry with the same key. */
  public record Retried(Job job, boolean replayed) {}

  /** Cancels a queued job at once (freeing its hold) or asks a running one to stop. */
  public Job cancel(Principal principal, String jobId) {
    Job j = get(principal, jobId);
    long now = clock.millis();
    if (jobStore.requestCancel(jobId, now)) {
      Job after = jobStore.find(jobId).orElseThrow();
      if (after.status() == JobStatus.CANCELED) {
        freeHold(after);
        jobStore.append(jobId, "status", "{\"status\":\"canceled\"}", now);
        jobStore.append(jobId, "done", "{\"status\":\"canceled\"}", now);
        signals.jobFinished(jobId);
      }
      return after;
    }
    return j;
  }

  public List<JobEvent> events(Principal principal, String jobId, long afterSeq) {
    get(principal, jobId);
    return jobStore.events(jobId, afterSeq);
  }

  /** The events of a job already read with {@link #get} after {@code afterSeq} (a stream's poll: no re-read of the job). */
  public List<JobEvent> events(Principal principal, Job job, long afterSeq) {
    if (!principal.canAccess(job.userId(), job.tenantId())) throw GenRtlException.notFound("job");
    return jobStore.events(job.jobId(), afterSeq);
  }

  /**
   * The job as clients see it: its steps folded from its {@code step} events (each event's data is a JSON object with
   * {@code step_id} and {@code status}) and its usage summed from its ledger rows, in total and per step. The job must
   * be visible to {@code principal} (as {@link #get} decides), else not found.
   */
  public JobView view(Principal principal, Job job) {
    if (!principal.canAccess(job.userId(), job.tenantId())) throw GenRtlException.notFound("job");
    record Fold(long startedAt, Long[] finishedAt, Map<String, Object> fields) {}
    Map<String, Fold> steps = new java.util.LinkedHashMap<>();
    for (JobEvent e : jobStore.events(job.jobId(), 0)) {
      if (!e.name().equals("step")) continue;
      Map<String, Object> data = io.genrtl.core.internal.JsonTree.parseObject(e.data());
      Fold f = steps.computeIfAbsent(String.valueOf(data.get("step_id")),
          k -> new Fold(e.at(), new Long[1], new java.util.LinkedHashMap<>()));
      f.fields().putAll(data);
      if (!"running".equals(data.get("status"))) f.finishedAt()[0] = e.at();
    }
    Map<String, JobView.Usage> perStep = new java.util.HashMap<>();
    JobView.Usage[] total = {JobView.Usage.NONE};
    pool.forEachUsage(new io.genrtl.core.pool.LedgerQuery(job.userId(), null, null, null, job.jobId(), null), row -> {
      var t = row.tokens();
      JobView.Usage u = t == null ? new JobView.Usage(0, 0, 0, 0, row.usdMicros())
          : new JobView.Usage(t.inputTokens(), t.outputTokens(), t.cachedInputTokens(), t.cacheWriteTokens(), row.usdMicros());
      total[0] = total[0].plus(u);
      perStep.merge(String.valueOf(row.attribution().stepId()), u, JobView.Usage::plus);
    });
    List<JobView.Step> out = new java.util.ArrayList<>();
    steps.forEach((id, f) -> out.add(new JobView.Step(id, f.startedAt(), f.finishedAt()[0], f.fields(),
        perStep.getOrDefault(id, JobView.Usage.NONE))));
    return new JobView(job, out, total[0]);
  }

  /** Frees the submission hold if nobody used it. */
  void freeHold(Job j) {
    if (j.holdId() == null) return;
    poolStores.holds().find(j.holdId()).ifPresent(h -> {
      if (h.status() == io.genrtl.core.pool.HoldStatus.ACTIVE) pool.voidHold(h.holdId());
    });
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
