package io.genrtl.core.llm;

/** Receives text as it streams in. Called on the connector's thread; must be quick and must not throw. */
@FunctionalInterface
public interface LlmStreamListener {
  LlmStreamListener NONE = delta -> {};

  void onDelta(String text);
}
