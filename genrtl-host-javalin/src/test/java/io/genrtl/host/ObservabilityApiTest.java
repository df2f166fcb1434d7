package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.host.http.PlanLimits;
import io.genrtl.host.http.RateBuckets;
import io.genrtl.host.obs.Tracing;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiResponsesClient;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /metrics after real requests and a plan job (WireMock OpenAI), its key check, and the trace of a plan job. */
class ObservabilityApiTest {
  static final String METRICS_KEY = "metrics-key-0123456789";
  @TempDir Path tmp;
  WireMockServer wm;
  HikariDataSource ds;
  InMemorySpanExporter spans = InMemorySpanExporter.create();
  LimitsHost host;
  TestHttp http;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    wm.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/event-stream").withBody(JobApiTest.sse(JobApiTest.PLAN, 2000, 1500, 700))));
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    OpenAiResponsesClient openai = new OpenAiResponsesClient(LlmHttpConfig.builder("sk-test").baseUrl(wm.baseUrl() + "/v1")
        .maxAttempts(1).build());
    host = new LimitsHost(SqliteStores.create(ds), Clock.systemUTC(), RateBuckets.inMemory(Clock.systemUTC()),
        new LimitsHost.Options(LimitsHost.limits(1000, 1000, Map.of("pro", new PlanLimits(2, 100, 4))),
            Map.of("openai", openai), Tracing.exportingTo(spans, "genrtl-test"), METRICS_KEY));
    host.metrics.bindPool(ds);
    host.startRunner(Clock.systemUTC());
    http = host.http;
  }

  @AfterEach
  void stop() {
    host.close();
    ds.close();
    wm.stop();
  }

  private TestHttp.Response plan(String[] user) {
    return http.send("POST", "/api/jobs/plan", user[0], "{\"workspace_id\":\"" + user[1] + "\",\"spec\":\"a UART loopback\"}",
        "Prefer", "wait=20");
  }

  private String scrape() {
    TestHttp.Response r = http.get("/metrics", METRICS_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("text/plain");
    assertThat(r.header("RateLimit-Limit")).isNull(); // never limited
    return r.body();
  }

  @Test
  void metricsCountRequestsJobsProviderCallsTokensMoneyRefusalsAndThePool() throws Exception {
    String[] ann = host.user("ann@a.test", "pro");
    String[] amy = host.user("amy@a.test", null);
    TestHttp.Response job = plan(ann);
    assertThat(job.status()).as(job.body()).isEqualTo(200);
    assertThat(job.json()).containsEntry("status", "succeeded");
    assertProblem(plan(amy), 402, "insufficient_funds");
    http.get("/api/me", ann[0]);
    assertProblem(http.get("/api/me", ann[0]), 429, "rate_limited"); // pro here: 2 requests per minute per user
    http.get("/api/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV", amy[0]);
    http.get("/no/such/route", amy[0]);
    JobApiTest.until(Duration.ofSeconds(10), () -> scrape().contains("genrtl_jobs_seconds_count{outcome=\"succeeded\",type=\"plan\"} 1"));
    String m = scrape();
    assertThat(m)
        .contains("http_server_requests_seconds_count{method=\"POST\",route=\"/api/jobs/plan\",status=\"200\"} 1")
        .contains("http_server_requests_seconds_count{method=\"POST\",route=\"/api/jobs/plan\",status=\"402\"} 1")
        .contains("http_server_requests_seconds_count{method=\"GET\",route=\"class:default\",status=\"429\"} 1")
        .contains("http_server_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"} 1")
        .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/jobs/{job_id}\",status=\"404\"} 1")
        .contains("http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/me\",status=\"200\",le=\"+Inf\"} 1")
        .doesNotContain("01ARZ3NDEKTSV4RRFFQ69G5FAV") // route templates, never raw paths
        .contains("genrtl_jobs_submitted_total{type=\"plan\"} 1")
        .contains("genrtl_provider_calls_seconds_count{model=\"gpt-5.1\",outcome=\"ok\",provider=\"openai\"} 1")
        .contains("genrtl_tokens_total{kind=\"input\",model=\"gpt-5.1\",provider=\"openai\"} 500")
        .contains("genrtl_tokens_total{kind=\"cached_input\",model=\"gpt-5.1\",provider=\"openai\"} 1500")
        .contains("genrtl_tokens_total{kind=\"output\",model=\"gpt-5.1\",provider=\"openai\"} 700")
        .contains("genrtl_charged_micro_usd_total{kind=\"llm\"} 7813")
        .contains("genrtl_payment_refusals_total{code=\"insufficient_funds\"} 1")
        .contains("genrtl_rate_limit_rejections_total{class=\"default\",scope=\"user\"} 1")
        .contains("genrtl_db_pool_connections{state=\"active\"}")
        .contains("genrtl_db_pool_connections{state=\"idle\"}")
        .contains("genrtl_db_pool_max")
        .doesNotContain(ann[0]).doesNotContain("sk-test").doesNotContain("UART");
  }

  @Test
  void metricsWantTheConfiguredKey() {
    assertProblem(http.get("/metrics", null), 401, "unauthenticated");
    assertProblem(http.get("/metrics", "wrong-key-0123456789xx"), 401, "unauthenticated");
    assertProblem(http.get("/metrics", METRICS_KEY.toUpperCase()), 401, "unauthenticated");
    assertProblem(http.get("/metrics", METRICS_KEY + "x"), 401, "unauthenticated");
    assertProblem(http.send("GET", "/metrics", null, null, "Authorization", "Basic " + METRICS_KEY), 401, "unauthenticated");
    assertProblem(http.send("GET", "/metrics", null, null, "Authorization", "Bearer"), 401, "unauthenticated");
    String user = host.user("ann@a.test", "pro")[0];
    assertProblem(http.get("/metrics", user), 403, "forbidden"); // a user's API key is not enough
    assertProblem(http.get("/metrics", user.substring(0, user.length() - 1) + "x"), 401, "unauthenticated");
    String root = host.superAdminKey();
    assertThat(http.get("/metrics", root).status()).as("a super admin's key may look").isEqualTo(200);
    assertProblem(http.send("POST", "/metrics", METRICS_KEY, "{}"), 405, "method_not_allowed");
    assertThat(scrape()).contains("# TYPE http_server_requests_seconds histogram");
  }

  @Test
  void withoutAKeyMetricsAreOpen() {
    try (LimitsHost open = new LimitsHost(SqliteStores.create(ds), Clock.systemUTC(), RateBuckets.inMemory(Clock.systemUTC()),
        new LimitsHost.Options(null, null, null, null))) {
      TestHttp.Response r = open.http.get("/metrics", null);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void aPlanJobIsTracedFromTheRequestThroughTheJobToTheProviderCallAndTheStores() throws Exception {
    String[] ann = host.user("ann@a.test", "pro");
    TestHttp.Response r = plan(ann);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String jobId = (String) r.json().get("job_id");
    String requestId = r.header("X-Request-Id");
    JobApiTest.until(Duration.ofSeconds(10), () -> spans.getFinishedSpanItems().stream().anyMatch(s -> s.getName().equals("job plan")));
    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData server = one(all, "POST /api/jobs/plan");
    SpanData job = one(all, "job plan");
    SpanData llm = one(all, "llm openai");
    assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(server.getAttributes().get(AttributeKey.stringKey("genrtl.request_id"))).isEqualTo(requestId);
    assertThat(server.getAttributes().get(AttributeKey.stringKey("http.route"))).isEqualTo("/api/jobs/plan");
    assertThat(server.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    // the job runs on a worker thread, in the request's trace
    assertThat(job.getTraceId()).isEqualTo(server.getTraceId());
    assertThat(job.getParentSpanId()).isEqualTo(server.getSpanId());
    assertThat(job.getAttributes().get(AttributeKey.stringKey("genrtl.job_id"))).isEqualTo(jobId);
    assertThat(job.getAttributes().get(AttributeKey.stringKey("genrtl.request_id"))).isEqualTo(requestId);
    assertThat(job.getAttributes().get(AttributeKey.stringKey("genrtl.outcome"))).isEqualTo("succeeded");
    assertThat(llm.getParentSpanId()).isEqualTo(job.getSpanId());
    assertThat(llm.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(llm.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model"))).isEqualTo("gpt-5.1");
    // store calls: under the request (the submission) and under the job (the claim is outside any trace)
    assertThat(all).anyMatch(s -> s.getName().equals("store JobStore.insert") && s.getParentSpanId().equals(server.getSpanId())
        || s.getName().equals("store JobStore.insert") && isUnder(all, s, server));
    assertThat(all).anyMatch(s -> s.getName().equals("store JobStore.finish") && isUnder(all, s, job));
    assertThat(all).anyMatch(s -> s.getName().startsWith("store HoldStore.") && isUnder(all, s, job));
    assertThat(all).noneMatch(s -> s.getName().equals("store JobStore.claimNext")); // no root spans from polling
    assertThat(all).allMatch(s -> s.getTraceId().equals(server.getTraceId()) || !isUnder(all, s, job));
  }

  private static SpanData one(List<SpanData> all, String name) {
    List<SpanData> m = all.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(m).as(all.stream().map(SpanData::getName).toList().toString()).hasSize(1);
    return m.get(0);
  }

  private static boolean isUnder(List<SpanData> all, SpanData s, SpanData ancestor) {
    SpanData cur = s;
    for (int i = 0; i < 50 && cur != null; i++) {
      if (cur.getParentSpanId().equals(ancestor.getSpanId())) return true;
      String parent = cur.getParentSpanId();
      cur = all.stream().filter(x -> x.getSpanId().equals(parent)).findFirst().orElse(null);
    }
    return false;
  }
}
