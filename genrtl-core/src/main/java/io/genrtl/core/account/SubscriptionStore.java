package io.genrtl.core.account;

import java.util.Optional;

public interface SubscriptionStore {
  void insert(Subscription subscription);

  Optional<Subscription> find(String subscriptionId);

  /**
   * Inserts the subscription, or updates plan, status and period of the one with its id (provider events carry the
   * provider's subscription id); {@code created_at} is kept from the first insert.
   */
  void upsert(Subscription subscription);

  /** The user's most recently created subscription, whatever its status. */
  Optional<Subscription> latestForUser(String userId);

  /** Moves a subscription to a new period only if it is still in {@code expectedStart}. */
  boolean updatePeriod(String subscriptionId, long expectedStart, long newStart, long newEnd);
}
