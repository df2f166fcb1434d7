package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.User;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.UsageKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route × every kind of caller, on SQLite, with the expectations taken from {@code docs/openapi.yaml}
 * ({@code x-genrtl-auth}, {@code x-genrtl-owned}); a route that is served but not documented fails here too.
 *
 * <p>Callers: anonymous, a user who owns the objects named in paths (ann, tenant acme), another tenant's user (eve),
 * acme's tenant admin, another tenant's admin, and a super admin. Expected: 401 for anonymous on protected routes; 403
 * for callers without the route's role; 404 for callers outside the ownership rule on routes naming an owned object;
 * otherwise an answer that is neither 401 nor 403 nor a server error (2xx, or a 4xx about the request, e.g. 400 for the
 * empty JSON body every mutating call is sent), and never 404 for an owned object its owner's side asks for. Each call
 * uses a fresh API key (logout revokes the key it is called with). A route not marked owned must answer another
 * tenant's callers as it answers acme's, so a missing {@code x-genrtl-owned} is caught.
 */
class RouteRoleMatrixTest {
  enum Caller { ANONYMOUS, USER, OTHER_TENANT_USER, TENANT_ADMIN, OTHER_TENANT_ADMIN, SUPER_ADMIN }

  /** Provider-backed routes answer 503 provider_unavailable here: no payment provider is configured. */
  private static final Set<String> UNCONFIGURED_PROVIDER_CODES = Set.of("provider_unavailable");

  @TempDir Path dir;
  private FullApp app;
  private GenRtl genrtl;
  private final OpenApiDoc doc = OpenApiDoc.load();
  private final Map<Caller, User> users = new LinkedHashMap<>();
  private final Map<String, String> fixtures = new LinkedHashMap<>();

