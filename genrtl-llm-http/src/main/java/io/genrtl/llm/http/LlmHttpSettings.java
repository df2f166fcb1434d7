package io.genrtl.llm.http;

import java.util.List;
import java.util.Map;

/**
 * The connectors' settings as an operator gives them ({@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL},
 * {@code OPENAI_API_STYLE}, {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL}): keys (never printed), base URLs
 * (null: the public APIs) and the OpenAI API style ({@code responses} or {@code chat}).
 */
public record LlmHttpSettings(String openaiKey, String openaiBaseUrl, String openaiStyle, String anthropicKey,
    String anthropicBaseUrl) {

  /** Reads the settings from {@code values} (names as above); each problem found is added to {@code problems}. */
  public static LlmHttpSettings parse(Map<String, String> values, List<String> problems) {
    String style = values.getOrDefault("OPENAI_API_STYLE", "responses");
    if (!style.equals("responses") && !style.equals("chat")) problems.add("OPENAI_API_STYLE: responses or chat");
    for (String k : new String[] {"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"}) {
      String u = values.get(k);
      if (u != null && !u.matches("https?://[^@\\s]+")) problems.add(k + ": must be an http(s) URL");
    }
    return new LlmHttpSettings(values.get("OPENAI_API_KEY"), values.get("OPENAI_BASE_URL"), style,
        values.get("ANTHROPIC_API_KEY"), values.get("ANTHROPIC_BASE_URL"));
  }

  /** Never prints a key. */
  @Override
  public String toString() {
    return "Llm[openai=" + (openaiKey == null ? "off" : openaiStyle + (openaiBaseUrl == null ? "" : "@" + openaiBaseUrl))
        + ", anthropic=" + (anthropicKey == null ? "off" : anthropicBaseUrl == null ? "on" : "@" + anthropicBaseUrl) + "]";
  }
}
