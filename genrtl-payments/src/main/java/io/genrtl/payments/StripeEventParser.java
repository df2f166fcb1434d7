package io.genrtl.payments;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.genrtl.payments.BillingEvent.CheckoutCompleted;
import io.genrtl.payments.BillingEvent.CreditPackPaid;
import io.genrtl.payments.BillingEvent.Ignored;
import io.genrtl.payments.BillingEvent.PaymentFailed;
import io.genrtl.payments.BillingEvent.PeriodPaid;
import io.genrtl.payments.BillingEvent.SubscriptionChanged;
import io.genrtl.payments.internal.Json;

/**
 * Turns a verified Stripe event (the raw webhook body) into a {@link BillingEvent}. Reads the JSON tree rather than
 * stripe-java's typed models, so both the older API shapes ({@code subscription.current_period_*},
 * {@code invoice.subscription}) and the current ones ({@code items.data[].current_period_*},
 * {@code invoice.parent.subscription_details.subscription}, line {@code pricing.price_details.price}) are understood.
 *
 * <ul>
 *   <li>{@code checkout.session.completed} → {@link CheckoutCompleted} (user from {@code client_reference_id})</li>
 *   <li>{@code customer.subscription.created|updated|paused|resumed} → {@link SubscriptionChanged};
 *       {@code customer.subscription.deleted} → {@link SubscriptionChanged} with status {@code ended}</li>
 *   <li>{@code invoice.paid} of a subscription → {@link PeriodPaid} (period of the subscription line, not the
 *       invoice's own {@code period_*}, which is the previous period)</li>
 *   <li>{@code invoice.payment_failed} → {@link PaymentFailed}</li>
 *   <li>{@code payment_intent.succeeded} with metadata {@code pack_id} → {@link CreditPackPaid}</li>
 *   <li>anything else → {@link Ignored}</li>
 * </ul>
 */
public final class StripeEventParser {
  public static final String META_USER_ID = "user_id";
  public static final String META_PACK_ID = "pack_id";

  public BillingEvent parse(byte[] rawBody) {
    JsonObject event = Json.parseObject(rawBody);
    String id = Json.str(event, "id");
    String type = Json.str(event, "type");
    JsonObject object = Json.obj(Json.obj(event, "data"), "object");
    if (id == null || type == null || object == null) {
      throw new MalformedEventException("not a Stripe event: id, type and data.object are required");
    }
    switch (type) {
      case "checkout.session.completed":
        return checkoutCompleted(id, object);
      case "customer.subscription.created":
      case "customer.subscription.updated":
      case "customer.subscription.paused":
      case "customer.subscription.resumed":
        return subscription(object, id, type, false);
      case "customer.subscription.deleted":
        return subscription(object, id, type, true);
      case "invoice.paid":
        return invoicePaid(id, type, object);
      case "invoice.payment_failed":
        return paymentFailed(id, object);
      case "payment_intent.succeeded":
        return paymentIntentSucceeded(id, type, object);
      default:
        return new Ignored(BillingEvent.STRIPE, id, type, "not handled");
    }
  }

  private static CheckoutCompleted checkoutCompleted(String id, JsonObject s) {
    String userId = Json.str(s, "client_reference_id");
    if (userId == null) userId = Json.str(Json.obj(s, "metadata"), META_USER_ID);
    return new CheckoutCompleted(BillingEvent.STRIPE, id, Json.str(s, "id"), Json.str(s, "mode"), userId,
        Json.idOf(s, "customer"), Json.idOf(s, "subscription"), Json.idOf(s, "payment_intent"));
  }

  /** Maps a Stripe Subscription object (from an event or fetched) to a {@link SubscriptionChanged} or {@link Ignored}. */
  static BillingEvent subscription(JsonObject sub, String eventId, String type, boolean deleted) {
    String subId = Json.str(sub, "id");
    if (subId == null) throw new MalformedEventException("subscription without id");
    String stripeStatus = Json.str(sub, "status");
    BillingStatus status;
    if (deleted) {
      status = BillingStatus.ENDED;
    } else if (stripeStatus == null) {
      throw new MalformedEventException("subscription without status");
    } else {
      switch (stripeStatus) {
        case "active": status = BillingStatus.ACTIVE; break;
        case "trialing": status = BillingStatus.TRIALING; break;
        case "past_due": case "unpaid": status = BillingStatus.PAST_DUE; break;
        case "canceled": case "paused": status = BillingStatus.CANCELED; break;
        case "incomplete_expired": status = BillingStatus.ENDED; break;
        case "incomplete":
          return new Ignored(BillingEvent.STRIPE, eventId, type, "subscription incomplete: first payment not made");
        default:
          return new Ignored(BillingEvent.STRIPE, eventId, type, "unknown subscription status");
      }
    }
    JsonObject item = Json.first(Json.obj(sub, "items"), "data");
    Long start = Json.millis(sub, "current_period_start");
    Long end = Json.millis(sub, "current_period_end");
    if (start == null) start = Json.millis(item, "current_period_start");
    if (end == null) end = Json.millis(item, "current_period_end");
    String price = Json.idOf(item, "price");
    if (price == null) price = Json.idOf(item, "plan");
    if (price == null) price = Json.idOf(sub, "plan");
    return new SubscriptionChanged(BillingEvent.STRIPE, eventId, subId, Json.idOf(sub, "customer"),
        Json.str(Json.obj(sub, "metadata"), META_USER_ID), price, status, start == null ? 0 : start,
        end == null ? 0 : end, Json.bool(sub, "cancel_at_period_end"));
  }

