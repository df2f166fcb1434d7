package io.genrtl.core.memory;

import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobEvent;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.jobs.JobStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/** In-memory jobs and events, with the same claim and lease semantics as the SQL stores. */
final class InMemoryJobs {
  static final class Data {
    TreeMap<String, Job> jobs = new TreeMap<>();
    Map<String, List<JobEvent>> events = new HashMap<>();

    Data copy() {
      Data d = new Data();
      d.jobs = new TreeMap<>(jobs);
      events.forEach((k, v) -> d.events.put(k, new ArrayList<>(v)));
      return d;
    }
  }

  interface Access {
    <T> T locked(Supplier<T> s);

    Data data();
  }

  private final Access x;

  InMemoryJobs(Access x) {
    this.x = x;
  }

  private static Job with(Job j, JobStatus status, String result, String code, String msg, String worker, long lease,
      int attempts, boolean cancel, Long started, Long finished) {
    return new Job(j.jobId(), j.userId(), j.tenantId(), j.workspaceId(), j.type(), status, j.input(), result, code, msg,
        j.idempotencyKey(), j.holdId(), worker, lease, attempts, cancel, j.createdAt(), started, finished);
  }

  JobStore jobs() {
    return new JobStore() {
      @Override
      public void insert(Job job) {
        x.locked(() -> {
          if (x.data().jobs.putIfAbsent(job.jobId(), job) != null) throw new DuplicateKeyException("job exists", null);
          return null;
        });
      }

      @Override
      public Optional<Job> find(String id) {
        return x.locked(() -> Optional.ofNullable(x.data().jobs.get(id)));
      }

      @Override
      public Page<Job> listForWorkspace(String ws, PageRequest page) {
        return x.locked(() -> {
          var head = page.after() == null ? x.data().jobs.descendingMap() : x.data().jobs.headMap(page.after(), false).descendingMap();
          List<Job> rows = head.values().stream().filter(j -> ws.equals(j.workspaceId())).limit(page.limit() + 1L).toList();
          return Page.fromOverfetch(rows, page, Job::jobId);
        });
      }

      @Override
      public int countActive(String userId) {
        return x.locked(() -> (int) x.data().jobs.values().stream()
            .filter(j -> userId.equals(j.userId()) && !j.status().isFinal()).count());
      }

      @Override
      public Optional<Job> claimNext(String worker, long now, long leaseMillis) {
        return x.locked(() -> {
          for (Job j : x.data().jobs.values()) {
            if (j.status() != JobStatus.QUEUED) continue;
            Job claimed = with(j, JobStatus.RUNNING, null, null, null, worker, now + leaseMillis, j.attempts() + 1,
                j.cancelRequested(), j.startedAt() == null ? now : j.startedAt(), null);
            x.data().jobs.put(j.jobId(), claimed);
            return Optional.of(claimed);
          }
          return Optional.empty();
        });
      }

      @Override
      public boolean renewLease(String id, String worker, long leaseUntil) {
        return x.locked(() -> {
          Job j = x.data().jobs.get(id);
          if (j == null || j.status() != JobStatus.RUNNING || !worker.equals(j.worker())) return false;
          x.data().jobs.put(id, with(j, j.status(), j.result(), j.errorCode(), j.errorMessage(), worker, leaseUntil,
              j.attempts(), j.cancelRequested(), j.startedAt(), null));
          return true;
        });
      }

      @Override
      public boolean finish(String id, String worker, JobStatus status, String result, String code, String msg, long now) {
        return x.locked(() -> {
          Job j = x.data().jobs.get(id);
          if (j == null || j.status() != JobStatus.RUNNING || !worker.equals(j.worker())) return false;
          x.data().jobs.put(id, with(j, status, result, code, msg, worker, 0, j.attempts(), j.cancelRequested(), j.startedAt(), now));
          return true;
        });
      }

      @Override
      public boolean requestCancel(String id, long now) {
        return x.locked(() -> {
          Job j = x.data().jobs.get(id);
          if (j == null || j.status().isFinal()) return false;
          if (j.status() == JobStatus.QUEUED) {
            x.data().jobs.put(id, with(j, JobStatus.CANCELED, null, "canceled", "canceled before it started", null, 0,
                j.attempts(), true, j.startedAt(), now));
          } else {
            x.data().jobs.put(id, with(j, j.status(), j.result(), j.errorCode(), j.errorMessage(), j.worker(), j.leaseUntil(),
                j.attempts(), true, j.startedAt(), null));
          }
          return true;
        });
      }

      @Override
      public List<Job> expiredLeases(long now, int limit) {
        return x.locked(() -> x.data().jobs.values().stream()
            .filter(j -> j.status() == JobStatus.RUNNING && j.leaseUntil() < now)
            .sorted(Comparator.comparingLong(Job::leaseUntil)).limit(limit).toList());
      }

      @Override
      public boolean requeue(String id, String expiredWorker, long now) {
        return x.locked(() -> {
          Job j = x.data().jobs.get(id);
          if (j == null || j.status() != JobStatus.RUNNING || !expiredWorker.equals(j.worker()) || j.leaseUntil() >= now) return false;
          x.data().jobs.put(id, with(j, JobStatus.QUEUED, null, null, null, null, 0, j.attempts(), j.cancelRequested(),
              j.startedAt(), null));
          return true;
        });
      }

      @Override
      public JobEvent append(String id, String name, String data, long now) {
        return x.locked(() -> {
          List<JobEvent> l = x.data().events.computeIfAbsent(id, k -> new ArrayList<>());
          JobEvent e = new JobEvent(id, l.size() + 1L, name, data, now);
          l.add(e);
          return e;
        });
      }

      @Override
      public List<JobEvent> events(String id, long afterSeq) {
        return x.locked(() -> x.data().events.getOrDefault(id, List.of()).stream().filter(e -> e.seq() > afterSeq).toList());
      }
    };
  }
}
