package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.host.http.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plan job through the host as an operator configures it for an OpenAI-compatible server (vLLM, Ollama, gateways):
 * {@code OPENAI_API_STYLE=chat} and {@code OPENAI_BASE_URL}, against a WireMock Chat Completions API that streams
 * in the documented chunk format (the usage chunk last, with {@code include_usage}).
 */
class ChatStylePlanTest {
  @TempDir Path dir;
  WireMockServer wm;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  static String chunks(String text) {
    String head = "{\"id\":\"chatcmpl-9\",\"object\":\"chat.completion.chunk\",\"created\":1763000000,\"model\":\"gpt-5.1\","
        + "\"system_fingerprint\":\"fp_1\",";
    int half = text.length() / 2;
    return "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
        + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.write(text.substring(0, half))
        + "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + Json.write(text.substring(half))
        + "},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n"
        + "data: " + head + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
        + "data: " + head + "\"choices\":[],\"usage\":{\"prompt_tokens\":2000,\"completion_tokens\":700,\"total_tokens\":2700,"
        + "\"prompt_tokens_details\":{\"cached_tokens\":1500,\"audio_tokens\":0},\"completion_tokens_details\":"
        + "{\"reasoning_tokens\":0,\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}\n\n"
        + "data: [DONE]\n\n";
  }

  @Test
  void aPlanJobRunsOnTheChatCompletionsStyleWithExactUsage() throws Exception {
    wm.stubFor(post(urlEqualTo("/v1/chat/completions"))
        .withHeader("Authorization", equalTo("Bearer sk-chat"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("gpt-5.1")))
        .withRequestBody(matchingJsonPath("$.stream", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.stream_options.include_usage", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.response_format.type", equalTo("json_schema")))
        .withRequestBody(matchingJsonPath("$.response_format.json_schema.name", equalTo("genrtl_plan")))
        .withRequestBody(matchingJsonPath("$.response_format.json_schema.strict", equalTo("true")))
        .withRequestBody(matchingJsonPath("$.messages[0].role", equalTo("system")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
            .withHeader("x-request-id", "req_chat").withBody(chunks(JobApiTest.PLAN)).withChunkedDribbleDelay(7, 30)));
    Map<String, String> env = new HashMap<>();
    env.put("GENRTL_DATA_DIR", dir.resolve("data").toString());
    env.put("GENRTL_PORT", "0");
    env.put("GENRTL_BIND", "127.0.0.1");
    env.put("OPENAI_API_KEY", "sk-chat");
    env.put("OPENAI_BASE_URL", wm.baseUrl() + "/v1");
    env.put("OPENAI_API_STYLE", "chat");
    try (GenRtlServer server = GenRtlServer.start(HostConfig.load(env), Clock.systemUTC(), new PrintStream(new ByteArrayOutputStream()))) {
      GenRtl g = server.runtime().genrtl();
      CreatedUser ann = g.accounts().createUser(new NewUser("ann@chat.test", "acme", Role.USER, "pro"));
      String key = g.apiKeys().issue(ann.user().userId(), "t", null).apiKey();
      String ws = g.accounts().createWorkspace(Principal.of(ann.user(), null), "w").workspaceId();
      TestHttp http = new TestHttp(server.port());

      TestHttp.Response r = http.send("POST", "/api/jobs/plan", key,
          "{\"workspace_id\":\"" + ws + "\",\"spec\":\"A UART loopback\",\"constraints\":{}}", "Prefer", "wait=30");

      assertThat(r.status()).as(r.body()).isEqualTo(200);
      Map<String, Object> job = r.json();
      assertThat(job).containsEntry("status", "succeeded");
      @SuppressWarnings("unchecked") Map<String, Object> result = (Map<String, Object>) job.get("result");
      assertThat((List<?>) ((Map<?, ?>) result.get("plan")).get("modules")).hasSize(2);
      // prompt_tokens include the cached ones: 500 × $1.25 + 1500 × $0.125 + 700 × $10 per million → 7813 µUSD
      assertThat(r.body()).contains("\"usage\":{\"input_tokens\":500,\"output_tokens\":700,\"cached_input_tokens\":1500,"
          + "\"cache_write_tokens\":0,\"usd\":0.007813}");
      wm.verify(1, postRequestedFor(urlEqualTo("/v1/chat/completions")));
    }
  }
}
