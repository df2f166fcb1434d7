package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
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
import io.genrtl.jobs.ImplementJob;
import io.genrtl.jobs.RepairJob;
import io.genrtl.llm.http.AnthropicClient;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Implement and Repair jobs end to end over HTTP: a WireMock Anthropic Messages API (streamed answers split across
 * chunks; stubs that match the model, the headers and the cache breakpoints, so a wrong request fails the job), real
 * SQLite stores, the real connector, gateway and runner.
 */
class PatchJobApiTest {
  static final String ANTHROPIC_KEY = "sk-ant-test-0123456789abcdef";
  static final String TOP = "module top(input logic clk);\n  // glue\nendmodule\n";
  static final String BROKEN = "module top(input logic clk);\n  wire x\n  assign x = clk;\nendmodule\n";
  static final String GOOD_IMPLEMENT = String.join("\n",
      "Here is the implementation:",
      "",
      "```diff",
      "diff --git a/rtl/uart_top.sv b/rtl/uart_top.sv",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/rtl/uart_top.sv",
      "@@ -0,0 +1,3 @@",
      "+module uart_top(input logic clk);",
      "+  uart u_uart(.clk(clk));",
      "+endmodule",
      "diff --git a/rtl/top.sv b/rtl/top.sv",
      "--- a/rtl/top.sv",
      "+++ b/rtl/top.sv",
      "@@ -1,3 +1,4 @@",
      " module top(input logic clk);",
      "+  uart_top u_top(.clk(clk));",
      "   // glue",
      " endmodule",
      "```",
      "");
  static final String INTO_VENDOR = String.join("\n",
      "diff --git a/vendor/cbb/uart/rtl/uart.v b/vendor/cbb/uart/rtl/uart.v",
      "--- a/vendor/cbb/uart/rtl/uart.v",
      "+++ b/vendor/cbb/uart/rtl/uart.v",
      "@@ -1 +1 @@",
      "-module uart;",
      "+module uart_patched;",
      "");
  static final String ESCAPING = String.join("\n",
      "--- /dev/null",
      "+++ b/../escape.sv",
      "@@ -0,0 +1 @@",
      "+module escape; endmodule",
      "");
  static final String GOOD_REPAIR = String.join("\n",
      "diff --git a/rtl/top.sv b/rtl/top.sv",
      "--- a/rtl/top.sv",
      "+++ b/rtl/top.sv",
      "@@ -1,3 +1,3 @@",
      " module top(input logic clk);",
      "-  wire x",
      "+  wire x;",
      "   assign x = clk;",
      "");
  static final String STALE_REPAIR = GOOD_REPAIR.replace("   assign x = clk;", "   assign x = rst;");

