package io.genrtl.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.MutableClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link GenRtl#start} runs jobs and the sweeps; {@link GenRtl#close} stops them. */
class GenRtlLifecycleTest {
  final AtomicInteger runs = new AtomicInteger();

  GenRtl genrtl(MutableClock clock) {
    JobHandler echo = new JobHandler() {
      @Override
      public long firstStepWorstCaseMicros(String input) {
        return 10_000;
      }

      @Override
      public String run(JobContext ctx) {
        runs.incrementAndGet();
        return "{\"ok\":true}";
      }
    };
    return GenRtl.builder().stores(InMemoryStores.create()).clock(clock).jobHandler("echo", echo).build();
  }

  @Test
  void startRunsQueuedJobsAndTheSweepsAndCloseStopsThem() throws Exception {
    MutableClock clock = MutableClock.at("2026-07-01T00:00:00Z");
    GenRtl g = genrtl(clock);
    CreatedUser u = g.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    Principal ann = Principal.of(u.user(), null);
    String ws = g.accounts().createWorkspace(ann, "soc").workspaceId();
    // a hold that will expire: the sweep frees it
    g.pool().reserve(ann.userId(), 5_000, Duration.ofSeconds(1), "stale", null);
    assertThat(g.pool().balance(ann.userId()).holdsMicros()).isEqualTo(5_000);

    GenRtl.Background bg = new GenRtl.Background(new JobRunner.Settings("w", 1, Duration.ofSeconds(30),
        Duration.ofMillis(20), 2), Duration.ofMillis(20));
    try (GenRtl running = g.start(bg)) {
      assertThatThrownBy(() -> g.start(bg)).isInstanceOf(IllegalStateException.class);
      Job j = g.jobs().submit(ann, "echo", ws, "{}", null);
      Job done = g.jobs().await(ann, j.jobId(), Duration.ofSeconds(20));
      assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
      clock.advance(Duration.ofSeconds(5));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (g.pool().balance(ann.userId()).holdsMicros() != 0 && System.nanoTime() < deadline) Thread.sleep(10);
      assertThat(g.pool().balance(ann.userId()).holdsMicros()).as("the sweep freed the expired hold").isZero();
    }
    // closed: a new job stays queued
    Job later = g.jobs().submit(ann, "echo", ws, "{}", null);
    Thread.sleep(200);
    assertThat(g.jobs().get(ann, later.jobId()).status()).isEqualTo(JobStatus.QUEUED);
    assertThat(runs).hasValue(1);
    // and it can be started again
    try (GenRtl again = g.start(bg)) {
      assertThat(g.jobs().await(ann, later.jobId(), Duration.ofSeconds(20)).status()).isEqualTo(JobStatus.SUCCEEDED);
    }
  }
}
