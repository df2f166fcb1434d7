package io.genrtl.core.jobs;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * In-process shortcuts around the job store, so nobody on this host waits for a poll: a job queued here wakes an
 * idle worker at once, and a job finished here wakes whoever waits for it. Other hosts still see both through the
 * store at their poll interval; a lost signal only costs one poll.
 */
final class JobSignals {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition queued = lock.newCondition();
  private int pending;
  private final ConcurrentHashMap<String, CompletableFuture<Void>> finished = new ConcurrentHashMap<>();

  void jobQueued() {
    lock.lock();
    try {
      pending++;
      queued.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Returns when a job was queued here since the last return, or after {@code poll}. */
  void awaitWork(Duration poll) throws InterruptedException {
    lock.lock();
    try {
      long nanos = poll.toNanos();
      while (pending == 0 && nanos > 0) nanos = queued.awaitNanos(nanos);
      if (pending > 0) pending--;
    } finally {
      lock.unlock();
    }
  }

  void jobFinished(String jobId) {
    CompletableFuture<Void> f = finished.remove(jobId);
    if (f != null) f.complete(null);
  }

  /** A future completed when {@code jobId} finishes on this host; {@link #forget} it when done waiting. */
  CompletableFuture<Void> whenFinished(String jobId) {
    return finished.computeIfAbsent(jobId, k -> new CompletableFuture<>());
  }

  void forget(String jobId, CompletableFuture<Void> f) {
    finished.remove(jobId, f);
  }

  /** Waits on {@code f} for at most {@code max}; false on timeout. */
  static boolean await(CompletableFuture<Void> f, Duration max) throws InterruptedException {
    try {
      f.get(Math.max(1, max.toNanos()), TimeUnit.NANOSECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }
}
