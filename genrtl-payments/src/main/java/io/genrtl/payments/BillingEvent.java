package io.genrtl.payments;

import java.util.Objects;

/**
 * What a verified provider webhook means for genRTL, independent of the provider. Times are epoch milliseconds, money
 * is integer micro-USD. Every event carries the provider ({@link #STRIPE} or {@link #CREEM}) and the provider's event
 * id, which the host records in the same transaction as the event's effects (webhook dedupe).
 */
public sealed interface BillingEvent {
  String STRIPE = "stripe";
  String CREEM = "creem";

  String provider();

  String eventId();

  /**
   * The subscription's state changed (created, updated, canceled, ended). {@code userId} is ours when the provider
   * carries it (checkout {@code client_reference_id} copied into metadata {@code user_id}), otherwise null and the
   * host finds the user by {@code customerId} or {@code providerSubscriptionId}. Events may arrive out of order: when
   * that matters the host fetches the current object ({@code StripeGateway.fetchSubscription}).
   */
  record SubscriptionChanged(String provider, String eventId, String providerSubscriptionId, String customerId,
      String userId, String planPriceId, BillingStatus status, long periodStart, long periodEnd,
      boolean cancelAtPeriodEnd) implements BillingEvent {
    public SubscriptionChanged {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(providerSubscriptionId, "providerSubscriptionId");
      Objects.requireNonNull(status, "status");
    }
  }

  /**
   * A subscription period was paid (Stripe {@code invoice.paid}, Creem {@code subscription.paid}): the host grants the
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
      if (periodEnd <= periodStart) throw new IllegalArgumentException("empty period");
    }
  }

  /** A subscription payment failed (Stripe {@code invoice.payment_failed}): the subscription is past due. */
  record PaymentFailed(String provider, String eventId, String providerSubscriptionId, String customerId,
      String invoiceId, int attemptCount, Long nextAttemptAt) implements BillingEvent {
    public PaymentFailed {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
    }
  }

  /**
   * A one-time credit pack was paid (Stripe {@code payment_intent.succeeded} with metadata {@code pack_id}, Creem
   * {@code checkout.completed} of a one-time order with metadata {@code pack_id}). The host grants credits keyed by
   * {@code paymentId}.
   */
  record CreditPackPaid(String provider, String eventId, String paymentId, String userId, String packId,
      long amountMicros) implements BillingEvent {
    public CreditPackPaid {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(eventId, "eventId");
      Objects.requireNonNull(paymentId, "paymentId");
      if (amountMicros < 0) throw new IllegalArgumentException("negative amount");
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
