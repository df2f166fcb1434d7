package io.genrtl.core.llm;

/**
 * One provider's connector (OpenAI Responses, OpenAI-compatible Chat Completions, Anthropic Messages), implemented in
 * {@code genrtl-llm-http}. Retries retriable failures itself (429, 5xx, 529, connection failures, honouring
 * {@code Retry-After}); what it finally throws is an {@link LlmException} saying whether a later retry could help.
 */
public interface LlmClient {
  /** {@code openai} or {@code anthropic}. */
  String provider();

  /**
   * Runs the call. With {@code request.stream()}, text deltas go to {@code listener} as they arrive and usage is taken
   * from the final events. {@code cancel} is polled; when it turns true the call is abandoned with
   * {@link LlmException.Canceled}.
   */
  LlmResponse complete(LlmRequest request, LlmStreamListener listener, java.util.function.BooleanSupplier cancel);
}
