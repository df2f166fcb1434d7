package io.genrtl.host.http;

import io.genrtl.core.billing.BillingCatalog;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.billing.SignedBody;
import io.genrtl.core.billing.BillingEvent;
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
import java.util.function.UnaryOperator;

/**
 * {@code POST /api/webhooks/stripe} and {@code /creem}: authenticated by the provider's signature over the raw body
 * (no API key). The route verifies the signature, parses the body into a core {@code BillingEvent} and hands it to
 * {@link BillingService#apply}, which records each event's effects and its id in one transaction, so redeliveries
 * change nothing (for Creem, which signs no timestamp, this dedupe is what stops replays). A failing effect (for example an invoice for a
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
    receive(ctx, BillingService.STRIPE, body, stripe.parser()::parse,
        event -> event instanceof BillingEvent.SubscriptionChanged sc ? fresh(sc) : event,
        new BillingCatalog(stripe.planByPrice(), settings.packs()));
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
    receive(ctx, BillingService.CREEM, body, creem.parser()::parse, UnaryOperator.identity(),
        creem.catalog(genrtl.plans(), settings.packs()));
  }

  /**
   * A verified (signed) body: parse it and apply it once ({@link BillingService#apply}). What cannot be applied answers
   * 4xx and is recorded as rejected with its reason (audit action {@code webhook.rejected}): a body the parser refuses
   * is 400 {@code validation_failed} naming the field and the {@code reason}; an effect the core refuses keeps its own
   * 4xx (404 while what the event names is not known yet, so the provider redelivers). Nothing of a rejected event is
   * applied and its id is not claimed. Only a failure of our own side (the database, Stripe's API while fetching a
   * subscription) is 5xx, and it is not recorded.
   */
  private void receive(Context ctx, String provider, byte[] body, Function<byte[], BillingEvent> parse,
      UnaryOperator<BillingEvent> refresh, BillingCatalog catalog) {
    SignedBody signed = SignedBody.of(body);
    BillingEvent event;
    try {
      event = parse.apply(body);
    } catch (MalformedEventException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("field", e.field());
      details.put("reason", e.problem().wire());
      GenRtlException why = new GenRtlException(ErrorCode.VALIDATION_FAILED, "the event cannot be applied: "
          + e.getMessage(), details);
      genrtl.billing().reject(provider, e.eventId(), e.eventType(), signed, why);
      throw why;
    }
    boolean applied = genrtl.billing().apply(provider, refresh.apply(event), catalog, signed);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("received", true);
    out.put("applied", applied);
    ctx.json(out);
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
