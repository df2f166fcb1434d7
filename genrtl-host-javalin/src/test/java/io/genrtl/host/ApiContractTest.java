package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The foundation's REST contract over real HTTP, against real stores. Subclasses pick the database. */
abstract class ApiContractTest {
  static final long MAX_BODY = 64 * 1024;

  protected MutableClock clock;
  protected GenRtl genrtl;
  private Javalin app;
  protected TestHttp http;

  protected abstract Stores openStores();

  protected void closeStores() {}

  // two tenants: acme (ann = user, bob = user, adm = tenant admin) and evil (eve = user)
  protected CreatedUser ann;
  protected CreatedUser bob;
  protected CreatedUser adm;
  protected CreatedUser eve;
  protected String annKey;
  protected String bobKey;
  protected String admKey;
  protected String eveKey;

  @BeforeEach
  void start() {
    clock = MutableClock.at("2026-05-01T00:00:00Z");
    genrtl = GenRtl.builder().stores(openStores()).clock(clock).build();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(MAX_BODY, "http://localhost"));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro"));
    bob = genrtl.accounts().createUser(new NewUser("bob@acme.test", "acme", Role.USER, null));
    adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null));
    eve = genrtl.accounts().createUser(new NewUser("eve@evil.test", "evil", Role.USER, null));
    annKey = genrtl.apiKeys().issue(ann.user().userId(), "t", null).apiKey();
    bobKey = genrtl.apiKeys().issue(bob.user().userId(), "t", null).apiKey();
    admKey = genrtl.apiKeys().issue(adm.user().userId(), "t", null).apiKey();
    eveKey = genrtl.apiKeys().issue(eve.user().userId(), "t", null).apiKey();
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop(); // null when PostgreSQL is not configured and the test was skipped
    closeStores();
  }

  static void assertProblem(TestHttp.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    Map<String, Object> p = r.json();
    assertThat(p.get("code")).isEqualTo(code);
    assertThat(((Number) p.get("status")).intValue()).isEqualTo(status);
    assertThat(p.get("title")).isNotNull();
    assertThat(p.get("type")).isEqualTo("urn:genrtl:problem:" + code);
    assertThat(p.get("request_id")).isEqualTo(r.header("X-Request-Id"));
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  // ------------------------------------------------------------------ health

  @Test
  void healthAndReadinessNeedNoKey() {
    TestHttp.Response h = http.get("/healthz", null);
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.json()).containsEntry("status", "ok");
    TestHttp.Response r = http.get("/readyz", null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json()).containsEntry("database", "ok");
  }

  // ------------------------------------------------------------------ authentication

  @Test
  void missingMalformedUnknownRevokedAndExpiredKeysAre401() {
    assertProblem(http.get("/api/me", null), 401, "unauthenticated");
    assertProblem(http.send("GET", "/api/me", null, null, "Authorization", "Basic YTpi"), 401, "unauthenticated");
    assertProblem(http.send("GET", "/api/me", null, null, "Authorization", "Bearer"), 401, "unauthenticated");
    assertProblem(http.get("/api/me", "not-a-key"), 401, "unauthenticated");
    assertProblem(http.get("/api/me", "grtl_01ABCDEFGHJKMNPQRSTVWXYZ0_" + "a".repeat(32)), 401, "unauthenticated");
    assertProblem(http.get("/api/me", annKey.substring(0, annKey.length() - 1) + "Z"), 401, "unauthenticated");
    assertThat(http.get("/api/me", null).header("WWW-Authenticate")).startsWith("Bearer");

    String expiring = created(http.post("/api/keys", annKey,
        "{\"name\":\"short\",\"expires_at\":\"2026-05-01T01:00:00Z\"}")).get("api_key").toString();
    assertThat(http.get("/api/me", expiring).status()).isEqualTo(200);
    clock.advance(Duration.ofHours(1));
    TestHttp.Response expired = http.get("/api/me", expiring);
    assertProblem(expired, 401, "unauthenticated");
    assertThat(expired.json().get("detail")).isEqualTo("API key expired");

    String k = created(http.post("/api/keys", annKey, "{\"name\":\"doomed\"}")).get("api_key").toString();
    String keyId = k.split("_")[1];
    assertThat(http.delete("/api/keys/" + keyId, annKey).status()).isEqualTo(204);
    TestHttp.Response revoked = http.get("/api/me", k);
    assertProblem(revoked, 401, "unauthenticated");
    assertThat(revoked.json().get("detail")).isEqualTo("API key revoked");
  }

  @Test
  void unknownApiRoutesAre401WithoutAKeyAnd404WithOne() {
    assertProblem(http.get("/api/nope", null), 401, "unauthenticated");
    assertProblem(http.get("/api/nope", annKey), 404, "not_found");
    assertProblem(http.get("/nope", null), 404, "not_found");
    assertProblem(http.send("PUT", "/api/me", annKey, "{}"), 405, "method_not_allowed");
  }

  @Test
  void logoutRevokesOnlyThePresentedKey() {
    String second = created(http.post("/api/keys", annKey, "{}")).get("api_key").toString();
    assertThat(http.post("/api/auth/logout", second, null).status()).isEqualTo(204);
    assertProblem(http.get("/api/me", second), 401, "unauthenticated");
    assertThat(http.get("/api/me", annKey).status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ me

  @Test
  void meShowsUserTenantRolePlanSubscriptionAndWorkspaces() {
    created(http.post("/api/workspaces", annKey, "{\"name\":\"soc\"}"));
    Map<String, Object> me = ok(http.get("/api/me", annKey));
    @SuppressWarnings("unchecked") Map<String, Object> user = (Map<String, Object>) me.get("user");
    assertThat(user).containsEntry("user_id", ann.user().userId()).containsEntry("email", "ann@acme.test");
    @SuppressWarnings("unchecked") Map<String, Object> tenant = (Map<String, Object>) me.get("tenant");
    assertThat(tenant).containsEntry("tenant_id", ann.tenant().tenantId()).containsEntry("name", "acme");
    assertThat(me).containsEntry("role", "user").containsEntry("plan", "pro").containsEntry("subscription_status", "active");
    @SuppressWarnings("unchecked") Map<String, Object> sub = (Map<String, Object>) me.get("subscription");
    assertThat(sub).containsEntry("provider", "manual").containsEntry("period_start", "2026-05-01T00:00:00Z")
        .containsEntry("period_end", "2026-06-01T00:00:00Z");
    assertThat((List<?>) me.get("workspaces")).hasSize(1);

    Map<String, Object> bobMe = ok(http.get("/api/me", bobKey));
    assertThat(bobMe).containsEntry("plan", "free").containsEntry("subscription_status", null);
  }

  // ------------------------------------------------------------------ keys

  @Test
  void keysAreShownOnceListedAndRevocable() {
    TestHttp.Response r = http.post("/api/keys", annKey, "{\"name\":\"laptop\"}");
    Map<String, Object> k = created(r);
    assertThat(k.keySet()).contains("key_id", "name", "api_key", "created_at", "expires_at");
    assertThat(k.get("api_key").toString()).matches("grtl_[0-9A-Za-z]+_[0-9A-Za-z]{32}");
    assertThat(k.get("created_at")).isEqualTo("2026-05-01T00:00:00Z");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    assertThat(ok(http.get("/api/me", k.get("api_key").toString())).get("role")).isEqualTo("user");

    Map<String, Object> list = ok(http.get("/api/keys", annKey));
    @SuppressWarnings("unchecked") List<Map<String, Object>> items = (List<Map<String, Object>>) list.get("items");
    assertThat(items).hasSize(2).allSatisfy(i -> assertThat(i).doesNotContainKey("api_key"));
    assertThat(list.get("next_cursor")).isNull();
    assertThat(http.get("/api/keys", annKey).body()).doesNotContain(k.get("api_key").toString().substring(40));
    Map<String, Object> laptop = items.stream().filter(i -> i.get("key_id").equals(k.get("key_id"))).findFirst().orElseThrow();
    assertThat(laptop).containsEntry("status", "active").containsEntry("name", "laptop").containsEntry("revoked_at", null);

    assertThat(http.delete("/api/keys/" + k.get("key_id"), annKey).status()).isEqualTo(204);
    @SuppressWarnings("unchecked") List<Map<String, Object>> after = (List<Map<String, Object>>) ok(http.get("/api/keys", annKey)).get("items");
    assertThat(after).filteredOn(i -> i.get("key_id").equals(k.get("key_id"))).singleElement()
        .satisfies(i -> assertThat(i).containsEntry("status", "revoked"));
  }

  @Test
  void othersKeysAre404AndTenantAdminsMayRevokeTheirTenantsKeys() {
    String annKeyId = annKey.split("_")[1];
    assertProblem(http.delete("/api/keys/" + annKeyId, bobKey), 404, "not_found");
    assertProblem(http.delete("/api/keys/" + annKeyId, eveKey), 404, "not_found");
    assertProblem(http.delete("/api/keys/NOSUCHKEY", annKey), 404, "not_found");
    assertThat(http.get("/api/me", annKey).status()).isEqualTo(200);
    assertThat(http.delete("/api/keys/" + annKeyId, admKey).status()).isEqualTo(204);
    assertProblem(http.get("/api/me", annKey), 401, "unauthenticated");
  }

  @Test
  void keyCreationValidatesItsInput() {
    assertProblem(http.post("/api/keys", annKey, "{\"expires_at\":\"tomorrow\"}"), 400, "validation_failed");
    assertProblem(http.post("/api/keys", annKey, "{\"expires_at\":\"2020-01-01T00:00:00Z\"}"), 400, "validation_failed");
    assertProblem(http.post("/api/keys", annKey, "{\"name\":[1,2]}"), 400, "validation_failed");
    assertProblem(http.post("/api/keys", annKey, "{\"name\":\"" + "n".repeat(101) + "\"}"), 400, "validation_failed");
    TestHttp.Response other = http.post("/api/keys", annKey, "{\"user_id\":\"" + bob.user().userId() + "\"}");
    assertProblem(other, 403, "forbidden");
    assertThat(created(http.post("/api/keys", annKey, "{\"user_id\":\"" + ann.user().userId() + "\"}"))).containsKey("api_key");
    assertThat(created(http.post("/api/keys", annKey, null))).containsEntry("name", "default");
  }

  // ------------------------------------------------------------------ workspaces

  @Test
  void workspacesFollowTheOwnershipRule() {
    Map<String, Object> w = created(http.post("/api/workspaces", annKey, "{\"name\":\"riscv-core\"}"));
    String id = w.get("workspace_id").toString();
    assertThat(w).containsEntry("tenant_id", ann.tenant().tenantId()).containsEntry("name", "riscv-core")
        .containsEntry("created_by", ann.user().userId()).containsEntry("created_at", "2026-05-01T00:00:00Z");
    assertThat(ok(http.get("/api/workspaces/" + id, annKey))).isEqualTo(w);
    assertThat(ok(http.get("/api/workspaces/" + id, admKey))).isEqualTo(w);
    assertProblem(http.get("/api/workspaces/" + id, eveKey), 404, "not_found");
    assertProblem(http.get("/api/workspaces/" + id, bobKey), 404, "not_found");
    assertProblem(http.get("/api/workspaces/NOPE", annKey), 404, "not_found");
    // the answer for another tenant's workspace is the same as for one that does not exist
    TestHttp.Response theirs = http.get("/api/workspaces/" + id, eveKey);
    TestHttp.Response none = http.get("/api/workspaces/01NOSUCHWORKSPACE000000000", eveKey);
    assertThat(theirs.json().get("detail")).isEqualTo(none.json().get("detail"));

    assertThat((List<?>) ok(http.get("/api/workspaces", eveKey)).get("items")).isEmpty();
    assertThat((List<?>) ok(http.get("/api/workspaces", admKey)).get("items")).hasSize(1);
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\":\"x\",\"user_id\":\"" + eve.user().userId() + "\"}"), 403, "forbidden");
  }

  @Test
  void listsPaginateWithOpaqueCursors() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) ids.add(created(http.post("/api/workspaces", annKey, "{\"name\":\"w" + i + "\"}")).get("workspace_id").toString());
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      Map<String, Object> page = ok(http.get("/api/workspaces?limit=2" + (cursor == null ? "" : "&cursor=" + cursor), annKey));
      pages++;
      @SuppressWarnings("unchecked") List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
      items.forEach(i -> seen.add(i.get("workspace_id").toString()));
      cursor = (String) page.get("next_cursor");
    } while (cursor != null);
    assertThat(seen).containsExactlyElementsOf(ids);
    assertThat(pages).isEqualTo(3);
    assertProblem(http.get("/api/workspaces?limit=0", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/workspaces?limit=201", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/workspaces?limit=ten", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/workspaces?cursor=%25%25%25", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/workspaces?cursor=bm9wZQ", annKey), 400, "validation_failed");
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void malformedJsonAndWrongTypesAre400() {
    for (String bad : List.of("{", "{\"name\": }", "[1,2", "{\"name\":\"a\"} trailing", "nul", "{'name':'a'}",
        "{\"name\":\"a\",\"name\":\"b\"}", "\u0000")) {
      assertProblem(http.post("/api/workspaces", annKey, bad), 400, "malformed_json");
    }
    assertProblem(http.post("/api/workspaces", annKey, "[\"name\"]"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "\"name\""), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\": 42}"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\": {\"x\":1}}"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\": true}"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{}"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\": null}"), 400, "validation_failed");
    assertProblem(http.post("/api/workspaces", annKey, "{\"name\": \"   \"}"), 400, "validation_failed");
    TestHttp.Response wrongType = http.post("/api/workspaces", annKey, "{\"name\": 42}");
    assertThat(wrongType.json()).containsEntry("field", "name");
    String deep = "[".repeat(5000) + "]".repeat(5000);
    assertProblem(http.post("/api/workspaces", annKey, deep), 400, "malformed_json");
    assertProblem(http.send("POST", "/api/workspaces", annKey, "name=x", "Content-Type", "application/x-www-form-urlencoded"),
        415, "unsupported_media_type");
    assertThat((List<?>) ok(http.get("/api/workspaces", annKey)).get("items")).as("nothing was created").isEmpty();
  }

  @Test
  void oversizedBodiesAre413WithOrWithoutContentLength() {
    String big = "{\"name\":\"" + "x".repeat((int) MAX_BODY) + "\"}";
    assertProblem(http.post("/api/workspaces", annKey, big), 413, "payload_too_large");
    InputStream chunked = new ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertProblem(http.sendStream("POST", "/api/workspaces", annKey, chunked), 413, "payload_too_large");
    String huge = "{\"name\":\"" + "x".repeat(4 << 20) + "\"}";
    TestHttp.Response r = http.post("/api/workspaces", annKey, huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat((List<?>) ok(http.get("/api/workspaces", annKey)).get("items")).isEmpty();
  }

  @Test
  void everyResponseCarriesARequestIdAndEchoesASaneOne() {
    TestHttp.Response r = http.send("GET", "/healthz", null, null, "X-Request-Id", "client-abc.123");
    assertThat(r.header("X-Request-Id")).isEqualTo("client-abc.123");
    TestHttp.Response insane = http.send("GET", "/healthz", null, null, "X-Request-Id", "bad id with spaces");
    assertThat(insane.header("X-Request-Id")).startsWith("req_");
    assertThat(http.get("/api/me", null).header("X-Request-Id")).startsWith("req_");
    assertThat(http.get("/api/me", annKey).header("X-Request-Id")).startsWith("req_");
  }

  // ------------------------------------------------------------------ billing and usage

  private io.genrtl.core.pool.ChargeResult charge(String userId, long micros, String key, String job, String ws) {
    return genrtl.pool().charge(new io.genrtl.core.pool.ChargeRequest(userId, io.genrtl.core.pool.UsageKind.LLM, micros, key,
        null, new io.genrtl.core.pool.Attribution(job, "plan-1", ws),
        new io.genrtl.core.pool.TokenUsage("anthropic", "claude-sonnet-4-5", 1200, 300, 800, 100), null, null));
  }

  @Test
  void balanceShowsTheBucketsAsExactDecimals() {
    Map<String, Object> b = ok(http.get("/api/billing/balance", annKey));
    assertThat(b).containsEntry("plan", "pro").containsEntry("subscription_status", "active")
        .containsEntry("period_start", "2026-05-01T00:00:00Z").containsEntry("period_end", "2026-06-01T00:00:00Z");
    assertThat(b.keySet()).contains("included_usd_balance", "credits_usd_balance", "on_demand_usd", "on_demand_limit_usd",
        "holds_usd", "available_usd");
    charge(ann.user().userId(), 1, "tiny", "j", "w");
    TestHttp.Response raw = http.get("/api/billing/balance", annKey);
    assertThat(raw.body()).contains("\"included_usd_balance\":19.999999").contains("\"credits_usd_balance\":0")
        .contains("\"available_usd\":19.999999").doesNotContain("E-");
    genrtl.pool().reserve(ann.user().userId(), 2_500_000, Duration.ofMinutes(5), "h", null);
    assertThat(http.get("/api/billing/balance", annKey).body()).contains("\"holds_usd\":2.5").contains("\"available_usd\":17.499999");
    Map<String, Object> free = ok(http.get("/api/billing/balance", bobKey));
    assertThat(free).containsEntry("plan", "free").containsEntry("subscription_status", null);
    assertThat(((Number) free.get("available_usd")).doubleValue()).isZero();
  }

  @Test
  void spendLimitIsValidatedAgainstThePlan() {
    TestHttp.Response set = http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 125.5}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.body()).contains("\"on_demand_limit_usd\":125.5").contains("\"available_usd\":145.5");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 500.000001}"), 422,
        "spend_limit_above_plan_maximum");
    assertThat(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 500}").status()).isEqualTo(200);
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": -1}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": \"10\"}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 1.0000001}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 1e400}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 1"), 400, "malformed_json");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", bobKey, "{\"on_demand_limit_usd\": 1}"), 422,
        "spend_limit_above_plan_maximum");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", annKey,
        "{\"on_demand_limit_usd\": 1, \"user_id\": \"" + bob.user().userId() + "\"}"), 403, "forbidden");
    assertThat(http.send("PUT", "/api/billing/spend-limit", annKey, "{\"on_demand_limit_usd\": 0}").json())
        .containsEntry("on_demand_limit_usd", 0.0);
  }

  @Test
  void usageListsOnlyMyRowsNewestFirstAndTheCsvHoldsExactlyTheListing() {
    String a = ann.user().userId();
    genrtl.pool().setOnDemandLimit(a, 100_000_000L);
    for (int i = 0; i < 7; i++) {
      charge(a, 3_000_000L + i, "c" + i, i % 2 == 0 ? "job-even" : "job-odd", "ws-" + (i % 3));
      clock.advance(Duration.ofHours(7));
    }
    charge(bob.user().userId() , 0, "bobs", "job-even", "ws-0");
    List<Map<String, Object>> all = new ArrayList<>();
    String cursor = null;
    do {
      Map<String, Object> page = ok(http.get("/api/usage?limit=3" + (cursor == null ? "" : "&cursor=" + cursor), annKey));
      @SuppressWarnings("unchecked") List<Map<String, Object>> items = (List<Map<String, Object>>) page.get("items");
      all.addAll(items);
      cursor = (String) page.get("next_cursor");
    } while (cursor != null);
    assertThat(all).hasSize(8); // the 7th charge straddles included and on-demand
    assertThat(all).extracting(m -> m.get("id").toString()).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(all).allSatisfy(m -> assertThat(m).containsEntry("user_id", a).containsKeys("timestamp", "bucket", "usd_cost",
        "provider", "model", "input_tokens", "output_tokens", "cached_input_tokens", "cache_write_tokens", "idempotency_key"));
    Map<String, Object> first = all.get(all.size() - 1);
    assertThat(first).containsEntry("kind", "llm").containsEntry("bucket", "included").containsEntry("usd_cost", 3.0)
        .containsEntry("job_id", "job-even").containsEntry("workspace_id", "ws-0").containsEntry("timestamp", "2026-05-01T00:00:00Z");
    assertThat(((Number) first.get("input_tokens")).longValue()).isEqualTo(1200);

    assertThat((List<?>) ok(http.get("/api/usage?job_id=job-odd", annKey)).get("items")).hasSize(3);
    assertThat((List<?>) ok(http.get("/api/usage?workspace_id=ws-1", annKey)).get("items")).hasSize(2);
    assertThat((List<?>) ok(http.get("/api/usage?kind=cbb", annKey)).get("items")).isEmpty();
    assertThat((List<?>) ok(http.get("/api/usage?from=2026-05-01T07:00:00Z&to=2026-05-01T21:00:00Z", annKey)).get("items"))
        .as("from included, to excluded").hasSize(2);
    assertThat((List<?>) ok(http.get("/api/usage?from=2026-05-02", annKey)).get("items")).hasSize(4);
    assertThat((List<?>) ok(http.get("/api/usage", bobKey)).get("items")).hasSize(1);
    assertProblem(http.get("/api/usage?from=yesterday", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/usage?kind=beer", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/usage?from=2026-05-02&to=2026-05-01", annKey), 400, "validation_failed");

    TestHttp.Response csv = http.get("/api/usage/export.csv", annKey);
    assertThat(csv.status()).isEqualTo(200);
    assertThat(csv.contentType()).startsWith("text/csv");
    String[] lines = csv.body().split("\r\n");
    assertThat(lines[0]).startsWith("id,timestamp,kind,bucket,usd_cost");
    assertThat(java.util.Arrays.stream(lines).skip(1).map(l -> l.substring(0, l.indexOf(','))).toList())
        .containsExactlyElementsOf(all.stream().map(m -> m.get("id").toString()).toList());
    TestHttp.Response filtered = http.get("/api/usage/export.csv?job_id=job-odd", annKey);
    assertThat(filtered.body().split("\r\n")).hasSize(4);
  }

  @Test
  void summaryGroupsPerDayModelKindAndJobWithBucketTotals() {
    String a = ann.user().userId();
    genrtl.pool().setOnDemandLimit(a, 50_000_000L);
    charge(a, 15_000_000L, "s1", "job-a", "w");
    clock.advance(Duration.ofDays(1));
    charge(a, 10_000_000L, "s2", "job-b", "w");
    Map<String, Object> byDay = ok(http.get("/api/usage/summary?group_by=day", annKey));
    @SuppressWarnings("unchecked") List<Map<String, Object>> days = (List<Map<String, Object>>) byDay.get("groups");
    assertThat(days).extracting(d -> d.get("key")).containsExactly("2026-05-01", "2026-05-02");
    assertThat(days.get(1).get("by_bucket")).isEqualTo(Map.of("included", 5.0, "credits", 0.0, "on_demand", 5.0));
    @SuppressWarnings("unchecked") Map<String, Object> total = (Map<String, Object>) byDay.get("total");
    assertThat(total).containsEntry("usd", 25.0).containsEntry("rows", 3.0);
    assertThat(((Number) total.get("input_tokens")).longValue()).isEqualTo(2400);
    @SuppressWarnings("unchecked") List<Map<String, Object>> jobs = (List<Map<String, Object>>) ok(http.get("/api/usage/summary?group_by=job", annKey)).get("groups");
    assertThat(jobs).extracting(d -> d.get("key")).containsExactly("job-a", "job-b");
    @SuppressWarnings("unchecked") List<Map<String, Object>> models = (List<Map<String, Object>>) ok(http.get("/api/usage/summary?group_by=model", annKey)).get("groups");
    assertThat(models).singleElement().satisfies(m -> assertThat(m).containsEntry("key", "claude-sonnet-4-5").containsEntry("usd", 25.0));
    assertProblem(http.get("/api/usage/summary?group_by=week", annKey), 400, "validation_failed");
    assertThat((List<?>) ok(http.get("/api/usage/summary", bobKey)).get("groups")).isEmpty();
  }

  @Test
  void summaryGroupsArePagedWithLimitAndCursorAndTheTotalCoversEveryPage() {
    String a = ann.user().userId();
    genrtl.pool().setOnDemandLimit(a, 50_000_000L);
    for (int i = 0; i < 5; i++) charge(a, 1_000_000L, "p" + i, "job-" + i, "w");
    charge(a, 1_000_000L, "p-none", null, "w");
    Map<String, Object> first = ok(http.get("/api/usage/summary?group_by=job&limit=2", annKey));
    @SuppressWarnings("unchecked") List<Map<String, Object>> g1 = (List<Map<String, Object>>) first.get("groups");
    assertThat(g1).extracting(d -> d.get("key")).containsExactly("job-0", "job-1");
    @SuppressWarnings("unchecked") Map<String, Object> total = (Map<String, Object>) first.get("total");
    assertThat(total).as("the total is the whole query's, not the page's").containsEntry("usd", 6.0).containsEntry("rows", 6.0);
    List<Object> keys = new java.util.ArrayList<>();
    Object cursor = first.get("next_cursor");
    keys.addAll(g1.stream().map(d -> d.get("key")).toList());
    int pages = 1;
    while (cursor != null) {
      Map<String, Object> next = ok(http.get("/api/usage/summary?group_by=job&limit=2&cursor=" + cursor, annKey));
      @SuppressWarnings("unchecked") List<Map<String, Object>> g = (List<Map<String, Object>>) next.get("groups");
      assertThat(g).hasSizeLessThanOrEqualTo(2);
      keys.addAll(g.stream().map(d -> d.get("key")).toList());
      cursor = next.get("next_cursor");
      assertThat(++pages).isLessThan(10);
    }
    assertThat(keys).as("rows without a job come last").containsExactly("job-0", "job-1", "job-2", "job-3", "job-4", null);
    Map<String, Object> all = ok(http.get("/api/usage/summary?group_by=job", annKey));
    assertThat((List<?>) all.get("groups")).as("default limit 50").hasSize(6);
    assertThat(all).containsEntry("next_cursor", null);
    Map<String, Object> day = ok(http.get("/api/usage/summary?group_by=day&limit=1", annKey));
    assertThat(day).containsEntry("next_cursor", null);
    assertProblem(http.get("/api/usage/summary?group_by=job&limit=0", annKey), 400, "validation_failed");
    assertProblem(http.get("/api/usage/summary?group_by=day&cursor=azphYmM", annKey), 400, "validation_failed");
  }

  @Test
  void modelsArePublishedWithTheirPrices() {
    TestHttp.Response r = http.get("/api/models", annKey);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).contains("{\"id\":\"gpt-5.1\",\"provider\":\"openai\",\"steps\":[\"plan\"],\"pricing\":"
        + "{\"input_usd_per_mtok\":1.25,\"cached_input_usd_per_mtok\":0.125,\"cache_write_usd_per_mtok\":1.25,\"output_usd_per_mtok\":10}}");
    assertThat(r.body()).contains("\"id\":\"claude-sonnet-4-6\"").contains("\"cache_write_usd_per_mtok\":3.75");
    assertProblem(http.get("/api/models", null), 401, "unauthenticated");
  }

  @Test
  void alertsAreListedOncePerThreshold() {
    String a = ann.user().userId();
    charge(a, 16_000_000L, "a1", "j", "w");
    charge(a, 1_000_000L, "a2", "j", "w");
    @SuppressWarnings("unchecked") List<Map<String, Object>> alerts = (List<Map<String, Object>>) ok(http.get("/api/billing/alerts", annKey)).get("items");
    assertThat(alerts).extracting(m -> m.get("kind") + ":" + ((Number) m.get("threshold_percent")).intValue())
        .containsExactly("included:80", "included:50");
    assertThat(alerts.get(0)).containsEntry("limit_usd", 20.0).containsEntry("amount_usd", 16.0);
    assertThat((List<?>) ok(http.get("/api/billing/alerts", bobKey)).get("items")).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  static Map<String, Object> ok(TestHttp.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    return r.json();
  }

  static Map<String, Object> created(TestHttp.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json();
  }

  static Instant instant(Object rfc3339) {
    return Instant.parse(rfc3339.toString());
  }
}
