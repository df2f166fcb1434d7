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
 * payments, credit packs. {@link #apply} is the state machine for a verified {@link BillingEvent}; it records the
 * event id in the same transaction as the event's effects ({@link #processOnce}), so a redelivered event (Stripe and
 * Creem both redeliver) changes nothing.
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

  /**
   * Applies one verified (signed) provider event once per provider and event id; returns whether this delivery applied
   * it ({@code false}: a redelivery, or an {@link BillingEvent.Ignored} event genRTL does not act on). What the event
   * names is resolved, its id claimed and its effects made in one transaction, so concurrent copies apply once and a
   * failure leaves nothing behind. The rules:
   * <ul>
   *   <li>{@link BillingEvent.SubscriptionChanged}: the user is the event's, else the known subscription's, else the
   *       one linked to the provider's customer; the plan is the catalog's for the price, else the known
   *       subscription's (else 400 {@code validation_failed}, field {@code price}); a period the event does not carry
   *       keeps the known one (else 400, field {@code period}); the customer is linked to the user.</li>
   *   <li>{@link BillingEvent.PeriodPaid}: the period's included amount is granted once; a payment for a subscription
   *       not seen yet (Creem sends both) first records it as active when its customer and plan are known (else 404,
   *       so the provider redelivers after the subscription event).</li>
   *   <li>{@link BillingEvent.PaymentFailed}: the subscription is past due.</li>
   *   <li>{@link BillingEvent.CreditPackPaid}: the credits of the pack ({@link BillingCatalog#creditsFor}) are added
   *       once per payment id.</li>
   *   <li>{@link BillingEvent.CheckoutCompleted}: the provider's customer is linked to the user.</li>
   * </ul>
   * An event that cannot be applied (a {@link GenRtlException} that is not our own side's failure: anything but
   * {@code unavailable}/{@code internal} categories) is recorded with {@link #recordRejected} (audit action
   * {@code webhook.rejected}) and the exception is rethrown; its id is not claimed. Our own side's failures (the
   * database) are rethrown unrecorded so the provider's redelivery finds them fixed.
   *
   * @param provider {@link #STRIPE} or {@link #CREEM}: the provider whose signature verified (must be the event's)
   * @param catalog what this provider's price ids and the credit packs mean
   * @param body the verified body, named in the rejection record
   */
  public boolean apply(String provider, BillingEvent event, BillingCatalog catalog, SignedBody body) {
    java.util.Objects.requireNonNull(provider, "provider");
    java.util.Objects.requireNonNull(catalog, "catalog");
    java.util.Objects.requireNonNull(body, "body");
    if (!provider.equals(event.provider())) {
      throw new IllegalArgumentException("a " + event.provider() + " event cannot be applied as " + provider + "'s");
    }
    try {
      return tx.inTransaction((Supplier<Boolean>) () -> applyOnce(provider, event, catalog));
    } catch (GenRtlException e) {
      if (ourSide(e)) throw e;
      recordRejected(provider, event.eventId(), kind(event), body.sha256(), body.bytes(), e);
      throw e;
    }
  }

  /**
   * Records a signed body that could not even be read as an event (the adapter's parser refused it), as
   * {@link #recordRejected} does; returns whether this call recorded it.
   */
  public boolean reject(String provider, String eventId, String eventType, SignedBody body, GenRtlException why) {
    return recordRejected(provider, eventId, eventType, body.sha256(), body.bytes(), why);
  }

  /** Whether a failure is our own side's (5xx: the database, a provider's API), not the event's. */
  private static boolean ourSide(GenRtlException e) {
    return e.code().category() == io.genrtl.core.base.ErrorCode.Category.UNAVAILABLE
        || e.code().category() == io.genrtl.core.base.ErrorCode.Category.INTERNAL;
  }

  /** The kind of a parsed event for the rejection record ({@code period_paid}, …; Ignored events carry their type). */
  static String kind(BillingEvent e) {
    if (e instanceof BillingEvent.Ignored i) return i.type();
    return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /** Inside the event's transaction: resolve what the event names (may refuse), then claim its id and apply it. */
  private boolean applyOnce(String provider, BillingEvent event, BillingCatalog catalog) {
    if (event instanceof BillingEvent.SubscriptionChanged sc) {
      Subscription existing = accountStores.subscriptions().find(sc.providerSubscriptionId()).orElse(null);
      String userId = sc.userId() != null ? sc.userId()
          : existing != null ? existing.userId() : userOfCustomer(provider, sc.customerId()).orElse(null);
      String plan = catalog.planOf(sc.planPriceId());
      if (plan == null && existing != null) plan = existing.planId();
      if (plan == null) throw GenRtlException.invalid("price", "no plan is configured for " + provider + " price " + sc.planPriceId());
      long start = sc.periodStart();
      long end = sc.periodEnd();
      if (start == 0 || end <= start) { // the event carries no (whole) period: keep the one we have
        if (existing == null) throw GenRtlException.invalid("period", "the subscription event carries no period");
        start = existing.periodStart();
        end = existing.periodEnd();
      }
      String p = plan;
      long s = start;
      long e = end;
      return processOnce(provider, sc.eventId(), () -> {
        subscriptionChanged(userId, provider, sc.providerSubscriptionId(), p, SubscriptionStatus.fromWire(sc.status().wire()), s, e);
        linkCustomer(userId, provider, sc.customerId());
      });
    }
    if (event instanceof BillingEvent.PeriodPaid pp) {
      boolean known = accountStores.subscriptions().find(pp.providerSubscriptionId()).isPresent();
      String userId = known ? null : userOfCustomer(provider, pp.customerId()).orElse(null);
      String plan = known ? null : catalog.planOf(pp.planPriceId());
      return processOnce(provider, pp.eventId(), () -> {
        if (!known && userId != null && plan != null) {
          // the payment came before the subscription event (Creem sends both): the paid subscription is active
          subscriptionChanged(userId, provider, pp.providerSubscriptionId(), plan, SubscriptionStatus.ACTIVE,
              pp.periodStart(), pp.periodEnd());
        }
        periodPaid(pp.providerSubscriptionId(), pp.periodStart(), pp.periodEnd());
      });
    }
    if (event instanceof BillingEvent.PaymentFailed pf) {
      return processOnce(provider, pf.eventId(), () -> paymentFailed(pf.providerSubscriptionId()));
    }
    if (event instanceof BillingEvent.CreditPackPaid cp) {
      long credits = catalog.creditsFor(cp);
      return processOnce(provider, cp.eventId(), () -> creditPackPaid(cp.userId(), provider, cp.paymentId(), credits));
    }
    if (event instanceof BillingEvent.CheckoutCompleted cc) {
      return processOnce(provider, cc.eventId(), () -> linkCustomer(cc.userId(), provider, cc.customerId()));
    }
    return false; // an event type we do not act on
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
