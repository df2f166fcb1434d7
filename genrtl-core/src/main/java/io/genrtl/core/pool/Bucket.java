package io.genrtl.core.pool;

import java.util.Optional;

/** Where money comes from, in the order a charge spends them: included, then credits, then on-demand. */
public enum Bucket {
  INCLUDED("included"), CREDITS("credits"), ON_DEMAND("on_demand");

  private final String wire;

  Bucket(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<Bucket> parse(String s) {
    for (Bucket b : values()) if (b.wire.equals(s)) return Optional.of(b);
    return Optional.empty();
  }

  public static Bucket fromWire(String s) {
    return parse(s).orElseThrow(() -> new IllegalArgumentException("unknown bucket: " + s));
  }
}
