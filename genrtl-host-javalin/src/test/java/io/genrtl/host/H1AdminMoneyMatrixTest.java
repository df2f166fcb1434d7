package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.User;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Security finding H1 (a tenant admin could mint money for itself): every admin route that moves money or limits
 * (grants, refund, plan, spend-limit, spend-budget, disable/enable, role) called by anonymous / user / tenant_admin /
 * super_admin on a target that is the caller itself, a user of the caller's tenant, or a user of another tenant, each
 * with its exact expected status; a refused call changes nothing (balance, ledger, grants, subscription, role,
 * disabled flag, tenant budget, audit log). Subclasses pick the database (SQLite, PostgreSQL).
 *
 * <p>The order of checks (see {@code AdminService}): no admin role 403; a target outside a tenant admin's tenant 404;
 * the operation's rule 403 (super admins only for grants, refunds and plans; nobody on themselves); then the body.
 */
abstract class H1AdminMoneyMatrixTest {
  enum Caller { ANONYMOUS, USER, TENANT_ADMIN, SUPER_ADMIN }

  enum Target { SELF, SAME_TENANT, OTHER_TENANT }

  /** One admin route with a valid body; {@code kind} says what the path names. */
  enum Route {
    GRANT("POST", "/api/admin/users/{user}/grants", "{\"amount_usd\":1000,\"reason\":\"x\"}"),
    REFUND("POST", "/api/admin/ledger/{entry}/refund", "{\"reason\":\"x\"}"),
    PLAN("PUT", "/api/admin/users/{user}/plan", "{\"plan\":\"ultra\",\"reason\":\"x\"}"),
    SPEND_LIMIT_RAISE("PUT", "/api/admin/users/{user}/spend-limit", "{\"on_demand_limit_usd\":100000,\"reason\":\"x\"}"),
    SPEND_LIMIT_LOWER("PUT", "/api/admin/users/{user}/spend-limit", "{\"on_demand_limit_usd\":0,\"reason\":\"x\"}"),
    ROLE("PUT", "/api/admin/users/{user}/role", "{\"role\":\"tenant_admin\",\"reason\":\"x\"}"),
    DISABLE("POST", "/api/admin/users/{user}/disable", "{\"reason\":\"x\"}"),
    ENABLE("POST", "/api/admin/users/{user}/enable", "{\"reason\":\"x\"}"),
    SPEND_BUDGET("PUT", "/api/admin/tenants/{tenant}/spend-budget", "{\"member_on_demand_cap_usd\":1000000,\"reason\":\"x\"}");

    final String method;
    final String path;
    final String body;

    Route(String method, String path, String body) {
      this.method = method;
      this.path = path;
      this.body = body;
    }
  }

  /** The exact status of every call: the table this test holds the host to. */
  static int expected(Route route, Caller caller, Target target) {
    if (caller == Caller.ANONYMOUS) return 401;
    if (caller == Caller.USER) return 403;
    boolean tenantAdmin = caller == Caller.TENANT_ADMIN;
    if (route == Route.SPEND_BUDGET) return tenantAdmin ? 403 : 200;
    if (tenantAdmin && target == Target.OTHER_TENANT) return 404; // reach before the rule: another tenant stays unseen
    if (target == Target.SELF) return 403;                        // nobody acts on their own money, role or account
    int ok = route == Route.GRANT || route == Route.REFUND ? 201 : 200;
    return switch (route) {
      case GRANT, REFUND, PLAN -> tenantAdmin ? 403 : ok;          // money comes from payments or a super admin
      case SPEND_LIMIT_RAISE -> tenantAdmin ? 403 : ok;            // a tenant admin only lowers
      default -> ok;                                               // lower, role, disable, enable: both admins
    };
  }

  @TempDir Path tmp;
  protected MutableClock clock;
  protected GenRtl genrtl;
  private Javalin app;
  protected TestHttp http;
  private final AtomicInteger seq = new AtomicInteger();
  private User ann;   // user, tenant acme
  private User adm;   // tenant_admin, tenant acme
  private User root;  // super_admin, tenant ops

  protected abstract Stores openStores();

  protected void closeStores() {}

