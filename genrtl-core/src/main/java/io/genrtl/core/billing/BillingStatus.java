package io.genrtl.core.billing;

import java.util.Optional;

/**
 * Provider-neutral subscription status. The wire values equal those of {@code io.genrtl.core.account.SubscriptionStatus},
 * so {@link BillingService#apply} maps one to the other with {@code SubscriptionStatus.fromWire(status.wire())}.
 */
public enum BillingStatus {
  ACTIVE("active"), TRIALING("trialing"), PAST_DUE("past_due"), CANCELED("canceled"), ENDED("ended");

  private final String wire;

  BillingStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<BillingStatus> parse(String s) {
    for (BillingStatus v : values()) if (v.wire.equals(s)) return Optional.of(v);
    return Optional.empty();
  }
}
