package io.genrtl.core.jobs;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.llm.LlmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded pool of workers that claim queued jobs (exclusively, across hosts), run their handlers under a renewed
 * lease, and record the outcome. Jobs whose host died (lease expired) are put back in the queue, or failed with their
 * hold freed once they have been tried {@link Settings#maxAttempts()} times.
 */
public final class JobRunner implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobRunner.class.getName());

  /** {@code workerId} must be unique per host (e.g. host name + start time). */
  public record Settings(String workerId, int threads, Duration lease, Duration poll, int maxAttempts) {
    public Settings {
      Objects.requireNonNull(workerId, "workerId");
      if (threads < 1 || maxAttempts < 1) throw new IllegalArgumentException("threads and maxAttempts must be positive");
    }
  }

  private final Transactor tx;

  private final JobStore jobStore;
  private final Clock clock;
  private final JobService service;
  private final Settings settings;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> workers = new ArrayList<>();
  private ScheduledExecutorService heartbeat;

  public JobRunner(Transactor tx, JobStore jobStore, Clock clock, JobService service, Settings settings) {
    this.tx = tx;
    this.jobStore = jobStore;
    this.clock = clock;
    this.service = service;
    this.settings = settings;
  }

  /** Starts the worker threads and the lease heartbeat. */
  public synchronized void start() {
    if (!running.compareAndSet(false, true)) return;
    heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "genrtl-job-heartbeat"));
    long every = Math.max(50, settings.lease().toMillis() / 3);
    heartbeat.scheduleWithFixedDelay(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    for (int i = 0; i < settings.threads(); i++) {
      Thread t = daemon(this::loop, "genrtl-job-worker-" + i);
      workers.add(t);
      t.start();
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void loop() {
    while (running.get()) {
      try {
        recover();
        if (!runOnce()) service.awaitWork(settings.poll());
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException | LinkageError e) {
        // a worker must survive anything a job throws; the job itself was already failed in execute()
        LOG.log(Level.WARNING, "job worker error: " + e);
      }
    }
  }

  private void renewLeases() {
    for (String id : inFlight) {
      jobStore.renewLease(id, settings.workerId(), clock.millis() + settings.lease().toMillis());
    }
  }

  /** Claims one queued job and runs it on the calling thread; false when there was none. */
  public boolean runOnce() {
    // the claim and its "running" event commit together: one round trip, and no claimed job without its event. The
    // claim and everything the job writes while it runs are relaxed (they do not wait for the disk); the job's final
    // commit is durable and makes them durable with it, so a job costs two fsyncs: its submission and its end. A
    // power loss before the end loses a prefix-consistent tail: the job is then queued or leased as before its claim.
    Optional<Job> claimed = tx.relaxed(() -> tx.inTransaction(() -> {
      long now = clock.millis();
      Optional<Job> c = jobStore.claimNext(settings.workerId(), now, settings.lease().toMillis());
      c.ifPresent(j -> jobStore.append(j.jobId(), "status", "{\"status\":\"running\"}", now));
      return c;
    }));
    if (claimed.isEmpty()) return false;
    Job job = claimed.get();
    inFlight.add(job.jobId());
    try {
      execute(job);
    } finally {
      inFlight.remove(job.jobId());
    }
    return true;
  }

  private void execute(Job job) {
    JobHandler handler = service.handler(job.type());
    AtomicBoolean holdTaken = new AtomicBoolean();
    JobContext ctx = new JobContext() {
      @Override
      public Job job() {
        return job;
      }

      @Override
      public void emit(String name, String dataJson) {
        // a transaction of its own, so it shares the relaxed commits of the running job (never an fsync of its own)
        tx.relaxed(() -> tx.inTransaction(
            () -> jobStore.append(job.jobId(), name, dataJson, clock.millis())));
      }

      @Override
      public boolean cancelRequested() {
        return jobStore.find(job.jobId()).map(Job::cancelRequested).orElse(true);
      }

      @Override
      public DeltaStream deltas(String stepId) {
        return new DeltaStream(this, stepId, clock, DeltaStream.Timer.SHARED);
      }

      @Override
      public String takeSubmissionHold() {
        return holdTaken.compareAndSet(false, true) ? job.holdId() : null;
      }
    };
    io.genrtl.core.base.Span span = service.telemetry().jobStarted(job);
    String outcome = JobStatus.FAILED.wire();
    try {
      outcome = run(job, handler, ctx);
    } finally {
      span.end(outcome);
    }
  }

  /** Runs the handler and records the outcome; returns the final status (as on the wire). */
  private String run(Job job, JobHandler handler, JobContext ctx) {
    JobStatus status;
    String result = null;
    String code = null;
    String message = null;
    try {
      result = tx.relaxed(() -> handler.run(ctx));
      status = ctx.cancelRequested() ? JobStatus.CANCELED : JobStatus.SUCCEEDED;
      if (status == JobStatus.CANCELED) {
        code = "canceled";
        message = "canceled while running";
      }
    } catch (LlmException.Canceled e) {
      status = JobStatus.CANCELED;
      code = "canceled";
      message = "canceled while running";
    } catch (GenRtlException e) {
      status = JobStatus.FAILED;
      code = e.code().code();
      message = e.getMessage();
    } catch (LlmException e) {
      status = JobStatus.FAILED;
      code = "provider_error";
      message = e.provider() + " answered " + e.status() + ": " + e.getMessage();
    } catch (RuntimeException | LinkageError | AssertionError e) {
      LOG.log(Level.WARNING, "job " + job.jobId() + " failed unexpectedly", e);
      status = JobStatus.FAILED;
      code = "internal_error";
      message = "an unexpected error occurred";
    }
    long now = clock.millis();
    JobStatus end = status;
    String r = result;
    String c = code;
    String m = message;
    // the outcome and its final events commit together: a client never sees a finished job without its "done"
    boolean finished = tx.inTransaction(() -> {
      if (!jobStore.finish(job.jobId(), settings.workerId(), end, r, c, m, now)) return false;
      String done = "{\"status\":\"" + end.wire() + "\"}";
      jobStore.append(job.jobId(), "status", done, now);
      jobStore.append(job.jobId(), "done", done, now);
      return true;
    });
    if (finished) {
      service.freeHold(job);
      service.finished(job.jobId());
    }
    // else: our lease was lost (we were too slow and another host took the job over); its outcome stands
    return finished ? end.wire() : "lease_lost";
  }

  /**
   * Recovers jobs whose lease expired (their host died): back to the queue, or failed with their hold freed once
   * they were tried {@code maxAttempts} times. Returns how many were recovered.
   */
  public int recover() {
    int n = 0;
    long now = clock.millis();
    for (Job j : jobStore.expiredLeases(now, 50)) {
      if (j.attempts() >= settings.maxAttempts() || j.cancelRequested()) {
        JobStatus end = j.cancelRequested() ? JobStatus.CANCELED : JobStatus.FAILED;
        boolean failed = jobStore.finish(j.jobId(), j.worker(), end, null,
            j.cancelRequested() ? "canceled" : "worker_lost",
            j.cancelRequested() ? "canceled while its worker was lost" : "its worker was lost " + j.attempts() + " times", now);
        if (failed) {
          service.freeHold(j);
          String status = j.cancelRequested() ? "canceled" : "failed";
          jobStore.append(j.jobId(), "status", "{\"status\":\"" + status + "\"}", now);
          jobStore.append(j.jobId(), "done", "{\"status\":\"" + status + "\"}", now);
          service.finished(j.jobId());
          n++;
        }
      } else if (jobStore.requeue(j.jobId(), j.worker(), now)) {
        jobStore.append(j.jobId(), "status", "{\"status\":\"queued\",\"reason\":\"worker lost\"}", now);
        n++;
      }
    }
    return n;
  }

  @Override
  public synchronized void close() {
    running.set(false);
    workers.forEach(Thread::interrupt);
    for (Thread t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    workers.clear();
    if (heartbeat != null) heartbeat.shutdownNow();
  }
}
