package io.genrtl.llm.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToIgnoreCase;
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
import io.genrtl.core.llm.LlmStreamListener;
import io.genrtl.core.llm.LlmUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenAiResponsesClientTest extends StubServerTest {
  private static final String COMPLETED = """
      {"id":"resp_1","object":"response","status":"completed","model":"gpt-test-2025",
       "output":[{"type":"reasoning","id":"rs_1","summary":[]},
                 {"type":"message","id":"msg_1","role":"assistant","status":"completed",
                  "content":[{"type":"output_text","text":"{\\"steps\\":[\\"a\\",","annotations":[]},
                             {"type":"output_text","text":"\\"b\\"]}","annotations":[]}]}],
       "usage":{"input_tokens":1500,"input_tokens_details":{"cached_tokens":1024},
                "output_tokens":300,"output_tokens_details":{"reasoning_tokens":128},"total_tokens":1800}}""";

  private OpenAiResponsesClient client() {
    return new OpenAiResponsesClient(Fixtures.config(baseUrl(), sleeps).build());
  }

  /** A stub that only answers the request the connector must send for {@link Fixtures#plan}. */
  private static MappingBuilder planRequest() {
    return post(urlEqualTo("/v1/responses"))
        .withHeader("Authorization", equalTo("Bearer test-key"))
        .withHeader("Content-Type", equalToIgnoreCase("application/json; charset=utf-8"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-test")))
        .withRequestBody(matchingJsonPath("$.text.format.type", equalTo("json_schema")))
        .withRequestBody(matchingJsonPath("$.text.format.name", equalTo("plan")))
        .withRequestBody(matchingJsonPath("$.text.format.strict", equalTo("true")))
        // the schema goes out as written (an integer stays an integer)
        .withRequestBody(matchingJsonPath("$.text.format.schema.properties.steps.maxItems", equalTo("5")))
        .withRequestBody(matchingJsonPath("$.max_output_tokens", equalTo("1024")));
  }

  @Test
  void nonStreamedPlanSendsStrictSchemaAsTextFormatAndNormalisesUsage() {
    wm.stubFor(planRequest().willReturn(okJson(COMPLETED).withHeader("x-request-id", "req_abc")));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), LlmStreamListener.NONE, () -> false);

    assertThat(r.text()).isEqualTo("{\"steps\":[\"a\",\"b\"]}");
    // input_tokens include the cached ones: 1500 - 1024 uncached; output includes the 128 reasoning tokens
    assertThat(r.usage()).isEqualTo(new LlmUsage(476, 300, 1024, 0, 128));
    assertThat(r.provider()).isEqualTo("openai");
    assertThat(r.model()).isEqualTo("gpt-test-2025");
    assertThat(r.stopReason()).isEqualTo("completed");
    assertThat(r.providerRequestId()).isEqualTo("req_abc");
    assertThat(r.responseId()).isEqualTo("resp_1");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")).withRequestBody(equalToJson("""
        {"model":"gpt-test",
         "instructions":"You are an RTL planner.\\n\\nProject: fifo16",
         "input":[{"role":"user","content":[{"type":"input_text","text":"Plan a FIFO."}]}],
         "max_output_tokens":1024,
         "text":{"format":{"type":"json_schema","name":"plan","strict":true,
                 "schema":%s}},
         "store":false}""".formatted(Fixtures.PLAN_SCHEMA))));
  }

  @Test
  void assistantTurnsAreSentAsOutputText() {
    wm.stubFor(post(urlEqualTo("/v1/responses"))
        .withRequestBody(matchingJsonPath("$.input[1].role", equalTo("assistant")))
        .withRequestBody(matchingJsonPath("$.input[1].content[0].type", equalTo("output_text")))
        .withRequestBody(matchingJsonPath("$.input[2].content[0].type", equalTo("input_text")))
        .willReturn(okJson(COMPLETED)));
    LlmRequest r = new LlmRequest("c", "gpt-test", List.of(), List.of(LlmRequest.Message.user("one"),
        new LlmRequest.Message("assistant", List.of(new LlmRequest.Block("two", false))), LlmRequest.Message.user("three")),
        64, null, false);

    assertThat(client().complete(r, null, null).usage()).isNotNull();
  }

  @Test
  void streamedPlanDeliversDeltasAndTakesUsageFromResponseCompleted() {
    String completed = COMPLETED.replace("\n", "").replace("\"id\":\"resp_1\"", "\"id\":\"resp_2\"");
    // CRLF line ends, a comment, an event whose JSON spans two data lines; dribbled in 40 pieces
    String body = Fixtures.sse("\r\n",
        ": keep-alive",
        "",
        "event: response.created",
        "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_2\",\"status\":\"in_progress\",\"output\":[]}}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,",
        "data:  \"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"delta\":\"{\\\"steps\\\":\"}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"delta\":\"[\\\"a\\\",\"}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"delta\":\"\\\"b\\\"]}\"}",
        "",
        "event: response.output_text.done",
        "data: {\"type\":\"response.output_text.done\",\"sequence_number\":4,\"text\":\"{\\\"steps\\\":[\\\"a\\\",\\\"b\\\"]}\"}",
        "",
        "event: response.completed",
        "data: {\"type\":\"response.completed\",\"sequence_number\":5,\"response\":" + completed + "}",
        "");
    wm.stubFor(planRequest()
        .withHeader("Accept", equalTo("text/event-stream"))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
            .withHeader("x-request-id", "req_stream").withBody(body).withChunkedDribbleDelay(40, 50)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", true), deltas, () -> false);

    assertThat(deltas.seen).containsExactly("{\"steps\":", "[\"a\",", "\"b\"]}");
    assertThat(r.text()).isEqualTo("{\"steps\":[\"a\",\"b\"]}");
    assertThat(r.usage()).isEqualTo(new LlmUsage(476, 300, 1024, 0, 128));
    assertThat(r.providerRequestId()).isEqualTo("req_stream");
    assertThat(r.responseId()).isEqualTo("resp_2");
    assertThat(r.stopReason()).isEqualTo("completed");
  }

  @Test
  void cancelMidStreamReportsEstimatedPartialUsage() {
    // the Responses API reports usage only in response.completed, which a cancel never reaches
    String body = Fixtures.sse("\n",
        "event: response.created",
        "data: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_3\",\"status\":\"in_progress\",\"output\":[]}}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"delta\":\"{\\\"steps\\\":\"}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":2,\"delta\":\"[\\\"a\\\",\"}",
        "",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"sequence_number\":3,\"delta\":\"\\\"b\\\"]}\"}",
        "");
    wm.stubFor(planRequest().withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(body)));
    java.util.concurrent.atomic.AtomicBoolean cancel = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.List<String> seen = new java.util.ArrayList<>();
    io.genrtl.core.llm.LlmRequest request = Fixtures.plan("gpt-test", true);

    LlmException e = caught(() -> client().complete(request, d -> {
      seen.add(d);
      if (seen.size() == 2) cancel.set(true);
    }, cancel::get));

    assertThat(e).isInstanceOf(LlmException.Canceled.class);
    LlmException.Canceled c = (LlmException.Canceled) e;
    assertThat(seen).containsExactly("{\"steps\":", "[\"a\",");
    // input: a quarter of the bytes sent, rounded up; output: the 14 bytes streamed → 4 tokens
    assertThat(c.partialUsage()).isEqualTo(new LlmUsage((request.inputBytes() + 3) / 4, 4, 0, 0, 0));
    assertThat(c.estimated()).isTrue();
  }

  @Test
  void rateLimitedHonoursRetryAfterSecondsExactly() {
    wm.stubFor(planRequest().inScenario("429").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withHeader("x-request-id", "req_1")
            .withHeader("Content-Type", "application/json")
            .withBody("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")));
    wm.stubFor(planRequest().inScenario("429").whenScenarioStateIs("ok")
        .willReturn(okJson(COMPLETED).withHeader("x-request-id", "req_2")));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.providerRequestId()).isEqualTo("req_2");
    assertThat(sleeps.waits).containsExactly(Duration.ofSeconds(7));
    wm.verify(2, postRequestedFor(urlEqualTo("/v1/responses")));
    assertThat(console.text()).contains("call-plan-1", "retrying in 7000 ms");
  }

  @Test
  void retryAfterAsHttpDateIsMeasuredWithTheInjectedClock() {
    Clock clock = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);
    wm.stubFor(planRequest().inScenario("date").whenScenarioStateIs(STARTED).willSetStateTo("ok")
        .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "Sun, 01 Mar 2026 10:00:12 GMT")));
    wm.stubFor(planRequest().inScenario("date").whenScenarioStateIs("ok").willReturn(okJson(COMPLETED)));
    OpenAiResponsesClient client = new OpenAiResponsesClient(Fixtures.config(baseUrl(), sleeps).clock(clock).build());

    client.complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(sleeps.waits).containsExactly(Duration.ofSeconds(12));
  }

  @Test
  void retryAfterBeyondTheLimitEndsTheRetriesAtOnce() {
    wm.stubFor(planRequest().willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")
        .withHeader("x-request-id", "req_long")));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.RateLimited.class);
    assertThat(((LlmException.RateLimited) e).retryAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(e.providerRequestId()).isEqualTo("req_long");
    assertThat(sleeps.waits).isEmpty();
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
  }

  @Test
  void rateLimitExhaustedIsRateLimitedWithTheLastRequestIdAndJitteredBackoff() {
    for (int i = 1; i <= 4; i++) {
      wm.stubFor(planRequest().inScenario("exhaust").whenScenarioStateIs(i == 1 ? STARTED : "s" + i).willSetStateTo("s" + (i + 1))
          .willReturn(aResponse().withStatus(429).withHeader("x-request-id", "req_" + i)));
    }

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.RateLimited.class);
    assertThat(e.retriable()).isTrue();
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.providerRequestId()).isEqualTo("req_4");
    assertThat(e.getMessage()).contains("openai", "429", "req_4");
    wm.verify(4, postRequestedFor(urlEqualTo("/v1/responses")));
    // full jitter: before retry n the wait is in [0, 500 ms · 2^(n-1)]
    assertThat(sleeps.waits).hasSize(3);
    assertThat(sleeps.waits.get(0)).isBetween(Duration.ZERO, Duration.ofMillis(500));
    assertThat(sleeps.waits.get(1)).isBetween(Duration.ZERO, Duration.ofMillis(1000));
    assertThat(sleeps.waits.get(2)).isBetween(Duration.ZERO, Duration.ofMillis(2000));
  }

  @Test
  void unauthorizedIsNotRetriedAndNeverCarriesTheKey() {
    // OpenAI's own 401 message repeats (part of) the key; it must not reach the exception
    wm.stubFor(planRequest().willReturn(aResponse().withStatus(401).withHeader("x-request-id", "req_401")
        .withHeader("Content-Type", "application/json")
        .withBody("{\"error\":{\"message\":\"Incorrect API key provided: test-key.\",\"type\":\"invalid_request_error\","
            + "\"code\":\"invalid_api_key\"}}")));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.Unauthorized.class);
    assertThat(e.retriable()).isFalse();
    assertThat(e.status()).isEqualTo(401);
    assertThat(e.providerRequestId()).isEqualTo("req_401");
    assertThat(e.getMessage()).contains("invalid_api_key").doesNotContain("Incorrect API key");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
    assertThat(sleeps.waits).isEmpty();
  }

  @Test
  void missingUsageGivesNullUsage() {
    wm.stubFor(planRequest().willReturn(okJson("""
        {"id":"resp_3","status":"completed","model":"gpt-test",
         "output":[{"type":"message","content":[{"type":"output_text","text":"{}"}]}]}""")));

    LlmResponse r = client().complete(Fixtures.plan("gpt-test", false), null, () -> false);

    assertThat(r.text()).isEqualTo("{}");
    assertThat(r.usage()).isNull();
    assertThat(console.text()).contains("without usable usage");
  }

  @Test
  void malformedJsonIsMalformedResponseAndNotRetried() {
    wm.stubFor(planRequest().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withHeader("x-request-id", "req_bad").withBody("{\"id\":\"resp_4\",\"output\":[")));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", false), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.MalformedResponse.class);
    assertThat(e.providerRequestId()).isEqualTo("req_bad");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
  }

  @Test
  void streamEndingBeforeResponseCompletedIsMalformed() {
    String body = Fixtures.sse("\n",
        "event: response.output_text.delta",
        "data: {\"type\":\"response.output_text.delta\",\"delta\":\"{\"}",
        "");
    wm.stubFor(planRequest().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
        .withBody(body)));
    Fixtures.Deltas deltas = new Fixtures.Deltas();

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", true), deltas, () -> false));

    assertThat(e).isInstanceOf(LlmException.MalformedResponse.class);
    assertThat(e.getMessage()).contains("response.completed");
    assertThat(deltas.seen).containsExactly("{");
    wm.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
  }

  @Test
  void brokenJsonInsideTheStreamIsMalformed() {
    String body = Fixtures.sse("\n", "event: response.output_text.delta", "data: {\"type\":", "");
    wm.stubFor(planRequest().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
        .withBody(body)));

    LlmException e = caught(() -> client().complete(Fixtures.plan("gpt-test", true), null, () -> false));

    assertThat(e).isInstanceOf(LlmException.MalformedResponse.class);
  }
}
