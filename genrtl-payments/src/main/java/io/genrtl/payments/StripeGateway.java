package io.genrtl.payments;

import io.genrtl.core.billing.BillingEvent;
import com.google.gson.JsonObject;
import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.Customer;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import com.stripe.net.ApiResource;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.billing.MeterEventCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import java.util.Objects;

/**
 * The Stripe calls genRTL makes, on a {@link StripeClient} (never the static {@code Stripe.apiKey}). Build it with
 * {@link #create(String, String)} from {@code STRIPE_SECRET_KEY} and, for tests or a proxy, {@code STRIPE_API_BASE}.
 * Failures surface as {@link PaymentProviderException}; nothing here logs.
 */
public final class StripeGateway {
  public static final String META_USER_ID = StripeEventParser.META_USER_ID;
  public static final String META_PACK_ID = StripeEventParser.META_PACK_ID;

  private final StripeClient client;

  public StripeGateway(StripeClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * A gateway for a secret key; {@code apiBase} (e.g. {@code http://127.0.0.1:8089}) replaces
   * {@code https://api.stripe.com} when not null or blank.
   */
  public static StripeGateway create(String secretKey, String apiBase) {
    if (secretKey == null || secretKey.isBlank()) throw new IllegalArgumentException("a Stripe secret key is required");
    StripeClient.StripeClientBuilder b = StripeClient.builder().setApiKey(secretKey).setMaxNetworkRetries(2);
    if (apiBase != null && !apiBase.isBlank()) {
      String base = apiBase.endsWith("/") ? apiBase.substring(0, apiBase.length() - 1) : apiBase;
      b.setApiBase(base).setMeterEventsBase(base);
    }
    return new StripeGateway(b.build());
  }

  /** Subscribing {@code userId} to a plan's price; {@code customerId} is reused when known, else created. */
  public record SubscriptionCheckoutRequest(String userId, String email, String customerId, String priceId,
      String successUrl, String cancelUrl) {
    public SubscriptionCheckoutRequest {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(priceId, "priceId");
      Objects.requireNonNull(successUrl, "successUrl");
      Objects.requireNonNull(cancelUrl, "cancelUrl");
    }
  }

  /** Where to send the user; {@code customerId} is the one used (store it for the user when it is new). */
  public record CheckoutLink(String sessionId, String url, String customerId) {}

  /** A PaymentIntent for a credit pack: the browser confirms it with {@code clientSecret} (Stripe.js / Elements). */
  public record CreditPackPayment(String paymentIntentId, String clientSecret) {}

  /**
   * Creates a Checkout Session in subscription mode for one unit of the plan's price. Our user id goes into
   * {@code client_reference_id} and into the subscription's metadata ({@code user_id}), so subscription events
   * carry it too.
   */
  public CheckoutLink createSubscriptionCheckout(SubscriptionCheckoutRequest r) {
    String customerId = r.customerId() != null && !r.customerId().isBlank() ? r.customerId() : createCustomer(r.userId(), r.email());
    SessionCreateParams params = SessionCreateParams.builder()
        .setMode(SessionCreateParams.Mode.SUBSCRIPTION)
        .setCustomer(customerId)
        .setClientReferenceId(r.userId())
        .addLineItem(SessionCreateParams.LineItem.builder().setPrice(r.priceId()).setQuantity(1L).build())
        .setSubscriptionData(SessionCreateParams.SubscriptionData.builder().putMetadata(META_USER_ID, r.userId()).build())
        .putMetadata(META_USER_ID, r.userId())
        .setSuccessUrl(r.successUrl())
        .setCancelUrl(r.cancelUrl())
        .build();
    try {
      com.stripe.model.checkout.Session s = client.v1().checkout().sessions().create(params);
      return new CheckoutLink(s.getId(), s.getUrl(), customerId);
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /** Creates a customer for our user (idempotent per user, so a retried checkout does not create a second one). */
  public String createCustomer(String userId, String email) {
    CustomerCreateParams.Builder p = CustomerCreateParams.builder().putMetadata(META_USER_ID, userId);
    if (email != null && !email.isBlank()) p.setEmail(email);
    RequestOptions opts = RequestOptions.builder().setIdempotencyKey("genrtl-customer-" + userId).build();
    try {
      Customer c = client.v1().customers().create(p.build(), opts);
      return c.getId();
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /** A billing portal session for the customer (manage card, cancel, invoices) → its URL. */
  public String createPortalSession(String customerId, String returnUrl) {
    Objects.requireNonNull(customerId, "customerId");
    com.stripe.param.billingportal.SessionCreateParams p = com.stripe.param.billingportal.SessionCreateParams.builder()
        .setCustomer(customerId).setReturnUrl(returnUrl).build();
    try {
      return client.v1().billingPortal().sessions().create(p).getUrl();
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /**
   * A PaymentIntent in USD for a credit pack (automatic payment methods), metadata {@code user_id} and
   * {@code pack_id}; its {@code payment_intent.succeeded} becomes {@link BillingEvent.CreditPackPaid}.
   * {@code amountMicros} must be whole cents; {@code idempotencyKey} (may be null) makes a retried purchase safe.
   */
  public CreditPackPayment createCreditPackPayment(String userId, String customerId, String packId, long amountMicros,
      String idempotencyKey) {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(packId, "packId");
    if (amountMicros <= 0 || amountMicros % 10_000 != 0) {
      throw new IllegalArgumentException("a credit pack costs a positive number of whole cents");
    }
    PaymentIntentCreateParams.Builder p = PaymentIntentCreateParams.builder()
        .setAmount(amountMicros / 10_000)
        .setCurrency("usd")
        .setAutomaticPaymentMethods(PaymentIntentCreateParams.AutomaticPaymentMethods.builder().setEnabled(true).build())
        .putMetadata(META_USER_ID, userId)
        .putMetadata(META_PACK_ID, packId);
    if (customerId != null && !customerId.isBlank()) p.setCustomer(customerId);
    RequestOptions.RequestOptionsBuilder opts = RequestOptions.builder();
    if (idempotencyKey != null && !idempotencyKey.isBlank()) opts.setIdempotencyKey(idempotencyKey);
    try {
      PaymentIntent pi = client.v1().paymentIntents().create(p.build(), opts.build());
      return new CreditPackPayment(pi.getId(), pi.getClientSecret());
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /**
   * An ephemeral key for the customer, for a mobile PaymentSheet that shows the customer's saved payment methods.
   * {@code stripeVersion} is the API version of the mobile SDK asking for it (Stripe requires it) → the key's secret.
   */
  public String createEphemeralKey(String customerId, String stripeVersion) {
    Objects.requireNonNull(customerId, "customerId");
    Objects.requireNonNull(stripeVersion, "stripeVersion");
    com.stripe.param.EphemeralKeyCreateParams p = com.stripe.param.EphemeralKeyCreateParams.builder()
        .setCustomer(customerId).setStripeVersion(stripeVersion).build();
    try {
      return client.v1().ephemeralKeys().create(p).getSecret();
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /**
   * The subscription as Stripe has it now, for when events arrive out of order: a {@link BillingEvent.SubscriptionChanged}
   * (or {@link BillingEvent.Ignored} while incomplete) attributed to {@code eventId}, the event that prompted the fetch.
   */
  public BillingEvent fetchSubscription(String providerSubscriptionId, String eventId) {
    Objects.requireNonNull(providerSubscriptionId, "providerSubscriptionId");
    try {
      Subscription s = client.v1().subscriptions().retrieve(providerSubscriptionId);
      JsonObject raw = s.getRawJsonObject();
      if (raw == null) raw = ApiResource.GSON.toJsonTree(s).getAsJsonObject();
      return StripeEventParser.subscription(io.genrtl.payments.internal.Node.of(raw, ""), eventId, "subscription.fetched",
          false);
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  /**
   * Reports usage to a Billing Meter ({@code POST /v1/billing/meter_events}): {@code value} units for the customer.
   * {@code identifier} is Stripe's dedupe key (use the ledger row or call id: a retry with the same identifier is
   * counted once). {@code timestampSeconds} may be null (now).
   */
  public void reportMeterEvent(String eventName, String stripeCustomerId, long value, String identifier,
      Long timestampSeconds) {
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(stripeCustomerId, "stripeCustomerId");
    Objects.requireNonNull(identifier, "identifier");
    MeterEventCreateParams.Builder p = MeterEventCreateParams.builder()
        .setEventName(eventName)
        .putPayload("stripe_customer_id", stripeCustomerId)
        .putPayload("value", Long.toString(value))
        .setIdentifier(identifier);
    if (timestampSeconds != null) p.setTimestamp(timestampSeconds);
    try {
      client.v1().billing().meterEvents().create(p.build());
    } catch (StripeException e) {
      throw failure(e);
    }
  }

  private static PaymentProviderException failure(StripeException e) {
    Integer status = e.getStatusCode();
    String message = e.getStripeError() != null && e.getStripeError().getMessage() != null
        ? e.getStripeError().getMessage() : e.getClass().getSimpleName();
    return new PaymentProviderException(BillingEvent.STRIPE, status == null ? 0 : status, e.getCode(), message, e);
  }
}
