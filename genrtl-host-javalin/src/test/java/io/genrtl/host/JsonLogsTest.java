package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.squareup.moshi.Moshi;
import io.genrtl.host.http.Json;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GENRTL_LOG_FORMAT=json} on a real {@code genrtl serve} process (slf4j picks its provider once per JVM, so the
 * host runs in a child JVM): every stderr line is one JSON object with ts, level, logger, msg, request_id, job_id, and
 * no line carries the planted provider key, the user's API key, a mistyped key, the prompt or the model's answer.
 */
class JsonLogsTest {
  static final String PROVIDER_KEY = "sk-planted-provider-key-5c0ffee5c0ffee5c0ffee";
  static final String PROMPT = "PLANTED-PROMPT a UART that whispers 7f3a9b";
  @TempDir Path dir;

  @Test
  void jsonLogLinesCarryIdsAndNoSecrets() throws Exception {
    WireMockServer wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    wm.stubFor(post(urlEqualTo("/v1/responses")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "text/event-stream").withBody(JobApiTest.sse(JobApiTest.PLAN, 2000, 1500, 700))));
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dir.resolve("data").toString());
    env.put("GENRTL_PORT", "0");
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("GENRTL_LOG_FORMAT", "json");
    env.put("GENRTL_LOG_LEVEL", "debug");
    env.put("OPENAI_API_KEY", PROVIDER_KEY);
    env.put("OPENAI_BASE_URL", wm.baseUrl() + "/v1");
    ByteArrayOutputStream cli = new ByteArrayOutputStream();
    assertThat(Main.run(new String[] {"admin", "create-user", "--email", "ann@x.test", "--plan", "pro"}, env,
        new PrintStream(cli, true, StandardCharsets.UTF_8), System.err)).isZero();
    @SuppressWarnings("unchecked")
    Map<String, Object> created = (Map<String, Object>) new Moshi.Builder().build().adapter(Object.class)
        .fromJson(cli.toString(StandardCharsets.UTF_8).trim());
    String apiKey = (String) created.get("api_key");

    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "serve");
    pb.environment().keySet().removeIf(k -> k.startsWith("GENRTL_") || k.startsWith("OPENAI_") || k.startsWith("OTEL_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    List<String> lines = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) synchronized (lines) {
          lines.add(l);
        }
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    reader.start();
    String jobId;
    String requestId;
    try {
      Pattern listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
      int[] port = {0};
      JobApiTest.until(Duration.ofSeconds(60), () -> {
        synchronized (lines) {
          for (String l : lines) {
            Matcher m = listening.matcher(l);
            if (m.find()) port[0] = Integer.parseInt(m.group(1));
          }
        }
        return port[0] > 0 || !p.isAlive();
      });
      assertThat(p.isAlive()).as(String.join("\n", lines)).isTrue();
      TestHttp http = new TestHttp(port[0]);
      String ws = (String) http.post("/api/workspaces", apiKey, "{\"name\":\"w\"}").json().get("workspace_id");
      TestHttp.Response job = http.send("POST", "/api/jobs/plan", apiKey,
          "{\"workspace_id\":\"" + ws + "\",\"spec\":" + Json.write(PROMPT) + "}", "Prefer", "wait=20");
      assertThat(job.status()).as(job.body()).isEqualTo(200);
      jobId = (String) job.json().get("job_id");
      requestId = job.header("X-Request-Id");
      assertThat(http.get("/api/me", apiKey.substring(0, apiKey.length() - 1) + "X").status()).isEqualTo(401);
      JobApiTest.until(Duration.ofSeconds(10), () -> {
        synchronized (lines) {
          return lines.stream().anyMatch(l -> l.contains("\"job_id\":\"" + job.json().get("job_id") + "\""));
        }
      });
    } finally {
      p.destroy();
      p.waitFor();
      reader.join(10_000);
      wm.stop();
    }
    List<String> all;
    synchronized (lines) {
      all = List.copyOf(lines);
    }
    String text = String.join("\n", all);
    assertThat(all).isNotEmpty();
    com.squareup.moshi.JsonAdapter<Object> any = new Moshi.Builder().build().adapter(Object.class);
    for (String l : all) {
      Object o = any.fromJson(l);
      assertThat(o).as(l).isInstanceOf(Map.class);
      @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) o;
      assertThat(m).as(l).containsKeys("ts", "level", "logger", "msg", "request_id", "job_id");
    }
    assertThat(all).anyMatch(l -> l.contains("\"job_id\":\"" + jobId + "\"") && l.contains("\"msg\":\"job plan succeeded"));
    assertThat(all).anyMatch(l -> l.contains("\"request_id\":\"" + requestId + "\"") && l.contains("POST /api/jobs/plan 200"));
    assertThat(text).doesNotContain(PROVIDER_KEY).doesNotContain("5c0ffee")
        .doesNotContain(apiKey).doesNotContain(apiKey.substring(apiKey.lastIndexOf('_') + 1))
        .doesNotContain("PLANTED-PROMPT").doesNotContain("whispers")
        .doesNotContain("uart_top"); // the model's answer
  }
}
