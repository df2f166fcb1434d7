package io.genrtl.core.billing;

import java.util.Optional;

/**
 * Which customer a user is at a payment provider ({@code stripe}, {@code creem}): one row per (user, provider), and a
 * provider's customer id belongs to one user. A customer is created once even when two checkouts race: the first
 * caller {@link #claim claims} the row (a unique insert), creates the customer at the provider and
 * {@link #complete completes} the row; everyone else waits for the id (see {@code BillingService.customerFor}).
 */
public interface CustomerStore {
  /** The user's customer id at the provider, once created. */
  Optional<String> find(String userId, String provider);

  /** The user a provider's customer id belongs to. */
  Optional<String> findUser(String provider, String customerId);

  /** Inserts a pending row for (user, provider) held by {@code claimToken}; true for the one caller that inserted it. */
  boolean claim(String userId, String provider, String claimToken, long now);

  /**
   * Takes over a pending claim made before {@code staleBefore} (its holder died between claiming and completing);
   * true when {@code newToken} now holds it.
   */
  boolean takeOver(String userId, String provider, String newToken, long staleBefore, long now);

  /** Sets the customer id of a pending row still held by {@code claimToken}; false when the claim was lost. */
  boolean complete(String userId, String provider, String claimToken, String customerId);

  /** Drops a pending row still held by {@code claimToken} (the provider call failed). */
  void release(String userId, String provider, String claimToken);

  /**
   * Records a mapping learned from the provider (a webhook) unless the user already has a customer there or the
   * customer id is another user's; returns whether it was recorded.
   */
  boolean link(String userId, String provider, String customerId, long now);
}
