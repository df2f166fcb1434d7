package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobEvent;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.jobs.JobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Job persistence: claims are exclusive across hosts, leases guard finishing, expired leases are recovered. */
public abstract class JobStoreContractTest {
  protected Stores stores;
  protected JobStore jobs;
  protected String userId;
  protected IdGenerator ids;
  protected MutableClock clock;

  protected abstract Stores createStores();

  /** A second host's view of the same database (its own pool); the same stores where there is only one process. */
  protected Stores secondHost() {
    return stores;
  }

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpJobs() {
    clock = MutableClock.at("2026-04-01T00:00:00Z");
    stores = createStores();
    jobs = stores.jobs();
    var g = io.genrtl.core.GenRtl.builder().stores(stores).clock(clock).build();
    ids = g.ids();
    userId = g.accounts().createUser(new NewUser("j@x.test", null, Role.USER, null)).user().userId();
  }

  @AfterEach
  void tearDownJobs() {
    closeStores(stores);
  }

  private Job queue(String ws) {
    Job j = Job.queued(ids.newId(), userId, "t", ws, "plan", "{\"spec\":\"uart\"}", null, null, clock.millis());
    jobs.insert(j);
    return j;
  }

  @Test
  void claimsTakeTheOldestQueuedJobAndOnlyTheLeaseHolderFinishesIt() {
    Job a = queue("w1");
    Job b = queue("w1");
    long now = clock.millis();
    Job claimed = jobs.claimNext("host-1", now, 30_000).orElseThrow();
    assertThat(claimed.jobId()).isEqualTo(a.jobId());
    assertThat(claimed.status()).isEqualTo(JobStatus.RUNNING);
    assertThat(claimed.worker()).isEqualTo("host-1");
    assertThat(claimed.leaseUntil()).isEqualTo(now + 30_000);
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.startedAt()).isEqualTo(now);
    assertThat(jobs.claimNext("host-2", now, 30_000).orElseThrow().jobId()).isEqualTo(b.jobId());
    assertThat(jobs.claimNext("host-2", now, 30_000)).isEmpty();

    assertThat(jobs.renewLease(a.jobId(), "host-2", now + 60_000)).isFalse();
    assertThat(jobs.renewLease(a.jobId(), "host-1", now + 60_000)).isTrue();
    assertThat(jobs.finish(a.jobId(), "host-2", JobStatus.SUCCEEDED, "{}", null, null, now)).isFalse();
    assertThat(jobs.finish(a.jobId(), "host-1", JobStatus.SUCCEEDED, "{\"plan\":{}}", null, null, now + 5)).isTrue();
    assertThat(jobs.finish(a.jobId(), "host-1", JobStatus.FAILED, null, "x", "y", now + 6)).as("only once").isFalse();
    Job done = jobs.find(a.jobId()).orElseThrow();
    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(done.result()).isEqualTo("{\"plan\":{}}");
    assertThat(done.finishedAt()).isEqualTo(now + 5);
    assertThat(jobs.listForWorkspace("w1", PageRequest.firstDefault()).items()).extracting(Job::jobId)
        .containsExactly(b.jobId(), a.jobId());
  }

  @Test
  void cancelStopsQueuedJobsAtOnceAndFlagsRunningOnes() {
    Job a = queue("w");
    Job b = queue("w");
    Job running = jobs.claimNext("h", clock.millis(), 30_000).orElseThrow();
    assertThat(running.jobId()).isEqualTo(a.jobId());
    assertThat(jobs.requestCancel(b.jobId(), clock.millis())).isTrue();
    assertThat(jobs.find(b.jobId()).orElseThrow().status()).isEqualTo(JobStatus.CANCELED);
    assertThat(jobs.claimNext("h", clock.millis(), 30_000)).isEmpty();
    assertThat(jobs.requestCancel(a.jobId(), clock.millis())).isTrue();
    assertThat(jobs.find(a.jobId()).orElseThrow().cancelRequested()).isTrue();
    assertThat(jobs.find(a.jobId()).orElseThrow().status()).isEqualTo(JobStatus.RUNNING);
    assertThat(jobs.finish(a.jobId(), "h", JobStatus.CANCELED, null, "canceled", "by the user", clock.millis())).isTrue();
    assertThat(jobs.requestCancel(a.jobId(), clock.millis())).as("already over").isFalse();
  }

  @Test
  void expiredLeasesAreRecoveredAndTheDeadWorkerCannotFinish() {
    Job a = queue("w");
    long now = clock.millis();
    jobs.claimNext("dead-host", now, 10_000).orElseThrow();
    assertThat(jobs.expiredLeases(now + 10_000, 10)).isEmpty();
    assertThat(jobs.expiredLeases(now + 10_001, 10)).extracting(Job::jobId).containsExactly(a.jobId());
    assertThat(jobs.requeue(a.jobId(), "other", now + 10_001)).isFalse();
    assertThat(jobs.requeue(a.jobId(), "dead-host", now + 10_001)).isTrue();
    Job again = jobs.claimNext("live-host", now + 10_002, 10_000).orElseThrow();
    assertThat(again.attempts()).isEqualTo(2);
    assertThat(jobs.finish(a.jobId(), "dead-host", JobStatus.SUCCEEDED, "{}", null, null, now)).isFalse();
    assertThat(jobs.finish(a.jobId(), "live-host", JobStatus.SUCCEEDED, "{}", null, null, now)).isTrue();
  }

  @Test
  void eventsArePerJobAndInOrder() {
    Job a = queue("w");
    Job b = queue("w");
    JobEvent e1 = jobs.append(a.jobId(), "status", "{\"status\":\"running\"}", 1);
    jobs.append(b.jobId(), "status", "{}", 1);
    JobEvent e2 = jobs.append(a.jobId(), "delta", "{\"text\":\"mod\"}", 2);
    assertThat(e1.seq()).isEqualTo(1);
    assertThat(e2.seq()).isEqualTo(2);
    assertThat(jobs.events(a.jobId(), 0)).extracting(JobEvent::name).containsExactly("status", "delta");
    assertThat(jobs.events(a.jobId(), 1)).extracting(JobEvent::data).containsExactly("{\"text\":\"mod\"}");
    assertThat(jobs.events(b.jobId(), 0)).hasSize(1);
  }

  /** Two hosts with four threads each claim 120 jobs: each job is run exactly once. */
  @Test
  void concurrentClaimsFromTwoHostsNeverRunAJobTwice() throws Exception {
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 120; i++) queued.add(queue("w").jobId());
    JobStore[] hosts = {stores.jobs(), secondHost().jobs()};
    Map<String, String> runBy = new ConcurrentHashMap<>();
    AtomicInteger doubleRuns = new AtomicInteger();
    AtomicInteger thread = new AtomicInteger();
    StoreContractTest.hammer(8, () -> {
      int t = thread.getAndIncrement();
      JobStore host = hosts[t % 2];
      String worker = "host" + (t % 2) + "-t" + t;
      while (true) {
        Optional<Job> j = host.claimNext(worker, clock.millis(), 60_000);
        if (j.isEmpty()) return null;
        if (runBy.putIfAbsent(j.get().jobId(), worker) != null) doubleRuns.incrementAndGet();
        host.append(j.get().jobId(), "status", "{}", clock.millis());
        assertThat(host.finish(j.get().jobId(), worker, JobStatus.SUCCEEDED, "{}", null, null, clock.millis())).isTrue();
      }
    });
    assertThat(doubleRuns.get()).isZero();
    assertThat(runBy.keySet()).containsExactlyInAnyOrderElementsOf(queued);
    assertThat(queued).allSatisfy(id -> assertThat(jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED));
  }
}
