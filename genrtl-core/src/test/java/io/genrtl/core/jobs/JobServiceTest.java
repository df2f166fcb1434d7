package io.genrtl.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JobServiceTest {
  static final long WORST = 50_000; // $0.05 reserved at submission

  MutableClock clock;
  Stores stores;
  GenRtl genrtl;
  Principal ann;
  String annWs;
  volatile Function<JobContext, String> behaviour = ctx -> "{\"plan\":{\"modules\":[]}}";
  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() {
    clock = MutableClock.at("2026-07-01T00:00:00Z");
    stores = InMemoryStores.create();
    JobHandler plan = new JobHandler() {
      @Override
      public long firstStepWorstCaseMicros(String input) {
        return WORST;
      }

      @Override
      public String run(JobContext ctx) {
        runs.computeIfAbsent(ctx.job().jobId(), k -> new AtomicInteger()).incrementAndGet();
        return behaviour.apply(ctx);
      }
    };
    genrtl = GenRtl.builder().stores(stores).clock(clock).jobHandler("plan", plan).build();
    CreatedUser u = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    ann = Principal.of(u.user(), null);
    annWs = genrtl.accounts().createWorkspace(ann, "soc").workspaceId();
  }

  private JobRunner runner(String worker) {
    return new JobRunner(stores.transactor(), stores.jobs(), clock, genrtl.jobs(), new JobRunner.Settings(worker, 2, Duration.ofSeconds(30),
        Duration.ofMillis(20), 2));
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e.code();
    }
    throw new AssertionError("expected a GenRtlException");
  }

  @Test
  void aSubmittedJobHoldsItsFirstStepRunsOnceAndFreesWhatItDidNotUse() {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"uart\"}", "k1");
    assertThat(j.status()).isEqualTo(JobStatus.QUEUED);
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isEqualTo(WORST);
    assertThat(genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"uart\"}", "k1").jobId()).as("replay").isEqualTo(j.jobId());
    assertThat(codeOf(() -> genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"spi\"}", "k1"))).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);

    assertThat(runner("h1").runOnce()).isTrue();
    assertThat(runner("h1").runOnce()).isFalse();
    Job done = genrtl.jobs().get(ann, j.jobId());
    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(done.result()).isEqualTo("{\"plan\":{\"modules\":[]}}");
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
    assertThat(genrtl.jobs().events(ann, j.jobId(), 0)).extracting(e -> e.name() + ":" + e.data()).containsExactly(
        "status:{\"status\":\"queued\"}", "status:{\"status\":\"running\"}", "status:{\"status\":\"succeeded\"}",
        "done:{\"status\":\"succeeded\"}");
    assertThat(runs.get(j.jobId()).get()).isEqualTo(1);
  }

  @Test
  void aJobQueuedHereWakesAnIdleWorkerAndItsEndWakesTheWaiterWithoutWaitingForAPoll() throws Exception {
    // the workers poll the store once an hour: only the in-process signals can get this job run and seen in time
    try (JobRunner r = new JobRunner(stores.transactor(), stores.jobs(), clock, genrtl.jobs(), new JobRunner.Settings("h1", 2, Duration.ofSeconds(30),
        Duration.ofHours(1), 2))) {
      r.start();
      Thread.sleep(100); // let both workers find the queue empty and begin their hour-long wait
      for (int i = 0; i < 5; i++) {
        Job j = genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"uart " + i + "\"}", null);
        Job done = genrtl.jobs().await(ann, j.jobId(), Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
      }
    }
  }

  @Test
  void awaitReturnsTheJobAsItIsWhenTheWaitRunsOutAndFollowsTheOwnershipRule() throws Exception {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"uart\"}", null);
    assertThat(genrtl.jobs().await(ann, j.jobId(), Duration.ofMillis(30)).status()).isEqualTo(JobStatus.QUEUED);
    Principal eve = Principal.of(genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro")).user(), null);
    assertThat(codeOf(() -> {
      try {
        genrtl.jobs().await(eve, j.jobId(), Duration.ofMillis(10));
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    })).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void aJobThatCannotBePaidForIsRefusedAndNeverCreated() {
    CreatedUser free = genrtl.accounts().createUser(new NewUser("free@x.test", "acme2", Role.USER, null));
    Principal p = Principal.of(free.user(), null);
    String ws = genrtl.accounts().createWorkspace(p, "w").workspaceId();
    assertThat(codeOf(() -> genrtl.jobs().submit(p, "plan", ws, "{}", "k"))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(genrtl.jobs().list(p, ws, PageRequest.firstDefault()).items()).isEmpty();
    assertThat(runner("h").runOnce()).isFalse();
    assertThat(codeOf(() -> genrtl.jobs().submit(p, "nope", ws, "{}", "k"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
  }

  @Test
  void jobsFollowTheOwnershipRule() {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    Principal eve = Principal.of(genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro")).user(), null);
    Principal adm = Principal.of(genrtl.accounts().createUser(new NewUser("adm@x.test", "acme", Role.TENANT_ADMIN, null)).user(), null);
    assertThat(codeOf(() -> genrtl.jobs().get(eve, j.jobId()))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> genrtl.jobs().cancel(eve, j.jobId()))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> genrtl.jobs().submit(eve, "plan", annWs, "{}", null))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(genrtl.jobs().get(adm, j.jobId()).jobId()).isEqualTo(j.jobId());
    assertThat(genrtl.jobs().list(ann, annWs, PageRequest.firstDefault()).items()).hasSize(1);
  }

  @Test
  void cancelStopsAQueuedJobAtOnceAndARunningOneAtItsNextCheck() {
    Job queued = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    assertThat(genrtl.jobs().cancel(ann, queued.jobId()).status()).isEqualTo(JobStatus.CANCELED);
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
    assertThat(runner("h").runOnce()).isFalse();

    Job running = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    behaviour = ctx -> {
      genrtl.jobs().cancel(ann, ctx.job().jobId()); // the user cancels while the first step runs
      return ctx.cancelRequested() ? null : "{}";
    };
    runner("h").runOnce();
    Job after = genrtl.jobs().get(ann, running.jobId());
    assertThat(after.status()).isEqualTo(JobStatus.CANCELED);
    assertThat(after.errorCode()).isEqualTo("canceled");
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
  }

  @Test
  void failuresKeepTheirCodeAndUnexpectedOnesSayInternalError() {
    Job a = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    behaviour = ctx -> {
      throw new GenRtlException(ErrorCode.UNPROCESSABLE, "the model answered nonsense twice");
    };
    runner("h").runOnce();
    assertThat(genrtl.jobs().get(ann, a.jobId())).satisfies(j -> {
      assertThat(j.status()).isEqualTo(JobStatus.FAILED);
      assertThat(j.errorCode()).isEqualTo("unprocessable");
    });
    Job b = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    behaviour = ctx -> {
      throw new IllegalStateException("bug with secret details");
    };
    runner("h").runOnce();
    assertThat(genrtl.jobs().get(ann, b.jobId())).satisfies(j -> {
      assertThat(j.errorCode()).isEqualTo("internal_error");
      assertThat(j.errorMessage()).doesNotContain("secret");
    });
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
  }

  @Test
  void aRestartLosesNothingAndLeaksNoHold() {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    // a host claims the job and dies before finishing it
    stores.jobs().claimNext("dead-host", clock.millis(), 30_000).orElseThrow();
    JobRunner survivor = runner("survivor");
    assertThat(survivor.recover()).isZero();
    clock.advance(Duration.ofSeconds(31));
    assertThat(survivor.recover()).isEqualTo(1);
    assertThat(survivor.runOnce()).isTrue();
    assertThat(genrtl.jobs().get(ann, j.jobId()).status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();

    // a job whose hosts keep dying is failed after maxAttempts, and its hold is freed
    Job k = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    stores.jobs().claimNext("dead-1", clock.millis(), 30_000).orElseThrow();
    clock.advance(Duration.ofSeconds(31));
    survivor.recover();
    stores.jobs().claimNext("dead-2", clock.millis(), 30_000).orElseThrow();
    clock.advance(Duration.ofSeconds(31));
    survivor.recover();
    Job failed = genrtl.jobs().get(ann, k.jobId());
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.errorCode()).isEqualTo("worker_lost");
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
    assertThat(genrtl.pool().verify(ann.userId()).problems()).isEmpty();
  }

  @Test
  void theFirstModelCallUsesTheSubmissionHold() {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{}", null);
    behaviour = ctx -> {
      String hold = ctx.takeSubmissionHold();
      assertThat(ctx.takeSubmissionHold()).as("handed over once").isNull();
      genrtl.pool().settle(hold, 12_345, PoolService.Settlement.of(UsageKind.LLM));
      return "{}";
    };
    runner("h").runOnce();
    assertThat(genrtl.jobs().get(ann, j.jobId()).status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(genrtl.pool().balance(ann.userId()).includedMicros()).isEqualTo(20_000_000 - 12_345);
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
  }

  @Test
  void twoRunnersWithWorkerThreadsRunEveryJobExactlyOnce() throws Exception {
    genrtl.pool().charge(ChargeRequest.of(ann.userId(), UsageKind.LLM, 0, "warm"));
    int n = 20;
    CountDownLatch done = new CountDownLatch(n);
    behaviour = ctx -> {
      done.countDown();
      return "{}";
    };
    for (int i = 0; i < n; i++) genrtl.jobs().submit(ann, "plan", annWs, "{\"i\":" + i + "}", null);
    try (JobRunner a = runner("host-a"); JobRunner b = runner("host-b")) {
      a.start();
      b.start();
      assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(runs).hasSize(n);
    assertThat(runs.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
  }

  @Test
  void theViewFoldsStepEventsAndSumsUsagePerStepForThoseWhoMaySeeTheJob() {
    Job j = genrtl.jobs().submit(ann, "plan", annWs, "{\"spec\":\"uart\"}", null);
    long t0 = clock.millis();
    stores.jobs().append(j.jobId(), "step", "{\"step_id\":\"s1\",\"status\":\"running\",\"name\":\"plan\"}", t0);
    stores.jobs().append(j.jobId(), "delta", "{\"text\":\"x\"}", t0 + 1);
    stores.jobs().append(j.jobId(), "step", "{\"step_id\":\"s1\",\"status\":\"succeeded\",\"attempts\":2}", t0 + 5);
    stores.jobs().append(j.jobId(), "step", "{\"step_id\":\"s2\",\"status\":\"running\"}", t0 + 6);
    io.genrtl.core.pool.Attribution s1 = new io.genrtl.core.pool.Attribution(j.jobId(), "s1", annWs);
    for (String key : new String[] {"c1", "c2"}) {
      genrtl.pool().charge(new ChargeRequest(ann.userId(), UsageKind.LLM, 1_000, key, null, s1,
          new io.genrtl.core.pool.TokenUsage("openai", "m", 10, 20, 3, 4), null, null));
    }
    JobView v = genrtl.jobs().view(ann, j);
    assertThat(v.steps()).extracting(JobView.Step::stepId).containsExactly("s1", "s2");
    JobView.Step first = v.steps().get(0);
    assertThat(first.startedAt()).isEqualTo(t0);
    assertThat(first.finishedAt()).isEqualTo(t0 + 5);
    assertThat(first.fields()).containsKeys("step_id", "status", "name", "attempts").containsEntry("status", "succeeded");
    assertThat(first.fields().keySet()).containsExactly("step_id", "status", "name", "attempts");
    assertThat(first.usage()).isEqualTo(new JobView.Usage(20, 40, 6, 8, 2_000));
    assertThat(v.steps().get(1).finishedAt()).as("still running").isNull();
    assertThat(v.steps().get(1).usage()).isEqualTo(JobView.Usage.NONE);
    assertThat(v.usage()).isEqualTo(new JobView.Usage(20, 40, 6, 8, 2_000));
    Principal bob = Principal.of(genrtl.accounts().createUser(new NewUser("bob@x.test", "other", Role.USER, "pro")).user(), null);
    assertThat(codeOf(() -> genrtl.jobs().view(bob, j))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> genrtl.jobs().events(bob, j, 0))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(genrtl.jobs().events(ann, j, 0)).extracting(JobEvent::name).endsWith("step", "delta", "step", "step");
  }
}
