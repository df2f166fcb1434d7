package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
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
 * subscription we have not seen yet) answers non-2xx, and the provider retries it later. A signed event that cannot be
 * applied is recorded as rejected with its reason (see {@link #receive} and docs/payments.md for the rule).
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
    receive(ctx, BillingService.STRIPE, body, stripe.parser()::parse, event -> {
      BillingEvent e = event instanceof BillingEvent.SubscriptionChanged sc ? fresh(sc) : event;
      return apply(BillingService.STRIPE, e, price -> price == null ? null : stripe.planByPrice().get(price));
    });
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
    receive(ctx, BillingService.CREEM, body, creem.parser()::parse, event -> apply(BillingService.CREEM, event,
        product -> creem.idOfProduct(product).filter(id -> genrtl.plans().find(id).isPresent()).orElse(null)));
  }

  /**
   * A verified (signed) body: parse it and apply it once. What cannot be applied answers 4xx and is recorded as
   * rejected with its reason ({@link BillingService#recordRejected}, audit action {@code webhook.rejected}): a body
   * the parser refuses is 400 {@code validation_failed} naming the field and the {@code reason}; an effect the core
   * refuses keeps its own 4xx (404 while what the event names is not known yet, so the provider redelivers). Nothing
   * of a rejected event is applied and its id is not claimed. Only a failure of our own side (the database, Stripe's
   * API while fetching a subscription) is 5xx, and it is not recorded.
   */
  private void receive(Context ctx, String provider, byte[] body, Function<byte[], BillingEvent> parse,
      Function<BillingEvent, Boolean> apply) {
    BillingEvent event;
    try {
      event = parse.apply(body);
    } catch (MalformedEventException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("field", e.field());
      details.put("reason", e.problem().wire());
      GenRtlException why = new GenRtlException(ErrorCode.VALIDATION_FAILED, "the event cannot be applied: "
          + e.getMessage(), details);
      genrtl.billing().recordRejected(provider, e.eventId(), e.eventType(), sha256(body), body.length, why);
      throw why;
    }
    boolean applied;
    try {
      applied = apply.apply(event);
    } catch (GenRtlException e) {
      if (Problems.status(e.code()) >= 500) throw e;
      genrtl.billing().recordRejected(provider, event.eventId(), kind(event), sha256(body), body.length, e);
      throw e;
    }
    answer(ctx, applied);
  }

  /** The kind of a parsed event for the rejection record ({@code period_paid}, …; Ignored events carry their type). */
  private static String kind(BillingEvent e) {
    if (e instanceof BillingEvent.Ignored i) return i.type();
    return e.getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private static String sha256(byte[] body) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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
      Subscription existing = genrtl.stores().accounts().subscriptions().find(sc.providerSubscriptionId()).orElse(null);
      String userId = sc.userId() != null ? sc.userId()
          : existing != null ? existing.userId() : billing.userOfCustomer(provider, sc.customerId()).orElse(null);
      String plan = planOf.apply(sc.planPriceId());
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
      return billing.processOnce(provider, sc.eventId(), () -> {
        billing.subscriptionChanged(userId, provider, sc.providerSubscriptionId(), p,
            SubscriptionStatus.fromWire(sc.status().wire()), s, e);
        billing.linkCustomer(userId, provider, sc.customerId());
      });
    }
    if (event instanceof BillingEvent.PeriodPaid pp) {
      boolean known = genrtl.stores().accounts().subscriptions().find(pp.providerSubscriptionId()).isPresent();
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
    } catch (MalformedEventException e) { // Stripe's API answered a subscription we cannot read: their side, retry later
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "Stripe's copy of the subscription could not be read ("
          + e.field() + " " + e.problem().wire() + "); deliver the event again later");
    }
    return now instanceof BillingEvent.SubscriptionChanged c ? c : sc;
  }
}
