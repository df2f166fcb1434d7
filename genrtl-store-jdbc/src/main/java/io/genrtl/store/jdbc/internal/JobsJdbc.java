package io.genrtl.store.jdbc.internal;

import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobEvent;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.jobs.JobStore;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** Jobs and job events in SQL shared by both dialects; claiming uses the dialect's skip-locked clause. Not API. */
public final class JobsJdbc {
  private final Db db;

  public JobsJdbc(Db db) {
    this.db = db;
  }

  static final RowMapper<Job> JOB = (rs, ctx) -> new Job(rs.getString("job_id"), rs.getString("user_id"),
      rs.getString("tenant_id"), rs.getString("workspace_id"), rs.getString("type"), JobStatus.fromWire(rs.getString("status")),
      rs.getString("input"), rs.getString("result"), rs.getString("error_code"), rs.getString("error_message"),
      rs.getString("idempotency_key"), rs.getString("hold_id"), rs.getString("worker"), rs.getLong("lease_until"),
      rs.getInt("attempts"), rs.getInt("cancel_requested") != 0, rs.getLong("created_at"),
      AccountsJdbc.nullableLong(rs, "started_at"), AccountsJdbc.nullableLong(rs, "finished_at"));

  static final RowMapper<JobEvent> EVENT = (rs, ctx) -> new JobEvent(rs.getString("job_id"), rs.getLong("seq"),
      rs.getString("name"), rs.getString("data"), rs.getLong("at"));

  public JobStore jobs() {
    return new JobStore() {
      @Override
      public void insert(Job j) {
        db.insert("job", h -> h.createUpdate("INSERT INTO jobs (job_id, user_id, tenant_id, workspace_id, type, status, input, "
                + "result, error_code, error_message, idempotency_key, hold_id, worker, lease_until, attempts, cancel_requested, "
                + "created_at, started_at, finished_at) VALUES (:id, :u, :t, :ws, :type, :status, :input, :result, :code, :msg, "
                + ":key, :hold, :worker, :lease, :attempts, :cancel, :at, :started, :finished)")
            .bind("id", j.jobId()).bind("u", j.userId()).bind("t", j.tenantId()).bind("ws", j.workspaceId())
            .bind("type", j.type()).bind("status", j.status().wire()).bind("input", j.input()).bind("result", j.result())
            .bind("code", j.errorCode()).bind("msg", j.errorMessage()).bind("key", j.idempotencyKey()).bind("hold", j.holdId())
            .bind("worker", j.worker()).bind("lease", j.leaseUntil()).bind("attempts", j.attempts())
            .bind("cancel", j.cancelRequested() ? 1 : 0).bind("at", j.createdAt()).bind("started", j.startedAt())
            .bind("finished", j.finishedAt()).execute());
      }

      @Override
      public Optional<Job> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE job_id = :id").bind("id", id).map(JOB).findOne());
      }

      @Override
      public Page<Job> listForWorkspace(String ws, PageRequest page) {
        String sql = "SELECT * FROM jobs WHERE workspace_id = :ws" + (page.after() == null ? "" : " AND job_id < :after")
            + " ORDER BY job_id DESC LIMIT :limit";
        List<Job> rows = db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("ws", ws).bind("limit", page.limit() + 1);
          if (page.after() != null) q.bind("after", page.after());
          return q.map(JOB).list();
        });
        return Page.fromOverfetch(rows, page, Job::jobId);
      }

      @Override
      public int countActive(String userId) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE user_id = :u AND status IN ('queued', 'running')")
            .bind("u", userId).mapTo(Integer.class).one());
      }

      @Override
      public Optional<Job> claimNext(String worker, long now, long leaseMillis) {
        return db.withHandle(h -> h.createQuery("UPDATE jobs SET status = 'running', worker = :w, lease_until = :lease, "
                + "attempts = attempts + 1, started_at = COALESCE(started_at, :now) WHERE job_id = (SELECT job_id FROM jobs "
                + "WHERE status = 'queued' ORDER BY job_id LIMIT 1" + db.dialect().skipLocked() + ") AND status = 'queued' "
                + "RETURNING *")
            .bind("w", worker).bind("lease", now + leaseMillis).bind("now", now).map(JOB).findOne());
      }

      @Override
      public boolean renewLease(String id, String worker, long leaseUntil) {
        return db.withHandle(h -> h.createUpdate("UPDATE jobs SET lease_until = :lease WHERE job_id = :id AND worker = :w "
            + "AND status = 'running'").bind("lease", leaseUntil).bind("id", id).bind("w", worker).execute()) == 1;
      }

      @Override
      public boolean finish(String id, String worker, JobStatus status, String result, String code, String msg, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE jobs SET status = :s, result = :r, error_code = :c, error_message = :m, "
                + "lease_until = 0, finished_at = :now WHERE job_id = :id AND worker = :w AND status = 'running'")
            .bind("s", status.wire()).bind("r", result).bind("c", code).bind("m", msg).bind("now", now).bind("id", id)
            .bind("w", worker).execute()) == 1;
      }

      @Override
      public boolean requestCancel(String id, long now) {
        return db.withHandle(h -> {
          int queued = h.createUpdate("UPDATE jobs SET status = 'canceled', cancel_requested = 1, error_code = 'canceled', "
              + "error_message = 'canceled before it started', finished_at = :now WHERE job_id = :id AND status = 'queued'")
              .bind("now", now).bind("id", id).execute();
          if (queued == 1) return true;
          return h.createUpdate("UPDATE jobs SET cancel_requested = 1 WHERE job_id = :id AND status = 'running'")
              .bind("id", id).execute() == 1;
        });
      }

      @Override
      public List<Job> expiredLeases(long now, int limit) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE status = 'running' AND lease_until < :now "
            + "ORDER BY lease_until LIMIT :n").bind("now", now).bind("n", limit).map(JOB).list());
      }

      @Override
      public boolean requeue(String id, String expiredWorker, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE jobs SET status = 'queued', worker = NULL, lease_until = 0 "
                + "WHERE job_id = :id AND worker = :w AND status = 'running' AND lease_until < :now")
            .bind("id", id).bind("w", expiredWorker).bind("now", now).execute()) == 1;
      }

      @Override
      public JobEvent append(String id, String name, String data, long now) {
        for (int attempt = 0; ; attempt++) {
          try {
            return db.insertReturning("job event", h -> h.createQuery("INSERT INTO job_events (job_id, seq, name, data, at) "
                    + "SELECT :id, COALESCE(MAX(seq), 0) + 1, :name, :data, :at FROM job_events WHERE job_id = :id RETURNING *")
                .bind("id", id).bind("name", name).bind("data", data).bind("at", now).map(EVENT).one());
          } catch (DuplicateKeyException e) {
            if (attempt >= 5) throw e; // two appends raced for the same sequence number: take the next one
          }
        }
      }

      @Override
      public List<JobEvent> events(String id, long afterSeq) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM job_events WHERE job_id = :id AND seq > :after ORDER BY seq")
            .bind("id", id).bind("after", afterSeq).map(EVENT).list());
      }
    };
  }
}
