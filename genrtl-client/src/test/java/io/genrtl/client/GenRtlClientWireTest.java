package io.genrtl.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import io.genrtl.core.testing.MutableClock;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries, request bodies of the routes other modules serve (implement, repair, tool runs), and the SSE reader, on WireMock. */
class GenRtlClientWireTest {
  static GenRtlApiException problem(org.junit.jupiter.api.function.Executable call) {
    return org.junit.jupiter.api.Assertions.assertThrows(GenRtlApiException.class, call);
  }

  static final String KEY = "grtl_01TESTKEY_s3cr3tpart";
  static final String PROBLEM = "application/problem+json";
  WireMockServer wm;
  final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
  final MutableClock clock = MutableClock.at("2026-06-01T00:00:00Z");
  GenRtlClient api;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    api = GenRtlClient.builder().baseUrl(wm.baseUrl()).apiKey(KEY).clock(clock).pollInterval(Duration.ofSeconds(2))
        .sleeper(d -> {
          sleeps.add(d);
          clock.advance(d); // polls and retries take no real time
        }).build();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  static String problem(int status, String code) {
    return "{\"type\":\"urn:genrtl:problem:" + code + "\",\"title\":\"x\",\"status\":" + status + ",\"detail\":\"busy\",\"code\":\""
        + code + "\",\"instance\":\"/api\",\"request_id\":\"req_1\",\"retry_after_seconds\":2}";
  }

  @Test
  void getsAreRetriedAfter503WithRetryAfterAndUnkeyedPostsAreNot() {
    wm.stubFor(get("/api/billing/balance").inScenario("b").whenScenarioStateIs(STARTED).willSetStateTo("up")
        .willReturn(aResponse().withStatus(503).withHeader("Content-Type", PROBLEM).withHeader("Retry-After", "2")
            .withBody(problem(503, "unavailable"))));
    wm.stubFor(get("/api/billing/balance").inScenario("b").whenScenarioStateIs("up")
        .willReturn(okJson("{\"plan\":\"pro\",\"included_usd_balance\":19.992187,\"available_usd\":19.5,\"holds_usd\":0.492187}")));
    Billing.Balance b = api.balance();
    assertThat(b.includedMicros()).isEqualTo(19_992_187);
    assertThat(b.holdsMicros()).isEqualTo(492_187);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    wm.verify(2, getRequestedFor(urlEqualTo("/api/billing/balance")).withHeader("Authorization", equalTo("Bearer " + KEY)));

    wm.stubFor(post("/api/cbb/resolve").willReturn(aResponse().withStatus(503).withHeader("Content-Type", PROBLEM)
        .withHeader("Retry-After", "1").withBody(problem(503, "unavailable"))));
    GenRtlApiException e = problem(() -> api.resolve(List.of(Cbb.Requirement.text("fifo"))));
    assertThat(e.retriable()).isTrue();
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
    assertThat(e.requestId()).isEqualTo("req_1");
    wm.verify(1, postRequestedFor(urlEqualTo("/api/cbb/resolve")));
  }

