package io.genrtl.llm.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
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
import com.github.tomakehurst.wiremock.http.Fault;
import io.genrtl.core.llm.LlmException;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpenAiChatClientTest extends StubServerTest {
  private static final String COMPLETION = """
      {"id":"chatcmpl-1","object":"chat.completion","model":"gpt-test","created":1700000000,
       "choices":[{"index":0,"message":{"role":"assistant","content":"{\\"steps\\":[]}","refusal":null},
                   "finish_reason":"stop"}],
       "usage":{"prompt_tokens":2000,"completion_tokens":500,"total_tokens":2500,
                "prompt_tokens_details":{"cached_tokens":1536,"audio_tokens":0},
                "completion_tokens_details":{"reasoning_tokens":256,"audio_tokens":0}}}""";

  private OpenAiChatClient client() {
    return client(Fixtures.config(baseUrl(), sleeps));
  }

  private static OpenAiChatClient client(LlmHttpConfig.Builder config) {
    return new OpenAiChatClient(config.build());
  }

  private static MappingBuilder chat() {
    return post(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer test-key"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-test")));
  }

  /** Only the request {@link Fixtures#plan} must produce: strict response_format with the schema's name. */
  private static MappingBuilder planRequest() {
    return chat()
        .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
        .withRequestBody(matchingJsonPath("$.response_format.json_schema.name", equalTo("plan")))
        .withRequestBody(matchingJsonPath("$.response_format.json_schema.strict", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.max_completion_tokens", equalTo("1024")));
  }

  private static String chunk(String choices, String usage) {
    return "data: {\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-test\","
        + "\"choices\":" + choices + ",\"usage\":" + usage + "}";
  }

  private static String delta(String content) {
    return chunk("[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":null}]", "null");
  }

  @Test
  void nonStreamedPlanSendsResponseFormatAndNormalisesUsage() {
    wm.stubFor(planRequest().willReturn(okJson(COMPLETION).withHeader("x-request-id", "req_chat_1")));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.text()).isEqualTo("{\"steps\":[]}");
    // prompt_tokens include the cached ones; completion_tokens include the reasoning ones
    assertThat(r.usage()).isEqualTo(new LlmUsage(464, 500, 1536, 0, 256));
    assertThat(r.stopReason()).isEqualTo("stop");
    assertThat(r.providerRequestId()).isEqualTo("req_chat_1");
    assertThat(r.responseId()).isEqualTo("chatcmpl-1");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")).withRequestBody(equalToJson("""
        {"model":"gpt-test",
         "messages":[{"role":"system","content":"You are an RTL planner.\\n\\nProject: fifo16"},
                     {"role":"user","content":"Plan a FIFO."}],
         "max_completion_tokens":1024,
         "response_format":{"type":"json_schema","json_schema":{"name":"plan","strict":true,"schema":%s}}}"""
        .formatted(Fixtures.PLAN_SCHEMA))));
  }

  @Test
  void streamedAsksForUsageAndTakesItFromTheLastChunk() {
    String body = Fixtures.sse("\n",
        chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]", "null"), "",
        delta("--- a/fifo.v"), "",
        delta("\\n+++ b/fifo.v"), "",
        delta("\\n@@ -1 +1 @@ ünïcödé"), "",
        chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]", "null"), "",
        chunk("[]", "{\"prompt_tokens\":900,\"completion_tokens\":120,\"total_tokens\":1020,"
            + "\"prompt_tokens_details\":{\"cached_tokens\":512},\"completion_tokens_details\":{\"reasoning_tokens\":0}}"), "",
        "data: [DONE]", "");
    wm.stubFor(chat()
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.max_completion_tokens", equalTo("2048")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream; charset=utf-8")
            .withHeader("x-request-id", "req_chat_stream").withBody(body).withChunkedDribbleDelay(50, 50)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmResponse r = client().complete(Fixtures.implement("gpt-test", true), deltas, () -> false);

    assertThat(deltas.seen).containsExactly("--- a/fifo.v", "\n+++ b/fifo.v", "\n@@ -1 +1 @@ ünïcödé");
    assertThat(r.text()).isEqualTo(deltas.joined());
    assertThat(r.usage()).isEqualTo(new LlmUsage(388, 120, 512, 0, 0));
    assertThat(r.stopReason()).isEqualTo("stop");
    assertThat(r.providerRequestId()).isEqualTo("req_chat_stream");
    assertThat(r.responseId()).isEqualTo("chatcmpl-2");
  }

  @Test
  void streamWithoutTheUsageChunkGivesNullUsage() {
    String body = Fixtures.sse("\n", delta("ok"), "",
        chunk("[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]", "null"), "", "data: [DONE]", "");
    wm.stubFor(chat().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
        .withBody(body).withChunkedDribbleDelay(5, 20)));

    LlmResponse r = client().complete(Fixtures.implement("gpt-test", true), null, () -> false);

    assertThat(r.text()).isEqualTo("ok");
    assertThat(r.usage()).isNull();
  }

  @Test
  void serverErrorIsRetriedThenSucceeds() {
    wm.stubFor(chat().inScenario("500").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(aResponse().withStatus(500).withHeader("x-request-id", "req_500")
            .withBody("{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}")));
    wm.stubFor(chat().inScenario("500").whenScenarioStateIs("ok").willReturn(okJson(COMPLETION)));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.usage()).isNotNull();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(sleeps.waits).hasSize(1);
    assertThat(sleeps.waits.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(500));
  }

  @Test
  void connectionResetIsRetriedThenSucceeds() {
    wm.stubFor(chat().inScenario("reset").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    wm.stubFor(chat().inScenario("reset").whenScenarioStateIs("ok").willReturn(okJson(COMPLETION)));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.text()).isEqualTo("{\"steps\":[]}");
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(sleeps.waits).hasSize(1);
  }

  @Test
  void readTimeoutIsRetried() {
    wm.stubFor(chat().inScenario("slow").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(okJson(COMPLETION).withFixedDelay(1500)));
    wm.stubFor(chat().inScenario("slow").whenScenarioStateIs("ok").willReturn(okJson(COMPLETION)));
    OpenAiChatClient client = client(Fixtures.config(baseUrl(), sleeps).readTimeout(Duration.ofMillis(300)));

    LlmResponse r = client.complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.usage()).isNotNull();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(console.text()).contains("timeout");
  }

  @Test
  void badRequestIsNotRetriedAndKeepsTheProviderMessageWithoutTheKey() {
    wm.stubFor(chat().willReturn(aResponse().withStatus(400).withHeader("x-request-id", "req_400")
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"message\":\"Invalid schema for response_format 'plan' (sent with key test-key)\","
            + "\"type\":\"invalid_request_error\",\"param\":\"response_format\",\"code\":null}}")));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.BadRequest.class);
    assertThat(e.retriable()).isFalse();
    assertThat(e.status()).isEqualTo(400);
    assertThat(e.providerRequestId()).isEqualTo("req_400");
    assertThat(e.getMessage()).contains("invalid_request_error", "Invalid schema for response_format 'plan'", "<redacted>");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(sleeps.waits).isEmpty();
  }

  @Test
  void insufficientQuotaIsNotRetried() {
    wm.stubFor(chat().willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"message\":\"You exceeded your current quota\",\"type\":\"insufficient_quota\","
            + "\"code\":\"insufficient_quota\"}}")));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.BadRequest.class);
    assertThat(e.status()).isEqualTo(429);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void serverErrorsExhaustedAreUnavailableWithTheLastRequestId() {
    for (int i = 1; i <= 3; i++) {
      wm.stubFor(chat().inScenario("down").whenScenarioStateIs(i == 1 ? STARTED : "s" + i).willSetStateTo("s" + (i + 1))
          .willReturn(aResponse().withStatus(i == 2 ? 502 : 503).withHeader("x-request-id", "req_" + i)));
    }
    OpenAiChatClient client = client(Fixtures.config(baseUrl(), sleeps).maxAttempts(3));

    LlmException e = caught(() -> client.complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unavailable.class);
    assertThat(e.retriable()).isTrue();
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.providerRequestId()).isEqualTo("req_3");
    wm.verify(3, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    assertThat(sleeps.waits).hasSize(2);
  }

  @Test
  void connectionFailuresExhaustedAreUnavailableWithStatusZero() {
    wm.stubFor(chat().willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
    OpenAiChatClient client = client(Fixtures.config(baseUrl(), sleeps).maxAttempts(2));

    LlmException e = caught(() -> client.complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unavailable.class);
    assertThat(e.status()).isZero();
    assertThat(e.providerRequestId()).isNull();
    assertThat(e.getCause()).isNotNull();
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void cancelBetweenRetriesStopsBeforeTheNextAttempt() {
    wm.stubFor(chat().willReturn(aResponse().withStatus(503)));
    AtomicBoolean cancel = new AtomicBoolean();
    sleeps.onSleep = () -> cancel.set(true);

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, cancel::get));

    assertThat(e).isInstanceOf(LlmException.Canceled.class);
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
  }

  @Test
  void cancelWhileWaitingForASlowAnswerAbortsTheCall() {
    wm.stubFor(chat().willReturn(okJson(COMPLETION).withFixedDelay(4000)));
    AtomicBoolean cancel = new AtomicBoolean();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      timer.schedule(() -> cancel.set(true), 200, TimeUnit.MILLISECONDS);
      long start = System.nanoTime();

      LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, cancel::get));

      assertThat(e).isInstanceOf(LlmException.Canceled.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2000));
      assertThat(sleeps.waits).isEmpty();
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void aServerIgnoringStreamTrueIsReadAsOneAnswer() {
    wm.stubFor(chat().willReturn(okJson(COMPLETION)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", true), deltas, () -> false);

    assertThat(deltas.seen).containsExactly("{\"steps\":[]}");
    assertThat(r.usage()).isEqualTo(new LlmUsage(464, 500, 1536, 0, 256));
  }
}
