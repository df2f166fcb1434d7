package io.genrtl.payments;

import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.BillingEvent;
import io.genrtl.core.billing.BillingEvent.CheckoutCompleted;
import io.genrtl.core.billing.BillingEvent.CreditPackPaid;
import io.genrtl.core.billing.BillingEvent.Ignored;
import io.genrtl.core.billing.BillingEvent.PaymentFailed;
import io.genrtl.core.billing.BillingEvent.PeriodPaid;
import io.genrtl.core.billing.BillingEvent.SubscriptionChanged;
import io.genrtl.payments.MalformedEventException.Problem;
import io.genrtl.payments.internal.Node;
import java.util.List;

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
 *
 * <p>Every field read for a handled type is checked ({@link Node}: ids, tokens, whole cents up to $1,000,000, times
 * within 2000–2200, periods that end after they start); anything else throws a {@link MalformedEventException} naming
 * the field, so that a signed event that cannot be applied is refused with its reason instead of half-applied.
 */
public final class StripeEventParser {
  public static final String META_USER_ID = "user_id";
  public static final String META_PACK_ID = "pack_id";

  public BillingEvent parse(byte[] rawBody) {
    Node event = Node.root(rawBody);
    String id = null;
    String type = null;
    try {
      id = event.requiredId("id");
      type = event.requiredToken("type");
      Node object = event.requiredObj("data").requiredObj("object");
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
          return paymentFailed(id, type, object);
        case "payment_intent.succeeded":
          return paymentIntentSucceeded(id, type, object);
        default:
          return new Ignored(BillingEvent.STRIPE, id, type, "not handled");
      }
    } catch (MalformedEventException e) {
      throw e.withEvent(id, type);
    }
  }

  private static CheckoutCompleted checkoutCompleted(String id, Node s) {
    String checkoutId = s.requiredId("id");
    String userId = s.id("client_reference_id");
    String metaUser = s.obj("metadata").id(META_USER_ID);
    if (userId == null) userId = metaUser;
    return new CheckoutCompleted(BillingEvent.STRIPE, id, checkoutId, s.token("mode"), userId, s.idOf("customer"),
        s.idOf("subscription"), s.idOf("payment_intent"));
  }

  /** Maps a Stripe Subscription object (from an event or fetched) to a {@link SubscriptionChanged} or {@link Ignored}. */
  static BillingEvent subscription(Node sub, String eventId, String type, boolean deleted) {
    String subId = sub.requiredId("id");
    String stripeStatus = deleted ? sub.token("status") : sub.requiredToken("status");
    List<Node> items = sub.obj("items").objects("data");
    Node item = items.isEmpty() ? Node.of(null, sub.path("items.data[0]")) : items.get(0);
    Long start = sub.millis("current_period_start");
    Long end = sub.millis("current_period_end");
    sub.requireOrdered("current_period_end", start, end);
    Long itemStart = item.millis("current_period_start");
    Long itemEnd = item.millis("current_period_end");
    item.requireOrdered("current_period_end", itemStart, itemEnd);
    if (start == null) start = itemStart;
    if (end == null) end = itemEnd;
    sub.requireOrdered("current_period_end", start, end);
    String price = item.idOf("price");
    String itemPlan = item.idOf("plan");
    String subPlan = sub.idOf("plan");
    if (price == null) price = itemPlan;
    if (price == null) price = subPlan;
    String customer = sub.idOf("customer");
    String userId = sub.obj("metadata").id(META_USER_ID);
    boolean cancelAtEnd = sub.bool("cancel_at_period_end");
    BillingStatus status;
    if (deleted) {
      status = BillingStatus.ENDED;
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
    boolean period = start != null && end != null; // half a period is no period: the host keeps the one it has
    return new SubscriptionChanged(BillingEvent.STRIPE, eventId, subId, customer, userId, price, status,
        period ? start : 0, period ? end : 0, cancelAtEnd);
  }

  private static String invoiceSubscription(Node inv) {
    String sub = inv.idOf("subscription");
    String parentSub = inv.obj("parent").obj("subscription_details").idOf("subscription");
    return sub != null ? sub : parentSub;
  }

  private static BillingEvent invoicePaid(String id, String type, Node inv) {
    String invoiceId = inv.requiredId("id");
    String subId = invoiceSubscription(inv);
    Node line = subscriptionLine(inv);
    String customer = inv.idOf("customer");
    Long paidCents = inv.cents("amount_paid");
    String currency = inv.token("currency");
    if (subId == null && line != null) subId = lineSubscription(line);
    if (subId == null) return new Ignored(BillingEvent.STRIPE, id, type, "not a subscription invoice");
    if (line == null) return new Ignored(BillingEvent.STRIPE, id, type, "no subscription line; fetch the subscription");
    Node period = line.requiredObj("period");
    Long start = period.millis("start");
    Long end = period.millis("end");
    if (start == null) throw period.fail("start", Problem.MISSING, "is required");
    if (end == null) throw period.fail("end", Problem.MISSING, "is required");
    period.requireOrdered("end", start, end);
    String price = linePrice(line);
    Long paid = Node.usdMicros(paidCents, currency);
    return new PeriodPaid(BillingEvent.STRIPE, id, subId, customer, price, start, end, invoiceId, paid == null ? 0 : paid);
  }

  /**
   * The invoice line that bills the subscription's period: the first non-proration subscription line, else any. The
   * fields that choose it are checked on every line.
   */
  private static Node subscriptionLine(Node inv) {
    Node fallback = null;
    Node chosen = null;
    for (Node l : inv.obj("lines").objects("data")) {
      Node details = l.obj("parent").obj("subscription_item_details");
      String lineType = l.token("type");
      String lineSub = lineSubscription(l);
      boolean isSub = "subscription".equals(lineType) || details.present() || lineSub != null;
      boolean proration = l.bool("proration") | details.bool("proration");
      if (!isSub || chosen != null) continue;
      if (!proration) chosen = l;
      else if (fallback == null) fallback = l;
    }
    return chosen != null ? chosen : fallback;
  }

  private static String lineSubscription(Node line) {
    String s = line.idOf("subscription");
    String parent = line.obj("parent").obj("subscription_item_details").idOf("subscription");
    return s != null ? s : parent;
  }

  private static String linePrice(Node line) {
    String details = line.obj("pricing").obj("price_details").idOf("price");
    String price = line.idOf("price");
    String plan = line.idOf("plan");
    return details != null ? details : price != null ? price : plan;
  }

  private static BillingEvent paymentFailed(String id, String type, Node inv) {
    String invoiceId = inv.requiredId("id");
    String subId = invoiceSubscription(inv);
    Node line = subscriptionLine(inv);
    if (subId == null && line != null) subId = lineSubscription(line);
    Long attempts = inv.integer("attempt_count", 0, 10_000);
    Long next = inv.millis("next_payment_attempt");
    String customer = inv.idOf("customer");
    if (subId == null) return new Ignored(BillingEvent.STRIPE, id, type, "not a subscription invoice");
    return new PaymentFailed(BillingEvent.STRIPE, id, subId, customer, invoiceId,
        attempts == null ? 0 : attempts.intValue(), next);
  }

  private static BillingEvent paymentIntentSucceeded(String id, String type, Node pi) {
    String paymentId = pi.requiredId("id");
    Node meta = pi.obj("metadata");
    String packId = meta.id(META_PACK_ID);
    String userId = meta.id(META_USER_ID);
    Long received = pi.cents("amount_received");
    Long amount = pi.cents("amount");
    String currency = pi.token("currency");
    if (packId == null) return new Ignored(BillingEvent.STRIPE, id, type, "not a credit pack payment");
    String amountField = received == null || received == 0 ? "amount" : "amount_received";
    Long cents = received == null || received == 0 ? amount : received;
    if (currency == null) throw pi.fail("currency", Problem.MISSING, "is required for a credit pack payment");
    Long micros = Node.usdMicros(cents, currency);
    if (!currency.equalsIgnoreCase("usd")) return new Ignored(BillingEvent.STRIPE, id, type, "credit pack not paid in USD");
    if (micros == null) throw pi.fail(amountField, Problem.MISSING, "is required for a credit pack payment");
    if (micros == 0) throw pi.fail(amountField, Problem.OUT_OF_RANGE, "must be more than 0 for a credit pack payment");
    if (userId == null) throw meta.fail(META_USER_ID, Problem.MISSING, "is required for a credit pack payment");
    return new CreditPackPaid(BillingEvent.STRIPE, id, paymentId, userId, packId, micros);
  }
}
