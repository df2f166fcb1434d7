package io.genrtl.core.llm;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Prices per model, replaceable by configuration. The defaults follow the providers' published prices (USD per
 * million tokens) for the default models: OpenAI gpt-5.1 ($1.25 input, $0.125 cached input, $10 output; no
 * separate cache-write charge) and Anthropic Claude Sonnet 4.6 ($3 input, $0.30 cache read, $3.75 cache write
 * (5-minute), $15 output), plus the cheaper fallbacks gpt-5-mini and claude-haiku-4-5.
 */
public final class PriceTable {
  public static final String PLAN = "plan";
  public static final String IMPLEMENT = "implement";
  public static final String REPAIR = "repair";

  private final Map<String, ModelPrice> byId;

  private PriceTable(Map<String, ModelPrice> byId) {
    this.byId = byId;
  }

  public static PriceTable of(Collection<ModelPrice> prices) {
    Map<String, ModelPrice> m = new LinkedHashMap<>();
    for (ModelPrice p : prices) {
      if (m.put(p.modelId(), p) != null) throw new IllegalArgumentException("duplicate model " + p.modelId());
    }
    return new PriceTable(Map.copyOf(m));
  }

  private static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  public static PriceTable defaults() {
    return of(List.of(
        new ModelPrice("gpt-5.1", "openai", List.of(PLAN), d("1.25"), d("0.125"), d("1.25"), d("10")),
        new ModelPrice("gpt-5-mini", "openai", List.of(PLAN), d("0.25"), d("0.025"), d("0.25"), d("2")),
        new ModelPrice("claude-sonnet-4-6", "anthropic", List.of(IMPLEMENT, REPAIR), d("3"), d("0.30"), d("3.75"), d("15")),
        new ModelPrice("claude-haiku-4-5", "anthropic", List.of(IMPLEMENT, REPAIR), d("1"), d("0.10"), d("1.25"), d("5"))));
  }

  public Optional<ModelPrice> find(String modelId) {
    return Optional.ofNullable(byId.get(modelId));
  }

  public Collection<ModelPrice> all() {
    return byId.values();
  }
}
