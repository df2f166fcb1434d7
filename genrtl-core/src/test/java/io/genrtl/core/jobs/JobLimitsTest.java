package io.genrtl.core.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.Telemetry;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Span;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The running-jobs limit by plan, and what the library tells its {@link Telemetry}. */
class JobLimitsTest {
  MutableClock clock = MutableClock.at("2026-07-01T00:00:00Z");
  Stores stores = InMemoryStores.create();
  List<String> told = new CopyOnWriteArrayList<>();
  GenRtl genrtl;
  Principal pro;
  String proWs;
  Principal free;
  String freeWs;

  @BeforeEach
  void setUp() {
    JobHandler handler = new JobHandler() {
      @Override
      public long firstStepWorstCaseMicros(String input) {
        return 1_000;
      }

      @Override
      public String run(JobContext ctx) {
        genrtl.pool().settle(ctx.takeSubmissionHold(), 700, io.genrtl.core.pool.PoolService.Settlement.of(UsageKind.LLM));
        return "{}";
      }
    };
    Telemetry t = new Telemetry() {
      @Override
      public void jobSubmitted(Job job) {
        told.add("submitted " + job.type());
      }

      @Override
      public Span jobStarted(Job job) {
        told.add("started " + job.jobId());
        return outcome -> told.add("ended " + job.jobId() + " " + outcome);
      }

      @Override
      public void charged(UsageKind kind, long micros) {
        told.add("charged " + kind.wire() + " " + micros);
      }

      @Override
      public void paymentRefused(String code) {
        told.add("refused " + code);
      }

      @Override
      public void tokens(String provider, String model, LlmUsage usage) {
        told.add("tokens");
      }
    };
    genrtl = GenRtl.builder().stores(stores).clock(clock).jobHandler("plan", handler).telemetry(t)
        .jobLimits(plan -> plan.equals("pro") ? 2 : Integer.MAX_VALUE).build();
    CreatedUser p = genrtl.accounts().createUser(new NewUser("pro@x.test", "acme", Role.USER, "pro"));
    pro = Principal.of(p.user(), null);
    proWs = genrtl.accounts().createWorkspace(pro, "w").workspaceId();
    CreatedUser f = genrtl.accounts().createUser(new NewUser("free@x.test", "solo", Role.USER, null));
    free = Principal.of(f.user(), null);
    freeWs = genrtl.accounts().createWorkspace(free, "w").workspaceId();
  }

  @Test
  void aUserHasAtMostThePlansNumberOfActiveJobs() {
    Job a = genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":1}", "k1");
    genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":2}", null);
    assertThatThrownBy(() -> genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":3}", "k3"))
        .isInstanceOfSatisfying(GenRtlException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_JOBS);
          assertThat(e.details()).containsEntry("active_jobs", 2).containsEntry("max_active_jobs", 2);
        });
    // nothing of the refused submission remains: no hold, its idempotency key is free
    assertThat(genrtl.pool().balance(pro.userId()).holdsMicros()).isEqualTo(2_000);
    // a replay of an accepted key is the same job, not a refusal
    assertThat(genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":1}", "k1").jobId()).isEqualTo(a.jobId());
    genrtl.jobs().cancel(pro, a.jobId());
    assertThat(genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":3}", "k3").status()).isEqualTo(JobStatus.QUEUED);
    assertThat(stores.jobs().countActive(pro.userId())).isEqualTo(2);
  }

  @Test
  void finishedJobsDoNotCount() throws Exception {
    genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":1}", null);
    genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":2}", null);
    JobRunner runner = new JobRunner(stores.transactor(), stores.jobs(), clock, genrtl.jobs(), new JobRunner.Settings("w", 1, Duration.ofSeconds(30),
        Duration.ofMillis(10), 3));
    try {
      while (runner.runOnce()) {
        // run both
      }
    } finally {
      runner.close();
    }
    assertThat(stores.jobs().countActive(pro.userId())).isZero();
    genrtl.jobs().submit(pro, "plan", proWs, "{\"n\":3}", null);
    assertThat(told).contains("submitted plan").anyMatch(s -> s.startsWith("ended ") && s.endsWith(" succeeded"))
        .contains("charged llm 700");
  }

  @Test
  void refusalsForLackOfFundsAreReported() {
    assertThatThrownBy(() -> genrtl.pool().charge(ChargeRequest.of(free.userId(), UsageKind.TOOL, 5_000, "c1")))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    assertThatThrownBy(() -> genrtl.jobs().submit(free, "plan", freeWs, "{}", null))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS));
    assertThat(told).containsExactly("refused insufficient_funds", "refused insufficient_funds");
  }
}
