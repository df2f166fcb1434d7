package io.genrtl.llm.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import io.genrtl.core.llm.LlmException;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class AnthropicClientTest extends StubServerTest {
  private static final String MESSAGE = """
      {"id":"msg_01","type":"message","role":"assistant","model":"claude-test",
       "content":[{"type":"text","text":"--- a/fifo.v\\n"},{"type":"text","text":"+++ b/fifo.v\\n"}],
       "stop_reason":"end_turn","stop_sequence":null,
       "usage":{"input_tokens":120,"cache_creation_input_tokens":2048,"cache_read_input_tokens":0,"output_tokens":640}}""";

  private static final String OVERLOADED =
      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},\"request_id\":\"req_529\"}";

  private AnthropicClient client() {
    return new AnthropicClient(Fixtures.config(baseUrl(), sleeps).build());
  }

  /** Headers, model, max_tokens and the cache marker on the first (cacheable) system block. */
  private static MappingBuilder messages() {
    return post(urlEqualTo("/v1/messages"))
        .withHeader("x-api-key", equalTo("test-key"))
        .withHeader("anthropic-version", equalTo("2023-06-01"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("claude-test")))
        .withRequestBody(matchingJsonPath("$.system[0].cache_control.type", equalTo("ephemeral")));
  }

  private static String streamBody(String eol, String... extra) {
    List<String> lines = new ArrayList<>(List.of(
        "event: message_start",
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_02\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":80,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":2048,"
            + "\"output_tokens\":1}}}",
        "",
        "event: content_block_start",
        "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
        "",
        "event: ping",
        "data: {\"type\": \"ping\"}",
        "",
        "event: content_block_delta",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"--- a/fifo.v\"}}",
        "",
        "event: content_block_delta",
        "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\\n+++ b/fifo.v\"}}",
        ""));
    lines.addAll(List.of(extra));
    return Fixtures.sse(eol, lines.toArray(String[]::new));
  }

  private static final String[] END = {
      "event: content_block_stop",
      "data: {\"type\":\"content_block_stop\",\"index\":0}",
      "",
      "event: message_delta",
      "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
          + "\"usage\":{\"output_tokens\":512}}",
      "",
      "event: message_stop",
      "data: {\"type\":\"message_stop\"}",
      ""};

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder sseResponse(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withHeader("request-id", "req_s")
        .withBody(body);
  }

  @Test
  void nonStreamedMarksTheCacheableSystemBlockAndNormalisesCacheWrites() {
    wm.stubFor(messages().withRequestBody(matchingJsonPath("$.max_tokens", equalTo("2048")))
        .willReturn(okJson(MESSAGE).withHeader("request-id", "req_a1")));

    LlmResponse r = client().complete(Fixtures.implement("claude-test", false), null, () -> false);

    assertThat(r.text()).isEqualTo("--- a/fifo.v\n+++ b/fifo.v\n");
    // Anthropic's input_tokens exclude cache reads and writes
    assertThat(r.usage()).isEqualTo(new LlmUsage(120, 640, 0, 2048, 0));
    assertThat(r.provider()).isEqualTo("anthropic");
    assertThat(r.stopReason()).isEqualTo("end_turn");
    assertThat(r.providerRequestId()).isEqualTo("req_a1");
    assertThat(r.responseId()).isEqualTo("msg_01");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")).withRequestBody(equalToJson("""
        {"model":"claude-test","max_tokens":2048,
         "system":[{"type":"text","text":"You are an RTL planner.","cache_control":{"type":"ephemeral"}},
                   {"type":"text","text":"Project: fifo16"}],
         "messages":[{"role":"user","content":[{"type":"text","text":"Write the FIFO."}]}]}""")));
  }

  @Test
  void streamedTakesUsageFromMessageStartAndMessageDelta() {
    String body = streamBody("\n", END).replace("\n\n", "\r\n\r\n"); // mixed line ends
    wm.stubFor(messages().withHeader("Accept", equalTo("text/event-stream"))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .willReturn(sseResponse(body).withChunkedDribbleDelay(60, 50)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmResponse r = client().complete(Fixtures.implement("claude-test", true), deltas, () -> false);

    assertThat(deltas.seen).containsExactly("--- a/fifo.v", "\n+++ b/fifo.v");
    assertThat(r.text()).isEqualTo("--- a/fifo.v\n+++ b/fifo.v");
    // input and cache counts from message_start, output from message_delta (not message_start's placeholder 1)
    assertThat(r.usage()).isEqualTo(new LlmUsage(80, 512, 2048, 0, 0));
    assertThat(r.stopReason()).isEqualTo("end_turn");
    assertThat(r.providerRequestId()).isEqualTo("req_s");
    assertThat(r.responseId()).isEqualTo("msg_02");
  }

  @Test
  void streamWithoutOutputCountGivesNullUsage() {
    String body = streamBody("\n",
        "event: message_delta", "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}", "",
        "event: message_stop", "data: {\"type\":\"message_stop\"}", "");
    wm.stubFor(messages().willReturn(sseResponse(body)));

    LlmResponse r = client().complete(Fixtures.implement("claude-test", true), null, () -> false);

    assertThat(r.text()).isEqualTo("--- a/fifo.v\n+++ b/fifo.v");
    assertThat(r.usage()).isNull();
  }

  @Test
  void overloaded529IsRetriedThenSucceeds() {
    wm.stubFor(messages().inScenario("529").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(aResponse().withStatus(529).withHeader("request-id", "req_529")
            .withHeader("Content-Type", "application/json").withBody(OVERLOADED)));
    wm.stubFor(messages().inScenario("529").whenScenarioStateIs("ok").willReturn(okJson(MESSAGE)));

    LlmResponse r = client().complete(Fixtures.implement("claude-test", false), null, () -> false);

    assertThat(r.usage()).isEqualTo(new LlmUsage(120, 640, 0, 2048, 0));
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/messages")));
    assertThat(sleeps.waits).hasSize(1);
    assertThat(console.text()).contains("HTTP 529 overloaded_error");
  }

  @Test
  void overloadedExhaustedIsUnavailableWithTheLastRequestId() {
    wm.stubFor(messages().willReturn(aResponse().withStatus(529).withHeader("request-id", "req_529")
        .withHeader("Content-Type", "application/json").withBody(OVERLOADED)));
    AnthropicClient client = new AnthropicClient(Fixtures.config(baseUrl(), sleeps).maxAttempts(2).build());

    LlmException e = caught(() -> client.complete(Fixtures.implement("claude-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unavailable.class);
    assertThat(e.status()).isEqualTo(529);
    assertThat(e.providerRequestId()).isEqualTo("req_529");
    assertThat(e.getMessage()).contains("overloaded_error", "Overloaded");
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void anErrorEventBeforeAnyTextIsRetried() {
    String failed = Fixtures.sse("\n", "event: error", "data: " + OVERLOADED, "");
    wm.stubFor(messages().inScenario("event").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(sseResponse(failed)));
    wm.stubFor(messages().inScenario("event").whenScenarioStateIs("ok").willReturn(sseResponse(streamBody("\n", END))));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmResponse r = client().complete(Fixtures.implement("claude-test", true), deltas, () -> false);

    assertThat(deltas.seen).containsExactly("--- a/fifo.v", "\n+++ b/fifo.v");
    assertThat(r.usage()).isEqualTo(new LlmUsage(80, 512, 2048, 0, 0));
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void anErrorAfterTextIsNotRetriedSoNoTextIsRepeated() {
    String body = streamBody("\n", "event: error", "data: " + OVERLOADED, "");
    wm.stubFor(messages().willReturn(sseResponse(body)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", true), deltas, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unavailable.class);
    assertThat(e.status()).isEqualTo(529);
    assertThat(deltas.seen).containsExactly("--- a/fifo.v", "\n+++ b/fifo.v");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void cancelDuringAStreamAbortsIt() {
    // the stream takes 3 s to arrive; the caller cancels on the first delta
    wm.stubFor(messages().willReturn(sseResponse(streamBody("\n", END)).withChunkedDribbleDelay(30, 3000)));
    AtomicBoolean cancel = new AtomicBoolean();
    List<String> seen = new ArrayList<>();
    long start = System.nanoTime();

    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", true), delta -> {
      seen.add(delta);
      cancel.set(true);
    }, cancel::get));

    assertThat(e).isInstanceOf(LlmException.Canceled.class);
    assertThat(e.retriable()).isFalse();
    assertThat(seen).containsExactly("--- a/fifo.v");
    // input and cache counts as message_start reported them; output estimated from the 12 bytes streamed (3 tokens)
    LlmException.Canceled c = (LlmException.Canceled) e;
    assertThat(c.partialUsage()).isEqualTo(new io.genrtl.core.llm.LlmUsage(80, 3, 2048, 0, 0));
    assertThat(c.estimated()).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void cancelWhileTheStreamIsSilentAbortsIt() {
    // everything up to the first delta arrives, then nothing for 4 s
    String head = streamBody("\n");
    wm.stubFor(messages().willReturn(sseResponse(head + Fixtures.sse("\n", END)).withChunkedDribbleDelay(2, 4000)));
    AtomicBoolean cancel = new AtomicBoolean();
    new Thread(() -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException ignored) {
        return;
      }
      cancel.set(true);
    }).start();
    long start = System.nanoTime();

    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", true), null, cancel::get));

    assertThat(e).isInstanceOf(LlmException.Canceled.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
  }

  @Test
  void aStreamCutByTheWatchdogStillReportsWhatItCarried() {
    // the head (message_start and both deltas) is well inside the first half of the body; the second half comes
    // seconds later, and the cancel (100 ms after the first delta) cuts the stream while it waits for it
    StringBuilder pings = new StringBuilder();
    for (int i = 0; i < 40; i++) pings.append("event: ping\ndata: {\"type\": \"ping\"}\n\n");
    String body = streamBody("\n") + pings + Fixtures.sse("\n", END);
    wm.stubFor(messages().willReturn(sseResponse(body).withChunkedDribbleDelay(2, 6000)));
    AtomicBoolean cancel = new AtomicBoolean();
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", true), delta -> {
        if (delta.startsWith("---")) timer.schedule(() -> cancel.set(true), 100, java.util.concurrent.TimeUnit.MILLISECONDS);
      }, cancel::get));

      assertThat(e).isInstanceOf(LlmException.Canceled.class);
      LlmException.Canceled c = (LlmException.Canceled) e;
      // input and cache counts from message_start; output from the 25 bytes of the two deltas (7 tokens)
      assertThat(c.partialUsage()).isEqualTo(new io.genrtl.core.llm.LlmUsage(80, 7, 2048, 0, 0));
      assertThat(c.estimated()).isTrue();
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void cancelBeforeTheAnswerBeginsReportsNoUsage() {
    AtomicBoolean cancel = new AtomicBoolean(true);
    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", true), null, cancel::get));

    assertThat(e).isInstanceOf(LlmException.Canceled.class);
    assertThat(((LlmException.Canceled) e).partialUsage()).isNull();
    wm.verify(0, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void rateLimitedExhaustedCarriesTheLastRequestId() {
    for (int i = 1; i <= 4; i++) {
      wm.stubFor(messages().inScenario("429").whenScenarioStateIs(i == 1 ? STARTED : "s" + i).willSetStateTo("s" + (i + 1))
          .willReturn(aResponse().withStatus(429).withHeader("request-id", "req_" + i).withHeader("retry-after", "1")
              .withBody("{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Number of request tokens has exceeded your per-minute rate limit\"}}")));
    }

    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.RateLimited.class);
    assertThat(e.providerRequestId()).isEqualTo("req_4");
    assertThat(((LlmException.RateLimited) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
    assertThat(sleeps.waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    wm.verify(4, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void unauthorizedIsNotRetried() {
    wm.stubFor(messages().willReturn(aResponse().withStatus(401).withHeader("request-id", "req_401")
        .withBody("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}")));

    LlmException e = caught(() -> client().complete(Fixtures.implement("claude-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unauthorized.class);
    assertThat(e.providerRequestId()).isEqualTo("req_401");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")));
  }

  @Test
  void aSchemaIsAppendedAsALastUncachedSystemInstruction() throws Exception {
    wm.stubFor(messages()
        .withRequestBody(matchingJsonPath("$.system[2].text", containing("JSON Schema, named plan")))
        .withRequestBody(matchingJsonPath("$.system[2].text", containing("\"maxItems\":5")))
        .willReturn(okJson(MESSAGE)));

    client().complete(Fixtures.plan("claude-test", false), null, () -> false);

    Map<String, Object> sent = Json.parseObject(wm.getAllServeEvents().get(0).getRequest().getBodyAsString());
    List<?> system = (List<?>) sent.get("system");
    assertThat(system).hasSize(3);
    assertThat(Json.cast(system.get(0))).containsKey("cache_control");
    assertThat(Json.cast(system.get(1))).doesNotContainKey("cache_control");
    assertThat(Json.cast(system.get(2))).doesNotContainKey("cache_control")
        .containsEntry("text", AnthropicWire.schemaInstruction(Fixtures.plan("claude-test", false).schema()));
    assertThat(sent).doesNotContainKeys("output_format", "response_format", "text");
  }

  @Test
  void atMostFourCacheBreakpointsTheLastOnes() {
    List<LlmRequest.Block> system = new ArrayList<>();
    for (int i = 0; i < 6; i++) system.add(new LlmRequest.Block("s" + i, true));
    LlmRequest request = new LlmRequest("c", "claude-test", system,
        List.of(new LlmRequest.Message("user", List.of(new LlmRequest.Block("u", true)))), 64, null, false);
    wm.stubFor(post(urlEqualTo("/v1/messages")).willReturn(okJson(MESSAGE)));

    client().complete(request, null, () -> false);

    wm.verify(1, postRequestedFor(urlEqualTo("/v1/messages")).withRequestBody(equalToJson("""
        {"model":"claude-test","max_tokens":64,
         "system":[{"type":"text","text":"s0"},{"type":"text","text":"s1"},{"type":"text","text":"s2"},
                   {"type":"text","text":"s3","cache_control":{"type":"ephemeral"}},
                   {"type":"text","text":"s4","cache_control":{"type":"ephemeral"}},
                   {"type":"text","text":"s5","cache_control":{"type":"ephemeral"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"u","cache_control":{"type":"ephemeral"}}]}]}""")));
  }
}
