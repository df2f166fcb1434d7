package io.genrtl.core.account;

import java.util.Locale;
import java.util.Optional;

/** A user's role. {@code tenant_admin} acts on its tenant's objects; {@code super_admin} on everything. */
public enum Role {
  USER("user"), TENANT_ADMIN("tenant_admin"), SUPER_ADMIN("super_admin");

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  /** The name used in JSON, the database and the CLI. */
  public String wire() {
    return wire;
  }

  public static Optional<Role> parse(String s) {
    if (s == null) return Optional.empty();
    String v = s.trim().toLowerCase(Locale.ROOT);
    for (Role r : values()) if (r.wire.equals(v)) return Optional.of(r);
    return Optional.empty();
  }

  public static Role fromWire(String s) {
    return parse(s).orElseThrow(() -> new IllegalArgumentException("unknown role: " + s));
  }
}
