package io.genrtl.core.billing;

import io.genrtl.core.base.StoreDecorator;
import java.util.Objects;

/** Billing's store ports: users' customer ids at payment providers, and on-demand usage waiting for the provider's meter. */
public record BillingStores(CustomerStore customers, MeterOutboxStore meterOutbox) {
  public BillingStores {
    Objects.requireNonNull(customers, "customers");
    Objects.requireNonNull(meterOutbox, "meterOutbox");
  }

  public BillingStores decorate(StoreDecorator d) {
    return new BillingStores(d.decorate(CustomerStore.class, customers), d.decorate(MeterOutboxStore.class, meterOutbox));
  }
}
