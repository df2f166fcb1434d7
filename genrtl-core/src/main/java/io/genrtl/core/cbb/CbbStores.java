package io.genrtl.core.cbb;

import io.genrtl.core.base.StoreDecorator;
import java.util.Objects;

/** The CBB registry's store ports: published packages and purchase receipts (with ownership). */
public record CbbStores(CbbStore cbbs, ReceiptStore receipts) {
  public CbbStores {
    Objects.requireNonNull(cbbs, "cbbs");
    Objects.requireNonNull(receipts, "receipts");
  }

  public CbbStores decorate(StoreDecorator d) {
    return new CbbStores(d.decorate(CbbStore.class, cbbs), d.decorate(ReceiptStore.class, receipts));
  }
}