  @BeforeEach
  void start() {
    clock = MutableClock.at("2026-08-01T00:00:00Z");
    genrtl = GenRtl.builder().stores(openStores()).clock(clock).build();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://127.0.0.1", 2L << 20, ManifestSchema.text()));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro")).user();
    adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, "pro")).user();
    root = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, "pro")).user();
    genrtl.accounts().createUser(new NewUser("eve@evil.test", "evil", Role.USER, "pro"));
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop(); // null when PostgreSQL is not configured and the test was skipped
    closeStores();
  }

  private User callerUser(Caller c) {
    return switch (c) {
      case ANONYMOUS, USER -> ann;
      case TENANT_ADMIN -> adm;
      case SUPER_ADMIN -> root;
    };
  }

  private String key(Caller c) {
    return c == Caller.ANONYMOUS ? null : genrtl.apiKeys().issue(callerUser(c).userId(), "matrix", null).apiKey();
  }

  /** A fresh plain member (pro plan, so it has money and a manual subscription) of the target's tenant. */
  private User targetUser(Caller c, Target t) {
    if (t == Target.SELF) return callerUser(c);
    String tenant = t == Target.OTHER_TENANT ? "evil" : c == Caller.SUPER_ADMIN ? "ops" : "acme";
    return genrtl.accounts().createUser(new NewUser("m" + seq.incrementAndGet() + "@" + tenant + ".test", tenant, Role.USER, "pro"))
        .user();
  }

  /** Everything a refused call must leave as it was, for one user (and their tenant). */
  private String state(User u) {
    Balance b = genrtl.pool().balance(u.userId());
    List<LedgerEntry> rows = genrtl.pool().usage(new LedgerQuery(u.userId(), null, null, null, null, null), PageRequest.first(200)).items();
    User now = genrtl.stores().accounts().users().find(u.userId()).orElseThrow();
    return String.join("|", "plan=" + b.planId(), "included=" + b.includedMicros(), "credits=" + b.creditsMicros(),
        "limit=" + b.onDemandLimitMicros(), "spent=" + b.onDemandSpentMicros(), "ledger=" + rows.size(),
        "grants=" + genrtl.stores().pool().grants().listForUser(u.userId()).size(),
        "sub=" + genrtl.stores().accounts().subscriptions().latestForUser(u.userId()).map(s -> s.subscriptionId() + "/" + s.planId()).orElse("-"),
        "role=" + now.role().wire(), "disabled=" + now.disabledAt(),
        "cap=" + genrtl.stores().accounts().tenants().find(u.tenantId()).orElseThrow().memberOnDemandCapMicros(),
        "audit=" + auditCount(u.tenantId()));
  }

  private int auditCount(String tenantId) {
    Principal auditor = new Principal("auditor", "ops", Role.SUPER_ADMIN, null);
    return genrtl.audit().query(auditor, AuditQuery.all().withTenant(tenantId), PageRequest.first(200)).items().size();
  }

  @Test
  void everyMoneyRouteAnswersEveryCallerAndTargetExactlyAndRefusalsChangeNothing() {
    List<String> failures = new ArrayList<>();
    int calls = 0;
    for (Route route : Route.values()) {
      for (Caller caller : Caller.values()) {
        for (Target target : Target.values()) {
          if (caller == Caller.ANONYMOUS && target == Target.SELF) continue; // anonymous has no self
          User t = targetUser(caller, target);
          String path = route.path.replace("{user}", t.userId()).replace("{tenant}", t.tenantId());
          if (route == Route.REFUND) {
            genrtl.pool().grantCredits(t.userId(), 5_000_000L, "pack-" + UUID.randomUUID(), "credit_pack", null, null);
            String row = genrtl.pool().charge(ChargeRequest.of(t.userId(), UsageKind.LLM, 1_000_000L, "c-" + UUID.randomUUID()))
                .entries().get(0).entryId();
            path = path.replace("{entry}", row);
          }
          User who = callerUser(caller);
          String key = key(caller); // issuing it writes an audit entry: before the snapshots
          String beforeTarget = state(t);
          String beforeCaller = state(who);
          TestHttp.Response r = http.send(route.method, path, key, route.body, "Idempotency-Key", "h1-" + UUID.randomUUID());
          calls++;
          int want = expected(route, caller, target);
          String where = route + " as " + caller + " on " + target + " -> " + r.status() + " " + r.body();
          if (r.status() != want) {
            failures.add(where + " (expected " + want + ")");
            continue;
          }
          if (want >= 400) {
            if (!r.contentType().startsWith("application/problem+json")) failures.add(where + " (not problem+json)");
            String code = String.valueOf(r.json().get("code"));
            String wantCode = want == 401 ? "unauthenticated" : want == 403 ? "forbidden" : "not_found";
            if (!code.equals(wantCode)) failures.add(where + " (code " + code + ", expected " + wantCode + ")");
            if (!state(t).equals(beforeTarget)) failures.add(where + ": the target changed: " + beforeTarget + " -> " + state(t));
            if (!state(who).equals(beforeCaller)) failures.add(where + ": the caller changed: " + beforeCaller + " -> " + state(who));
          }
        }
      }
    }
    assertThat(calls).as("calls made").isEqualTo(Route.values().length * 11);
    assertThat(failures).isEmpty();
    for (User u : genrtl.stores().accounts().users().list(null, PageRequest.first(200)).items()) {
      assertThat(genrtl.pool().verify(u.userId()).problems()).as(u.email()).isEmpty();
    }
  }

  @Test
  void theTableItselfIsTheDocumentedRule() {
    assertThat(expected(Route.GRANT, Caller.TENANT_ADMIN, Target.SELF)).isEqualTo(403);
    assertThat(expected(Route.GRANT, Caller.TENANT_ADMIN, Target.SAME_TENANT)).isEqualTo(403);
    assertThat(expected(Route.GRANT, Caller.TENANT_ADMIN, Target.OTHER_TENANT)).isEqualTo(404);
    assertThat(expected(Route.GRANT, Caller.SUPER_ADMIN, Target.SELF)).isEqualTo(403);
    assertThat(expected(Route.GRANT, Caller.SUPER_ADMIN, Target.OTHER_TENANT)).isEqualTo(201);
    assertThat(expected(Route.SPEND_LIMIT_LOWER, Caller.TENANT_ADMIN, Target.SAME_TENANT)).isEqualTo(200);
    assertThat(expected(Route.SPEND_LIMIT_RAISE, Caller.TENANT_ADMIN, Target.SAME_TENANT)).isEqualTo(403);
    assertThat(expected(Route.SPEND_BUDGET, Caller.TENANT_ADMIN, Target.SELF)).isEqualTo(403);
    assertThat(expected(Route.DISABLE, Caller.TENANT_ADMIN, Target.SAME_TENANT)).isEqualTo(200);
    assertThat(expected(Route.ROLE, Caller.USER, Target.SELF)).isEqualTo(403);
    assertThat(expected(Route.REFUND, Caller.ANONYMOUS, Target.OTHER_TENANT)).isEqualTo(401);
  }

  // ---------------------------------------------------------------- the finding's own steps, as regression tests

  /** The exploit of the report, step by step, as acme's tenant admin on itself: every step is 403 and nothing moves. */
  @Test
  void h1_tenantAdminCannotGrantItselfCredits() {
    String key = key(Caller.TENANT_ADMIN);
    String self = "/api/admin/users/" + adm.userId();
    String before = state(adm);
    assertProblem(http.send("POST", self + "/grants", key, "{\"amount_usd\":1000,\"reason\":\"x\"}", "Idempotency-Key", "g1"),
        403, "forbidden");
    assertThat(genrtl.pool().balance(adm.userId()).creditsMicros()).isZero();
    assertProblem(http.send("PUT", self + "/plan", key, "{\"plan\":\"ultra\",\"reason\":\"x\"}"), 403, "forbidden");
    assertProblem(http.send("PUT", self + "/spend-limit", key, "{\"on_demand_limit_usd\":100000,\"reason\":\"x\"}"), 403, "forbidden");
    String row = genrtl.pool().charge(ChargeRequest.of(adm.userId(), UsageKind.LLM, 1_000_000L, "own")).entries().get(0).entryId();
    String afterCharge = state(adm);
    assertProblem(http.send("POST", "/api/admin/ledger/" + row + "/refund", key, "{\"reason\":\"x\"}", "Idempotency-Key", "r1"),
        403, "forbidden");
    assertThat(state(adm)).isEqualTo(afterCharge);
    assertThat(before).contains("credits=0", "plan=pro");
    assertThat(genrtl.pool().balance(adm.userId()).planId()).isEqualTo("pro");
    // nor for a member of its tenant: money comes from payments or from a super admin
    assertProblem(http.send("POST", "/api/admin/users/" + ann.userId() + "/grants", key, "{\"amount_usd\":1000,\"reason\":\"x\"}",
        "Idempotency-Key", "g2"), 403, "forbidden");
    assertThat(genrtl.pool().balance(ann.userId()).creditsMicros()).isZero();
  }

  /** A tenant admin may lower a member's limit, never raise it, and never above the budget a super admin set. */
  @Test
  void h1_tenantAdminOnlyLowersMemberLimitsWithinTheTenantBudget() {
    String admKey = key(Caller.TENANT_ADMIN);
    String rootKey = key(Caller.SUPER_ADMIN);
    String limit = "/api/admin/users/" + ann.userId() + "/spend-limit";
    assertThat(http.send("PUT", limit, rootKey, "{\"on_demand_limit_usd\":300,\"reason\":\"pilot\"}").status()).isEqualTo(200);
    TestHttp.Response raise = http.send("PUT", limit, admKey, "{\"on_demand_limit_usd\":400,\"reason\":\"x\"}");
    assertProblem(raise, 403, "forbidden");
    assertThat(raise.json()).containsEntry("reason", "raise").containsEntry("field", "on_demand_limit_usd");
    assertThat(http.send("PUT", limit, admKey, "{\"on_demand_limit_usd\":250,\"reason\":\"less\"}").status()).isEqualTo(200);

    String budget = "/api/admin/tenants/" + ann.tenantId() + "/spend-budget";
    assertProblem(http.send("PUT", budget, admKey, "{\"member_on_demand_cap_usd\":50,\"reason\":\"x\"}"), 403, "forbidden");
    assertProblem(http.send("PUT", budget, rootKey, "{\"reason\":\"x\"}"), 400, "validation_failed");
    assertProblem(http.send("PUT", budget, rootKey, "{\"member_on_demand_cap_usd\":-1,\"reason\":\"x\"}"), 400, "validation_failed");
    assertProblem(http.send("PUT", budget, rootKey, "{\"member_on_demand_cap_usd\":\"50\",\"reason\":\"x\"}"), 400, "validation_failed");
    assertProblem(http.send("PUT", budget, rootKey, "{\"member_on_demand_cap_usd\":50}"), 400, "validation_failed");
    assertProblem(http.send("PUT", "/api/admin/tenants/NOPE/spend-budget", rootKey, "{}"), 404, "not_found");
    TestHttp.Response set = http.send("PUT", budget, rootKey, "{\"member_on_demand_cap_usd\":50,\"reason\":\"q3\"}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    assertThat(set.json()).containsEntry("tenant_id", ann.tenantId()).containsEntry("member_on_demand_cap_usd", 50.0)
        .containsEntry("lowered_accounts", 1.0);
    assertThat(genrtl.pool().balance(ann.userId()).onDemandLimitMicros()).isEqualTo(50_000_000L);
    assertThat(http.send("PUT", limit, rootKey, "{\"on_demand_limit_usd\":80,\"reason\":\"exception\"}").status())
        .as("a super admin still overrides past the budget").isEqualTo(200);
    assertProblem(http.send("PUT", limit, admKey, "{\"on_demand_limit_usd\":60,\"reason\":\"x\"}"), 422, "spend_limit_above_tenant_budget");
    assertProblem(http.send("PUT", "/api/billing/spend-limit", key(Caller.USER), "{\"on_demand_limit_usd\":60}"), 422,
        "spend_limit_above_tenant_budget");
    assertThat(http.send("PUT", limit, admKey, "{\"on_demand_limit_usd\":40,\"reason\":\"within\"}").status()).isEqualTo(200);
    TestHttp.Response cleared = http.send("PUT", budget, rootKey, "{\"member_on_demand_cap_usd\":null,\"reason\":\"none\"}");
    assertThat(cleared.json()).containsEntry("member_on_demand_cap_usd", null).containsEntry("lowered_accounts", 0.0);
    assertThat(genrtl.stores().accounts().tenants().find(ann.tenantId()).orElseThrow().memberOnDemandCapMicros()).isNull();
  }

  /**
   * Low finding: there was no way to cut a user off. Disabled over the admin API, the user's API keys and session
   * tokens are refused at once with 401 {@code account_disabled}; enabled again, they work.
   */
  @Test
  void low_disabledUsersKeysAreRefused() {
    String annKey = key(Caller.USER);
    String session = genrtl.signIn().startSession(ann.userId(), "test").accessToken();
    assertThat(http.get("/api/me", annKey).status()).isEqualTo(200);
    assertThat(http.get("/api/me", session).status()).isEqualTo(200);
    String admKey = key(Caller.TENANT_ADMIN);
    assertProblem(http.send("POST", "/api/admin/users/" + ann.userId() + "/disable", admKey, "{}"), 400, "validation_failed");
    TestHttp.Response off = http.send("POST", "/api/admin/users/" + ann.userId() + "/disable", admKey, "{\"reason\":\"left\"}");
    assertThat(off.status()).as(off.body()).isEqualTo(200);
    assertThat(off.json()).containsEntry("user_id", ann.userId());
    assertThat(off.json().get("disabled_at")).isNotNull();
    assertProblem(http.get("/api/me", annKey), 401, "account_disabled");
    assertProblem(http.get("/api/me", session), 401, "account_disabled");
    assertProblem(http.get("/api/usage", annKey), 401, "account_disabled");
    assertProblem(http.send("POST", "/api/admin/users/" + adm.userId() + "/disable", admKey, "{\"reason\":\"x\"}"), 403, "forbidden");
    assertThat(http.get("/api/admin/users/" + ann.userId(), admKey).json().get("disabled_at")).isNotNull();
    TestHttp.Response on = http.send("POST", "/api/admin/users/" + ann.userId() + "/enable", admKey, "{\"reason\":\"back\"}");
    assertThat(on.status()).as(on.body()).isEqualTo(200);
    assertThat(on.json()).containsEntry("disabled_at", null);
    assertThat(http.get("/api/me", annKey).status()).isEqualTo(200);
    assertThat(http.get("/api/me", session).status()).isEqualTo(200);
  }
}
