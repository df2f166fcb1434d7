package io.genrtl.core.auth;

import java.util.Optional;

/** A device authorization's life: pending until the user decides; approved is consumed by the one key it issues. */
public enum DeviceStatus {
  PENDING("pending"), APPROVED("approved"), DENIED("denied"), CONSUMED("consumed");

  private final String wire;

  DeviceStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static DeviceStatus fromWire(String s) {
    for (DeviceStatus v : values()) if (v.wire.equals(s)) return v;
    throw new IllegalArgumentException("unknown device status: " + s);
  }

  public static Optional<DeviceStatus> parse(String s) {
    for (DeviceStatus v : values()) if (v.wire.equals(s)) return Optional.of(v);
    return Optional.empty();
  }
}
