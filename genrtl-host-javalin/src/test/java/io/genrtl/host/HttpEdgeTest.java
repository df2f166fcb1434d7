package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.EdgeHeaders;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.SignInProviders;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP edge (issue "Security findings from a hostile review", Low): times out of range, the security headers,
 * CORS, malformed JSON details, and what Jetty refuses before any route. Each test is named after its finding.
 */
class HttpEdgeTest {
  private final MutableClock clock = MutableClock.at("2026-05-01T00:00:00Z");
  private GenRtl genrtl;
  private Javalin app;
  private TestHttp http;
  private String rootKey;
  private String annKey;

  private Javalin other;

  @BeforeEach
  void start() {
    genrtl = GenRtl.builder().stores(InMemoryStores.create()).clock(clock).build();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    CreatedUser root = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null));
    CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro"));
    rootKey = genrtl.apiKeys().issue(root.user().userId(), "t", null).apiKey();
    annKey = genrtl.apiKeys().issue(ann.user().userId(), "t", null).apiKey();
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop();
    if (other != null) other.stop();
  }

  /** A second app on the same library with an edge policy of its own. */
  private TestHttp with(EdgeHeaders.Policy policy) {
    other = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"), SignInProviders.none(),
        GenRtlApp.Extras.NONE, policy);
    other.start("127.0.0.1", 0);
    return new TestHttp(other.port());
  }

  /** Sends raw bytes on a fresh connection and reads the answer until the server closes. */
  private static String raw(int port, String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] b = new byte[8192];
      int n;
      while (buf.size() < 65536 && (n = in.read(b)) > 0) buf.write(b, 0, n);
      return buf.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static String head(String rawResponse) {
    return rawResponse.substring(0, rawResponse.indexOf("\r\n\r\n")).toLowerCase();
  }

  private static List<String> corsHeaders(TestHttp.Response r) {
    return r.headers().keySet().stream().filter(h -> h.toLowerCase().startsWith("access-control-")).toList();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ times

  /** Times that parse (or almost) but have no epoch-millisecond value, or lie outside 1970-9999. */
  static final List<String> OUT_OF_RANGE = List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
      "+1000000000-01-01T00:00:00Z", "-1000000000-01-01T00:00:00Z", "+999999999-12-31T23:59:59.999999999-18:00",
      "+292278994-08-17T07:12:55.808Z", "+10000-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00",
      "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "9999999999999999999", "-9999999999999999999",
      "99999999999999999999999999", "1e30", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "now");
  /** The same as dates, for the routes that also take a plain date. */
  static final List<String> DATES_OUT_OF_RANGE = List.of("+999999999-12-31", "-999999999-01-01", "+10000-01-01",
      "1969-12-31");

  @Test
  void low_dateOutOfRangeIs400() {
    List<String> routes = List.of("/api/usage", "/api/usage/summary", "/api/usage/export.csv", "/api/admin/audit");
    List<String> wrong = new ArrayList<>();
    for (String route : routes) {
      for (String field : List.of("from", "to")) {
        List<String> values = new ArrayList<>(OUT_OF_RANGE);
        values.addAll(DATES_OUT_OF_RANGE);
        for (String v : values) {
          TestHttp.Response r = http.get(route + "?" + field + "=" + enc(v), rootKey);
          if (r.status() != 400 || !r.body().contains("\"field\":\"" + field + "\"")
              || !r.body().contains("\"code\":\"validation_failed\"")) {
            wrong.add(route + " " + field + "=" + v + " -> " + r.status() + " " + r.body());
          }
        }
      }
      // the edges of the range are accepted
      assertThat(http.get(route + "?from=" + enc("1970-01-01T00:00:00Z") + "&to=" + enc("9999-12-31T23:59:59.999Z"), rootKey)
          .status()).as(route).isEqualTo(200);
      assertThat(http.get(route + "?from=1970-01-01&to=9999-12-31", rootKey).status()).as(route).isEqualTo(200);
    }
    for (String v : OUT_OF_RANGE) {
      TestHttp.Response r = http.post("/api/keys", annKey, "{\"name\":\"k\",\"expires_at\":\"" + v + "\"}");
      if (r.status() != 400 || !r.body().contains("\"field\":\"expires_at\"")) {
        wrong.add("POST /api/keys expires_at=" + v + " -> " + r.status() + " " + r.body());
      }
    }
    for (String v : List.of("9999999999999999999", "-9999999999999999999", "1e30")) { // a JSON number is no time either
      TestHttp.Response r = http.post("/api/keys", annKey, "{\"name\":\"k\",\"expires_at\":" + v + "}");
      if (r.status() != 400 || !r.body().contains("\"field\":\"expires_at\"")) {
        wrong.add("POST /api/keys expires_at=" + v + " (number) -> " + r.status() + " " + r.body());
      }
    }
    assertThat(wrong).isEmpty();
    TestHttp.Response one = http.get("/api/usage?from=" + enc("+999999999-12-31T23:59:59Z"), rootKey);
    assertProblem(one, 400, "validation_failed");
    assertThat(one.json().get("detail").toString()).contains("1970").contains("9999");
    assertThat(http.post("/api/keys", annKey, "{\"name\":\"k\",\"expires_at\":\"9999-12-31T23:59:59.999Z\"}").status())
        .isEqualTo(201);
  }

  // ------------------------------------------------------------------ malformed JSON

  /** Texts of JSON libraries (Moshi's, Gson's, Jackson's) that must never reach a client. */
  static final List<String> LIBRARY_TEXT = List.of("setLenient", "JsonReader", "lenient", "Moshi", "at path", "$.",
      "Gson", "Jackson", "Exception", "End of input", "Unterminated", "Expected name", "Nesting too deep", "okio");

  @Test
  void low_malformedJsonDetailsHaveNoLibraryText() {
    List<String> bad = List.of("{\"name\":\"a\",}", "{\"name\" \"a\"}", "[1,2,,3]", "{name:1}", "{\"name\":tru}",
        "{\"name\":\"a\"} x", "{\"name\":\"a\"} {}", "{\"name\":\"\\q\"}", "{\"name\":01}", "{\"name\":NaN}", "'a'",
        "{\"name\":\"abc", "{\"name\":1", "[".repeat(300), "\u00ff", "{\"name\":\"a\",\"name\":\"b\"}", "{", "nul",
        "\u0000", "{\"name\":\"x\ny\"}", "{\"name\":1e99999999999}", "/* */ {}");
    List<String> leaks = new ArrayList<>();
    for (String body : bad) {
      TestHttp.Response r = http.post("/api/workspaces", annKey, body);
      assertProblem(r, 400, "malformed_json");
      String detail = r.json().get("detail").toString();
      for (String t : LIBRARY_TEXT) if (r.body().contains(t)) leaks.add(body + " -> " + detail + " (has '" + t + "')");
      if (!detail.matches("the request body is not valid JSON: .+ at line \\d+, column \\d+")) leaks.add(body + " -> " + detail);
      assertThat(r.json()).containsKeys("line", "column");
    }
    assertThat(leaks).isEmpty();
    TestHttp.Response r = http.post("/api/workspaces", annKey, "{\n  \"name\": \"a\",\n  \"x\" 1\n}");
    assertThat(r.json().get("detail")).isEqualTo(
        "the request body is not valid JSON: expected ':' after the member name, found '1' at line 3, column 7");
    assertThat(((Number) r.json().get("line")).intValue()).isEqualTo(3);
    assertThat(((Number) r.json().get("column")).intValue()).isEqualTo(7);
    // a JSON route elsewhere says the same
    TestHttp.Response keys = http.post("/api/keys", annKey, "{\"name\":\"k\",}");
    assertProblem(keys, 400, "malformed_json");
    assertThat(keys.json().get("detail").toString()).doesNotContain("setLenient").contains("line 1, column 13");
  }

  // ------------------------------------------------------------------ headers

  @Test
  void low_nosniffOnEveryResponse() throws Exception {
    String ws = "{\"name\":\"chip\"}";
    Map<String, TestHttp.Response> answers = new java.util.LinkedHashMap<>();
    answers.put("healthz 200", http.get("/healthz", null));
    answers.put("readyz 200", http.get("/readyz", null));
    answers.put("me 200", http.get("/api/me", annKey));
    answers.put("workspace 201", http.post("/api/workspaces", annKey, ws));
    answers.put("401", http.get("/api/me", null));
    answers.put("403", http.get("/api/admin/audit", annKey));
    answers.put("404 route", http.get("/no/such/route", null));
    answers.put("404 object", http.get("/api/jobs/01ARZ3NDEKTSV4RRFFQ69G5FAV", annKey));
    answers.put("405", http.send("PATCH", "/api/me", annKey, null));
    answers.put("options", http.send("OPTIONS", "/api/me", null, null));
    answers.put("400", http.post("/api/workspaces", annKey, "{}"));
    answers.put("400 json", http.post("/api/workspaces", annKey, "{"));
    answers.put("413", http.post("/api/workspaces", annKey, "{\"name\":\"" + "x".repeat(70 * 1024) + "\"}"));
    answers.put("415", http.send("POST", "/api/workspaces", annKey, "x", "Content-Type", "text/plain"));
    answers.put("csv", http.get("/api/usage/export.csv", annKey));
    answers.put("download 404", http.get("/api/cbb/download/not-a-token", null));
    answers.put("device page", http.get("/device", null));
    answers.put("oauth error", http.send("POST", "/api/auth/token", null, "x", "Content-Type", "text/plain"));
    List<String> missing = new ArrayList<>();
    answers.forEach((what, r) -> {
      if (!"nosniff".equals(r.header("X-Content-Type-Options"))) missing.add(what + " (" + r.status() + ")");
    });
    assertThat(missing).isEmpty();
    assertThat(answers.get("413").status()).isEqualTo(413);
    assertThat(answers.get("415").status()).isEqualTo(415);
    // refused by Jetty before any route
    assertThat(head(raw(app.port(), "GET /api/me%00 HTTP/1.1\r\nHost: x\r\n\r\n"))).contains("x-content-type-options: nosniff");
    assertThat(head(raw(app.port(), "GET /api/me HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n")))
        .startsWith("http/1.1 431").contains("x-content-type-options: nosniff");
  }

  @Test
  void low_noStoreOnAuthenticatedJson() {
    String ws = http.post("/api/workspaces", annKey, "{\"name\":\"chip\"}").json().get("workspace_id").toString();
    List<TestHttp.Response> json = List.of(http.get("/api/me", annKey), http.get("/api/workspaces", annKey),
        http.get("/api/workspaces/" + ws, annKey), http.get("/api/keys", annKey), http.get("/api/usage", annKey),
        http.get("/api/usage/summary", annKey), http.get("/api/billing/balance", annKey),
        http.post("/api/workspaces", annKey, "{\"name\":\"chip2\"}"), http.get("/api/admin/audit", rootKey),
        http.get("/api/admin/users", rootKey), http.get("/api/cbb", annKey),
        // refusals on /api/ carry user-specific text too
        http.get("/api/me", null), http.get("/api/workspaces/01ARZ3NDEKTSV4RRFFQ69G5FAV", annKey),
        http.post("/api/workspaces", annKey, "{}"), http.get("/api/admin/audit", annKey));
    List<String> wrong = new ArrayList<>();
    for (TestHttp.Response r : json) {
      if (!"no-store".equals(r.header("Cache-Control"))) wrong.add(r.status() + " " + r.body() + " -> " + r.header("Cache-Control"));
    }
    assertThat(wrong).isEmpty();
    assertThat(json.get(0).status()).isEqualTo(200);
    // the downloads keep their own
    assertThat(http.get("/api/usage/export.csv", annKey).header("Cache-Control")).isEqualTo("private, no-store");
    // not under /api/: no user data, no rule
    assertThat(http.get("/healthz", null).header("Cache-Control")).isNull();
  }

  @Test
  void low_hstsBehindTrustedProxy() throws Exception {
    // not trusted (the default): a client's X-Forwarded-Proto changes nothing, and plain http gets no HSTS
    assertThat(http.send("GET", "/healthz", null, null, "X-Forwarded-Proto", "https").header("Strict-Transport-Security")).isNull();
    assertThat(http.get("/api/me", annKey).header("Strict-Transport-Security")).isNull();
    TestHttp.Response r = with(new EdgeHeaders.Policy(true, List.of())).send("GET", "/api/me", annKey, null,
        "X-Forwarded-Proto", "https");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Strict-Transport-Security")).isEqualTo("max-age=31536000; includeSubDomains");
    TestHttp trusted = new TestHttp(other.port());
    assertThat(trusted.send("GET", "/healthz", null, null, "X-Forwarded-Proto", "HTTPS, http").header("Strict-Transport-Security"))
        .isEqualTo("max-age=31536000; includeSubDomains");
    assertThat(trusted.send("GET", "/api/me", null, null, "X-Forwarded-Proto", "https").header("Strict-Transport-Security"))
        .as("a refusal too").isNotNull();
    assertThat(trusted.send("GET", "/healthz", null, null, "X-Forwarded-Proto", "http").header("Strict-Transport-Security")).isNull();
    assertThat(trusted.get("/healthz", null).header("Strict-Transport-Security")).isNull();
    // (a request Jetty refuses before its headers are read, e.g. a %00 path, cannot show its X-Forwarded-Proto; a browser
    // keeps the HSTS policy from any other answer)
  }

  @Test
  void low_corsOffByDefault() {
    TestHttp.Response pre = http.send("OPTIONS", "/api/me", null, null, "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "authorization");
    assertProblem(pre, 405, "method_not_allowed"); // as before: no route answers OPTIONS
    assertThat(corsHeaders(pre)).isEmpty();
    TestHttp.Response get = http.send("GET", "/api/me", annKey, null, "Origin", "https://app.example.com");
    assertThat(get.status()).isEqualTo(200);
    assertThat(corsHeaders(get)).isEmpty();
    assertProblem(http.send("OPTIONS", "/no/such/route", null, null, "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "GET"), 404, "not_found");
  }

  @Test
  void low_corsPreflightForConfiguredOrigin() {
    TestHttp cors = with(new EdgeHeaders.Policy(false, List.of("https://app.example.com", "http://localhost:5173")));
    for (String path : List.of("/api/me", "/api/workspaces", "/api/keys/01ARZ3NDEKTSV4RRFFQ69G5FAV")) {
      TestHttp.Response pre = cors.send("OPTIONS", path, null, null, "Origin", "https://app.example.com",
          "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type, idempotency-key");
      assertThat(pre.status()).as(path + " " + pre.body()).isEqualTo(204);
      assertThat(pre.body()).isEmpty();
      assertThat(pre.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
      assertThat(pre.header("Access-Control-Allow-Methods")).contains("GET", "POST", "PUT", "DELETE");
      assertThat(pre.header("Access-Control-Allow-Headers")).contains("Authorization", "Content-Type", "Idempotency-Key", "Prefer");
      assertThat(pre.header("Access-Control-Max-Age")).isEqualTo("600");
      assertThat(pre.header("Access-Control-Allow-Credentials")).isNull(); // never credentials
      assertThat(pre.header("Vary")).contains("Origin");
      assertThat(pre.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(pre.header("X-Request-Id")).isNotNull();
    }
    assertThat(cors.send("OPTIONS", "/api/me", null, null, "Origin", "http://localhost:5173",
        "Access-Control-Request-Method", "GET").header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:5173");
    // the actual request: the origin is allowed, its headers exposed; authentication still applies
    TestHttp.Response get = cors.send("GET", "/api/me", annKey, null, "Origin", "https://app.example.com");
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(get.header("Access-Control-Expose-Headers")).contains("X-Request-Id", "RateLimit-Remaining", "Retry-After", "Location");
    assertThat(get.header("Access-Control-Allow-Credentials")).isNull();
    TestHttp.Response anon = cors.send("GET", "/api/me", null, null, "Origin", "https://app.example.com");
    assertProblem(anon, 401, "unauthenticated");
    assertThat(anon.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    // other origins get nothing: no wildcard, no reflection, no suffix or prefix matches
    for (String origin : List.of("https://evil.example.com", "https://app.example.com.evil.test", "http://app.example.com",
        "https://app.example.com:8443", "null", "*", "https://APP.example.com")) {
      TestHttp.Response pre = cors.send("OPTIONS", "/api/me", null, null, "Origin", origin, "Access-Control-Request-Method", "GET");
      assertProblem(pre, 405, "method_not_allowed");
      assertThat(corsHeaders(pre)).as(origin).isEmpty();
      TestHttp.Response other = cors.send("GET", "/api/me", annKey, null, "Origin", origin);
      assertThat(other.status()).isEqualTo(200);
      assertThat(corsHeaders(other)).as(origin).isEmpty();
    }
    // an OPTIONS that is no preflight is not answered by CORS either
    assertProblem(cors.send("OPTIONS", "/api/me", null, null, "Origin", "https://app.example.com"), 405, "method_not_allowed");
  }
}