  @Test
  void keyedPostsAreRetriedOn429AndConnectionResetsButNotPast3Attempts() {
    String receipt = "{\"receipt_id\":\"r1\",\"charged\":[],\"already_owned\":[],\"balances_after\":{\"included_usd_balance\":1}}";
    wm.stubFor(get("/api/me").willReturn(okJson("{\"user\":{\"user_id\":\"u1\"},\"tenant\":{},\"workspaces\":[]}")));
    wm.stubFor(post("/api/cbb/checkout").inScenario("c").whenScenarioStateIs(STARTED).willSetStateTo("reset")
        .willReturn(aResponse().withStatus(429).withHeader("Content-Type", PROBLEM).withHeader("Retry-After", "3")
            .withBody(problem(429, "rate_limited"))));
    wm.stubFor(post("/api/cbb/checkout").inScenario("c").whenScenarioStateIs("reset").willSetStateTo("ok")
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.stubFor(post("/api/cbb/checkout").inScenario("c").whenScenarioStateIs("ok")
        .willReturn(aResponse().withStatus(201).withHeader("Content-Type", "application/json").withBody(receipt)));
    Cbb.Checkout c = api.checkout(new Cbb.CheckoutRequest("w1", null, List.of(new Cbb.Item("uart", "1.0.0"))), "order-7");
    assertThat(c.receiptId()).isEqualTo("r1");
    assertThat(sleeps).containsExactly(Duration.ofSeconds(3), Duration.ofMillis(400));
    wm.verify(3, postRequestedFor(urlEqualTo("/api/cbb/checkout")).withHeader("Idempotency-Key", equalTo("order-7"))
        .withRequestBody(equalToJson("{\"user_id\":\"u1\",\"workspace_id\":\"w1\",\"items\":[{\"cbb_id\":\"uart\","
            + "\"version\":\"1.0.0\"}],\"idempotency_key\":\"order-7\"}")));

    // a 429 without Retry-After is not retriable; a body that is not a problem gets http_<status>
    wm.stubFor(get("/api/models").willReturn(aResponse().withStatus(429).withHeader("Content-Type", PROBLEM)
        .withBody("{\"status\":429,\"code\":\"rate_limited\"}")));
    GenRtlApiException e = problem(api::models);
    assertThat(e.retriable()).isFalse();
    assertThat(e.code()).isEqualTo("rate_limited");
    wm.stubFor(get("/api/cbb/x").willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
        .withHeader("X-Request-Id", "req_gw").withBody("<html>bad gateway</html>")));
    GenRtlApiException gw = problem(() -> api.cbb("x"));
    assertThat(gw.code()).isEqualTo("http_502");
    assertThat(gw.requestId()).isEqualTo("req_gw");

    wm.stubFor(get("/api/keys").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    sleeps.clear();
    UncheckedIOException io = org.junit.jupiter.api.Assertions.assertThrows(UncheckedIOException.class, () -> api.keys(null, null));
    assertThat(io.getMessage()).doesNotContain(KEY);
    assertThat(sleeps).hasSize(2);
    wm.verify(3, getRequestedFor(urlEqualTo("/api/keys")));
    assertThat(api.toString()).doesNotContain(KEY).doesNotContain("s3cr3t");
  }

  @Test
  void implementRepairAndToolRunBodiesFollowTheIssueContracts() {
    String queued = "{\"job_id\":\"j1\",\"status\":\"queued\"}";
    for (String p : List.of("/api/jobs/implement", "/api/jobs/repair", "/api/tools/run")) {
      wm.stubFor(post(p).willReturn(aResponse().withStatus(202).withHeader("Content-Type", "application/json").withBody(queued)));
    }
    Map<String, Object> plan = Map.of("modules", List.of());
    Map<String, Object> manifest = Map.of("id", "sync_fifo");
    Jobs.Job j = api.submitImplement(new Jobs.ImplementRequest("w1", plan, List.of(manifest), null,
        List.of(new Jobs.FileText("rtl/top.sv", "module top; endmodule\n"))), "impl-1");
    assertThat(j.jobId()).isEqualTo("j1");
    assertThat(j.status()).isEqualTo(Jobs.QUEUED);
    wm.verify(postRequestedFor(urlEqualTo("/api/jobs/implement")).withHeader("Idempotency-Key", equalTo("impl-1"))
        .withRequestBody(equalToJson("{\"workspace_id\":\"w1\",\"plan\":{\"modules\":[]},\"resolved_cbbs\":[{\"id\":\"sync_fifo\"}],"
            + "\"policy\":{\"readonly_paths\":[\"vendor/cbb/\"]},\"files\":[{\"path\":\"rtl/top.sv\",\"content\":\"module top; endmodule\\n\"}]}")));

    Map<String, Object> bundle = Map.of("tool", "iverilog", "command", "iverilog -g2012 …", "exit_code", 0, "passed", false,
        "diagnostics", List.of(Map.of("file", "rtl/top.sv", "line", 3, "severity", "error", "message", "x")), "log_excerpt", "FAIL");
    Map<String, Object> evidence = Jobs.RepairRequest.evidence(bundle, List.of(new Jobs.Snippet("rtl/top.sv", 1, "module top;")),
        "--- a/x\n+++ b/x\n", "sync_fifo@1.0.0 sha256=ab");
    api.submitRepair(new Jobs.RepairRequest("w1", null, evidence, List.of(new Jobs.FileText("rtl/top.sv", "m")), false), null);
    wm.verify(postRequestedFor(urlEqualTo("/api/jobs/repair")).withHeader("Idempotency-Key", absent())
        .withRequestBody(equalToJson("{\"workspace_id\":\"w1\",\"evidence\":{\"tool\":\"iverilog\",\"command\":\"iverilog -g2012 …\","
            + "\"exit_code\":0,\"passed\":false,\"diagnostics\":[{\"file\":\"rtl/top.sv\",\"line\":3,\"severity\":\"error\","
            + "\"message\":\"x\"}],\"log_excerpt\":\"FAIL\",\"snippets\":[{\"file\":\"rtl/top.sv\",\"start_line\":1,"
            + "\"text\":\"module top;\"}],\"diff\":\"--- a/x\\n+++ b/x\\n\",\"lockfile_summary\":\"sync_fifo@1.0.0 sha256=ab\"},"
            + "\"files\":[{\"path\":\"rtl/top.sv\",\"content\":\"m\"}]}")));

    api.runTool(new Jobs.ToolRunRequest("w1", "j0", "iverilog", List.of(new Jobs.FileText("tb/tb.sv", "module tb; endmodule")),
        List.of(new Jobs.CbbRef("r1", "sync_fifo", "1.0.0")), "tb", "tb/files.f", List.of("-DFOO"), 30), "run-1");
    wm.verify(postRequestedFor(urlEqualTo("/api/tools/run")).withRequestBody(equalToJson("{\"workspace_id\":\"w1\","
        + "\"job_id\":\"j0\",\"simulator\":\"iverilog\",\"files\":[{\"path\":\"tb/tb.sv\",\"text\":\"module tb; endmodule\"}],"
        + "\"cbbs\":[{\"receipt_id\":\"r1\",\"cbb_id\":\"sync_fifo\",\"version\":\"1.0.0\"}],\"top\":\"tb\","
        + "\"filelist\":\"tb/files.f\",\"args\":[\"-DFOO\"],"
        + "\"timeout_s\":30}")));
  }

  @Test
  void awaitDonePollsWithTheInjectedSleeperUntilTheDeadline() {
    wm.stubFor(get("/api/jobs/j1").inScenario("j").whenScenarioStateIs(STARTED).willSetStateTo("run")
        .willReturn(okJson("{\"job_id\":\"j1\",\"status\":\"queued\"}")));
    wm.stubFor(get("/api/jobs/j1").inScenario("j").whenScenarioStateIs("run").willSetStateTo("end")
        .willReturn(okJson("{\"job_id\":\"j1\",\"status\":\"running\"}")));
    wm.stubFor(get("/api/jobs/j1").inScenario("j").whenScenarioStateIs("end")
        .willReturn(okJson("{\"job_id\":\"j1\",\"type\":\"tool\",\"status\":\"failed\",\"error\":{\"code\":\"invalid_model_output\","
            + "\"message\":\"m\"},\"result\":{\"passed\":false},\"usage\":{\"usd\":0.000001}}")));
    Jobs.Job j = api.awaitDone("j1", Duration.ofMinutes(1));
    assertThat(j.status()).isEqualTo(Jobs.FAILED);
    assertThat(j.error()).isEqualTo(new Jobs.Error("invalid_model_output", "m"));
    assertThat(j.resultObject()).containsEntry("passed", false);
    assertThat(j.usage().usdMicros()).isEqualTo(1);
    assertThat(sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));

    wm.stubFor(get("/api/jobs/j2").willReturn(okJson("{\"job_id\":\"j2\",\"status\":\"running\"}")));
    sleeps.clear();
    GenRtlClient.AwaitTimeoutException t = org.junit.jupiter.api.Assertions.assertThrows(GenRtlClient.AwaitTimeoutException.class,
        () -> api.awaitDone("j2", Duration.ofSeconds(10)));
    assertThat(t.last().status()).isEqualTo(Jobs.RUNNING);
    assertThat(sleeps).hasSize(5);
  }

