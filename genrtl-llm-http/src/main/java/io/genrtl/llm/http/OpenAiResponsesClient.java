package io.genrtl.llm.http;

import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmStreamListener;
import java.util.function.BooleanSupplier;

/**
 * OpenAI Responses API ({@code POST {base}/responses}, default base {@code https://api.openai.com/v1}). Strict
 * structured output: {@code LlmRequest.schema()} is sent as {@code text.format} ({@code json_schema}). Provider
 * {@code openai}.
 *
 * <p>Immutable and safe to share between threads. Retries and errors: see {@link LlmClient} and {@code
 * docs/llm-connectors.md}. The cancel flag is also polled from a connector thread while a call is in flight, so it must be
 * thread-safe.
 */
public final class OpenAiResponsesClient implements LlmClient {
  private final HttpCaller caller;

  public OpenAiResponsesClient(LlmHttpConfig config) {
    this.caller = new HttpCaller(config, new ResponsesWire());
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
    return "OpenAiResponsesClient[" + caller.url() + "]";
  }
}
