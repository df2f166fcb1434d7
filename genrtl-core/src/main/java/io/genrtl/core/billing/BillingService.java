package io.genrtl.core.billing;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.audit.AuditActions;
import io.genrtl.core.audit.AuditService;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Sleeper;
import io.genrtl.core.pool.Grant;
import io.genrtl.core.pool.PoolService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What payment providers' events do to accounts, provider-neutral: subscription state, paid periods, failed
 * payments, credit packs. {@link #processOnce} records an event id in the same transaction as its effects, so a
 * redelivered event (Stripe and Creem both redeliver) changes nothing.
 */
public final class BillingService {
  public static final String STRIPE = "stripe";
  public static final String CREEM = "creem";
  /** A customer claim older than this is taken over (its holder died between claiming and completing). */
  static final long STALE_CLAIM_MILLIS = 60_000;
  static final Duration CLAIM_POLL = Duration.ofMillis(25);
  static final int CLAIM_POLLS = 400; // 10 s of waiting for a concurrent creator

  private final Transactor tx;

  private final MetaStore meta;

  private final AccountStores accountStores;

  private final BillingStores billingStores;
  private final Clock clock;
  private final PoolService pool;
  private final Sleeper sleeper;
  private final AuditService audit;

  public BillingService(Transactor tx, MetaStore meta, AccountStores accountStores, BillingStores billingStores,
      Clock clock, AuditService audit, PoolService pool, Sleeper sleeper) {
    this.tx = tx;
    this.meta = meta;
    this.accountStores = accountStores;
    this.billingStores = billingStores;
    this.clock = clock;
    this.pool = pool;
    this.sleeper = sleeper;
    this.audit = audit;
  }

  /** The user's customer id at {@code provider}, if one was created or learned. */
  public Optional<String> customer(String userId, String provider) {
    return billingStores.customers().find(userId, provider);
  }

  /** The user a provider's customer id belongs to. */
  public Optional<String> userOfCustomer(String provider, String customerId) {
    return customerId == null ? Optional.empty() : billingStores.customers().findUser(provider, customerId);
  }

  /**
   * The user's customer id at {@code provider}, creating it with {@code create} the first time. Exactly one caller
   * creates it even when several race (a unique claim row, not read-then-write); the others wait for its id. A claim
   * whose holder died is taken over after a minute. Call it outside a transaction: the claim must be visible to others.
   */
  public String customerFor(String userId, String provider, Supplier<String> create) {
    if (userId == null || accountStores.users().find(userId).isEmpty()) throw GenRtlException.notFound("user");
    String token = UUID.randomUUID().toString();
    for (int i = 0; ; i++) {
      Optional<String> existing = billingStores.customers().find(userId, provider);
      if (existing.isPresent()) return existing.get();
      long now = clock.millis();
      boolean mine = billingStores.customers().claim(userId, provider, token, now)
          || billingStores.customers().takeOver(userId, provider, token, now - STALE_CLAIM_MILLIS, now);
      if (mine) {
        String id;
        try {
          id = create.get();
        } catch (RuntimeException e) {
          billingStores.customers().release(userId, provider, token);
          throw e;
        }
        if (id == null || id.isBlank()) {
          billingStores.customers().release(userId, provider, token);
          throw new IllegalStateException("the provider returned no customer id");
        }
        if (billingStores.customers().complete(userId, provider, token, id)) return id;
        continue; // taken over meanwhile: use the id the other caller stored
      }
      if (i >= CLAIM_POLLS) {
        throw new GenRtlException(io.genrtl.core.base.ErrorCode.CONFLICT,
            "your billing customer is being created by another request; retry shortly");
      }
      try {
        sleeper.sleep(CLAIM_POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new GenRtlException(io.genrtl.core.base.ErrorCode.UNAVAILABLE, "interrupted");
      }
    }
  }

  /** Records a customer id a provider told us about (checkout completed); false when the user already has one. */
  public boolean linkCustomer(String userId, String provider, String customerId) {
    if (userId == null || customerId == null || accountStores.users().find(userId).isEmpty()) return false;
    return billingStores.customers().link(userId, provider, customerId, clock.millis());
  }

  /** On-demand usage per user and period against what was reported to the meter ({@code reconcile-billing}). */
  public java.util.List<MeterTotal> meterTotals() {
    return billingStores.meterOutbox().totals();
  }

  /**
   * Subscriptions do not stack: while the user has a paid subscription that is active, trialing or past due, or whose
   * period has not ended, a new checkout is refused with {@code subscription_exists} before any provider is called.
   */
  public void requireNoPaidSubscription(String userId) {
    accountStores.subscriptions().latestForUser(userId).ifPresent(s -> {
      boolean paid = !io.genrtl.core.plan.PlanCatalog.FREE.equals(s.planId());
      boolean live = s.status() == SubscriptionStatus.ACTIVE || s.status() == SubscriptionStatus.TRIALING
          || s.status() == SubscriptionStatus.PAST_DUE || s.periodEnd() > clock.millis();
      if (paid && live) {
        throw new GenRtlException(io.genrtl.core.base.ErrorCode.SUBSCRIPTION_EXISTS, "you already have the " + s.planId()
            + " plan (" + s.status().wire() + "); change it in the billing portal", java.util.Map.of("plan", s.planId()));
      }
    });
  }

  /** Runs {@code effects} unless the event was processed before; returns whether it ran. Concurrent copies run once. */
  public boolean processOnce(String provider, String eventId, Runnable effects) {
    return tx.inTransaction((Supplier<Boolean>) () -> {
      if (!meta.claimOnce("webhook:" + provider + ":" + eventId, clock.millis())) return false;
      effects.run();
      return true;
    });
  }

  /**
   * Records a signed provider event that could not be applied (its content is refused, or what it names is not known
   * yet) in the audit log: action {@code webhook.rejected}, target {@code webhook_event} {@code <provider>:<event id>},
   * no tenant (so only super admins see it), the system as actor, and details {@code provider}, {@code event_id},
   * {@code event_type}, {@code code}, {@code field}, {@code reason}, {@code message}, {@code body_sha256},
   * {@code body_bytes}. Nothing of the event is applied and its id is not claimed, so a corrected event (with the same
   * or a new id) applies later. Identical bodies are recorded once (a {@code MetaStore} marker on the body's hash, in
   * the same transaction): a provider retrying the same event adds no rows. Returns whether this call recorded it.
   *
   * @param eventId the provider's event id when it could be read (null otherwise)
   * @param eventType the provider's event type, or genRTL's kind of event, when known
   * @param why the failure the caller answers with: its code, message and {@code field}/{@code reason} details
   */
  public boolean recordRejected(String provider, String eventId, String eventType, String bodySha256, long bodyBytes,
      GenRtlException why) {
    java.util.Objects.requireNonNull(provider, "provider");
    java.util.Objects.requireNonNull(bodySha256, "bodySha256");
    return tx.inTransaction((Supplier<Boolean>) () -> {
      if (!meta.claimOnce("webhook-rejected:" + provider + ":" + bodySha256, clock.millis())) return false;
      java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("provider", provider);
      d.put("event_id", eventId);
      d.put("event_type", eventType);
      d.put("code", why.code().code());
      d.put("field", why.details().get("field"));
      d.put("reason", why.details().get("reason"));
      d.put("message", why.getMessage());
      d.put("body_sha256", bodySha256);
      d.put("body_bytes", bodyBytes);
      audit.record(AuditActions.WEBHOOK_REJECTED, "webhook_event", eventId == null ? null : provider + ":" + eventId, null, d);
      return true;
    });
  }

  /** The provider's current view of a subscription: plan, status and period (inserted on first sight). */
  public void subscriptionChanged(String userId, String provider, String subscriptionId, String planId,
      SubscriptionStatus status, long periodStart, long periodEnd) {
    if (userId == null || accountStores.users().find(userId).isEmpty()) throw GenRtlException.notFound("user");
    tx.inTransaction(() -> {
      Subscription existing = accountStores.subscriptions().find(subscriptionId).orElse(null);
      if (existing != null && !existing.userId().equals(userId)) throw GenRtlException.notFound("subscription");
      accountStores.subscriptions().upsert(new Subscription(subscriptionId, userId, planId, provider, status, periodStart, periodEnd,
          existing == null ? clock.millis() : existing.createdAt()));
    });
  }

  /** A period was paid: the subscription is active and the account gets the period's included amount, once. */
  public boolean periodPaid(String subscriptionId, long periodStart, long periodEnd) {
    return tx.inTransaction(() -> {
      Subscription s = accountStores.subscriptions().find(subscriptionId).orElseThrow(() -> GenRtlException.notFound("subscription"));
      if (s.status() != SubscriptionStatus.ACTIVE && s.status() != SubscriptionStatus.TRIALING) {
        accountStores.subscriptions().upsert(new Subscription(s.subscriptionId(), s.userId(), s.planId(), s.provider(),
            SubscriptionStatus.ACTIVE, s.periodStart(), s.periodEnd(), s.createdAt()));
      }
      return pool.grantPaidPeriod(s.userId(), subscriptionId, periodStart, periodEnd);
    });
  }

  /** A renewal payment failed: the subscription is past due (on-demand spending stops until it is paid). */
  public void paymentFailed(String subscriptionId) {
    tx.inTransaction(() -> accountStores.subscriptions().find(subscriptionId).ifPresent(s ->
        accountStores.subscriptions().upsert(new Subscription(s.subscriptionId(), s.userId(), s.planId(), s.provider(),
            SubscriptionStatus.PAST_DUE, s.periodStart(), s.periodEnd(), s.createdAt()))));
  }

  /** A credit pack was paid: its credits are added once per payment. */
  public boolean creditPackPaid(String userId, String provider, String paymentId, long amountMicros) {
    if (userId == null || accountStores.users().find(userId).isEmpty()) throw GenRtlException.notFound("user");
    return pool.grantCredits(userId, amountMicros, provider + ":" + paymentId, Grant.KIND_CREDIT_PACK, null, "credit pack");
  }
}
