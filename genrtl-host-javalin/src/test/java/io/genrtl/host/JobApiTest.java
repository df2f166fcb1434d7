package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.Json;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.jobs.PlanJob;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiResponsesClient;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Plan job end to end over HTTP: a WireMock OpenAI Responses API, real stores, the real connector and runner. */
class JobApiTest {
  static final String PLAN = "{\"modules\":[{\"name\":\"uart_top\",\"type\":\"custom\",\"description\":\"glue\",\"ports\":"
      + "[{\"name\":\"clk\",\"direction\":\"input\",\"width\":1}]},{\"name\":\"uart\",\"type\":\"cbb\",\"description\":\"8N1\","
      + "\"ports\":[]}],\"cbb_requirements\":[{\"cbb_id\":\"uart\",\"version\":\"^1\",\"tags\":null,\"simulator\":\"iverilog\","
      + "\"sv\":\"2012\",\"text\":null}],\"verification_plan\":{\"testbenches\":[\"tb_uart_top\"],\"assertions\":[],"
      + "\"coverage_points\":[\"loopback\"]}}";

  @TempDir Path tmp;
  WireMockServer wm;
  HikariDataSource ds;
  GenRtl genrtl;
  JobRunner runner;
  Javalin app;
  TestHttp http;
  String annKey;
  String annWs;
  String freeKey;
  String freeWs;
  String eveKey;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    IdGenerator ids = IdGenerator.ulid(Clock.systemUTC());
    OpenAiResponsesClient openai = new OpenAiResponsesClient(LlmHttpConfig.builder("sk-test").baseUrl(wm.baseUrl() + "/v1")
        .maxAttempts(1).build());
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).ids(ids).llm("openai", openai)
        .jobHandler(PlanJob.TYPE, GenRtlJobs.plan()).build();
    runner = new JobRunner(genrtl.stores().transactor(), genrtl.stores().jobs(), Clock.systemUTC(), genrtl.jobs(),
        new JobRunner.Settings("test-host", 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    runner.start();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    annKey = genrtl.apiKeys().issue(ann.user().userId(), "t", null).apiKey();
    annWs = genrtl.accounts().createWorkspace(Principal.of(ann.user(), null), "soc").workspaceId();
    CreatedUser free = genrtl.accounts().createUser(new NewUser("free@x.test", "solo", Role.USER, null));
    freeKey = genrtl.apiKeys().issue(free.user().userId(), "t", null).apiKey();
    freeWs = genrtl.accounts().createWorkspace(Principal.of(free.user(), null), "w").workspaceId();
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro"));
    eveKey = genrtl.apiKeys().issue(eve.user().userId(), "t", null).apiKey();
  }

  @AfterEach
  void stop() {
    app.stop();
    runner.close();
    ds.close();
    wm.stop();
  }

  /** A streamed Responses answer with the documented events, ending in response.completed with usage. */
  static String sse(String text, int input, int cached, int output) {
    String completed = "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-5.1\",\"output\":"
        + "[{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":"
        + "\"output_text\",\"text\":" + Json.write(text) + ",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":" + input
        + ",\"input_tokens_details\":{\"cached_tokens\":" + cached + "},\"output_tokens\":" + output
        + ",\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":" + (input + output) + "}}";
    return "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
        + "\"delta\":" + Json.write(text) + "}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":" + completed + "}\n\n";
  }

  private void stubAnswers(String... texts) {
    String state = Scenario.STARTED;
    for (int i = 0; i < texts.length; i++) {
      String next = i + 1 < texts.length ? "answer-" + (i + 1) : "done";
      wm.stubFor(post(urlEqualTo("/v1/responses")).inScenario("plan").whenScenarioStateIs(state)
          .withHeader("Authorization", equalTo("Bearer sk-test"))
          .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-5.1")))
          .withRequestBody(matchingJsonPath("$.text.format.type", equalTo("json_schema")))
          .withRequestBody(matchingJsonPath("$.text.format.name", equalTo("genrtl_plan")))
          .withRequestBody(matchingJsonPath("$.text.format.strict", equalTo("true")))
          .withRequestBody(matchingJsonPath("$.max_output_tokens", equalTo("8000")))
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
              .withHeader("x-request-id", "req_" + i).withBody(sse(texts[i], 2000, 1500, 700)).withChunkedDribbleDelay(5, 20))
          .willSetStateTo(next));
      state = next;
    }
  }

  /** Polls {@code condition} every 20 ms; fails the test when it is still false after {@code atMost}. */
  static void until(Duration atMost, java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + atMost.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition still false after " + atMost);
      Thread.sleep(20);
    }
  }

  private String planBody(String ws) {
    return "{\"workspace_id\":\"" + ws + "\",\"spec\":\"A UART loopback at 115200 baud\",\"constraints\":{\"clock_mhz\":50}}";
  }

  @Test
  void aPlanJobReturnsAValidPlanWithItsStepAndExactUsage() {
    stubAnswers(PLAN);
    TestHttp.Response r = http.send("POST", "/api/jobs/plan", annKey, planBody(annWs), "Prefer", "wait=20", "Idempotency-Key", "p1");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<String, Object> job = r.json();
    assertThat(job).containsEntry("type", "plan").containsEntry("status", "succeeded").containsEntry("error", null);
    @SuppressWarnings("unchecked") Map<String, Object> result = (Map<String, Object>) job.get("result");
    @SuppressWarnings("unchecked") Map<String, Object> plan = (Map<String, Object>) result.get("plan");
    assertThat((List<?>) plan.get("modules")).hasSize(2);
    @SuppressWarnings("unchecked") List<Map<String, Object>> steps = (List<Map<String, Object>>) job.get("steps");
    assertThat(steps).singleElement().satisfies(s -> assertThat(s).containsEntry("kind", "plan").containsEntry("status", "succeeded")
        .containsEntry("provider", "openai").containsEntry("model", "gpt-5.1").containsKeys("started_at", "finished_at", "usage"));
    // the call used the hold placed at submission (no step then); its row is still the step's
    assertThat(steps.get(0).get("usage")).isEqualTo(job.get("usage"));
    assertThat(((Map<?, ?>) steps.get(0).get("usage")).get("usd")).isEqualTo(0.007813);
    // 500 uncached × $1.25 + 1500 cached × $0.125 + 700 × $10 per million = 625 + 187.5 + 7000 = 7812.5 → 7813 µUSD
    assertThat(r.body()).contains("\"usage\":{\"input_tokens\":500,\"output_tokens\":700,\"cached_input_tokens\":1500,"
        + "\"cache_write_tokens\":0,\"usd\":0.007813}");
    Map<String, Object> balance = ApiContractTest.ok(http.get("/api/billing/balance", annKey));
    assertThat(balance.get("holds_usd")).isEqualTo(0.0);
    assertThat(balance.get("included_usd_balance")).isEqualTo(19.992187);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
    // the same key returns the same job
    TestHttp.Response again = http.send("POST", "/api/jobs/plan", annKey, planBody(annWs), "Idempotency-Key", "p1");
    assertThat(again.json().get("job_id")).isEqualTo(job.get("job_id"));
    // the event stream of a finished job arrives at once and ends with done
    TestHttp.Response events = http.get("/api/jobs/" + job.get("job_id") + "/events", annKey);
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.contentType()).startsWith("text/event-stream");
    assertThat(events.body()).contains("event: status").contains("event: step").contains("event: delta")
        .contains("event: done");
    assertThat(events.body().indexOf("event: done")).isGreaterThan(events.body().lastIndexOf("event: step"));
  }

  @Test
  void aCancelDuringTheProviderCallStopsItAndSettlesWhatWasUsed() throws Exception {
    // the delta arrives in the first 2 of 100 pieces dribbled over 30 s; the stream stays open: the job is mid-call
    StringBuilder pings = new StringBuilder();
    for (int i = 0; i < 2000; i++) pings.append("event: ping\ndata: {\"type\":\"ping\"}\n\n");
    String full = sse(PLAN, 2000, 1500, 700);
    String body = full.substring(0, full.indexOf("event: response.completed")) + pings + full.substring(full.indexOf("event: response.completed"));
    wm.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/event-stream").withBody(body).withChunkedDribbleDelay(100, 30_000)));
    TestHttp.Response submitted = http.post("/api/jobs/plan", annKey, planBody(annWs));
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
    String jobId = (String) submitted.json().get("job_id");
    until(Duration.ofSeconds(20), () -> genrtl.stores().jobs().events(jobId, 0).stream().anyMatch(e -> e.name().equals("delta")));

    assertThat(http.post("/api/jobs/" + jobId + "/cancel", annKey, "").status()).isEqualTo(202);

    until(Duration.ofSeconds(10), () -> "canceled".equals(http.get("/api/jobs/" + jobId, annKey).json().get("status")));
    List<io.genrtl.core.pool.LedgerEntry> rows = new java.util.ArrayList<>();
    genrtl.pool().forEachUsage(new io.genrtl.core.pool.LedgerQuery(genrtl.stores().jobs().find(jobId).orElseThrow().userId(),
        null, null, null, jobId, null), rows::add);
    // the provider reports no usage before response.completed: the output streamed (the plan) is estimated at a
    // token per 4 bytes, the input likewise from the bytes sent; the row says so and is priced as any other
    long planTokens = (PLAN.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 3) / 4;
    assertThat(rows).singleElement().satisfies(e -> {
      assertThat(e.tokens().outputTokens()).isEqualTo(planTokens);
      assertThat(e.tokens().inputTokens()).isPositive();
      assertThat(e.note()).contains("canceled mid-answer").contains("estimated");
      assertThat(e.usdMicros()).isEqualTo(genrtl.prices().find("gpt-5.1").orElseThrow()
          .costMicros(new io.genrtl.core.llm.LlmUsage(e.tokens().inputTokens(), planTokens, 0, 0, 0)));
    });
    Map<String, Object> job = http.get("/api/jobs/" + jobId, annKey).json();
    assertThat(((Map<?, ?>) job.get("usage")).get("usd")).isNotEqualTo(0.0);
    assertThat(ApiContractTest.ok(http.get("/api/billing/balance", annKey)).get("holds_usd")).isEqualTo(0.0);
    assertThat(genrtl.pool().verifyAll()).allSatisfy(c -> assertThat(c.problems()).isEmpty());
  }

  @Test
  void fiftyConcurrentPlanJobsAgainstOneDollarNeverSpendMoreAndTheRefusedNeverReachTheProvider() throws Exception {
    // a free user with exactly $1 of credits; every job reserves its worst case (~$0.09) at submission
    CreatedUser dollar = genrtl.accounts().createUser(new NewUser("dollar@x.test", "one", Role.USER, null));
    String key = genrtl.apiKeys().issue(dollar.user().userId(), "t", null).apiKey();
    String ws = genrtl.accounts().createWorkspace(Principal.of(dollar.user(), null), "w").workspaceId();
    genrtl.pool().grantCredits(dollar.user().userId(), 1_000_000, "one-dollar", "credit_pack", null, null);
    wm.stubFor(post(urlEqualTo("/v1/responses")).withRequestBody(matchingJsonPath("$.model", equalTo("gpt-5.1")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
            .withBody(sse(PLAN, 2000, 1500, 700)).withChunkedDribbleDelay(3, 30)));
    java.util.concurrent.ConcurrentLinkedQueue<String> accepted = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(50);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) {
      futures.add(pool.submit(() -> {
        go.await();
        TestHttp.Response r = new TestHttp(app.port()).post("/api/jobs/plan", key, planBody(ws));
        if (r.status() == 202) {
          accepted.add((String) r.json().get("job_id"));
        } else {
          assertProblem(r, 402, "insufficient_funds");
          refused.incrementAndGet();
        }
        return null;
      }));
    }
    go.countDown();
    for (java.util.concurrent.Future<?> f : futures) f.get(60, java.util.concurrent.TimeUnit.SECONDS);
    pool.shutdown();
    for (String id : accepted) {
      until(Duration.ofSeconds(60), () -> genrtl.stores().jobs().find(id).orElseThrow().status().isFinal());
    }

    assertThat(accepted.size() + refused.get()).isEqualTo(50);
    assertThat(refused.get()).as("$1 cannot reserve 50 worst cases").isPositive();
    assertThat(accepted).allSatisfy(id -> assertThat(genrtl.stores().jobs().find(id).orElseThrow().status())
        .isEqualTo(io.genrtl.core.jobs.JobStatus.SUCCEEDED));
    wm.verify(accepted.size(), postRequestedFor(urlEqualTo("/v1/responses"))); // the refused never reached it
    io.genrtl.core.pool.Balance b = genrtl.pool().balance(dollar.user().userId());
    assertThat(1_000_000 - b.creditsMicros()).isLessThanOrEqualTo(1_000_000).isEqualTo(accepted.size() * 7_813L);
    assertThat(b.holdsMicros()).isZero();
    assertThat(genrtl.pool().verify(dollar.user().userId()).problems()).isEmpty();
  }

  @Test
  void anInvalidAnswerGetsOneCorrectiveRetryAndBothCallsArePaid() {
    stubAnswers("{\"modules\":\"not a list\"}", PLAN);
    Map<String, Object> job = http.send("POST", "/api/jobs/plan", annKey, planBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).containsEntry("status", "succeeded");
    assertThat((List<?>) job.get("steps")).hasSize(2);
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/responses")));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses"))
        .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.containing("does not match the plan schema")));
    assertThat(http.get("/api/usage?job_id=" + job.get("job_id"), annKey).json().get("items")).asList().hasSize(2);
  }

  @Test
  void twoInvalidAnswersFailTheJobWithInvalidModelOutput() {
    stubAnswers("not json at all", "{\"modules\":[]}");
    Map<String, Object> job = http.send("POST", "/api/jobs/plan", annKey, planBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).containsEntry("status", "failed");
    assertThat(((Map<?, ?>) job.get("error")).get("code")).isEqualTo("invalid_model_output");
    assertThat(ApiContractTest.ok(http.get("/api/billing/balance", annKey)).get("holds_usd")).isEqualTo(0.0);
  }

  @Test
  void aJobThatCannotBePaidForIs402AndNeverReachesTheProvider() {
    stubAnswers(PLAN);
    assertProblem(http.post("/api/jobs/plan", freeKey, planBody(freeWs)), 402, "insufficient_funds");
    wm.verify(0, postRequestedFor(urlEqualTo("/v1/responses")));
    assertThat((List<?>) ApiContractTest.ok(http.get("/api/jobs?workspace_id=" + freeWs, freeKey)).get("items")).isEmpty();
  }

  @Test
  void thePlanSchemaIsPublishedAndTheDocsCopyIsTheSame() throws Exception {
    TestHttp.Response r = http.get("/api/schemas/plan", annKey);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(PlanJob.schemaText());
    assertThat(java.nio.file.Files.readString(Path.of("..", "docs", "plan.schema.json"))).isEqualTo(PlanJob.schemaText());
  }

  @Test
  void badInputAndOthersObjects() {
    stubAnswers(PLAN);
    assertProblem(http.post("/api/jobs/plan", annKey, "{\"workspace_id\":\"" + annWs + "\"}"), 400, "validation_failed");
    assertProblem(http.post("/api/jobs/plan", annKey, "{\"workspace_id\":\"" + annWs + "\",\"spec\":42}"), 400, "validation_failed");
    assertProblem(http.post("/api/jobs/plan", annKey, "{\"workspace_id\":"), 400, "malformed_json");
    assertProblem(http.post("/api/jobs/plan", eveKey, planBody(annWs)), 404, "not_found");
    assertProblem(http.get("/api/jobs", annKey), 400, "validation_failed");
    TestHttp.Response queued = http.post("/api/jobs/plan", annKey, planBody(annWs));
    assertThat(queued.status()).isIn(200, 202);
    String id = queued.json().get("job_id").toString();
    assertProblem(http.get("/api/jobs/" + id, eveKey), 404, "not_found");
    assertProblem(http.get("/api/jobs/" + id + "/events", eveKey), 404, "not_found");
    assertProblem(http.post("/api/jobs/" + id + "/cancel", eveKey, null), 404, "not_found");
    assertProblem(http.get("/api/jobs/NOPE", annKey), 404, "not_found");
  }
}
