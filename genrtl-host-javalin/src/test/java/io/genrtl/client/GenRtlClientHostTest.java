package io.genrtl.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.cbb.CbbPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The typed client against a real host (SQLite): accounts, billing, catalog, problems, and a plan job end to end. */
class GenRtlClientHostTest {
  static final String PLAN = "{\"modules\":[{\"name\":\"uart_top\",\"type\":\"custom\",\"description\":\"glue\",\"ports\":"
      + "[{\"name\":\"clk\",\"direction\":\"input\",\"width\":1}]},{\"name\":\"uart\",\"type\":\"cbb\",\"description\":\"8N1\","
      + "\"ports\":[]}],\"cbb_requirements\":[{\"cbb_id\":\"uart\",\"version\":\"^1\",\"tags\":null,\"simulator\":\"iverilog\","
      + "\"sv\":\"2012\",\"text\":null}],\"verification_plan\":{\"testbenches\":[\"tb_uart_top\"],\"assertions\":[],"
      + "\"coverage_points\":[\"loopback\"]}}";

  @TempDir Path tmp;
  WireMockServer wm;
  HostFixture host;
  String[] ann;
  GenRtlClient api;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    host = new HostFixture(tmp.resolve("data"), Map.of("OPENAI_API_KEY", "sk-test", "OPENAI_BASE_URL", wm.baseUrl() + "/v1"));
    ann = host.user("ann@acme.test", "pro");
    api = host.client(ann[1]);
  }

  @AfterEach
  void stop() {
    host.close();
    wm.stop();
  }

  static GenRtlApiException problem(Executable call) {
    return org.junit.jupiter.api.Assertions.assertThrows(GenRtlApiException.class, call);
  }

  @Test
  void accountsBillingAndCatalogMapToRecords() {
    Accounts.Me me = api.me();
    assertThat(me.userId()).isEqualTo(ann[0]);
    assertThat(me.email()).isEqualTo("ann@acme.test");
    assertThat(me.plan()).isEqualTo("pro");
    Accounts.Workspace ws = api.createWorkspace("uart-bringup");
    assertThat(api.workspaces(null, null).items()).extracting(Accounts.Workspace::workspaceId).containsExactly(ws.workspaceId());
    assertThat(api.workspace(ws.workspaceId()).name()).isEqualTo("uart-bringup");

    Accounts.IssuedKey k = api.createKey("laptop", null);
    assertThat(k.apiKey()).startsWith("grtl_");
    assertThat(k.toString()).doesNotContain(k.apiKey());
    GenRtlClient laptop = host.client(k.apiKey());
    assertThat(laptop.me().userId()).isEqualTo(ann[0]);
    assertThat(api.keys(null, null).items()).extracting(Accounts.ApiKeyInfo::keyId).contains(k.keyId());
    api.revokeKey(k.keyId());
    assertThat(problem(laptop::me).code()).isEqualTo("unauthenticated");
    assertThat(laptop.toString()).doesNotContain(k.apiKey());

    Billing.Balance b = api.balance();
    assertThat(b.plan()).isEqualTo("pro");
    assertThat(b.includedMicros()).isEqualTo(20_000_000);
    assertThat(b.availableMicros()).isGreaterThanOrEqualTo(20_000_000);
    assertThat(api.models()).extracting(Billing.Model::id).contains("gpt-5.1");
    assertThat(api.models()).filteredOn(m -> m.id().equals("gpt-5.1")).singleElement()
        .satisfies(m -> assertThat(m.inputUsdPerMtok()).isEqualByComparingTo("1.25"));

    Page<Cbb.Summary> catalog = api.catalog(null, null, null, 3);
    assertThat(catalog.items()).hasSize(3);
    assertThat(catalog.hasMore()).isTrue();
    Page<Cbb.Summary> rest = api.catalog(null, null, catalog.nextCursor(), 50);
    List<String> ids = new ArrayList<>();
    catalog.items().forEach(s -> ids.add(s.cbbId()));
    rest.items().forEach(s -> ids.add(s.cbbId()));
    assertThat(ids).contains("sync_fifo", "uart", "crc32").doesNotHaveDuplicates();
    assertThat(api.catalog("fifo", null, null, null).items()).extracting(Cbb.Summary::cbbId).contains("sync_fifo");
    Cbb.Detail uart = api.cbb("uart");
    assertThat(uart.versions()).singleElement().satisfies(v -> {
      assertThat(v.version()).isEqualTo("1.0.0");
      assertThat(v.priceMicros()).isEqualTo(1_000_000);
      assertThat(v.manifest()).containsEntry("id", "uart");
    });

    String receipt = api.checkout(new Cbb.CheckoutRequest(ws.workspaceId(), "job-x", List.of(new Cbb.Item("uart", "1.0.0"))), "k1")
        .receiptId();
    assertThat(api.purchases(null, null).items()).singleElement().satisfies(p -> assertThat(p).containsEntry("receipt_id", receipt));
    Page<Billing.UsageEntry> usage = api.usage(Billing.UsageQuery.all(), null, null);
    assertThat(usage.items()).singleElement().satisfies(u -> {
      assertThat(u.kind()).isEqualTo("cbb");
      assertThat(u.usdMicros()).isEqualTo(1_000_000);
      assertThat(u.cbbId()).isEqualTo("uart");
      assertThat(u.receiptId()).isEqualTo(receipt);
    });
    Billing.UsageSummary sum = api.usageSummary(Billing.UsageQuery.all(), "kind");
    assertThat(sum.total().usdMicros()).isEqualTo(1_000_000);
    assertThat(sum.groups()).singleElement().satisfies(g -> assertThat(g.key()).isEqualTo("cbb"));
  }

  @Test
  void problemsBecomeTypedExceptions() throws Exception {
    GenRtlApiException unauth = problem(() -> host.client("grtl_nope_nope").me());
    assertThat(unauth.status()).isEqualTo(401);
    assertThat(unauth.code()).isEqualTo("unauthenticated");
    assertThat(unauth.requestId()).startsWith("req_");
    assertThat(unauth.detail()).isNotBlank();
    assertThat(unauth.retriable()).isFalse();
    assertThat(unauth.getMessage()).doesNotContain("grtl_nope_nope");

    String[] free = host.user("free@solo.test", null);
    GenRtlClient freeApi = host.client(free[1]);
    String freeWs = freeApi.createWorkspace("w").workspaceId();
    GenRtlApiException broke = problem(() -> freeApi.checkout(new Cbb.CheckoutRequest(freeWs, null,
        List.of(new Cbb.Item("uart", "1.0.0"))), "buy-1"));
    assertThat(broke.status()).isEqualTo(402);
    assertThat(broke.code()).isEqualTo("insufficient_funds");
    assertThat(broke.member("required_usd")).contains("1");
    assertThat(broke.retriable()).isFalse();

    GenRtlApiException none = problem(() -> api.cbb("no_such_cbb"));
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.code()).isEqualTo("not_found");
    String ws = api.createWorkspace("w").workspaceId();
    String receipt = api.checkout(new Cbb.CheckoutRequest(ws, null, List.of(new Cbb.Item("crc32", "1.0.0"))), "c1").receiptId();
    assertThat(problem(() -> freeApi.deliver(receipt)).status()).isEqualTo(404); // not yours: as if it did not exist
    assertThat(problem(() -> freeApi.workspace(ws)).code()).isEqualTo("not_found");

    GenRtlApiException bad = problem(() -> api.resolve(List.of(Cbb.Requirement.id("uart", "not a range!"))));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.code()).isEqualTo("validation_failed");
    assertThat(bad.member("field")).isPresent();

    GenRtlApiException reused = problem(() -> api.checkout(new Cbb.CheckoutRequest(ws, "other-job",
        List.of(new Cbb.Item("crc32", "1.0.0"))), "c1"));
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.code()).isEqualTo("idempotency_key_reused");

    // 409: a published version with different bytes (super admin publish)
    GenRtlClient admin = host.client(host.adminKey);
    Path src = tmp.resolve("fifo-src");
    copyTree(HostFixtureCatalog.dir("sync_fifo"), src);
    Files.writeString(src.resolve("README.md"), "changed\n", java.nio.file.StandardOpenOption.APPEND);
    Path pkg = PackageBuilder.build(src, tmp.resolve("fifo.tar.gz"), CbbPackage.Format.TAR_GZ);
    GenRtlApiException conflict = problem(() -> admin.publish(pkg));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.code()).isEqualTo("conflict");
    assertThat(conflict.member("cbb_id")).contains("sync_fifo");
    Path same = PackageBuilder.build(HostFixtureCatalog.dir("sync_fifo"), tmp.resolve("same.tar.gz"), CbbPackage.Format.TAR_GZ);
    assertThat(admin.publish(same).created()).isFalse();
    assertThat(problem(() -> api.publish(same)).code()).isEqualTo("forbidden");
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
  }

  /** A streamed Responses answer: one delta, then response.completed with usage. */
  static String sse(String text) {
    String completed = "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-5.1\",\"output\":"
        + "[{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":"
        + "\"output_text\",\"text\":" + Json.write(text) + ",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":2000,"
        + "\"input_tokens_details\":{\"cached_tokens\":1500},\"output_tokens\":700,"
        + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":2700}}";
    return "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,"
        + "\"delta\":" + Json.write(text) + "}\n\n"
        + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":" + completed + "}\n\n";
  }

  @Test
  void aPlanJobIsSubmittedAwaitedAndItsEventsRead() {
    wm.stubFor(post(urlEqualTo("/v1/responses")).withHeader("Authorization", equalTo("Bearer sk-test"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-5.1")))
        .withRequestBody(matchingJsonPath("$.text.format.name", equalTo("genrtl_plan")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(sse(PLAN))
            .withChunkedDribbleDelay(4, 20)));
    String ws = api.createWorkspace("soc").workspaceId();
    Jobs.PlanRequest req = new Jobs.PlanRequest(ws, "A UART loopback at 115200 baud", Map.of("clock_mhz", 50));
    Jobs.Job queued = api.submitPlan(req, "plan-1");
    assertThat(queued.jobId()).isNotBlank();
    assertThat(queued.type()).isNull(); // a 202 carries the id and status only
    assertThat(api.submitPlan(req, "plan-1").jobId()).isEqualTo(queued.jobId());

    Jobs.Job done = api.awaitDone(queued.jobId(), Duration.ofMinutes(2));
    assertThat(done.status()).isEqualTo(Jobs.SUCCEEDED);
    assertThat(done.type()).isEqualTo("plan");
    assertThat(done.error()).isNull();
    @SuppressWarnings("unchecked") Map<String, Object> plan = (Map<String, Object>) done.resultObject().get("plan");
    assertThat((List<?>) plan.get("modules")).hasSize(2);
    assertThat(done.steps()).singleElement().satisfies(s -> {
      assertThat(s.kind()).isEqualTo("plan");
      assertThat(s.provider()).isEqualTo("openai");
      assertThat(s.model()).isEqualTo("gpt-5.1");
      // not asserted: the host shows 0 per-step usage today because the llm ledger row has no step_id (a host/core bug)
    });
    // 500 uncached × $1.25 + 1500 cached × $0.125 + 700 × $10 per million = 7812.5 → 7813 µUSD
    assertThat(done.usage()).isEqualTo(new Jobs.Usage(500, 700, 1500, 0, 7813));
    assertThat(host.sleeps).isNotEmpty().allSatisfy(d -> assertThat(d).isEqualTo(Duration.ofMillis(500)));

    List<Jobs.Event> events = new ArrayList<>();
    try (EventStream s = api.events(done.jobId())) {
      s.forEachRemaining(events::add);
    }
    assertThat(events).extracting(Jobs.Event::event).contains("status", "step", "delta").last().isEqualTo("done");
    assertThat(events).allSatisfy(e -> assertThat(e.id()).matches("\\d+"));
    assertThat(events).filteredOn(e -> e.event().equals("delta")).allSatisfy(e ->
        assertThat(Json.cast(e.json())).containsKey("text"));
    // resuming after an event id gives only the later ones
    String secondLast = events.get(events.size() - 2).id();
    try (EventStream s = api.events(done.jobId(), secondLast)) {
      assertThat(s.next().event()).isEqualTo("done");
      assertThat(s.hasNext()).isFalse();
    }
    assertThat(api.jobs(ws, null, null).items()).extracting(Jobs.Job::jobId).containsExactly(done.jobId());
    assertThat(api.cancel(done.jobId()).status()).isEqualTo(Jobs.SUCCEEDED);
    assertThat(api.usage(Billing.UsageQuery.forJob(done.jobId()), null, null).items()).singleElement()
        .satisfies(u -> assertThat(u.model()).isEqualTo("gpt-5.1"));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
    assertThat(problem(() -> host.client(host.user("eve@evil.test", "pro")[1]).job(done.jobId())).status()).isEqualTo(404);
  }
}
