package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.User;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.core.pool.Money;
import io.genrtl.payments.CreemGateway;
import io.genrtl.payments.PaymentProviderException;
import io.genrtl.payments.StripeGateway;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Calls that send the user to a payment provider: {@code POST /api/billing/checkout} (a subscription, Stripe or Creem),
 * {@code /portal} (Stripe's customer portal) and {@code /payment-intent} (a credit pack paid in a mobile PaymentSheet).
 * The user's Stripe customer is created once (see {@link BillingService#customerFor}) and reused by all three.
 */
final class PaymentRoutes {
  static final long MAX_BODY = 64 * 1024;

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;

  PaymentRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
  }

  void register(RoutesConfig r) {
    r.post("/api/billing/checkout", this::checkout);
    r.post("/api/billing/portal", this::portal);
    r.post("/api/billing/payment-intent", this::paymentIntent);
  }

  private StripeGateway stripe() {
    StripeWebhooks s = settings.stripe();
    if (s == null || s.gateway() == null) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Stripe is not configured on this server");
    }
    return s.gateway();
  }

  private static <T> T call(String provider, Supplier<T> call) {
    try {
      return call.get();
    } catch (PaymentProviderException e) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, provider + " did not answer as expected; retry shortly");
    }
  }

  private String email(String userId) {
    return genrtl.accounts().findUser(userId).map(User::email).orElse(null);
  }

  /** The caller's Stripe customer, created at Stripe the first time (once, even when requests race). */
  private String stripeCustomer(String userId) {
    StripeGateway gw = stripe();
    return genrtl.billing().customerFor(userId, BillingService.STRIPE,
        () -> call("Stripe", () -> gw.createCustomer(userId, email(userId))));
  }

  private static String url(JsonBody body, String field, boolean required) {
    String u = required ? body.string(field, 2000) : body.optString(field, 2000).orElse(null);
    if (u != null && !u.matches("https?://[^\\s]+")) throw GenRtlException.invalid(field, field + " must be an http(s) URL");
    return u;
  }

  /** {@code {plan, success_url, cancel_url, provider?}} → {@code {url}}; 409 while a paid subscription lives. */
  private void checkout(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, MAX_BODY);
    AccountRoutes.requireSelf(p, body);
    String plan = body.string("plan", 64);
    String success = url(body, "success_url", true);
    String cancel = url(body, "cancel_url", true);
    String provider = body.optString("provider", 16).orElse(BillingService.STRIPE);
    if (!provider.equals(BillingService.STRIPE) && !provider.equals(BillingService.CREEM)) {
      throw GenRtlException.invalid("provider", "provider must be stripe or creem");
    }
    if (genrtl.plans().find(plan).filter(x -> !x.isFree()).isEmpty()) {
      throw GenRtlException.invalid("plan", "plan must be one of the paid plans");
    }
    genrtl.billing().requireNoPaidSubscription(p.userId());
    String url = provider.equals(BillingService.CREEM) ? creemCheckout(p.userId(), plan, success) : stripeCheckout(p.userId(), plan, success, cancel);
    // the session exists at the provider now; the subscription itself arrives by webhook (never log the URL)
    genrtl.audit().record(io.genrtl.core.audit.AuditActions.BILLING_CHECKOUT, "user", p.userId(), p.tenantId(),
        Map.of("plan", plan, "provider", provider));
    ctx.json(Map.of("url", url));
  }

  private String stripeCheckout(String userId, String plan, String success, String cancel) {
    StripeGateway gw = stripe();
    String price = settings.stripe().planByPrice().entrySet().stream().filter(e -> e.getValue().equals(plan))
        .map(Map.Entry::getKey).findFirst()
        .orElseThrow(() -> new GenRtlException(ErrorCode.UNPROCESSABLE, "no Stripe price is configured for plan " + plan,
            Map.of("field", "plan")));
    String customer = stripeCustomer(userId);
    return call("Stripe", () -> gw.createSubscriptionCheckout(new StripeGateway.SubscriptionCheckoutRequest(userId,
        email(userId), customer, price, success, cancel))).url();
  }

  private String creemCheckout(String userId, String plan, String success) {
    CreemBilling creem = settings.creem();
    if (creem == null || creem.gateway() == null) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Creem is not configured on this server");
    }
    String product = creem.productOf(plan).orElseThrow(() -> new GenRtlException(ErrorCode.UNPROCESSABLE,
        "no Creem product is configured for plan " + plan, Map.of("field", "plan")));
    CreemGateway.Checkout c = call("Creem", () -> creem.gateway().createCheckout(new CreemGateway.CheckoutRequest(product,
        userId, genrtl.ids().newId(), success, email(userId), Map.of("plan_id", plan))));
    return c.checkoutUrl();
  }

  /** {@code {return_url?}} → {@code {url}} of a Stripe customer portal session; 404 before the user has a customer. */
  private void portal(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, MAX_BODY);
    AccountRoutes.requireSelf(p, body);
    String returnUrl = url(body, "return_url", false);
    StripeGateway gw = stripe();
    String customer = genrtl.billing().customer(p.userId(), BillingService.STRIPE).orElseThrow(() -> new GenRtlException(
        ErrorCode.NOT_FOUND, "you have no Stripe customer yet: subscribe or buy credits first"));
    String target = returnUrl != null ? returnUrl : settings.publicUrl();
    ctx.json(Map.of("url", call("Stripe", () -> gw.createPortalSession(customer, target))));
  }

  /**
   * {@code {pack}} → a PaymentIntent for the credit pack (metadata {@code user_id}, {@code pack_id}); its
   * {@code payment_intent.succeeded} adds the pack's credits once. An {@code Idempotency-Key} header makes a retried
   * purchase return the same PaymentIntent. With {@code stripe_version} (the mobile SDK's API version) the answer also
   * carries an {@code ephemeral_key} for the customer.
   */
  private void paymentIntent(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, MAX_BODY);
    AccountRoutes.requireSelf(p, body);
    String packId = body.string("pack", 64);
    String sdkVersion = body.optString("stripe_version", 40).orElse(null);
    if (sdkVersion != null && !sdkVersion.matches("\\d{4}-\\d{2}-\\d{2}(\\.[a-z]+)?")) {
      throw GenRtlException.invalid("stripe_version", "stripe_version must be a Stripe API version such as 2025-09-30.clover");
    }
    CreditPack pack = settings.packs().stream().filter(x -> x.packId().equals(packId)).findFirst()
        .orElseThrow(() -> GenRtlException.invalid("pack", "pack must be one of the credit packs on sale"));
    String key = ctx.header("Idempotency-Key");
    if (key != null && (key.isBlank() || key.length() > 200)) {
      throw GenRtlException.invalid("Idempotency-Key", "Idempotency-Key must be 1 to 200 characters");
    }
    StripeGateway gw = stripe();
    String customer = stripeCustomer(p.userId());
    String stripeKey = key == null ? null : "genrtl-pi-" + p.userId() + "-" + key;
    StripeGateway.CreditPackPayment pi = call("Stripe",
        () -> gw.createCreditPackPayment(p.userId(), customer, pack.packId(), pack.priceMicros(), stripeKey));
    genrtl.audit().record(io.genrtl.core.audit.AuditActions.BILLING_CHECKOUT, "payment_intent", pi.paymentIntentId(),
        p.tenantId(), Map.of("user_id", p.userId(), "pack", pack.packId(), "price_usd", Money.toUsd(pack.priceMicros())));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("client_secret", pi.clientSecret());
    out.put("payment_intent_id", pi.paymentIntentId());
    out.put("amount_usd", Money.toUsd(pack.priceMicros()));
    out.put("credits_usd", Money.toUsd(pack.creditsMicros()));
    out.put("currency", "usd");
    out.put("pack", pack.packId());
    out.put("customer_id", customer);
    if (sdkVersion != null) out.put("ephemeral_key", call("Stripe", () -> gw.createEphemeralKey(customer, sdkVersion)));
    ctx.json(out);
  }
}
