package io.genrtl.payments;

import com.google.gson.JsonObject;
import io.genrtl.payments.BillingEvent.CheckoutCompleted;
import io.genrtl.payments.BillingEvent.CreditPackPaid;
import io.genrtl.payments.BillingEvent.Ignored;
import io.genrtl.payments.BillingEvent.PeriodPaid;
import io.genrtl.payments.BillingEvent.SubscriptionChanged;
import io.genrtl.payments.internal.Json;

/**
 * Turns a verified Creem webhook ({@code {"id", "eventType", "created_at", "object"}}) into a {@link BillingEvent}.
 *
 * <ul>
 *   <li>{@code checkout.completed} of a one-time order with metadata {@code pack_id} → {@link CreditPackPaid}
 *       (payment id = order id); any other {@code checkout.completed} → {@link CheckoutCompleted}</li>
 *   <li>{@code subscription.paid} → {@link PeriodPaid} ({@code current_period_*_date}, invoice id = the last
 *       transaction)</li>
 *   <li>{@code subscription.active|trialing|update|past_due|paused|scheduled_cancel|canceled|expired} →
 *       {@link SubscriptionChanged} ({@code expired} → {@code ended}; {@code scheduled_cancel} → {@code active} with
 *       cancel at period end)</li>
 *   <li>anything else (refunds, disputes, unknown) → {@link Ignored}</li>
 * </ul>
 * Our user id is read from metadata {@code user_id} (set by {@link CreemGateway}), then {@code userId}.
 */
public final class CreemEventParser {
  public static final String META_USER_ID = "user_id";

  public BillingEvent parse(byte[] rawBody) {
    JsonObject event = Json.parseObject(rawBody);
    String id = Json.str(event, "id");
    String type = Json.str(event, "eventType");
    JsonObject object = Json.obj(event, "object");
    if (id == null || type == null || object == null) {
      throw new MalformedEventException("not a Creem event: id, eventType and object are required");
    }
    switch (type) {
      case "checkout.completed":
        return checkoutCompleted(id, type, object);
      case "subscription.paid":
        return subscriptionPaid(id, type, object);
      case "subscription.active":
      case "subscription.trialing":
      case "subscription.update":
      case "subscription.past_due":
      case "subscription.paused":
      case "subscription.scheduled_cancel":
      case "subscription.canceled":
      case "subscription.expired":
        return subscriptionChanged(id, type, object);
      default:
        return new Ignored(BillingEvent.CREEM, id, type, "not handled");
    }
  }

  private static String userId(JsonObject metadata) {
    String u = Json.str(metadata, META_USER_ID);
    return u != null ? u : Json.str(metadata, "userId");
  }

  private static BillingEvent checkoutCompleted(String id, String type, JsonObject ch) {
    JsonObject meta = Json.obj(ch, "metadata");
    JsonObject order = Json.obj(ch, "order");
    String subId = Json.idOf(ch, "subscription");
    String packId = Json.str(meta, StripeEventParser.META_PACK_ID);
    String orderType = Json.str(order, "type");
    if (orderType == null) orderType = Json.str(Json.obj(ch, "product"), "billing_type");
    boolean oneTime = subId == null && !"recurring".equals(orderType);
    if (oneTime && packId != null) {
      String orderId = Json.str(order, "id");
      if (orderId == null) return new Ignored(BillingEvent.CREEM, id, type, "credit pack checkout without an order");
      Long cents = Json.num(order, "amount_paid");
      if (cents == null) cents = Json.num(order, "amount");
      Long micros = Json.usdCentsToMicros(cents, Json.str(order, "currency"));
      if (micros == null) return new Ignored(BillingEvent.CREEM, id, type, "credit pack not paid in USD");
      return new CreditPackPaid(BillingEvent.CREEM, id, orderId, userId(meta), packId, micros);
    }
    String customer = Json.idOf(ch, "customer");
    if (customer == null) customer = Json.idOf(order, "customer");
    return new CheckoutCompleted(BillingEvent.CREEM, id, Json.str(ch, "id"), subId != null ? "subscription" : "payment",
        userId(meta), customer, subId, Json.str(order, "id"));
  }

  private static String productId(JsonObject sub) {
    return Json.idOf(sub, "product");
  }

  private static BillingEvent subscriptionPaid(String id, String type, JsonObject sub) {
    String subId = Json.str(sub, "id");
    Long start = Json.millis(sub, "current_period_start_date");
    Long end = Json.millis(sub, "current_period_end_date");
    if (subId == null || start == null || end == null || end <= start) {
      return new Ignored(BillingEvent.CREEM, id, type, "subscription without id or period");
    }
    JsonObject tx = Json.obj(sub, "last_transaction");
    String invoiceId = Json.str(sub, "last_transaction_id");
    if (invoiceId == null) invoiceId = Json.str(tx, "id");
    Long cents = Json.num(tx, "amount_paid");
    if (cents == null) cents = Json.num(tx, "amount");
    Long micros = Json.usdCentsToMicros(cents, Json.str(tx, "currency"));
    return new PeriodPaid(BillingEvent.CREEM, id, subId, Json.idOf(sub, "customer"), productId(sub), start, end,
        invoiceId, micros == null ? 0 : micros);
  }

  private static BillingEvent subscriptionChanged(String id, String type, JsonObject sub) {
    String subId = Json.str(sub, "id");
    if (subId == null) throw new MalformedEventException("subscription without id");
    String creemStatus = type.equals("subscription.expired") ? "expired" : Json.str(sub, "status");
    if (creemStatus == null) creemStatus = type.substring("subscription.".length());
    BillingStatus status;
    boolean cancelAtEnd = false;
    switch (creemStatus) {
      case "active": status = BillingStatus.ACTIVE; break;
      case "trialing": status = BillingStatus.TRIALING; break;
      case "past_due": case "unpaid": status = BillingStatus.PAST_DUE; break;
      case "scheduled_cancel": status = BillingStatus.ACTIVE; cancelAtEnd = true; break;
      case "canceled": case "paused": status = BillingStatus.CANCELED; break;
      case "expired": status = BillingStatus.ENDED; break;
      default:
        return new Ignored(BillingEvent.CREEM, id, type, "unknown subscription status");
    }
    Long start = Json.millis(sub, "current_period_start_date");
    Long end = Json.millis(sub, "current_period_end_date");
    return new SubscriptionChanged(BillingEvent.CREEM, id, subId, Json.idOf(sub, "customer"),
        userId(Json.obj(sub, "metadata")), productId(sub), status, start == null ? 0 : start, end == null ? 0 : end,
        cancelAtEnd);
  }
}
