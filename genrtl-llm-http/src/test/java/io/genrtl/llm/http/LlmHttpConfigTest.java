package io.genrtl.llm.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.llm.LlmRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlmHttpConfigTest {
  @Test
  void defaults() {
    LlmHttpConfig c = LlmHttpConfig.builder("sk-secret-123").build();
    assertThat(c.baseUrl()).isNull();
    assertThat(c.maxAttempts()).isEqualTo(4);
    assertThat(c.baseBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.maxBackoff()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.readTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.callTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.sleeper()).isSameAs(Sleeper.SYSTEM);
    assertThat(c.random()).isNotNull();
    assertThat(c.httpClient()).isNull();
  }

  @Test
  void theKeyIsInNoToString() {
    LlmHttpConfig c = LlmHttpConfig.builder("sk-secret-123").baseUrl("http://127.0.0.1:9/v1/").build();
    assertThat(c.toString()).doesNotContain("sk-secret-123").contains("<redacted>", "http://127.0.0.1:9/v1");
    assertThat(new OpenAiResponsesClient(c).toString()).doesNotContain("sk-secret-123").contains("/v1/responses");
    assertThat(new OpenAiChatClient(c).toString()).contains("/v1/chat/completions");
    assertThat(new AnthropicClient(LlmHttpConfig.builder("k").build()).toString()).contains("https://api.anthropic.com/v1/messages");
    assertThat(new OpenAiResponsesClient(LlmHttpConfig.builder("k").build()).toString()).contains("https://api.openai.com/v1/responses");
  }

  @Test
  void baseUrlLosesTrailingSlashes() {
    assertThat(LlmHttpConfig.builder("k").baseUrl("http://gw.local:8080/v1//").build().baseUrl()).isEqualTo("http://gw.local:8080/v1");
    assertThat(LlmHttpConfig.builder("k").baseUrl(" ").build().baseUrl()).isNull();
  }

  @Test
  void invalidSettingsAreRefused() {
    assertThatThrownBy(() -> LlmHttpConfig.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LlmHttpConfig.builder(null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LlmHttpConfig.builder("k").baseUrl("ftp://x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LlmHttpConfig.builder("k").maxAttempts(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LlmHttpConfig.builder("k").readTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LlmHttpConfig.builder("k").baseBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSchemaThatIsNotOneJsonObjectIsRefusedBeforeAnyCall() {
    OpenAiChatClient client = new OpenAiChatClient(LlmHttpConfig.builder("k").baseUrl("http://127.0.0.1:9/v1").build());
    LlmRequest request = new LlmRequest("c", "m", List.of(), List.of(LlmRequest.Message.user("x")), 16,
        new LlmRequest.JsonSchema("plan", "[1,2]", true), false);
    assertThatThrownBy(() -> client.complete(request, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("plan");
  }
}
