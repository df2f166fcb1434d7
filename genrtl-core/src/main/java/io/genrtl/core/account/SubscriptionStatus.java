package io.genrtl.core.account;

import java.util.Optional;

/** Lifecycle of a subscription, as the payment providers report it. */
public enum SubscriptionStatus {
  ACTIVE("active"), TRIALING("trialing"), PAST_DUE("past_due"), CANCELED("canceled"), ENDED("ended");

  private final String wire;

  SubscriptionStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<SubscriptionStatus> parse(String s) {
    for (SubscriptionStatus v : values()) if (v.wire.equals(s)) return Optional.of(v);
    return Optional.empty();
  }

  public static SubscriptionStatus fromWire(String s) {
    return parse(s).orElseThrow(() -> new IllegalArgumentException("unknown subscription status: " + s));
  }
}
