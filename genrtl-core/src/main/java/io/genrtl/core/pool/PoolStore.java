package io.genrtl.core.pool;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.Optional;

/**
 * Pool accounts (one per user). Every balance change is one conditional statement: a debit that would overdraw is
 * not applied and answers empty/false, so callers never read-then-write.
 */
public interface PoolStore {
  /** Inserts the account unless the user already has one; returns whether it was inserted. */
  boolean insert(PoolAccount account);

  Optional<PoolAccount> find(String userId);

  /** The account and the user's latest subscription, read together in one statement. */
  Optional<AccountAndSubscription> findWithSubscription(String userId);

  /** An account and the latest subscription of its user (empty when the user has none). */
  record AccountAndSubscription(PoolAccount account, Optional<io.genrtl.core.account.Subscription> subscription) {}

  /** Accounts ordered by user id. */
  Page<PoolAccount> list(PageRequest page);

  /**
   * Takes {@code amount} from included, then credits, then on-demand, and releases {@code releaseHold} from the
   * holds total, in one statement. With {@code enforce}, only if
   * {@code included + credits + (onDemandAllowed ? limit - spent : 0) - holds >= amount} (holds counted before the
   * release); otherwise empty and nothing changed. Without {@code enforce} (settling work already paid for upstream)
   * it always applies, and any remainder beyond included and credits goes to on-demand even past the limit.
   */
  Optional<Debit> debit(String userId, long amount, boolean onDemandAllowed, long releaseHold, boolean enforce, long now);

  /** Adds {@code amount} to the holds total only if it is available (as for an enforced debit). */
  boolean reserve(String userId, long amount, boolean onDemandAllowed, long now);

  /** Subtracts {@code amount} from the holds total (only if at least that much is held). */
  boolean release(String userId, long amount, long now);

  /**
   * Starts a new period only if the account is still in {@code expectedPeriodStart}: included is set to
   * {@code included} (no rollover), on-demand spent restarts at zero. Returns whether it rolled.
   */
  boolean rollPeriod(String userId, long expectedPeriodStart, long newStart, long newEnd, long included, long now);

  /**
   * Adds to a bucket: included or credits grow, on-demand spent shrinks (refunds, grants). With
   * {@code grantIncluded} an included credit also raises the period's granted total.
   */
  void credit(String userId, Bucket bucket, long amount, boolean grantIncluded, long now);

  boolean setOnDemandLimit(String userId, long limit, long now);

  /**
   * Lowers to {@code cap} the on-demand limit of every account of the tenant whose limit is above it, in one
   * statement; returns how many accounts it lowered.
   */
  int capOnDemandLimits(String tenantId, long cap, long now);

  /**
   * Locks the account row until the transaction ends (a no-op write), so reads that follow see every change
   * committed before and none made concurrently. Returns whether the account exists.
   */
  boolean lock(String userId);
}
