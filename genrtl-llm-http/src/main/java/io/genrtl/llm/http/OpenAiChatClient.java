package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;

/**
 * OpenAI Chat Completions ({@code POST {base}/chat/completions}, default base {@code https://api.openai.com/v1}), for
 * OpenAI and OpenAI-compatible servers or gateways. Strict structured output: {@code LlmRequest.schema()} is sent as
 * {@code response_format} ({@code json_schema}). Provider {@code openai}.
 *
 * <p>Immutable and safe to share between threads. Retries and errors: see {@link LlmClient} and {@code
 * docs/llm-connectors.md}. The cancel flag is also polled from a connector thread while a call is in flight, so it must be
 * thread-safe.
 */
public final class OpenAiChatClient extends Connector {
  public OpenAiChatClient(LlmHttpConfig config) {
    super(config, new ChatWire());
  }
}