  @Test
  void eventsAreParsedAndAStreamCutShortResumesWithLastEventId() {
    wm.stubFor(get(urlPathEqualTo("/api/jobs/j1/events")).withHeader("Last-Event-ID", absent())
        .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(
            ": keep-alive\n\nid: 1\nevent: status\ndata: {\"status\":\"running\"}\n\n"
                + "id: 2\r\nevent: delta\r\ndata: line one\r\ndata:line two\r\n\r\n")
            .withChunkedDribbleDelay(5, 10)));
    wm.stubFor(get(urlPathEqualTo("/api/jobs/j1/events")).withHeader("Last-Event-ID", equalTo("2"))
        .willReturn(aResponse().withHeader("Content-Type", "text/event-stream").withBody(
            "id: 3\nevent: done\ndata: {\"status\":\"succeeded\"}\n\n")));
    List<Jobs.Event> events = new ArrayList<>();
    try (EventStream s = api.events("j1")) {
      s.forEachRemaining(events::add);
    }
    assertThat(events).containsExactly(new Jobs.Event("1", "status", "{\"status\":\"running\"}"),
        new Jobs.Event("2", "delta", "line one\nline two"), new Jobs.Event("3", "done", "{\"status\":\"succeeded\"}"));
    assertThat(sleeps).hasSize(1);
    wm.stubFor(get(urlPathEqualTo("/api/jobs/nope/events")).willReturn(aResponse().withStatus(404)
        .withHeader("Content-Type", PROBLEM).withBody("{\"status\":404,\"code\":\"not_found\",\"request_id\":\"req_9\"}")));
    assertThat(problem(() -> api.events("nope")).code()).isEqualTo("not_found");
  }
}