  @BeforeEach
  void start() {
    app = new FullApp(dir);
    genrtl = app.genrtl;
    User ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro")).user();
    users.put(Caller.USER, ann);
    users.put(Caller.OTHER_TENANT_USER, genrtl.accounts().createUser(new NewUser("eve@evil.test", "evil", Role.USER, "pro")).user());
    users.put(Caller.TENANT_ADMIN, genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null)).user());
    users.put(Caller.OTHER_TENANT_ADMIN, genrtl.accounts().createUser(new NewUser("boss@evil.test", "evil", Role.TENANT_ADMIN, null)).user());
    users.put(Caller.SUPER_ADMIN, genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null)).user());

    // ann's objects, named in paths
    Principal annP = Principal.of(ann, null);
    String ws = genrtl.accounts().createWorkspace(annP, "chip").workspaceId();
    Job job = genrtl.jobs().submit(annP, "plan", ws, "{\"spec\":\"a counter\"}", null);
    genrtl.jobs().cancel(annP, job.jobId()); // a final job: its event stream ends at once
    fixtures.put("user_id", ann.userId());
    fixtures.put("tenant_id", ann.tenantId());
    fixtures.put("workspace_id", ws);
    fixtures.put("job_id", job.jobId());
    fixtures.put("key_id", genrtl.apiKeys().issue(ann.userId(), "spare", null).key().keyId());
    fixtures.put("entry_id", genrtl.pool().charge(ChargeRequest.of(ann.userId(), UsageKind.LLM, 1_000_000L, "matrix"))
        .entries().get(0).entryId());
    // objects without an owner
    fixtures.put("cbb_id", "no-such-cbb");
    fixtures.put("version", "1.0.0");
    fixtures.put("token", "not-a-valid-token");
    fixtures.put("provider", "no-such-provider");
  }

  @AfterEach
  void stop() {
    app.close();
  }

  private String key(Caller c) {
    return c == Caller.ANONYMOUS ? null : genrtl.apiKeys().issue(users.get(c).userId(), "matrix", null).apiKey();
  }

  private String fill(OpenApiDoc.Operation op, List<String> failures) {
    String path = op.path();
    for (String p : op.pathParams()) {
      String v = fixtures.get(p);
      if (v == null) {
        failures.add(op.key() + ": no fixture for path parameter {" + p + "}; add one to RouteRoleMatrixTest");
        return null;
      }
      path = path.replace("{" + p + "}", v);
    }
    return path;
  }

  /** null: allowed (no 401/403, no server error, no 404 on an owned object); else the exact status expected. */
  static Integer expected(OpenApiDoc.Operation op, Caller c) {
    String auth = op.auth();
    if (auth.equals("none")) return null;
    // authenticated by a credential of its own (a refresh token, a signed-in browser session): API keys do not count
    if (auth.equals("credential")) return 401;
    if (c == Caller.ANONYMOUS) return 401;
    boolean outsideOwnership = c == Caller.OTHER_TENANT_USER || c == Caller.OTHER_TENANT_ADMIN;
    return switch (auth) {
      // owned: reach first (another tenant's admin 404, as for admin routes), then the super-admin rule (403)
      case "super_admin" -> c == Caller.SUPER_ADMIN ? null : op.owned() && c == Caller.OTHER_TENANT_ADMIN ? 404 : 403;
      case "admin" -> switch (c) {
        case USER, OTHER_TENANT_USER -> 403;
        case OTHER_TENANT_ADMIN -> op.owned() ? 404 : null;
        default -> null;
      };
      case "api_key" -> outsideOwnership && op.owned() ? 404 : null;
      default -> throw new AssertionError("unknown x-genrtl-auth " + auth + " on " + op.key());
    };
  }

  @Test
  void everyRouteAnswersEveryCallerAsDocumented() {
    List<String> failures = new ArrayList<>();
    Set<String> documented = new TreeSet<>();
    doc.operations.forEach(o -> documented.add(o.key()));
    for (String served : OpenApiDoc.servedRoutes(app.app)) {
      if (!documented.contains(served)) failures.add(served + ": served but not in docs/openapi.yaml (no x-genrtl-auth)");
    }
    int calls = 0;
    for (OpenApiDoc.Operation op : doc.operations) {
      if (op.auth() == null || !OpenApiDoc.AUTH.contains(op.auth())) {
        failures.add(op.key() + ": x-genrtl-auth missing or unknown");
        continue;
      }
      String path = fill(op, failures);
      if (path == null) continue;
      Map<Caller, Integer> statuses = new LinkedHashMap<>();
      for (Caller c : Caller.values()) {
        boolean hasBody = !(op.method().equals("GET") || op.method().equals("HEAD"));
        TestHttp.Response r = app.http.send(op.method(), path, key(c), hasBody ? "{}" : null,
            "Idempotency-Key", "matrix-" + UUID.randomUUID());
        calls++;
        statuses.put(c, r.status());
        String where = op.key() + " as " + c + " -> " + r.status() + " " + abbreviate(r.body());
        Integer want = expected(op, c);
        if (want != null) {
          if (r.status() != want) failures.add(where + " (expected " + want + ")");
          else if (!r.contentType().startsWith("application/problem+json") && !OpenApiDoc.isHtmlPage(op)) {
            failures.add(where + " (not problem+json)");
          }
          continue;
        }
        if (r.status() == 401 || r.status() == 403 && !op.auth().equals("none")) {
          failures.add(where + " (expected neither 401 nor 403)");
        } else if (r.status() == 401) {
          failures.add(where + " (a route without auth answered 401)");
        } else if (r.status() >= 500 && !(r.status() == 503 && UNCONFIGURED_PROVIDER_CODES.contains(code(r)))) {
          failures.add(where + " (server error)");
        } else if (op.owned() && r.status() == 404) {
          failures.add(where + " (the owner's side must see the object)");
        }
      }
      // a route not marked owned must not treat the other tenant differently: a missing x-genrtl-owned shows here
      if (!op.owned() && !op.auth().equals("none")
          && (!statuses.get(Caller.OTHER_TENANT_USER).equals(statuses.get(Caller.USER))
              || !statuses.get(Caller.OTHER_TENANT_ADMIN).equals(statuses.get(Caller.TENANT_ADMIN)))) {
        failures.add(op.key() + ": answers another tenant differently (" + statuses + "); is it x-genrtl-owned?");
      }
    }
    assertThat(calls).as("calls made").isGreaterThanOrEqualTo(6 * 45);
    assertThat(failures).isEmpty();
  }

  @Test
  void theExpectationsFollowTheDocumentedAuthRequirement() {
    // the rule table itself, so that a change to it is deliberate
    OpenApiDoc.Operation admin = new OpenApiDoc.Operation("GET", "/api/admin/users/{user_id}", "admin", true, null);
    assertThat(expected(admin, Caller.ANONYMOUS)).isEqualTo(401);
    assertThat(expected(admin, Caller.USER)).isEqualTo(403);
    assertThat(expected(admin, Caller.OTHER_TENANT_USER)).isEqualTo(403);
    assertThat(expected(admin, Caller.TENANT_ADMIN)).isNull();
    assertThat(expected(admin, Caller.OTHER_TENANT_ADMIN)).isEqualTo(404);
    assertThat(expected(admin, Caller.SUPER_ADMIN)).isNull();
    OpenApiDoc.Operation owned = new OpenApiDoc.Operation("GET", "/api/jobs/{job_id}", "api_key", true, null);
    assertThat(expected(owned, Caller.OTHER_TENANT_USER)).isEqualTo(404);
    assertThat(expected(owned, Caller.USER)).isNull();
    OpenApiDoc.Operation sup = new OpenApiDoc.Operation("POST", "/api/admin/cbb", "super_admin", false, null);
    assertThat(expected(sup, Caller.TENANT_ADMIN)).isEqualTo(403);
    assertThat(expected(sup, Caller.OTHER_TENANT_ADMIN)).isEqualTo(403);
    OpenApiDoc.Operation money = new OpenApiDoc.Operation("POST", "/api/admin/users/{user_id}/grants", "super_admin", true, null);
    assertThat(expected(money, Caller.USER)).isEqualTo(403);
    assertThat(expected(money, Caller.OTHER_TENANT_USER)).isEqualTo(403);
    assertThat(expected(money, Caller.TENANT_ADMIN)).isEqualTo(403);
    assertThat(expected(money, Caller.OTHER_TENANT_ADMIN)).isEqualTo(404);
    assertThat(expected(money, Caller.SUPER_ADMIN)).isNull();
    OpenApiDoc.Operation open = new OpenApiDoc.Operation("GET", "/healthz", "none", false, null);
    assertThat(expected(open, Caller.ANONYMOUS)).isNull();
  }

  private static String code(TestHttp.Response r) {
    try {
      return String.valueOf(r.json().get("code"));
    } catch (AssertionError e) {
      return "";
    }
  }

  private static String abbreviate(String s) {
    if (s == null) return "";
    s = s.replace('\n', ' ');
    return s.length() > 160 ? s.substring(0, 160) + "…" : s;
  }
}
