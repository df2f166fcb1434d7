package io.genrtl.core.llm;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * A model's price in USD per million tokens. Since 1 USD per million tokens is exactly 1 micro-USD per token, a
 * call's cost in micro-USD is {@code Σ tokens × price}, rounded half-up once.
 */
public record ModelPrice(
    String modelId,
    String provider,
    List<String> steps,
    BigDecimal inputPerMtok,
    BigDecimal cachedInputPerMtok,
    BigDecimal cacheWritePerMtok,
    BigDecimal outputPerMtok) {

  public ModelPrice {
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(provider, "provider");
    steps = List.copyOf(steps);
    for (BigDecimal p : List.of(inputPerMtok, cachedInputPerMtok, cacheWritePerMtok, outputPerMtok)) {
      if (p.signum() < 0) throw new IllegalArgumentException("negative price for " + modelId);
    }
  }

  /** The cost of normalised usage in micro-USD, rounded half-up once. */
  public long costMicros(LlmUsage u) {
    BigDecimal total = BigDecimal.valueOf(u.inputTokens()).multiply(inputPerMtok)
        .add(BigDecimal.valueOf(u.cachedInputTokens()).multiply(cachedInputPerMtok))
        .add(BigDecimal.valueOf(u.cacheWriteTokens()).multiply(cacheWritePerMtok))
        .add(BigDecimal.valueOf(u.outputTokens()).multiply(outputPerMtok));
    return total.setScale(0, RoundingMode.HALF_UP).longValueExact();
  }

  /**
   * The most a call can cost: every input byte counted as a full-price input token (a token is never shorter than a
   * byte of UTF-8), a cache write priced at its own rate if that is higher, plus {@code maxOutputTokens} of output;
   * rounded up.
   */
  public long worstCaseMicros(long inputBytes, long maxOutputTokens) {
    BigDecimal in = inputPerMtok.max(cacheWritePerMtok);
    return BigDecimal.valueOf(inputBytes).multiply(in)
        .add(BigDecimal.valueOf(maxOutputTokens).multiply(outputPerMtok))
        .setScale(0, RoundingMode.CEILING).longValueExact();
  }
}
