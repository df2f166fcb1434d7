package io.genrtl.core.llm;

import java.util.List;
import java.util.Objects;

/**
 * One call to a language model, provider-neutral. {@code system} blocks come first and are stable across calls
 * (connectors mark the ones with {@code cacheable} for prompt caching where the provider supports it);
 * {@code messages} follow in order. With {@code schema}, the answer must be JSON matching it (strict structured
 * output). {@code callId} is our own id for the call (idempotency and logs; never the provider's).
 */
public record LlmRequest(
    String callId,
    String model,
    List<Block> system,
    List<Message> messages,
    int maxOutputTokens,
    JsonSchema schema,
    boolean stream) {

  public LlmRequest {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(model, "model");
    system = List.copyOf(system);
    messages = List.copyOf(messages);
    if (messages.isEmpty()) throw new IllegalArgumentException("at least one message");
    if (maxOutputTokens < 1) throw new IllegalArgumentException("maxOutputTokens must be positive");
  }

  /**
   * The UTF-8 size of everything sent as input: system blocks, messages and the schema. A token is at least one byte,
   * so this bounds the input tokens (the router's worst case); connectors also estimate from it.
   */
  public long inputBytes() {
    long n = 0;
    for (Block b : system) n += b.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    for (Message m : messages) {
      for (Block b : m.content()) n += b.text().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    if (schema != null) n += schema.schemaJson().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return n;
  }

  /** A piece of system or context text; {@code cacheable} marks a stable prefix worth caching. */
  public record Block(String text, boolean cacheable) {
    public Block {
      Objects.requireNonNull(text, "text");
    }
  }

  /** A conversation turn: role {@code user} or {@code assistant}. */
  public record Message(String role, List<Block> content) {
    public Message {
      if (!"user".equals(role) && !"assistant".equals(role)) throw new IllegalArgumentException("role must be user or assistant");
      content = List.copyOf(content);
    }

    public static Message user(String text) {
      return new Message("user", List.of(new Block(text, false)));
    }
  }

  /** A JSON Schema the answer must follow, with a name (OpenAI requires one). */
  public record JsonSchema(String name, String schemaJson, boolean strict) {
    public JsonSchema {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(schemaJson, "schemaJson");
    }
  }
}
