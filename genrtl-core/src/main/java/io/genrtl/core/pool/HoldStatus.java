package io.genrtl.core.pool;

/** A hold is active until it is settled, voided, or freed by the sweeper when it expires. */
public enum HoldStatus {
  ACTIVE("active"), SETTLED("settled"), VOIDED("voided"), EXPIRED("expired");

  private final String wire;

  HoldStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static HoldStatus fromWire(String s) {
    for (HoldStatus h : values()) if (h.wire.equals(s)) return h;
    throw new IllegalArgumentException("unknown hold status: " + s);
  }
}
