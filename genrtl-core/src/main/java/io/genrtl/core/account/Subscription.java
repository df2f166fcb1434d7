package io.genrtl.core.account;

import java.util.Objects;

/**
 * A user's subscription to a plan through a provider ({@code manual}, {@code stripe}, {@code creem}); the current
 * period is [{@code periodStart}, {@code periodEnd}) in epoch milliseconds.
 */
public record Subscription(
    String subscriptionId,
    String userId,
    String planId,
    String provider,
    SubscriptionStatus status,
    long periodStart,
    long periodEnd,
    long createdAt) {

  public static final String PROVIDER_MANUAL = "manual";

  public Subscription {
    Objects.requireNonNull(subscriptionId, "subscriptionId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(planId, "planId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(status, "status");
    if (periodEnd <= periodStart) throw new IllegalArgumentException("empty subscription period");
  }
}
