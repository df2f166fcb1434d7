package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.User;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobStatus;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.UsageKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API over HTTP on SQLite: what each call does, what it records in the audit log, and bad input. */
class AdminApiTest {
  @TempDir Path dir;
  private FullApp app;
  private GenRtl genrtl;
  private TestHttp http;
  private User root;
  private User adm;
  private User ann;
  private User eve;
  private String rootKey;
  private String admKey;
  private String annKey;

  @BeforeEach
  void start() {
    app = new FullApp(dir);
    genrtl = app.genrtl;
    http = app.http;
    root = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null)).user();
    adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null)).user();
    ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro")).user();
    eve = genrtl.accounts().createUser(new NewUser("eve@evil.test", "evil", Role.USER, "pro")).user();
    rootKey = genrtl.apiKeys().issue(root.userId(), "t", null).apiKey();
    admKey = genrtl.apiKeys().issue(adm.userId(), "t", null).apiKey();
    annKey = genrtl.apiKeys().issue(ann.userId(), "t", null).apiKey();
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private TestHttp.Response send(String method, String path, String key, String body, String idem) {
    return http.send(method, path, key, body, "Idempotency-Key", idem, "User-Agent", "admin-test/1.0", "X-Request-Id", "req-admin-1");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> items(TestHttp.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return (List<Map<String, Object>>) r.json().get("items");
  }

  @Test
  void usersAreListedPerTenantAndRoleChangesAreAudited() {
    assertThat(items(http.get("/api/admin/users", admKey))).extracting(u -> u.get("email"))
        .containsExactlyInAnyOrder("adm@acme.test", "ann@acme.test");
    assertThat(items(http.get("/api/admin/users", rootKey))).hasSize(4);
    assertThat(items(http.get("/api/admin/users?tenant_id=" + eve.tenantId(), admKey))).isEmpty();
    assertThat(items(http.get("/api/admin/users?tenant_id=" + eve.tenantId(), rootKey))).hasSize(1);
    TestHttp.Response one = http.get("/api/admin/users/" + ann.userId(), admKey);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json()).containsEntry("role", "user").containsKey("balance");
    assertProblem(http.get("/api/admin/users/" + eve.userId(), admKey), 404, "not_found");
    assertProblem(http.get("/api/admin/users", annKey), 403, "forbidden");

    TestHttp.Response changed = send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey,
        "{\"role\":\"tenant_admin\",\"reason\":\"team lead\"}", null);
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    assertThat(changed.json()).containsEntry("role", "tenant_admin");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey,
        "{\"role\":\"super_admin\",\"reason\":\"x\"}", null), 403, "forbidden");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, "{\"role\":\"king\",\"reason\":\"x\"}", null),
        400, "validation_failed");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, "{\"role\":\"user\"}", null),
        400, "validation_failed");

    List<Map<String, Object>> audit = items(http.get("/api/admin/audit?action=user.role_change", admKey));
    assertThat(audit).hasSize(1);
    Map<String, Object> e = audit.get(0);
    assertThat(e).containsEntry("target_id", ann.userId()).containsEntry("user_agent", "admin-test/1.0")
        .containsEntry("request_id", "req-admin-1").containsEntry("ip", "127.0.0.1");
    @SuppressWarnings("unchecked") Map<String, Object> actor = (Map<String, Object>) e.get("actor");
    assertThat(actor).containsEntry("user_id", adm.userId()).containsEntry("role", "tenant_admin");
    assertThat(actor.get("key_id")).isNotNull();
    @SuppressWarnings("unchecked") Map<String, Object> details = (Map<String, Object>) e.get("details");
    assertThat(details).containsEntry("from", "user").containsEntry("to", "tenant_admin").containsEntry("reason", "team lead");
  }

  @Test
  void grantsAndRefundsNeedAReasonAndAnIdempotencyKeyAndReplay() {
    String grants = "/api/admin/users/" + ann.userId() + "/grants";
    assertProblem(send("POST", grants, rootKey, "{\"amount_usd\":5,\"reason\":\"goodwill\"}", null), 400, "validation_failed");
    assertProblem(send("POST", grants, rootKey, "{\"amount_usd\":5}", "g-1"), 400, "validation_failed");
    assertProblem(send("POST", grants, rootKey, "{\"amount_usd\":\"5\",\"reason\":\"x\"}", "g-1"), 400, "validation_failed");
    assertProblem(send("POST", grants, rootKey, "{\"amount_usd\":-5,\"reason\":\"x\"}", "g-1"), 400, "validation_failed");
    assertProblem(send("POST", grants, rootKey, "{\"amount_usd\":5,", "g-1"), 400, "malformed_json");
    assertProblem(send("POST", "/api/admin/users/" + eve.userId() + "/grants", admKey, "{\"amount_usd\":5,\"reason\":\"x\"}", "g-1"),
        404, "not_found");
    assertProblem(send("POST", grants, admKey, "{\"amount_usd\":5,\"reason\":\"goodwill\"}", "g-0"), 403, "forbidden");
    TestHttp.Response g1 = send("POST", grants, rootKey, "{\"amount_usd\":5,\"reason\":\"goodwill\"}", "g-1");
    assertThat(g1.status()).as(g1.body()).isEqualTo(201);
    TestHttp.Response g2 = send("POST", grants, rootKey, "{\"amount_usd\":5,\"reason\":\"goodwill\"}", "g-1");
    assertThat(g2.status()).isEqualTo(200);
    assertThat(g2.json()).containsEntry("replayed", true);
    assertThat(genrtl.pool().balance(ann.userId()).creditsMicros()).isEqualTo(5_000_000L);

    String row = genrtl.pool().charge(ChargeRequest.of(ann.userId(), UsageKind.LLM, 3_000_000L, "c")).entries().get(0).entryId();
    String refund = "/api/admin/ledger/" + row + "/refund";
    assertProblem(send("POST", refund, rootKey, "{\"reason\":\"bad output\"}", null), 400, "validation_failed");
    TestHttp.Response r1 = send("POST", refund, rootKey, "{\"amount_usd\":1.5,\"reason\":\"bad output\"}", "r-1");
    assertThat(r1.status()).as(r1.body()).isEqualTo(201);
    TestHttp.Response r2 = send("POST", refund, rootKey, "{\"amount_usd\":1.5,\"reason\":\"bad output\"}", "r-1");
    assertThat(r2.status()).isEqualTo(200);
    assertThat(r2.json()).containsEntry("replayed", true);
    assertProblem(send("POST", refund, rootKey, "{\"reason\":\"all of it\"}", "r-2"), 400, "validation_failed");
    assertProblem(send("POST", refund, annKey, "{\"reason\":\"x\"}", "r-3"), 403, "forbidden");
    String evesRow = genrtl.pool().charge(ChargeRequest.of(eve.userId(), UsageKind.LLM, 1_000_000L, "e")).entries().get(0).entryId();
    assertProblem(send("POST", "/api/admin/ledger/" + evesRow + "/refund", admKey, "{\"reason\":\"x\"}", "r-4"), 404, "not_found");
    assertProblem(send("POST", refund, admKey, "{\"reason\":\"x\"}", "r-6"), 403, "forbidden");
    assertProblem(send("POST", "/api/admin/ledger/nosuchrow/refund", rootKey, "{\"reason\":\"x\"}", "r-5"), 404, "not_found");
    assertThat(genrtl.pool().verify(ann.userId()).ok()).isTrue();

    assertThat(items(http.get("/api/admin/audit?action=pool.&target_id=" + row, admKey))).hasSize(1);
    assertThat(items(http.get("/api/admin/audit?action=pool.grant", admKey))).hasSize(1);
  }

  @Test
  void planAndSpendLimitOverrides() {
    TestHttp.Response plan = send("PUT", "/api/admin/users/" + ann.userId() + "/plan", rootKey,
        "{\"plan\":\"pro_plus\",\"reason\":\"enterprise pilot\"}", null);
    assertThat(plan.status()).as(plan.body()).isEqualTo(200);
    assertThat(plan.json()).containsEntry("plan", "pro_plus").containsEntry("provider", "manual");
    assertThat(genrtl.pool().balance(ann.userId()).planId()).isEqualTo("pro_plus");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/plan", rootKey, "{\"plan\":\"gold\",\"reason\":\"x\"}", null),
        400, "validation_failed");
    TestHttp.Response limit = send("PUT", "/api/admin/users/" + ann.userId() + "/spend-limit", rootKey,
        "{\"on_demand_limit_usd\":5000,\"reason\":\"tapeout week\"}", null);
    assertThat(limit.status()).as(limit.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(ann.userId()).onDemandLimitMicros()).isEqualTo(5_000_000_000L);
    TestHttp.Response lowered = send("PUT", "/api/admin/users/" + ann.userId() + "/spend-limit", admKey,
        "{\"on_demand_limit_usd\":100,\"reason\":\"back to normal\"}", null);
    assertThat(lowered.status()).as(lowered.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(ann.userId()).onDemandLimitMicros()).isEqualTo(100_000_000L);
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/spend-limit", admKey,
        "{\"on_demand_limit_usd\":true,\"reason\":\"x\"}", null), 400, "validation_failed");
    assertThat(items(http.get("/api/admin/audit?target_type=user&target_id=" + ann.userId(), admKey)))
        .extracting(e -> e.get("action")).containsExactly("pool.spend_limit", "pool.spend_limit", "subscription.override");
    assertThat(items(http.get("/api/admin/plans", admKey))).extracting(p -> p.get("plan")).contains("free", "pro", "pro_plus");
  }

  @Test
  void jobsAreRetriedAsNewJobsAndCanceled() {
    Principal annP = Principal.of(ann, null);
    String ws = genrtl.accounts().createWorkspace(annP, "chip").workspaceId();
    Job queued = genrtl.jobs().submit(annP, "plan", ws, "{\"spec\":\"a counter\"}", null);
    assertProblem(send("POST", "/api/admin/jobs/" + queued.jobId() + "/retry", admKey, "{\"reason\":\"x\"}", "j-1"), 409, "conflict");
    TestHttp.Response canceled = send("POST", "/api/admin/jobs/" + queued.jobId() + "/cancel", admKey, "{\"reason\":\"stuck\"}", null);
    assertThat(canceled.status()).as(canceled.body()).isEqualTo(202);
    assertThat(canceled.json()).containsEntry("status", "canceled");
    assertProblem(send("POST", "/api/admin/jobs/" + queued.jobId() + "/retry", admKey, "{\"reason\":\"x\"}", null), 400, "validation_failed");
    TestHttp.Response retried = send("POST", "/api/admin/jobs/" + queued.jobId() + "/retry", admKey, "{\"reason\":\"try again\"}", "j-2");
    assertThat(retried.status()).as(retried.body()).isEqualTo(202);
    String newId = (String) retried.json().get("job_id");
    assertThat(newId).isNotEqualTo(queued.jobId());
    assertThat(retried.json()).containsEntry("retry_of", queued.jobId()).containsEntry("status", "queued");
    Job fresh = genrtl.stores().jobs().find(newId).orElseThrow();
    assertThat(fresh.userId()).isEqualTo(ann.userId());
    assertThat(fresh.input()).isEqualTo(queued.input());
    assertThat(genrtl.stores().jobs().find(queued.jobId()).orElseThrow().status()).isEqualTo(JobStatus.CANCELED);
    TestHttp.Response again = send("POST", "/api/admin/jobs/" + queued.jobId() + "/retry", admKey, "{\"reason\":\"try again\"}", "j-2");
    assertThat(again.json()).containsEntry("job_id", newId);
    assertThat(items(http.get("/api/admin/audit?action=job.&target_id=" + queued.jobId(), admKey)))
        .extracting(e -> e.get("action")).containsExactly("job.retry", "job.cancel");
    // another tenant's admin and users
    User evilAdm = genrtl.accounts().createUser(new NewUser("boss@evil.test", "evil", Role.TENANT_ADMIN, null)).user();
    String evilKey = genrtl.apiKeys().issue(evilAdm.userId(), "t", null).apiKey();
    assertProblem(send("POST", "/api/admin/jobs/" + queued.jobId() + "/cancel", evilKey, "{\"reason\":\"x\"}", null), 404, "not_found");
    assertProblem(send("POST", "/api/admin/jobs/" + queued.jobId() + "/cancel", annKey, "{\"reason\":\"x\"}", null), 403, "forbidden");
  }

  @Test
  void theAuditQueryPagesFiltersAndScopes() {
    for (int i = 0; i < 5; i++) genrtl.apiKeys().issue(ann.userId(), "k" + i, null);
    genrtl.apiKeys().issue(eve.userId(), "evil", null);
    List<Object> ids = new ArrayList<>();
    String cursor = null;
    do {
      TestHttp.Response r = http.get("/api/admin/audit?action=key.create&limit=2" + (cursor == null ? "" : "&cursor=" + cursor), admKey);
      items(r).forEach(e -> ids.add(e.get("id")));
      cursor = (String) r.json().get("next_cursor");
    } while (cursor != null);
    // acme: adm's, ann's setup keys and five more; never eve's
    assertThat(ids).hasSize(7).doesNotHaveDuplicates();
    assertThat(items(http.get("/api/admin/audit?action=key.create&limit=200", rootKey))).hasSize(9); // root, adm, ann, five, eve
    assertThat(items(http.get("/api/admin/audit?tenant_id=" + eve.tenantId(), admKey))).isEmpty();
    assertThat(items(http.get("/api/admin/audit?actor=" + root.userId(), rootKey))).isEmpty();
    assertThat(items(http.get("/api/admin/audit?from=2999-01-01", rootKey))).isEmpty();
    assertThat(items(http.get("/api/admin/audit?to=2000-01-01T00:00:00Z", rootKey))).isEmpty();
    assertProblem(http.get("/api/admin/audit?from=yesterday", rootKey), 400, "validation_failed");
    assertProblem(http.get("/api/admin/audit?limit=0", rootKey), 400, "validation_failed");
    assertProblem(http.get("/api/admin/audit?cursor=bm90LW91cnM", rootKey), 400, "validation_failed");
    assertProblem(http.get("/api/admin/audit?action=" + "a".repeat(101), rootKey), 400, "validation_failed");
    assertProblem(http.get("/api/admin/audit", annKey), 403, "forbidden");
    assertProblem(http.get("/api/admin/audit", null), 401, "unauthenticated");
  }

  @Test
  void keyCreationAndRevocationOverHttpAreAuditedWithoutTheSecret() {
    TestHttp.Response created = send("POST", "/api/keys", annKey, "{\"name\":\"ci\"}", null);
    assertThat(created.status()).isEqualTo(201);
    String keyId = (String) created.json().get("key_id");
    String secret = (String) created.json().get("api_key");
    assertThat(send("DELETE", "/api/keys/" + keyId, annKey, null, null).status()).isEqualTo(204);
    List<Map<String, Object>> rows = items(http.get("/api/admin/audit?target_type=api_key&target_id=" + keyId, admKey));
    assertThat(rows).extracting(e -> e.get("action")).containsExactly("key.revoke", "key.create");
    assertThat(rows.toString()).doesNotContain(secret).doesNotContain(secret.substring(secret.lastIndexOf('_') + 1));
    assertThat(rows.get(1)).containsEntry("request_id", "req-admin-1");
  }

  @Test
  void hugeAndWrongBodiesAreRefused() {
    String big = "{\"reason\":\"" + "x".repeat(70 * 1024) + "\",\"role\":\"user\"}";
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, big, null), 413, "payload_too_large");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, "[1,2]", null), 400, "validation_failed");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey,
        "{\"role\":\"user\",\"reason\":\"" + "x".repeat(501) + "\"}", null), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, "role=user",
        "Content-Type", "text/plain"), 415, "unsupported_media_type");
    assertProblem(send("PUT", "/api/admin/users/" + ann.userId() + "/role", admKey, "{\"role\":7,\"reason\":\"x\"}", null),
        400, "validation_failed");
    assertProblem(send("PUT", "/api/admin/users/nosuchuser/role", rootKey, "{\"role\":\"user\",\"reason\":\"x\"}", null),
        404, "not_found");
    assertProblem(send("PUT", "/api/admin/users/" + adm.userId() + "/role", admKey, "{\"role\":\"user\",\"reason\":\"x\"}", null),
        403, "forbidden");
  }
}
