package io.genrtl.core.billing;

import java.util.Objects;

/**
 * A one-time credit pack on sale: paying {@code priceMicros} adds {@code creditsMicros} of stackable credits (usually
 * the same amount). Configured next to the plans ({@code packs} in the plans file).
 */
public record CreditPack(String packId, String name, long creditsMicros, long priceMicros) {
  public CreditPack {
    Objects.requireNonNull(packId, "packId");
    Objects.requireNonNull(name, "name");
    if (creditsMicros <= 0) throw new IllegalArgumentException("a credit pack adds a positive amount");
    if (priceMicros <= 0 || priceMicros % 10_000 != 0) throw new IllegalArgumentException("a credit pack costs whole cents");
  }
}
