package io.genrtl.core.billing;

import java.util.Objects;

/**
 * What a verified provider webhook means for genRTL, independent of the provider. Times are epoch milliseconds, money
 * is integer micro-USD; both are bounded ({@link #MIN_TIME_MILLIS}, {@link #MAX_TIME_MILLIS}, {@link #MAX_AMOUNT_MICROS}):
 * the provider adapters' parsers (genrtl-payments) refuse anything outside with their own typed failure, and the
 * records refuse it again. Every event carries the provider ({@link #STRIPE} or {@link #CREEM}) and the provider's
 * event id, which {@link BillingService#apply} records in the same transaction as the event's effects (webhook dedupe).
 */
public sealed interface BillingEvent {
  String STRIPE = "stripe";
  String CREEM = "creem";

  /** The earliest time an event may carry: 2000-01-01T00:00:00Z (epoch milliseconds). */
  long MIN_TIME_MILLIS = 946_684_800_000L;
  /** Times must be before 2200-01-01T00:00:00Z (epoch milliseconds). */
  long MAX_TIME_MILLIS = 7_258_118_400_000L;
  /** The most one event may pay or carry: $1,000,000 (in micro-USD; 100,000,000 cents). */
  long MAX_AMOUNT_MICROS = 1_000_000_000_000L;

  /** Whether {@code millis} is a time events may carry ({@link #MIN_TIME_MILLIS} ≤ t < {@link #MAX_TIME_MILLIS}). */
  static boolean saneTime(long millis) {
    return millis >= MIN_TIME_MILLIS && millis < MAX_TIME_MILLIS;
  }

  /** Refuses a period outside the sane times or not ending after it starts; 0, 0 (unknown) is allowed when {@code optional}. */
  private static void checkPeriod(long start, long end, boolean optional) {
    if (optional && start == 0 && end == 0) return;
    if (!saneTime(start) || !saneTime(end)) throw new IllegalArgumentException("period outside 2000-2200");
    if (end <= start) throw new IllegalArgumentException("empty period");
  }

  private static void checkAmount(long micros) {
    if (micros < 0 || micros > MAX_AMOUNT_MICROS) throw new IllegalArgumentException("amount outside 0..$1,000,000");
  }

  String provider();

  String eventId();

  /**
   * The subscription's state changed (created, updated, canceled, ended). {@code userId} is ours when the provider
   * carries it (checkout {@code client_reference_id} copied into metadata {@code user_id}), otherwise null and the
   * billing service finds the user by {@code customerId} or {@code providerSubscriptionId}. Events may arrive out of order: when
   * that matters the adapter fetches the current object ({@code StripeGateway.fetchSubscription}). The period is both
   * 0 when the event does not carry all of it ({@link BillingService#apply} keeps the one it has), else a sane period.
   */
  record SubscriptionChanged(String provider, String eventId, String providerSubscriptionId, String customerId,
      String userId, String planPriceId, BillingStatus status, long periodStart, long periodEnd,
      boolean cancelAtPeriodEnd) implements BillingEvent {
    public SubscriptionChanged {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(providerSubscriptionId, "providerSubscriptionId");
      Objects.requireNonNull(status, "status");
      checkPeriod(periodStart, periodEnd, true);
    }
  }

  /**
   * A subscription period was paid (Stripe {@code invoice.paid}, Creem {@code subscription.paid}): billing grants the
   * plan's included amount once per (subscription, periodStart). {@code planPriceId} is the price (Stripe) or product
   * (Creem) the period was paid for, when the payload says; {@code amountPaidMicros} what was actually paid.
   */
  record PeriodPaid(String provider, String eventId, String providerSubscriptionId, String customerId,
      String planPriceId, long periodStart, long periodEnd, String invoiceId, long amountPaidMicros)
      implements BillingEvent {
    public PeriodPaid {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(providerSubscriptionId, "providerSubscriptionId");
      checkPeriod(periodStart, periodEnd, false);
      checkAmount(amountPaidMicros);
    }
  }

  /** A subscription payment failed (Stripe {@code invoice.payment_failed}): the subscription is past due. */
  record PaymentFailed(String provider, String eventId, String providerSubscriptionId, String customerId,
      String invoiceId, int attemptCount, Long nextAttemptAt) implements BillingEvent {
    public PaymentFailed {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      if (attemptCount < 0) throw new IllegalArgumentException("negative attempt count");
      if (nextAttemptAt != null && !saneTime(nextAttemptAt)) throw new IllegalArgumentException("time outside 2000-2200");
    }
  }

  /**
   * A one-time credit pack was paid (Stripe {@code payment_intent.succeeded} with metadata {@code pack_id}, Creem
   * {@code checkout.completed} of a one-time order with metadata {@code pack_id}). Billing grants credits keyed by
   * {@code paymentId}.
   */
  record CreditPackPaid(String provider, String eventId, String paymentId, String userId, String packId,
      long amountMicros) implements BillingEvent {
    public CreditPackPaid {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(paymentId, "paymentId");
      checkAmount(amountMicros);
    }
  }

  /**
   * A hosted checkout finished: links our {@code userId} to the provider's customer and, for subscriptions, to the
   * subscription. {@code mode} is {@code subscription} or {@code payment}.
   */
  record CheckoutCompleted(String provider, String eventId, String checkoutId, String mode, String userId,
      String customerId, String providerSubscriptionId, String paymentId) implements BillingEvent {
    public CheckoutCompleted {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(checkoutId, "checkoutId");
    }
  }

  /** An event genRTL does not act on (unknown type, or a known type without what we need); acknowledge it with 2xx. */
  record Ignored(String provider, String eventId, String type, String reason) implements BillingEvent {
    public Ignored {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
    }
  }
}
