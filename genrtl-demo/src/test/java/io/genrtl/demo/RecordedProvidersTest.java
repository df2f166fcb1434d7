package io.genrtl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.llm.LlmException;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.jobs.ImplementJob;
import io.genrtl.jobs.PlanJob;
import io.genrtl.jobs.RepairJob;
import io.genrtl.llm.http.AnthropicClient;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiResponsesClient;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recorded providers spoken to by the real connectors (streamed and not), and a plan job run against them. */
class RecordedProvidersTest {
  RecordedProviders stub;
  String printed;

  @BeforeEach
  void start() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    stub = RecordedProviders.start(new PrintStream(out, true, StandardCharsets.UTF_8));
    printed = out.toString(StandardCharsets.UTF_8);
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  private LlmHttpConfig config() {
    return LlmHttpConfig.builder("sk-demo").baseUrl(stub.baseUrl()).maxAttempts(1).build();
  }

  private static LlmRequest request(String model, String user, LlmRequest.JsonSchema schema, boolean stream) {
    return request(model, "You write SystemVerilog.", user, schema, stream);
  }

  private static LlmRequest request(String model, String system, String user, LlmRequest.JsonSchema schema, boolean stream) {
    return new LlmRequest("call-1", model, List.of(new LlmRequest.Block(system, true)),
        List.of(LlmRequest.Message.user(user)), 8000, schema, stream);
  }

  @Test
  void itSaysThatItServesRecordedAnswersOnLoopback() {
    assertThat(printed).contains("RECORDED").contains(stub.baseUrl()).contains("no real model is called");
    assertThat(stub.baseUrl()).startsWith("http://127.0.0.1:");
  }

  @Test
  void openAiResponsesStreamedAndNotGiveThePlanWithItsUsage() throws Exception {
    OpenAiResponsesClient openai = new OpenAiResponsesClient(config());
    LlmRequest.JsonSchema schema = new LlmRequest.JsonSchema("genrtl_plan", PlanJob.schemaText(), true);
    for (boolean stream : new boolean[] {false, true}) {
      List<String> deltas = new ArrayList<>();
      LlmResponse r = openai.complete(request("gpt-5.1", "a byte packer", schema, stream), deltas::add, () -> false);
      assertThat(r.text()).isEqualTo(RecordedProviders.plan().strip());
      assertThat(r.model()).isEqualTo("gpt-5.1");
      assertThat(r.stopReason()).isEqualTo("completed");
      assertThat(r.providerRequestId()).startsWith("req_recorded");
      // cached tokens are part of input_tokens; reasoning tokens part of output_tokens
      assertThat(r.usage()).isEqualTo(new LlmUsage(1850 - 1024, 920, 1024, 0, 256));
      if (stream) {
        assertThat(deltas).hasSizeGreaterThan(10);
        assertThat(String.join("", deltas)).isEqualTo(r.text());
      }
    }
    var schemaNode = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(PlanJob.schemaText());
    assertThat(schemaNode.validate(new ObjectMapper().readTree(RecordedProviders.plan()))).isEmpty();
    assertThat(stub.served()).containsEntry("plan", 2);
  }

  @Test
  void anthropicMessagesAnswerImplementThenRepairFromTheRequest() {
    AnthropicClient anthropic = new AnthropicClient(config());
    for (boolean stream : new boolean[] {false, true}) {
      List<String> deltas = new ArrayList<>();
      // the user's material may mention evidence and repairs: only the system prompt decides
      LlmResponse impl = anthropic.complete(request("claude-sonnet-4-6", ImplementJob.PROMPT_MARKER + " for designs.",
          "Implement the plan: pack16 … (verification evidence: a repair-free self-checking testbench)", null, stream),
          deltas::add, () -> false);
      assertThat(impl.text()).isEqualTo(RecordedProviders.implementPatch());
      assertThat(impl.model()).isEqualTo("claude-sonnet-4-6");
      assertThat(impl.stopReason()).isEqualTo("end_turn");
      // Anthropic input_tokens exclude both cache counts
      assertThat(impl.usage()).isEqualTo(new LlmUsage(3310, 2180, 0, 2048, 0));
      if (stream) assertThat(String.join("", deltas)).isEqualTo(impl.text());

      LlmResponse fix = anthropic.complete(request("claude-sonnet-4-6", RepairJob.PROMPT_MARKER + " for designs.",
          "Repair the design. Evidence: {\"tool\":\"iverilog\",\"passed\":false,\"log_excerpt\":\"FAIL: 32 errors\"}", null, stream),
          d -> { }, () -> false);
      assertThat(fix.text()).isEqualTo(RecordedProviders.repairPatch());
      assertThat(fix.usage()).isEqualTo(new LlmUsage(2140, 240, 2048, 0, 0));
    }
    assertThat(stub.served()).containsEntry("implement", 2).containsEntry("repair", 2);
  }

  @Test
  void requestsWithoutTheProvidersAuthHeadersGetTheirErrors() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/messages"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[]}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("authentication_error");
    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(stub.baseUrl() + "/responses"))
        .header("Authorization", "Bearer x").POST(HttpRequest.BodyPublishers.ofString("{nope")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(bad.statusCode()).isEqualTo(400);
    OpenAiResponsesClient keyless = new OpenAiResponsesClient(LlmHttpConfig.builder("sk").baseUrl(stub.baseUrl() + "/nowhere")
        .maxAttempts(1).build());
    org.junit.jupiter.api.Assertions.assertThrows(LlmException.class,
        () -> keyless.complete(request("gpt-5.1", "x", null, false), d -> { }, () -> false));
  }

  @Test
  void aPlanJobSucceedsAgainstTheRecordedOpenAi(@TempDir Path tmp) throws Exception {
    try (HikariDataSource ds = SqliteDataSources.file(tmp.resolve("g.db"))) {
      IdGenerator ids = IdGenerator.ulid(Clock.systemUTC());
      GenRtl genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).ids(ids)
          .llm(new OpenAiResponsesClient(config()), new AnthropicClient(config()))
          .jobHandler(PlanJob.TYPE, GenRtlJobs.plan()).build();
      try (JobRunner runner = new JobRunner(genrtl.stores().transactor(), genrtl.stores().jobs(), Clock.systemUTC(), genrtl.jobs(),
          new JobRunner.Settings("demo-test", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3))) {
        runner.start();
        CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
        Principal p = Principal.of(ann.user(), null);
        String ws = genrtl.accounts().createWorkspace(p, "demo").workspaceId();
        Job job = genrtl.jobs().submit(p, "plan", ws, "{\"spec\":\"pack bytes into 16-bit words\",\"constraints\":null}", null);
        for (int i = 0; i < 1500 && !job.status().isFinal(); i++) {
          Thread.sleep(20);
          job = genrtl.jobs().get(p, job.jobId());
        }
        assertThat(job.status().wire()).isEqualTo("succeeded");
        assertThat(job.result()).startsWith("{\"plan\":").contains("\"pack16\"").contains("\"sync_fifo\"");
      }
    }
  }
}