  /** Per call in a scenario: uncached input, cache write, cache read, output. */
  static final int[][] USAGE = {{1200, 3000, 0, 800}, {400, 0, 3000, 900}};

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
    AnthropicClient anthropic = new AnthropicClient(LlmHttpConfig.builder(ANTHROPIC_KEY).baseUrl(wm.baseUrl() + "/v1")
        .maxAttempts(1).build());
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).ids(ids).llm("anthropic", anthropic)
        .jobHandler(ImplementJob.TYPE, GenRtlJobs.implement())
        .jobHandler(RepairJob.TYPE, GenRtlJobs.repair()).build();
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

  /** A streamed Messages answer: message_start with the input and cache counts, the text in two deltas, message_delta with the output count. */
  static String sse(String text, int[] u) {
    int half = text.length() / 2;
    return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
        + "\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-6\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
        + "{\"input_tokens\":" + u[0] + ",\"cache_creation_input_tokens\":" + u[1] + ",\"cache_read_input_tokens\":" + u[2]
        + ",\"output_tokens\":1}}}\n\n"
        + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
        + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
        + Json.write(text.substring(0, half)) + "}}\n\n"
        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
        + Json.write(text.substring(half)) + "}}\n\n"
        + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
        + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
        + "\"usage\":{\"output_tokens\":" + u[3] + "}}\n\n"
        + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  }

  /** The request the connector must send: our key and API version, the routed model, streaming, the two cache breakpoints. */
  static MappingBuilder messages() {
    return post(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo(ANTHROPIC_KEY))
        .withHeader("anthropic-version", equalTo("2023-06-01"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("claude-sonnet-4-6")))
        .withRequestBody(matchingJsonPath("$.max_tokens", equalTo("16000")))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.system[0].cache_control.type", equalTo("ephemeral")))
        .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("user")))
        .withRequestBody(matchingJsonPath("$.messages[0].content[0].cache_control.type", equalTo("ephemeral")));
  }

  private void stubAnswers(String... texts) {
    String state = Scenario.STARTED;
    for (int i = 0; i < texts.length; i++) {
      String next = i + 1 < texts.length ? "answer-" + (i + 1) : "done";
      wm.stubFor(messages().inScenario("patch").whenScenarioStateIs(state)
          .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
              .withHeader("request-id", "req_" + i).withBody(sse(texts[i], USAGE[i])).withChunkedDribbleDelay(5, 20))
          .willSetStateTo(next));
      state = next;
    }
  }

  static Map<String, Object> file(String path, String content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path);
    m.put("content", content);
    return m;
  }

  private Map<String, Object> implementBody(String ws) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("workspace_id", ws);
    b.put("plan", Json.parse(JobApiTest.PLAN.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    b.put("resolved_cbbs", List.of(Map.of("id", "uart", "version", "1.2.0", "top", "uart", "files", List.of("rtl/uart.v"))));
    b.put("policy", Map.of("readonly_paths", List.of("vendor/cbb/")));
    b.put("files", List.of(file("rtl/top.sv", TOP)));
    return b;
  }

  static Map<String, Object> evidence() {
    Map<String, Object> ev = new LinkedHashMap<>();
    ev.put("tool", "verilator");
    ev.put("command", List.of("verilator", "--lint-only", "rtl/top.sv"));
    ev.put("exit_code", 1);
    ev.put("passed", false);
    ev.put("diagnostics", List.of(Map.of("file", "rtl/top.sv", "line", 2, "column", 9, "severity", "error",
        "message", "syntax error, unexpected assign, expecting ';'")));
    ev.put("log_excerpt", "%Error: rtl/top.sv:2:9: syntax error, unexpected assign");
    ev.put("snippets", List.of(Map.of("file", "rtl/top.sv", "start_line", 1, "text", BROKEN)));
    ev.put("diff", "");
    ev.put("lockfile_summary", Map.of("uart", "1.2.0"));
    ev.put("duration_ms", 1234); // a field this host does not know: accepted and passed on
    return ev;
  }

  private Map<String, Object> repairBody(String ws) {
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("workspace_id", ws);
    b.put("evidence", evidence());
    b.put("files", List.of(file("rtl/top.sv", BROKEN)));
    return b;
  }

  private TestHttp.Response submit(String type, String key, Object body, String... headers) {
    return http.send("POST", "/api/jobs/" + type, key, body instanceof String s ? s : Json.write(body), headers);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> list(Object o) {
    return (List<Map<String, Object>>) o;
  }

  @Test
  void anImplementJobReturnsAPolicyCheckedPatchWithExactUsage() {
    stubAnswers(GOOD_IMPLEMENT);
    TestHttp.Response r = submit("implement", annKey, implementBody(annWs), "Prefer", "wait=20", "Idempotency-Key", "i1");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Map<String, Object> job = r.json();
    assertThat(job).containsEntry("type", "implement").containsEntry("status", "succeeded").containsEntry("error", null);
    Map<String, Object> result = map(job.get("result"));
    assertThat((String) result.get("patch")).startsWith("diff --git a/rtl/uart_top.sv b/rtl/uart_top.sv\n").doesNotContain("```");
    assertThat(list(result.get("files"))).containsExactly(
        Map.of("path", "rtl/uart_top.sv", "status", "added", "added", 3.0, "removed", 0.0),
        Map.of("path", "rtl/top.sv", "status", "modified", "added", 1.0, "removed", 0.0));
    assertThat(map(result.get("stats"))).isEqualTo(Map.of("files", 2.0, "added", 4.0, "removed", 0.0));
    assertThat(list(job.get("steps"))).singleElement().satisfies(s -> assertThat(s).containsEntry("kind", "implement")
        .containsEntry("status", "succeeded").containsEntry("provider", "anthropic").containsEntry("model", "claude-sonnet-4-6")
        .containsEntry("valid", true));
    // 1200 × $3 + 3000 cache writes × $3.75 + 800 × $15 per million = 3600 + 11250 + 12000 = 26850 µUSD
    assertThat(map(job.get("usage"))).isEqualTo(Map.of("input_tokens", 1200.0, "output_tokens", 800.0,
        "cached_input_tokens", 0.0, "cache_write_tokens", 3000.0, "usd", 0.02685));
    List<Map<String, Object>> usage = list(http.get("/api/usage?job_id=" + job.get("job_id"), annKey).json().get("items"));
    assertThat(usage).singleElement().satisfies(u -> assertThat(u).containsEntry("kind", "llm").containsEntry("provider", "anthropic")
        .containsEntry("model", "claude-sonnet-4-6").containsEntry("usd_cost", 0.02685).containsEntry("cache_write_tokens", 3000.0));
    Map<String, Object> balance = ApiContractTest.ok(http.get("/api/billing/balance", annKey));
    assertThat(balance.get("holds_usd")).isEqualTo(0.0);
    assertThat(balance.get("included_usd_balance")).isEqualTo(19.97315);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")));
    // the prompt: the plan, the CBB manifests and the supplied file in the cached context block; no schema
    LoggedRequest sent = wm.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0);
    Map<String, Object> body = map(Json.parse(sent.getBody()));
    String context = (String) list(map(list(body.get("messages")).get(0)).get("content")).get(0).get("text");
    assertThat(context).contains("\"uart_top\"").contains("\"version\":\"1.2.0\"").contains("## rtl/top.sv\n```\n" + TOP + "```")
        .contains("- vendor/cbb/");
    assertThat(list(body.get("system"))).hasSize(1);
    assertThat(list(map(list(body.get("messages")).get(0)).get("content")).get(1)).doesNotContainKey("cache_control");
    // the same key returns the same job; the events stream the deltas and end with done
    assertThat(submit("implement", annKey, implementBody(annWs), "Idempotency-Key", "i1").json().get("job_id")).isEqualTo(job.get("job_id"));
    String events = http.get("/api/jobs/" + job.get("job_id") + "/events", annKey).body();
    assertThat(events).contains("event: delta").contains("event: step").contains("event: done");
  }

  @Test
  void aVendorCbbAnswerGetsOneCorrectiveRetryAndBothCallsArePaid() {
    stubAnswers(INTO_VENDOR, GOOD_IMPLEMENT);
    Map<String, Object> job = submit("implement", annKey, implementBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).as(job.toString()).containsEntry("status", "succeeded");
    List<Map<String, Object>> steps = list(job.get("steps"));
    assertThat(steps).hasSize(2);
    assertThat(steps.get(0)).containsEntry("valid", false);
    assertThat(steps.get(0).get("problems").toString()).contains("vendor/cbb/uart/rtl/uart.v: read_only");
    assertThat(steps.get(1)).containsEntry("valid", true);
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/messages")));
    // the retry quotes the violation after the refused answer, and keeps the cached prefix
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
        .withRequestBody(matchingJsonPath("$.messages[1].role", equalTo("assistant")))
        .withRequestBody(matchingJsonPath("$.messages[2].content[0].text", containing("vendor/cbb/uart/rtl/uart.v: read_only"))));
    // 26850 + (400 × $3 + 3000 cache reads × $0.30 + 900 × $15 = 1200 + 900 + 13500 = 15600) = 42450 µUSD
    assertThat(map(job.get("usage"))).isEqualTo(Map.of("input_tokens", 1600.0, "output_tokens", 1700.0,
        "cached_input_tokens", 3000.0, "cache_write_tokens", 3000.0, "usd", 0.04245));
    assertThat(list(http.get("/api/usage?job_id=" + job.get("job_id"), annKey).json().get("items"))).hasSize(2);
  }

  @Test
  void twoBadAnswersFailWithPatchPolicyViolationAndBothCallsArePaid() {
    stubAnswers(INTO_VENDOR, ESCAPING);
    Map<String, Object> job = submit("implement", annKey, implementBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).containsEntry("status", "failed").containsEntry("result", null);
    Map<String, Object> error = map(job.get("error"));
    assertThat(error.get("code")).isEqualTo("patch_policy_violation");
    assertThat((String) error.get("message")).contains("path_traversal");
    assertThat(map(job.get("usage"))).containsEntry("usd", 0.04245);
    assertThat(list(http.get("/api/usage?job_id=" + job.get("job_id"), annKey).json().get("items"))).hasSize(2);
    Map<String, Object> balance = ApiContractTest.ok(http.get("/api/billing/balance", annKey));
    assertThat(balance.get("holds_usd")).isEqualTo(0.0);
    assertThat(balance.get("included_usd_balance")).isEqualTo(19.95755);
  }

  @Test
  void implementMayNotModifyAFileItWasNotGiven() {
    stubAnswers(GOOD_IMPLEMENT, GOOD_IMPLEMENT);
    Map<String, Object> body = implementBody(annWs);
    body.remove("files");
    Map<String, Object> job = submit("implement", annKey, body, "Prefer", "wait=20").json();
    assertThat(job).containsEntry("status", "failed");
    assertThat((String) map(job.get("error")).get("message")).contains("rtl/top.sv: not_supplied");
  }

  @Test
  void aRepairWhosePatchDoesNotApplyGetsARetry() {
    stubAnswers(STALE_REPAIR, GOOD_REPAIR);
    Map<String, Object> job = submit("repair", annKey, repairBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).as(job.toString()).containsEntry("type", "repair").containsEntry("status", "succeeded");
    List<Map<String, Object>> steps = list(job.get("steps"));
    assertThat(steps).extracting(s -> s.get("kind")).containsExactly("repair", "repair");
    assertThat((List<?>) steps.get(0).get("problems")).singleElement().asString().contains("does not apply");
    Map<String, Object> result = map(job.get("result"));
    assertThat(result.get("patch")).isEqualTo(GOOD_REPAIR);
    assertThat(list(result.get("files"))).containsExactly(Map.of("path", "rtl/top.sv", "status", "modified", "added", 1.0, "removed", 1.0));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
        .withRequestBody(matchingJsonPath("$.messages[2].content[0].text", containing("does not apply to the files as given"))));
    // the evidence reached the model in readable form
    String context = (String) list(map(list(map(Json.parse(wm.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0).getBody()))
        .get("messages")).get(0)).get("content")).get(0).get("text");
    assertThat(context).contains("tool: verilator").contains("command: verilator --lint-only rtl/top.sv").contains("exit_code: 1")
        .contains("- rtl/top.sv:2:9 error: syntax error").contains("## Lockfile summary").contains("\"duration_ms\":1234");
  }

  /**
   * The evidence exactly as {@code POST /api/tools/run} returns it: {@link io.genrtl.toolrunner.EvidenceBundle#toMap()}
   * (the ToolJob's result), with {@code command} an object {@code {compile, run}}, a null column, null phases and the
   * extra members ({@code tool_version}, {@code compile}, {@code run}, {@code isolation}, {@code cbbs}, …), is accepted
   * and reaches the model readably.
   */
  @Test
  void aRepairAcceptsTheEvidenceBundleExactlyAsToolsRunReturnsIt() {
    io.genrtl.toolrunner.EvidenceBundle bundle = new io.genrtl.toolrunner.EvidenceBundle(io.genrtl.toolrunner.Simulator.IVERILOG,
        "Icarus Verilog version 11.0 (stable)", "iverilog -g2012 -o sim.vvp -s top rtl/top.sv", null, 1, false,
        io.genrtl.toolrunner.EvidenceBundle.COMPILE_ERROR, 40, 12,
        new io.genrtl.toolrunner.EvidenceBundle.Phase(1, 40, 12, false, null), null,
        List.of(new io.genrtl.toolrunner.Diagnostic("rtl/top.sv", 2, null, "error", "syntax error")),
        "rtl/top.sv:2: syntax error\n", 27, null, null, null, io.genrtl.toolrunner.Isolation.BWRAP, true, null,
        List.of(new io.genrtl.toolrunner.EvidenceBundle.Installed("uart", "1.2.0", "vendor/cbb/uart/1.2.0", "ab".repeat(32))));
    // through JSON, as a client gets it from GET /api/jobs/{id}
    Map<String, Object> ev = map(Json.parse(Json.write(bundle.toMap()).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertThat(ev.get("command")).isInstanceOf(Map.class);
    stubAnswers(GOOD_REPAIR);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("workspace_id", annWs);
    body.put("evidence", ev);
    body.put("files", List.of(file("rtl/top.sv", BROKEN)));
    TestHttp.Response r = submit("repair", annKey, body, "Prefer", "wait=20");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).as(r.body()).containsEntry("status", "succeeded");
    String context = (String) list(map(list(map(Json.parse(wm.findAll(postRequestedFor(urlEqualTo("/v1/messages"))).get(0).getBody()))
        .get("messages")).get(0)).get("content")).get(0).get("text");
    assertThat(context).contains("command (compile): iverilog -g2012 -o sim.vvp -s top rtl/top.sv")
        .doesNotContain("command (run)").contains("verdict: compile_error").contains("- rtl/top.sv:2 error: syntax error")
        .contains("\"tool_version\":\"Icarus Verilog version 11.0 (stable)\"").contains("\"isolation\":\"bwrap\"");
  }

  @Test
  void twoRepairsThatDoNotApplyFail() {
    stubAnswers(STALE_REPAIR, "I could not find the problem.");
    Map<String, Object> job = submit("repair", annKey, repairBody(annWs), "Prefer", "wait=20").json();
    assertThat(job).containsEntry("status", "failed");
    assertThat((String) map(job.get("error")).get("message")).contains("no unified diff");
    assertThat(map(job.get("error"))).containsEntry("code", "patch_policy_violation");
  }

  @Test
  void secretsNeverReachTheProviderTheDatabaseOrTheLogs() {
    List<String> secrets = List.of("sk-proj-Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe", "sk-ant-api03-Qq1Ww2Ee3Rr4Tt5Yy6Uu7Ii8Oo9Pp0",
        "AKIAZ7Q2M4N6P8R0T2V4", "ghp_Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm", "MIIEowIBAAKCAQEAsecretkeybody0123456789",
        "whsec_9f8e7d6c5b4a39281706f5e4", "hunter2hunter2", "grtl_01JDAAAAAAAAAAAAAAAAAAAAAA_Zz9Yy8Xx7Ww6Vv5Uu4",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJlc2lnbmF0dXJl");
    Map<String, Object> ev = evidence();
    ev.put("log_excerpt", "OPENAI_API_KEY=" + secrets.get(0) + "\nusing " + secrets.get(1) + "\n%Error: rtl/top.sv:2:9");
    ev.put("diagnostics", List.of(Map.of("file", "rtl/top.sv", "line", 2, "severity", "error",
        "message", "aws " + secrets.get(2) + " token=" + secrets.get(3))));
    ev.put("snippets", List.of(Map.of("file", "keys/id_rsa", "start_line", 1,
        "text", "-----BEGIN RSA PRIVATE KEY-----\n" + secrets.get(4) + "\n-----END RSA PRIVATE KEY-----\n")));
    ev.put("lockfile_summary", Map.of("registry", "webhook secret " + secrets.get(5)));
    ev.put("notes", "Authorization: Bearer " + secrets.get(8));
    Map<String, Object> body = repairBody(annWs);
    body.put("evidence", ev);
    body.put("plan", Map.of("modules", List.of(), "note", "deploy with " + secrets.get(7)));
    body.put("files", List.of(file("rtl/top.sv", BROKEN), file("sim/run.env", "DB_PASSWORD=" + secrets.get(6) + "\n")));
    stubAnswers(GOOD_REPAIR);
    try (LogCapture logs = new LogCapture()) {
      // the capture is live: a canary on each channel shows up
      System.err.println("canary-stderr");
      java.util.logging.Logger.getLogger("io.genrtl.test").warning("canary-jul");
      Map<String, Object> job = submit("repair", annKey, body, "Prefer", "wait=20").json();
      assertThat(job).as(job.toString()).containsEntry("status", "succeeded");
      List<LoggedRequest> sent = wm.findAll(postRequestedFor(urlEqualTo("/v1/messages")));
      assertThat(sent).hasSize(1);
      String wire = sent.get(0).getBodyAsString();
      for (String s : secrets) assertThat(wire).as("provider request").doesNotContain(s);
      assertThat(wire).contains("[REDACTED:openai_key]").contains("[REDACTED:anthropic_key]").contains("[REDACTED:aws_key]")
          .contains("[REDACTED:github_token]").contains("[REDACTED:private_key]").contains("[REDACTED:stripe_key]")
          .contains("[REDACTED:secret]").contains("[REDACTED:genrtl_key]").contains("[REDACTED:jwt]");
      String stored = genrtl.stores().jobs().find((String) job.get("job_id")).orElseThrow().input();
      for (String s : secrets) assertThat(stored).as("stored job input").doesNotContain(s);
      String events = http.get("/api/jobs/" + job.get("job_id") + "/events", annKey).body();
      for (String s : secrets) assertThat(events).as("job events").doesNotContain(s);
      String captured = logs.text();
      assertThat(captured).contains("canary-stderr").contains("canary-jul");
      for (String s : secrets) assertThat(captured).as("logs").doesNotContain(s);
    }
  }

  @Test
  void aJobThatCannotBePaidForIs402AndNeverReachesTheProvider() {
    stubAnswers(GOOD_IMPLEMENT);
    assertProblem(submit("implement", freeKey, implementBody(freeWs)), 402, "insufficient_funds");
    assertProblem(submit("repair", freeKey, repairBody(freeWs)), 402, "insufficient_funds");
    wm.verify(0, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void badInput() {
    stubAnswers(GOOD_REPAIR);
    // implement: the plan is required and an object; read-only paths must be safe
    Map<String, Object> noPlan = implementBody(annWs);
    noPlan.remove("plan");
    assertField(submit("implement", annKey, noPlan), 400, "validation_failed", "plan");
    Map<String, Object> planString = implementBody(annWs);
    planString.put("plan", "make a uart");
    assertField(submit("implement", annKey, planString), 400, "validation_failed", "plan");
    Map<String, Object> badCbbs = implementBody(annWs);
    badCbbs.put("resolved_cbbs", List.of("uart"));
    assertField(submit("implement", annKey, badCbbs), 400, "validation_failed", "resolved_cbbs[0]");
    Map<String, Object> badPolicy = implementBody(annWs);
    badPolicy.put("policy", Map.of("readonly_paths", List.of("../x")));
    assertField(submit("implement", annKey, badPolicy), 400, "validation_failed", "policy.readonly_paths");
    badPolicy.put("policy", Map.of("readonly_paths", "vendor/"));
    assertField(submit("implement", annKey, badPolicy), 400, "validation_failed", "policy.readonly_paths");
    badPolicy.put("policy", List.of());
    assertField(submit("implement", annKey, badPolicy), 400, "validation_failed", "policy");
    // repair: evidence is required and typed
    Map<String, Object> noEvidence = repairBody(annWs);
    noEvidence.remove("evidence");
    assertField(submit("repair", annKey, noEvidence), 400, "validation_failed", "evidence");
    assertField(submit("repair", annKey, withEvidence("exit_code", "1")), 400, "validation_failed", "evidence.exit_code");
    assertField(submit("repair", annKey, withEvidence("exit_code", 1.5)), 400, "validation_failed", "evidence.exit_code");
    assertField(submit("repair", annKey, withEvidence("passed", "no")), 400, "validation_failed", "evidence.passed");
    assertField(submit("repair", annKey, withEvidence("tool", null)), 400, "validation_failed", "evidence.tool");
    assertField(submit("repair", annKey, withEvidence("command", List.of("a", 1))), 400, "validation_failed", "evidence.command");
    assertField(submit("repair", annKey, withEvidence("command", Map.of("compile", 5))), 400, "validation_failed", "evidence.command");
    assertField(submit("repair", annKey, withEvidence("command", Map.of("compile", List.of("iverilog")))), 400,
        "validation_failed", "evidence.command");
    Map<String, Object> nine = new LinkedHashMap<>();
    for (int i = 0; i < 9; i++) nine.put("phase" + i, "x");
    assertField(submit("repair", annKey, withEvidence("command", nine)), 400, "validation_failed", "evidence.command");
    assertField(submit("repair", annKey, withEvidence("command", 7)), 400, "validation_failed", "evidence.command");
    assertField(submit("repair", annKey, withEvidence("diagnostics", "many")), 400, "validation_failed", "evidence.diagnostics");
    assertField(submit("repair", annKey, withEvidence("diagnostics", List.of(Map.of("message", "m", "line", "two")))), 400,
        "validation_failed", "evidence.diagnostics[0].line");
    assertField(submit("repair", annKey, withEvidence("diagnostics", List.of(Map.of("line", 2)))), 400,
        "validation_failed", "evidence.diagnostics[0].message");
    List<Object> manySnippets = new ArrayList<>();
    for (int i = 0; i < 51; i++) manySnippets.add(Map.of("file", "a.v", "start_line", 1, "text", "x"));
    assertField(submit("repair", annKey, withEvidence("snippets", manySnippets)), 400, "validation_failed", "evidence.snippets");
    assertField(submit("repair", annKey, withEvidence("snippets", List.of(Map.of("file", "a.v", "start_line", 0, "text", "x")))), 400,
        "validation_failed", "evidence.snippets[0].start_line");
    assertField(submit("repair", annKey, withEvidence("log_excerpt", "x".repeat(300 * 1024))), 413, "payload_too_large", "evidence");
    assertField(submit("repair", annKey, Map.of("workspace_id", annWs, "evidence", "failed")), 400, "validation_failed", "evidence");
    // files: at most 20, each at most 64 KiB unless allow_full_upload, safe relative paths, each once
    List<Object> many = new ArrayList<>();
    for (int i = 0; i < 21; i++) many.add(file("rtl/f" + i + ".sv", "x\n"));
    assertField(submit("repair", annKey, withFiles(many, false)), 400, "validation_failed", "files");
    List<Object> big = List.of(file("rtl/big.sv", "x".repeat(64 * 1024 + 1)));
    assertField(submit("repair", annKey, withFiles(big, false)), 413, "payload_too_large", "files[0].content");
    assertThat(submit("repair", annKey, withFiles(big, true)).status()).isIn(200, 202);
    assertThat(submit("repair", annKey, withFiles(many, true)).status()).isIn(200, 202);
    for (String bad : List.of("../x.sv", "/etc/passwd", "rtl//x.sv", "C:/x.sv", "rtl\\x.sv", ".git/config", "")) {
      assertField(submit("repair", annKey, withFiles(List.of(file(bad, "x")), false)), 400, "validation_failed", "files[0].path");
    }
    assertField(submit("repair", annKey, withFiles(List.of(file("a.v", "x"), file("a.v", "y")), false)), 400, "validation_failed",
        "files[1].path");
    assertField(submit("repair", annKey, withFiles(List.of(Map.of("path", "a.v")), false)), 400, "validation_failed",
        "files[0].content");
    assertField(submit("repair", annKey, withFiles(List.of("a.v"), false)), 400, "validation_failed", "files[0]");
    Map<String, Object> filesObject = repairBody(annWs);
    filesObject.put("files", Map.of("a.v", "x"));
    assertField(submit("repair", annKey, filesObject), 400, "validation_failed", "files");
    // transport: malformed JSON, not JSON, a body over the cap, another user's workspace, types of workspace_id
    assertProblem(submit("repair", annKey, "{\"workspace_id\":"), 400, "malformed_json");
    assertProblem(http.send("POST", "/api/jobs/repair", annKey, "x", "Content-Type", "text/plain"), 415, "unsupported_media_type");
    assertProblem(submit("repair", annKey, "{\"workspace_id\":\"" + annWs + "\",\"pad\":\"" + "x".repeat(3 * 1024 * 1024) + "\"}"), 413,
        "payload_too_large");
    assertProblem(submit("repair", eveKey, repairBody(annWs)), 404, "not_found");
    assertProblem(submit("implement", eveKey, implementBody(annWs)), 404, "not_found");
    Map<String, Object> wsNumber = repairBody(annWs);
    wsNumber.put("workspace_id", 42);
    assertField(submit("repair", annKey, wsNumber), 400, "validation_failed", "workspace_id");
    // the same idempotency key with another body is refused
    assertThat(submit("repair", annKey, repairBody(annWs), "Idempotency-Key", "k1").status()).isIn(200, 202);
    Map<String, Object> other = repairBody(annWs);
    other.put("files", List.of(file("rtl/top.sv", TOP)));
    assertProblem(submit("repair", annKey, other, "Idempotency-Key", "k1"), 422, "idempotency_key_reused");
  }

  private Map<String, Object> withEvidence(String field, Object value) {
    Map<String, Object> b = repairBody(annWs);
    Map<String, Object> ev = new LinkedHashMap<>(evidence());
    ev.put(field, value);
    b.put("evidence", ev);
    return b;
  }

  private Map<String, Object> withFiles(List<Object> files, boolean full) {
    Map<String, Object> b = repairBody(annWs);
    b.put("files", files);
    if (full) b.put("allow_full_upload", true);
    return b;
  }

  static void assertField(TestHttp.Response r, int status, String code, String field) {
    assertProblem(r, status, code);
    assertThat(r.json().get("field")).as(r.body()).isEqualTo(field);
  }
}
