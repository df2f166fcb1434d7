package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;

/**
 * OpenAI Responses API ({@code POST {base}/responses}, default base {@code https://api.openai.com/v1}). Strict
 * structured output: {@code LlmRequest.schema()} is sent as {@code text.format} ({@code json_schema}). Provider
 * {@code openai}.
 *
 * <p>Immutable and safe to share between threads. Retries and errors: see {@link LlmClient} and {@code
 * docs/llm-connectors.md}. The cancel flag is also polled from a connector thread while a call is in flight, so it must be
 * thread-safe.
 */
public final class OpenAiResponsesClient extends Connector {
  public OpenAiResponsesClient(LlmHttpConfig config) {
    super(config, new ResponsesWire());
  }
}
