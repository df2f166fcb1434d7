package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

  @BeforeEach
  void start() {
    genrtl = GenRtl.builder().stores(new InMemoryStores()).clock(clock).build();
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
}
