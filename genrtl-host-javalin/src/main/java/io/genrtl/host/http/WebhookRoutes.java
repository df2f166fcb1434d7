package io.genrtl.host.http;

import io.genrtl.core.ErrorCode;
import io.genrtl.core.GenRtl;
import io.genrtl.core.GenRtlException;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.payments.BillingEvent;
import io.genrtl.payments.CreemWebhookVerifier;
import io.genrtl.payments.MalformedEventException;
import io.genrtl.payments.StripeWebhookVerifier;
import io.genrtl.payments.WebhookVerificationException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code POST /api/webhooks/stripe} and {@code /creem}: authenticated by the provider's signature over the raw body
 * (no API key). Each event's effects and its id are recorded in one transaction, so redeliveries change nothing (for
 * Creem, which signs no timestamp, this dedupe is what stops replays). A failing effect (for example an invoice for a
 * subscription we have not seen yet) answers non-2xx, and the provider retries it later.
 */
final class WebhookRoutes {
  static final long MAX_EVENT_BYTES = 1L << 20;

  private final GenRtl genrtl;
  private final StripeWebhooks stripe;
  private final CreemBilling creem;
  private final GenRtlApp.Settings settings;

  WebhookRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
    this.stripe = settings.stripe();
    this.creem = settings.creem();
  }

  void register(RoutesConfig r) {
    r.post("/api/webhooks/stripe", this::stripe);
    r.post("/api/webhooks/creem", this::creem);
  }

  private static GenRtlException badSignature(String header, WebhookVerificationException e) {
    String reason = e.reason().name().toLowerCase(Locale.ROOT);
    return new GenRtlException(ErrorCode.INVALID_SIGNATURE, "the " + header + " does not verify: " + reason,
        Map.of("reason", reason));
  }

  private void stripe(Context ctx) {
    if (stripe == null || stripe.verifier() == null) {
      throw new GenRtlException(ErrorCode.NOT_FOUND, "Stripe webhooks are not configured on this server");
    }
    byte[] body = Bodies.read(ctx, MAX_EVENT_BYTES);
    try {
      stripe.verifier().verify(body, ctx.header(StripeWebhookVerifier.HEADER));
    } catch (WebhookVerificationException e) {
      throw badSignature("Stripe-Signature", e);
    }
    BillingEvent event;
    try {
      event = stripe.parser().parse(body);
    } catch (MalformedEventException e) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "the event could not be read", Map.of("field", "$"));
    }
    if (event instanceof BillingEvent.SubscriptionChanged sc) event = fresh(sc);
    answer(ctx, apply(BillingService.STRIPE, event, price -> price == null ? null : stripe.planByPrice().get(price)));
  }

  private void creem(Context ctx) {
    if (creem == null || creem.verifier() == null) {
      throw new GenRtlException(ErrorCode.NOT_FOUND, "Creem webhooks are not configured on this server");
    }
    byte[] body = Bodies.read(ctx, MAX_EVENT_BYTES);
    try {
      creem.verifier().verify(body, ctx.header(CreemWebhookVerifier.HEADER));
    } catch (WebhookVerificationException e) {
      throw badSignature("creem-signature", e);
    }
    BillingEvent event;
    try {
      event = creem.parser().parse(body);
    } catch (MalformedEventException e) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "the event could not be read", Map.of("field", "$"));
    }
    answer(ctx, apply(BillingService.CREEM, event, product -> creem.idOfProduct(product)
        .filter(id -> genrtl.plans().find(id).isPresent()).orElse(null)));
  }

  private static void answer(Context ctx, boolean applied) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("received", true);
    out.put("applied", applied);
    ctx.json(out);
  }

  /** Applies one verified event once (per provider and event id); returns whether this delivery applied it. */
  private boolean apply(String provider, BillingEvent event, Function<String, String> planOf) {
    BillingService billing = genrtl.billing();
    if (event instanceof BillingEvent.SubscriptionChanged sc) {
      Subscription existing = genrtl.stores().subscriptions().find(sc.providerSubscriptionId()).orElse(null);
      String userId = sc.userId() != null ? sc.userId()
          : existing != null ? existing.userId() : billing.userOfCustomer(provider, sc.customerId()).orElse(null);
      String plan = planOf.apply(sc.planPriceId());
      if (plan == null && existing != null) plan = existing.planId();
      if (plan == null) throw GenRtlException.invalid("price", "no plan is configured for " + provider + " price " + sc.planPriceId());
      long start = sc.periodStart();
      long end = sc.periodEnd();
      if (end <= start) {
        if (existing == null) throw GenRtlException.invalid("period", "the subscription event carries no period");
        start = existing.periodStart();
        end = existing.periodEnd();
      }
      String p = plan;
      long s = start;
      long e = end;
      return billing.processOnce(provider, sc.eventId(), () -> {
        billing.subscriptionChanged(userId, provider, sc.providerSubscriptionId(), p,
            SubscriptionStatus.fromWire(sc.status().wire()), s, e);
        billing.linkCustomer(userId, provider, sc.customerId());
      });
    }
    if (event instanceof BillingEvent.PeriodPaid pp) {
      boolean known = genrtl.stores().subscriptions().find(pp.providerSubscriptionId()).isPresent();
      String userId = known ? null : billing.userOfCustomer(provider, pp.customerId()).orElse(null);
      String plan = known ? null : planOf.apply(pp.planPriceId());
      return billing.processOnce(provider, pp.eventId(), () -> {
        if (!known && userId != null && plan != null) {
          // the payment came before the subscription event (Creem sends both): the paid subscription is active
          billing.subscriptionChanged(userId, provider, pp.providerSubscriptionId(), plan, SubscriptionStatus.ACTIVE,
              pp.periodStart(), pp.periodEnd());
        }
        billing.periodPaid(pp.providerSubscriptionId(), pp.periodStart(), pp.periodEnd());
      });
    }
    if (event instanceof BillingEvent.PaymentFailed pf) {
      return billing.processOnce(provider, pf.eventId(), () -> billing.paymentFailed(pf.providerSubscriptionId()));
    }
    if (event instanceof BillingEvent.CreditPackPaid cp) {
      String userId = cp.userId();
      long credits = creditsFor(cp);
      return billing.processOnce(provider, cp.eventId(), () -> billing.creditPackPaid(userId, provider, cp.paymentId(), credits));
    }
    if (event instanceof BillingEvent.CheckoutCompleted cc) {
      return billing.processOnce(provider, cc.eventId(), () -> billing.linkCustomer(cc.userId(), provider, cc.customerId()));
    }
    return false; // an event type we do not act on
  }

  /** A configured pack paid in full adds its credits; anything else adds what was paid. */
  private long creditsFor(BillingEvent.CreditPackPaid cp) {
    for (CreditPack p : settings.packs()) {
      if (p.packId().equals(cp.packId()) && cp.amountMicros() >= p.priceMicros()) return p.creditsMicros();
    }
    return cp.amountMicros();
  }

  /** Where order matters, the subscription's current state from the API beats the event's copy (when configured). */
  private BillingEvent fresh(BillingEvent.SubscriptionChanged sc) {
    if (stripe.gateway() == null) return sc;
    BillingEvent now;
    try {
      now = stripe.gateway().fetchSubscription(sc.providerSubscriptionId(), sc.eventId());
    } catch (io.genrtl.payments.PaymentProviderException e) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Stripe did not answer; deliver the event again later");
    }
    return now instanceof BillingEvent.SubscriptionChanged c ? c : sc;
  }
}
