package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;

/**
 * Anthropic Messages ({@code POST {base}/messages}, default base {@code https://api.anthropic.com/v1}, {@code
 * anthropic-version: 2023-06-01}). Cacheable blocks get {@code cache_control: {type: ephemeral}} (the last four). A
 * schema is appended to the system prompt as an instruction, not enforced by the provider: validate the answer.
 * Provider {@code anthropic}.
 *
 * <p>Immutable and safe to share between threads. Retries and errors: see {@link LlmClient} and {@code
 * docs/llm-connectors.md}. The cancel flag is also polled from a connector thread while a call is in flight, so it must be
 * thread-safe.
 */
public final class AnthropicClient extends Connector {
  public AnthropicClient(LlmHttpConfig config) {
    super(config, new AnthropicWire());
  }
}
