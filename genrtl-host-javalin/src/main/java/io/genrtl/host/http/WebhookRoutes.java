package io.genrtl.host.http;

import io.genrtl.core.ErrorCode;
import io.genrtl.core.GenRtl;
import io.genrtl.core.GenRtlException;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.billing.BillingService;
import io.genrtl.payments.BillingEvent;
import io.genrtl.payments.MalformedEventException;
import io.genrtl.payments.StripeWebhookVerifier;
import io.genrtl.payments.WebhookVerificationException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/webhooks/stripe}: authenticated by the {@code Stripe-Signature} over the raw body (no API key).
 * Each event's effects and its id are recorded in one transaction, so redeliveries change nothing. A failing effect
 * (for example an invoice for a subscription we have not seen yet) answers non-2xx, and Stripe retries it later.
 */
final class WebhookRoutes {
  static final long MAX_EVENT_BYTES = 1L << 20;

  private final GenRtl genrtl;
  private final StripeWebhooks stripe;

  WebhookRoutes(GenRtl genrtl, StripeWebhooks stripe) {
    this.genrtl = genrtl;
    this.stripe = stripe;
  }

  void register(RoutesConfig r) {
    r.post("/api/webhooks/stripe", this::stripe);
    r.post("/api/billing/checkout", this::checkout);
  }

  /** {@code POST /api/billing/checkout {plan, success_url, cancel_url, provider?}} → {@code {url}} (Stripe Checkout). */
  private void checkout(Context ctx) {
    io.genrtl.core.account.Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, 64 * 1024);
    AccountRoutes.requireSelf(p, body);
    String plan = body.string("plan", 64);
    String success = body.string("success_url", 2000);
    String cancel = body.string("cancel_url", 2000);
    for (String[] u : new String[][] {{"success_url", success}, {"cancel_url", cancel}}) {
      if (!u[1].matches("https?://[^\\s]+")) throw GenRtlException.invalid(u[0], u[0] + " must be an http(s) URL");
    }
    String provider = body.optString("provider", 16).orElse("stripe");
    if (!provider.equals("stripe")) throw GenRtlException.invalid("provider", "provider must be stripe (creem is not wired yet)");
    if (genrtl.plans().find(plan).filter(x -> !x.isFree()).isEmpty()) {
      throw GenRtlException.invalid("plan", "plan must be one of the paid plans");
    }
    genrtl.billing().requireNoPaidSubscription(p.userId());
    if (stripe == null || stripe.gateway() == null) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Stripe is not configured on this server");
    }
    String price = stripe.planByPrice().entrySet().stream().filter(e -> e.getValue().equals(plan)).map(Map.Entry::getKey)
        .findFirst().orElseThrow(() -> new GenRtlException(ErrorCode.UNPROCESSABLE, "no Stripe price is configured for plan " + plan,
            Map.of("field", "plan")));
    String email = genrtl.stores().users().find(p.userId()).map(io.genrtl.core.account.User::email).orElse(null);
    io.genrtl.payments.StripeGateway.CheckoutLink link;
    try {
      link = stripe.gateway().createSubscriptionCheckout(new io.genrtl.payments.StripeGateway.SubscriptionCheckoutRequest(
          p.userId(), email, null, price, success, cancel));
    } catch (io.genrtl.payments.PaymentProviderException e) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Stripe did not create the checkout; retry shortly");
    }
    ctx.json(Map.of("url", link.url()));
  }

  private void stripe(Context ctx) {
    if (stripe == null) throw new GenRtlException(ErrorCode.NOT_FOUND, "Stripe webhooks are not configured on this server");
    byte[] body = Bodies.read(ctx, MAX_EVENT_BYTES);
    try {
      stripe.verifier().verify(body, ctx.header(StripeWebhookVerifier.HEADER));
    } catch (WebhookVerificationException e) {
      throw new GenRtlException(ErrorCode.INVALID_SIGNATURE, "the Stripe-Signature does not verify: "
          + e.reason().name().toLowerCase(java.util.Locale.ROOT), Map.of("reason", e.reason().name().toLowerCase(java.util.Locale.ROOT)));
    }
    BillingEvent event;
    try {
      event = stripe.parser().parse(body);
    } catch (MalformedEventException e) {
      throw new GenRtlException(ErrorCode.VALIDATION_FAILED, "the event could not be read", Map.of("field", "$"));
    }
    BillingService billing = genrtl.billing();
    boolean applied;
    if (event instanceof BillingEvent.SubscriptionChanged sc) {
      BillingEvent.SubscriptionChanged current = fresh(sc);
      String userId = current.userId() != null ? current.userId()
          : genrtl.stores().subscriptions().find(current.providerSubscriptionId()).map(Subscription::userId).orElse(null);
      String plan = current.planPriceId() == null ? null : stripe.planByPrice().get(current.planPriceId());
      if (plan == null) {
        plan = genrtl.stores().subscriptions().find(current.providerSubscriptionId()).map(Subscription::planId).orElse(null);
      }
      if (plan == null) throw GenRtlException.invalid("price", "no plan is configured for Stripe price " + current.planPriceId());
      String p = plan;
      applied = billing.processOnce("stripe", sc.eventId(), () -> billing.subscriptionChanged(userId, "stripe",
          current.providerSubscriptionId(), p, SubscriptionStatus.fromWire(current.status().wire()), current.periodStart(),
          current.periodEnd()));
    } else if (event instanceof BillingEvent.PeriodPaid pp) {
      applied = billing.processOnce("stripe", pp.eventId(),
          () -> billing.periodPaid(pp.providerSubscriptionId(), pp.periodStart(), pp.periodEnd()));
    } else if (event instanceof BillingEvent.PaymentFailed pf) {
      applied = billing.processOnce("stripe", pf.eventId(), () -> billing.paymentFailed(pf.providerSubscriptionId()));
    } else if (event instanceof BillingEvent.CreditPackPaid cp) {
      applied = billing.processOnce("stripe", cp.eventId(),
          () -> billing.creditPackPaid(cp.userId(), "stripe", cp.paymentId(), cp.amountMicros()));
    } else if (event instanceof BillingEvent.CheckoutCompleted cc) {
      applied = billing.processOnce("stripe", cc.eventId(), () -> { });
    } else {
      applied = false; // an event type we do not act on
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("received", true);
    out.put("applied", applied);
    ctx.json(out);
  }

  /** Where order matters, the subscription's current state from the API beats the event's copy (when configured). */
  private BillingEvent.SubscriptionChanged fresh(BillingEvent.SubscriptionChanged sc) {
    if (stripe.gateway() == null) return sc;
    BillingEvent now = stripe.gateway().fetchSubscription(sc.providerSubscriptionId(), sc.eventId());
    return now instanceof BillingEvent.SubscriptionChanged c ? c : sc;
  }
}
