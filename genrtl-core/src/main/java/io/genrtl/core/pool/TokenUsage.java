package io.genrtl.core.pool;

import java.util.Objects;

/**
 * Tokens of one LLM call, as the provider reported them, normalised: {@code inputTokens} excludes cached reads and
 * cache writes, which are counted separately.
 */
public record TokenUsage(String provider, String model, long inputTokens, long outputTokens, long cachedInputTokens,
    long cacheWriteTokens) {
  public TokenUsage {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    if (inputTokens < 0 || outputTokens < 0 || cachedInputTokens < 0 || cacheWriteTokens < 0) {
      throw new IllegalArgumentException("token counts must not be negative");
    }
  }
}
