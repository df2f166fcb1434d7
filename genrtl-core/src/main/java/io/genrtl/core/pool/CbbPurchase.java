package io.genrtl.core.pool;

import java.util.Objects;

/** The CBB a {@code cbb} ledger row pays for. */
public record CbbPurchase(String cbbId, String version, long priceMicros, String receiptId) {
  public CbbPurchase {
    Objects.requireNonNull(cbbId, "cbbId");
    Objects.requireNonNull(version, "version");
  }
}
