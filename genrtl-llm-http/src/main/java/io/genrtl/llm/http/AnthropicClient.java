package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmStreamListener;
import java.util.function.BooleanSupplier;

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
public final class AnthropicClient implements LlmClient {
  private final HttpCaller caller;

  public AnthropicClient(LlmHttpConfig config) {
    this.caller = new HttpCaller(config, new AnthropicWire());
  }

  @Override
  public String provider() {
    return caller.provider();
  }

  @Override
  public LlmResponse complete(LlmRequest request, LlmStreamListener listener, BooleanSupplier cancel) {
    return caller.complete(request, listener, cancel);
  }

  @Override
  public String toString() {
    return "AnthropicClient[" + caller.url() + "]";
  }
}
