package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.testing.PgTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits and metrics as {@code genrtl serve} wires them from the configuration, on SQLite and on two PostgreSQL hosts. */
class LimitsWiringTest {
  static final String METRICS_KEY = "scrape-key-0123456789";
  @TempDir Path dir;

  private Map<String, String> env(String data) {
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dir.resolve(data).toString());
    env.put("GENRTL_PORT", "0");
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("GENRTL_RATE_LIMIT_PER_MINUTE", "5");
    env.put("GENRTL_METRICS_KEY", METRICS_KEY);
    return env;
  }

  private static String adminKey(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8).trim().substring("GENRTL_ADMIN_KEY=".length());
  }

  @Test
  void serveLimitsPerKeyAndServesMetricsBehindItsKey() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GenRtlServer s = GenRtlServer.start(HostConfig.load(env("data")), Clock.systemUTC(),
        new PrintStream(out, true, StandardCharsets.UTF_8))) {
      TestHttp http = new TestHttp(s.port());
      String key = adminKey(out);
      for (int i = 0; i < 5; i++) assertThat(http.get("/api/me", key).header("RateLimit-Limit")).isEqualTo("5");
      assertProblem(http.get("/api/me", key), 429, "rate_limited");
      assertProblem(http.get("/metrics", null), 401, "unauthenticated");
      TestHttp.Response m = http.get("/metrics", METRICS_KEY);
      assertThat(m.status()).isEqualTo(200);
      assertThat(m.body()).contains("genrtl_rate_limit_rejections_total{class=\"default\",scope=\"key\"} 1")
          .contains("genrtl_db_pool_connections{state=\"idle\"}")
          .contains("http_server_requests_seconds_count{method=\"GET\",route=\"/api/me\",status=\"200\"} 5");
    }
  }

  @Test
  void twoServersOnOnePostgresSchemaShareTheLimit() {
    String url = PgTestSupport.urlOrSkip();
    String schema = PgTestSupport.createSchema(url);
    try {
      Map<String, String> a = env("a");
      Map<String, String> b = env("b");
      String db = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
      a.put("GENRTL_DB_URL", db);
      b.put("GENRTL_DB_URL", db);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (GenRtlServer sa = GenRtlServer.start(HostConfig.load(a), Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8));
          GenRtlServer sb = GenRtlServer.start(HostConfig.load(b), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream(), true,
              StandardCharsets.UTF_8))) {
        String key = adminKey(out);
        TestHttp ha = new TestHttp(sa.port());
        TestHttp hb = new TestHttp(sb.port());
        int ok = 0;
        for (int i = 0; i < 3; i++) {
          if (ha.get("/api/me", key).status() == 200) ok++;
          if (hb.get("/api/me", key).status() == 200) ok++;
        }
        assertThat(ok).isEqualTo(5); // one bucket of 5 for both hosts
        assertProblem(hb.get("/api/me", key), 429, "rate_limited");
      }
    } finally {
      PgTestSupport.dropSchema(url, schema);
    }
  }
}