  private static String invoiceSubscription(JsonObject inv) {
    String sub = Json.idOf(inv, "subscription");
    if (sub == null) sub = Json.idOf(Json.obj(Json.obj(inv, "parent"), "subscription_details"), "subscription");
    return sub;
  }

  private static BillingEvent invoicePaid(String id, String type, JsonObject inv) {
    String subId = invoiceSubscription(inv);
    JsonObject line = subscriptionLine(inv);
    if (subId == null && line != null) subId = lineSubscription(line);
    if (subId == null) return new Ignored(BillingEvent.STRIPE, id, type, "not a subscription invoice");
    JsonObject period = Json.obj(line, "period");
    Long start = Json.millis(period, "start");
    Long end = Json.millis(period, "end");
    if (line == null || start == null || end == null || end <= start) {
      return new Ignored(BillingEvent.STRIPE, id, type, "no subscription line with a period; fetch the subscription");
    }
    Long paid = Json.usdCentsToMicros(Json.num(inv, "amount_paid"), Json.str(inv, "currency"));
    return new PeriodPaid(BillingEvent.STRIPE, id, subId, Json.idOf(inv, "customer"), linePrice(line), start, end,
        Json.str(inv, "id"), paid == null ? 0 : paid);
  }

  /** The invoice line that bills the subscription's period: the first non-proration subscription line, else any. */
  private static JsonObject subscriptionLine(JsonObject inv) {
    JsonObject lines = Json.obj(inv, "lines");
    if (lines == null || lines.get("data") == null || !lines.get("data").isJsonArray()) return null;
    JsonObject fallback = null;
    for (JsonElement e : lines.getAsJsonArray("data")) {
      if (!e.isJsonObject()) continue;
      JsonObject l = e.getAsJsonObject();
      JsonObject parent = Json.obj(l, "parent");
      JsonObject details = Json.obj(parent, "subscription_item_details");
      boolean isSub = "subscription".equals(Json.str(l, "type")) || details != null || Json.idOf(l, "subscription") != null;
      if (!isSub) continue;
      boolean proration = Json.bool(l, "proration") || Json.bool(details, "proration");
      if (!proration) return l;
      if (fallback == null) fallback = l;
    }
    return fallback;
  }

  private static String lineSubscription(JsonObject line) {
    String s = Json.idOf(line, "subscription");
    if (s == null) s = Json.idOf(Json.obj(Json.obj(line, "parent"), "subscription_item_details"), "subscription");
    return s;
  }

  private static String linePrice(JsonObject line) {
    String p = Json.idOf(Json.obj(Json.obj(line, "pricing"), "price_details"), "price");
    if (p == null) p = Json.idOf(line, "price");
    if (p == null) p = Json.idOf(line, "plan");
    return p;
  }

  private static PaymentFailed paymentFailed(String id, JsonObject inv) {
    String subId = invoiceSubscription(inv);
    if (subId == null) {
      JsonObject line = subscriptionLine(inv);
      if (line != null) subId = lineSubscription(line);
    }
    Long attempts = Json.num(inv, "attempt_count");
    return new PaymentFailed(BillingEvent.STRIPE, id, subId, Json.idOf(inv, "customer"), Json.str(inv, "id"),
        attempts == null ? 0 : attempts.intValue(), Json.millis(inv, "next_payment_attempt"));
  }

  private static BillingEvent paymentIntentSucceeded(String id, String type, JsonObject pi) {
    JsonObject meta = Json.obj(pi, "metadata");
    String packId = Json.str(meta, META_PACK_ID);
    if (packId == null) return new Ignored(BillingEvent.STRIPE, id, type, "not a credit pack payment");
    Long cents = Json.num(pi, "amount_received");
    if (cents == null || cents == 0) cents = Json.num(pi, "amount");
    Long micros = Json.usdCentsToMicros(cents, Json.str(pi, "currency"));
    if (micros == null) return new Ignored(BillingEvent.STRIPE, id, type, "credit pack not paid in USD");
    return new CreditPackPaid(BillingEvent.STRIPE, id, Json.str(pi, "id"), Json.str(meta, META_USER_ID), packId, micros);
  }
}
