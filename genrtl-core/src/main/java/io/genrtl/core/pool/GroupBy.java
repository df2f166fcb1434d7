package io.genrtl.core.pool;

import java.util.Optional;

/** How {@code /api/usage/summary} groups rows. {@code DAY} groups by UTC calendar day. */
public enum GroupBy {
  DAY("day"), MODEL("model"), KIND("kind"), JOB("job");

  private final String wire;

  GroupBy(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<GroupBy> parse(String s) {
    for (GroupBy g : values()) if (g.wire.equals(s)) return Optional.of(g);
    return Optional.empty();
  }
}
