package io.genrtl.payments;

import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.BillingEvent;
import io.genrtl.core.billing.BillingEvent.CheckoutCompleted;
import io.genrtl.core.billing.BillingEvent.CreditPackPaid;
import io.genrtl.core.billing.BillingEvent.Ignored;
import io.genrtl.core.billing.BillingEvent.PeriodPaid;
import io.genrtl.core.billing.BillingEvent.SubscriptionChanged;
import io.genrtl.payments.MalformedEventException.Problem;
import io.genrtl.payments.internal.Node;

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
 *
 * <p>Every field read for a handled type is checked like {@link StripeEventParser} does ({@link Node}); a paid period
 * needs its id and both period dates, a credit pack its order id, a positive amount and our user id. Anything else
 * throws a {@link MalformedEventException} naming the field.
 */
public final class CreemEventParser {
  public static final String META_USER_ID = "user_id";

  public BillingEvent parse(byte[] rawBody) {
    Node event = Node.root(rawBody);
    String id = null;
    String type = null;
    try {
      id = event.requiredId("id");
      type = event.requiredToken("eventType");
      Node object = event.requiredObj("object");
      switch (type) {
        case "checkout.completed":
          return checkoutCompleted(id, type, object);
        case "subscription.paid":
          return subscriptionPaid(id, object);
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
    } catch (MalformedEventException e) {
      throw e.withEvent(id, type);
    }
  }

  private static String userId(Node metadata) {
    String u = metadata.id(META_USER_ID);
    String alt = metadata.id("userId");
    return u != null ? u : alt;
  }

  private static BillingEvent checkoutCompleted(String id, String type, Node ch) {
    String checkoutId = ch.requiredId("id");
    Node meta = ch.obj("metadata");
    Node order = ch.obj("order");
    String subId = ch.idOf("subscription");
    String packId = meta.id(StripeEventParser.META_PACK_ID);
    String userId = userId(meta);
    String orderType = order.token("type");
    String billingType = ch.expanded("product").token("billing_type");
    String orderId = order.id("id");
    Long paid = order.cents("amount_paid");
    Long amount = order.cents("amount");
    String currency = order.token("currency");
    String customer = ch.idOf("customer");
    String orderCustomer = order.idOf("customer");
    if (orderType == null) orderType = billingType;
    boolean oneTime = subId == null && !"recurring".equals(orderType);
    if (oneTime && packId != null) {
      if (orderId == null) throw order.fail("id", Problem.MISSING, "is required for a credit pack checkout");
      String amountField = paid != null ? "amount_paid" : "amount";
      Long cents = paid != null ? paid : amount;
      if (currency == null) throw order.fail("currency", Problem.MISSING, "is required for a credit pack checkout");
      if (!currency.equalsIgnoreCase("usd")) return new Ignored(BillingEvent.CREEM, id, type, "credit pack not paid in USD");
      if (cents == null) throw order.fail(amountField, Problem.MISSING, "is required for a credit pack checkout");
      if (cents == 0) throw order.fail(amountField, Problem.OUT_OF_RANGE, "must be more than 0 for a credit pack checkout");
      if (userId == null) throw meta.fail(META_USER_ID, Problem.MISSING, "is required for a credit pack checkout");
      return new CreditPackPaid(BillingEvent.CREEM, id, orderId, userId, packId, Node.usdMicros(cents, currency));
    }
    if (customer == null) customer = orderCustomer;
    return new CheckoutCompleted(BillingEvent.CREEM, id, checkoutId, subId != null ? "subscription" : "payment",
        userId, customer, subId, orderId);
  }

  private static BillingEvent subscriptionPaid(String id, Node sub) {
    String subId = sub.requiredId("id");
    Long start = sub.millis("current_period_start_date");
    Long end = sub.millis("current_period_end_date");
    if (start == null) throw sub.fail("current_period_start_date", Problem.MISSING, "is required for a paid period");
    if (end == null) throw sub.fail("current_period_end_date", Problem.MISSING, "is required for a paid period");
    sub.requireOrdered("current_period_end_date", start, end);
    Node tx = sub.obj("last_transaction");
    String txId = sub.id("last_transaction_id");
    String nestedTxId = tx.id("id");
    Long paid = tx.cents("amount_paid");
    Long amount = tx.cents("amount");
    String currency = tx.token("currency");
    String customer = sub.idOf("customer");
    String product = sub.idOf("product");
    Long micros = Node.usdMicros(paid != null ? paid : amount, currency);
    return new PeriodPaid(BillingEvent.CREEM, id, subId, customer, product, start, end,
        txId != null ? txId : nestedTxId, micros == null ? 0 : micros);
  }

  private static BillingEvent subscriptionChanged(String id, String type, Node sub) {
    String subId = sub.requiredId("id");
    String objectStatus = sub.token("status");
    Long start = sub.millis("current_period_start_date");
    Long end = sub.millis("current_period_end_date");
    sub.requireOrdered("current_period_end_date", start, end);
    String customer = sub.idOf("customer");
    String userId = userId(sub.obj("metadata"));
    String product = sub.idOf("product");
    String creemStatus = type.equals("subscription.expired") ? "expired" : objectStatus;
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
    boolean period = start != null && end != null; // half a period is no period: the host keeps the one it has
    return new SubscriptionChanged(BillingEvent.CREEM, id, subId, customer, userId, product, status,
        period ? start : 0, period ? end : 0, cancelAtEnd);
  }
}
