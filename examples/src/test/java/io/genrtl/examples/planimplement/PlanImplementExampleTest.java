package io.genrtl.examples.planimplement;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.core.internal.JsonText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the example end to end on SQLite against two WireMock model servers answering as the real APIs do. */
class PlanImplementExampleTest {
  static final String PLAN = "{\"modules\":[{\"name\":\"pack16\",\"type\":\"custom\",\"description\":\"packs byte pairs\","
      + "\"ports\":[{\"name\":\"clk\",\"direction\":\"input\",\"width\":1},{\"name\":\"din\",\"direction\":\"input\",\"width\":8},"
      + "{\"name\":\"dout\",\"direction\":\"output\",\"width\":16}]}],\"cbb_requirements\":[],"
      + "\"verification_plan\":{\"testbenches\":[\"tb_pack16\"],\"assertions\":[],\"coverage_points\":[]}}";
  static final String PATCH = "diff --git a/rtl/pack16.sv b/rtl/pack16.sv\nnew file mode 100644\n--- /dev/null\n+++ b/rtl/pack16.sv\n"
      + "@@ -0,0 +1,2 @@\n+module pack16(input logic clk, input logic [7:0] din, output logic [15:0] dout);\n+endmodule\n";

  @TempDir Path dir;
  WireMockServer openai;
  WireMockServer anthropic;

  @BeforeEach
  void servers() {
    openai = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    anthropic = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    openai.start();
    anthropic.start();
    // OpenAI Responses, streamed: the text, then response.completed with usage as the API reports it
    String completed = "{\"id\":\"resp_1\",\"object\":\"response\",\"status\":\"completed\",\"model\":\"gpt-5.1\",\"output\":"
        + "[{\"type\":\"message\",\"id\":\"msg_1\",\"role\":\"assistant\",\"status\":\"completed\",\"content\":[{\"type\":"
        + "\"output_text\",\"text\":" + JsonText.quote(PLAN) + ",\"annotations\":[]}]}],\"usage\":{\"input_tokens\":1200,"
        + "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":300,\"output_tokens_details\":{\"reasoning_tokens\":0},"
        + "\"total_tokens\":1500}}";
    openai.stubFor(post(urlEqualTo("/v1/responses")).withHeader("Authorization", equalTo("Bearer unset"))
        .withRequestBody(matchingJsonPath("$.text.format.type", equalTo("json_schema")))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(
            "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":1,\"delta\":"
                + JsonText.quote(PLAN) + "}\n\n"
                + "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":2,\"response\":" + completed + "}\n\n")));
    // Anthropic Messages, streamed: usage in message_start (input and cache counts) and message_delta (output)
    anthropic.stubFor(post(urlEqualTo("/v1/messages")).withHeader("x-api-key", equalTo("unset"))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream").withBody(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":"
                + "\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-6\",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":"
                + "{\"input_tokens\":2000,\"cache_creation_input_tokens\":1000,\"cache_read_input_tokens\":0,\"output_tokens\":1}}}\n\n"
                + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
                + JsonText.quote("```diff\n" + PATCH + "```") + "}}\n\n"
                + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
                + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
                + "\"usage\":{\"output_tokens\":400}}\n\n"
                + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")));
  }

  @AfterEach
  void stop() {
    openai.stop();
    anthropic.stop();
  }

  @Test
  void aPlanThenAnImplementJobRunEndToEndAndArePaidFor() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      PlanImplementExample.main(new String[] {openai.baseUrl() + "/v1", anthropic.baseUrl() + "/v1", dir.toString()});
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("plan:       succeeded {\"plan\":" + PLAN + "}");
    assertThat(printed).contains("implement:  succeeded {\"patch\":")
        .contains("\"files\":[{\"path\":\"rtl/pack16.sv\",\"status\":\"added\",\"added\":2,\"removed\":0}]");
    long spent = Long.parseLong(printed.replaceAll("(?s).*spent:      (\\d+) micro-USD.*", "$1"));
    assertThat(spent).as("both calls are charged from the usage the providers reported").isPositive();
    openai.verify(1, postRequestedFor(urlEqualTo("/v1/responses")));
    anthropic.verify(1, postRequestedFor(urlEqualTo("/v1/messages"))
        .withRequestBody(matchingJsonPath("$.model", equalTo("claude-sonnet-4-6"))));
    assertThat(Files.exists(dir.resolve("genrtl.db"))).isTrue();
  }

  @Test
  void noHostClassIsOnTheExamplesClasspath() {
    assertThatThrownBy(() -> Class.forName("io.genrtl.host.GenRtlServer")).isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.javalin.Javalin")).isInstanceOf(ClassNotFoundException.class);
  }
}
