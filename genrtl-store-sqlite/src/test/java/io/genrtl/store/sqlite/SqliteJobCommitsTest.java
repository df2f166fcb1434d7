package io.genrtl.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.Stores;
import io.genrtl.store.jdbc.internal.Db;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job waits for the disk twice: when it is submitted and when it ends. Its claim, its events and its settlement
 * while it runs are relaxed commits that the final durable commit makes durable with it.
 */
class SqliteJobCommitsTest {
  @TempDir Path dir;
  HikariDataSource ds;
  Stores stores;
  GenRtl genrtl;
  Principal ann;
  String ws;

  @BeforeEach
  void open() {
    ds = SqliteDataSources.file(dir.resolve("jobs.db"));
    stores = SqliteStores.create(ds);
    JobHandler plan = new JobHandler() {
      @Override
      public long firstStepWorstCaseMicros(String input) {
        return 40_000;
      }

      @Override
      public String run(JobContext ctx) {
        ctx.emit("step", "{\"step\":\"plan\",\"status\":\"running\"}");
        for (int i = 0; i < 3; i++) ctx.emit("delta", "{\"step\":\"plan\",\"text\":\"part " + i + "\"}");
        genrtl.pool().settle(ctx.takeSubmissionHold(), 12_345, PoolService.Settlement.of(UsageKind.LLM));
        ctx.emit("step", "{\"step\":\"plan\",\"status\":\"succeeded\"}");
        return "{\"plan\":{\"modules\":[]}}";
      }
    };
    genrtl = GenRtl.builder().stores(stores).jobHandler("plan", plan).build();
    CreatedUser u = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    ann = Principal.of(u.user(), null);
    ws = genrtl.accounts().createWorkspace(ann, "soc").workspaceId();
  }

  @AfterEach
  void close() {
    ds.close();
  }

  Db.CommitStats stats() {
    return ((Db) stores.transactor()).commitStats().orElseThrow();
  }

  @Test
  void aJobWaitsForTheDiskAtSubmissionAndAtItsEndOnly() {
    JobRunner runner = new JobRunner(stores.transactor(), stores.jobs(), java.time.Clock.systemUTC(), genrtl.jobs(),
        new JobRunner.Settings("w1", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 2));
    Db.CommitStats before = stats();
    Job j = genrtl.jobs().submit(ann, "plan", ws, "{\"spec\":\"uart\"}", "k1");
    Db.CommitStats submitted = stats();
    assertThat(runner.runOnce()).isTrue();
    Db.CommitStats ended = stats();

    assertThat(submitted.durable() - before.durable()).as("submission").isEqualTo(1);
    assertThat(ended.durable() - submitted.durable()).as("claim, events, settlement and end").isEqualTo(1);
    assertThat(ended.units() - submitted.units()).as("the job's transactions").isGreaterThanOrEqualTo(7);

    Job done = genrtl.jobs().get(ann, j.jobId());
    assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(stores.jobs().events(j.jobId(), 0)).extracting(e -> e.name())
        .containsSubsequence("status", "status", "step", "delta", "delta", "delta", "step", "status", "done");
    assertThat(genrtl.pool().balance(ann.userId()).holdsMicros()).isZero();
    assertThat(genrtl.pool().verifyAll()).allSatisfy(c -> assertThat(c.ok()).isTrue());
  }
}
