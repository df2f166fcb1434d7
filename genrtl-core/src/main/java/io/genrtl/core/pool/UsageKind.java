package io.genrtl.core.pool;

import java.util.Optional;

/** What a ledger row pays for. Refund rows correct an earlier row and carry a negative cost. */
public enum UsageKind {
  LLM("llm"), CBB("cbb"), TOOL("tool"), REFUND("refund");

  private final String wire;

  UsageKind(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<UsageKind> parse(String s) {
    for (UsageKind k : values()) if (k.wire.equals(s)) return Optional.of(k);
    return Optional.empty();
  }

  public static UsageKind fromWire(String s) {
    return parse(s).orElseThrow(() -> new IllegalArgumentException("unknown usage kind: " + s));
  }
}
