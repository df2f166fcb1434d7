package io.genrtl.core.llm;

/**
 * Token counts of one call, normalised across providers: {@code inputTokens} is the uncached input only;
 * {@code cachedInputTokens} were read from the prompt cache; {@code cacheWriteTokens} were written to it;
 * {@code outputTokens} include reasoning tokens ({@code reasoningTokens} says how many of them were reasoning).
 *
 * <p>OpenAI reports {@code input_tokens} including {@code cached_tokens}: uncached = input − cached. Anthropic
 * reports {@code input_tokens} excluding {@code cache_read_input_tokens} and {@code cache_creation_input_tokens}.
 */
public record LlmUsage(long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteTokens, long reasoningTokens) {
  public LlmUsage {
    if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || cacheWriteTokens < 0 || reasoningTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }

  public LlmUsage plus(LlmUsage o) {
    return new LlmUsage(inputTokens + o.inputTokens, outputTokens + o.outputTokens, cachedInputTokens + o.cachedInputTokens,
        cacheWriteTokens + o.cacheWriteTokens, reasoningTokens + o.reasoningTokens);
  }
}
