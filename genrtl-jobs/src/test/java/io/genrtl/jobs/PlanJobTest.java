package io.genrtl.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmStreamListener;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.memory.InMemoryStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PlanJobTest {
  static final String PLAN = "{\"modules\":[{\"name\":\"pack16\",\"type\":\"custom\",\"description\":\"packs bytes\","
      + "\"ports\":[{\"name\":\"clk\",\"direction\":\"input\",\"width\":1}]}],\"cbb_requirements\":[{\"cbb_id\":\"fifo\","
      + "\"version\":\"^1.0\",\"tags\":null,\"simulator\":null,\"sv\":null,\"text\":null}],"
      + "\"verification_plan\":{\"testbenches\":[\"tb_pack16\"],\"assertions\":[],\"coverage_points\":[]}}";

  @Test
  void theSchemaIsThePublishedOne() throws Exception {
    assertThat(PlanJob.schemaText()).isEqualTo(Files.readString(Path.of("..", "docs", "plan.schema.json")));
  }

  /** The core's validator agrees with an independent implementation on what is a plan. */
  @ParameterizedTest
  @ValueSource(strings = {
      PLAN,
      "{\"modules\":[],\"cbb_requirements\":[],\"verification_plan\":{\"testbenches\":[],\"assertions\":[],\"coverage_points\":[]}}",
      "{\"modules\":[]}",
      "{\"modules\":[{\"name\":\"a\",\"type\":\"ip\",\"description\":\"\",\"ports\":[]}],\"cbb_requirements\":[],"
          + "\"verification_plan\":{\"testbenches\":[],\"assertions\":[],\"coverage_points\":[]}}",
      "{\"modules\":[{\"name\":\"a\",\"type\":\"custom\",\"description\":\"\",\"ports\":[{\"name\":\"d\",\"direction\":\"input\",\"width\":0}]}],"
          + "\"cbb_requirements\":[],\"verification_plan\":{\"testbenches\":[],\"assertions\":[],\"coverage_points\":[]}}",
      "{\"modules\":[],\"cbb_requirements\":[],\"verification_plan\":{\"testbenches\":[],\"assertions\":[],\"coverage_points\":[]},\"extra\":1}",
      "[]"})
  void validationAgreesWithAnIndependentValidator(String answer) throws Exception {
    var reference = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(PlanJob.schemaText());
    boolean referenceValid = reference.validate(new ObjectMapper().readTree(answer)).isEmpty();
    assertThat(PlanJob.validate(answer).isEmpty()).isEqualTo(referenceValid);
  }

  @Test
  void notJsonAndEmptyAnswersAreNamed() {
    assertThat(PlanJob.validate("Here is your plan: {")).singleElement().asString().startsWith("the answer is not JSON: ");
    assertThat(PlanJob.validate("{\"modules\":[],\"modules\":[]}")).singleElement().asString().startsWith("the answer is not JSON: ");
    assertThat(PlanJob.validate("  ")).containsExactly("the answer is empty");
  }

  /** Installed through the library API only: an invalid answer, one corrective retry quoting the errors, a plan. */
  @Test
  void aPlanJobInstalledOnTheBuilderRetriesOnceAndReturnsThePlan() throws Exception {
    List<LlmRequest> seen = new CopyOnWriteArrayList<>();
    List<String> answers = List.of("{\"modules\":[]}", PLAN);
    LlmClient openai = new LlmClient() {
      public String provider() {
        return "openai";
      }

      public LlmResponse complete(LlmRequest r, LlmStreamListener l, BooleanSupplier canceled) {
        seen.add(r);
        return new LlmResponse("openai", r.model(), answers.get(seen.size() - 1), new LlmUsage(100, 50, 0, 0, 0), "stop", "req", "resp");
      }
    };
    io.genrtl.core.Stores stores = InMemoryStores.create();
    GenRtl genrtl = GenRtlJobs.install(GenRtl.builder().stores(stores).llm(openai)).build();
    CreatedUser u = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    Principal ann = Principal.of(u.user(), null);
    String ws = genrtl.accounts().createWorkspace(ann, "soc").workspaceId();
    String key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
    Job job = genrtl.jobs().submit(ann, PlanJob.TYPE, ws, "{\"spec\":\"pack bytes; key " + key + "\",\"constraints\":null}", null);
    try (JobRunner runner = new JobRunner(stores.transactor(), stores.jobs(), Clock.systemUTC(), genrtl.jobs(),
        new JobRunner.Settings("w1", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 1))) {
      runner.start();
      Job done = genrtl.jobs().await(ann, job.jobId(), Duration.ofSeconds(20));
      assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(done.result()).isEqualTo("{\"plan\":" + PLAN + "}");
    }
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0).toString()).doesNotContain(key);
    assertThat(seen.get(0).schema().name()).isEqualTo("genrtl_plan");
    LlmRequest.Message retry = seen.get(1).messages().get(2);
    assertThat(retry.content().get(0).text()).startsWith("Your answer does not match the plan schema:\n- ")
        .contains("cbb_requirements");
  }
}
