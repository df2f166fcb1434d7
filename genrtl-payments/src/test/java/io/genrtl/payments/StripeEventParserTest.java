package io.genrtl.payments;

import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.BillingEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.billing.BillingEvent.CheckoutCompleted;
import io.genrtl.core.billing.BillingEvent.CreditPackPaid;
import io.genrtl.core.billing.BillingEvent.Ignored;
import io.genrtl.core.billing.BillingEvent.PaymentFailed;
import io.genrtl.core.billing.BillingEvent.PeriodPaid;
import io.genrtl.core.billing.BillingEvent.SubscriptionChanged;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StripeEventParserTest {
  static final String USER = "01JUSER0000000000000000001";
  final StripeEventParser parser = new StripeEventParser();

  BillingEvent parse(String fixture) {
    return parser.parse(Fixtures.read("stripe/" + fixture));
  }

  @Test
  void checkoutSessionCompleted() {
    assertThat(parse("checkout.session.completed.json")).isEqualTo(new CheckoutCompleted("stripe",
        "evt_1QCheckout000000000000001", "cs_test_a1b2c3", "subscription", USER, "cus_Qa1b2c3", "sub_1QSub0001", null));
  }

  @Test
  void subscriptionUpdatedWithPeriodOnTheItem() {
    assertThat(parse("customer.subscription.updated.json")).isEqualTo(new SubscriptionChanged("stripe",
        "evt_1QSubUpdated0000000000001", "sub_1QSub0001", "cus_Qa1b2c3", USER, "price_pro_monthly",
        BillingStatus.ACTIVE, 1_767_225_600_000L, 1_769_904_000_000L, true));
  }

  @Test
  void subscriptionDeletedInTheOlderShapeEnds() {
    SubscriptionChanged e = (SubscriptionChanged) parse("customer.subscription.deleted.legacy.json");
    assertThat(e.status()).isEqualTo(BillingStatus.ENDED);
    assertThat(e.periodStart()).isEqualTo(1_767_225_600_000L);
    assertThat(e.periodEnd()).isEqualTo(1_769_904_000_000L);
    assertThat(e.planPriceId()).isEqualTo("price_pro_monthly");
    assertThat(e.userId()).isNull();
  }

  @Test
  void invoicePaidUsesTheSubscriptionLinePeriod() {
    assertThat(parse("invoice.paid.json")).isEqualTo(new PeriodPaid("stripe", "evt_1QInvoicePaid000000000001",
        "sub_1QSub0001", "cus_Qa1b2c3", "price_pro_monthly", 1_769_904_000_000L, 1_772_323_200_000L,
        "in_1QInvoice0002", 20_000_000L));
  }

  @Test
  void invoicePaidInTheOlderShapeSkipsProrationLines() {
    PeriodPaid e = (PeriodPaid) parse("invoice.paid.legacy.json");
    assertThat(e.providerSubscriptionId()).isEqualTo("sub_1QSub0001");
    assertThat(e.periodStart()).isEqualTo(1_767_225_600_000L);
    assertThat(e.periodEnd()).isEqualTo(1_769_904_000_000L);
    assertThat(e.planPriceId()).isEqualTo("price_pro_monthly");
    assertThat(e.invoiceId()).isEqualTo("in_1QInvoice0001");
  }

  @Test
  void invoiceWithoutSubscriptionIsIgnored() {
    String json = "{\"id\":\"evt_x\",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"id\":\"in_x\",\"object\":\"invoice\","
        + "\"amount_paid\":100,\"currency\":\"usd\",\"lines\":{\"data\":[{\"id\":\"il_x\",\"type\":\"invoiceitem\","
        + "\"period\":{\"start\":1,\"end\":2}}]}}}}";
    assertThat(parser.parse(json.getBytes(StandardCharsets.UTF_8))).isInstanceOf(Ignored.class);
  }

  @Test
  void invoicePaymentFailed() {
    assertThat(parse("invoice.payment_failed.json")).isEqualTo(new PaymentFailed("stripe",
        "evt_1QInvoiceFailed0000000001", "sub_1QSub0001", "cus_Qa1b2c3", "in_1QInvoice0003", 1, 1_770_163_400_000L));
  }

  @Test
  void paymentIntentForACreditPack() {
    assertThat(parse("payment_intent.succeeded.json")).isEqualTo(new CreditPackPaid("stripe",
        "evt_3QPaymentIntent0000000001", "pi_3QPack0001", USER, "credits_50", 50_000_000L));
  }

  @Test
  void paymentIntentOfAnInvoiceIsIgnored() {
    assertThat(parse("payment_intent.succeeded.invoice.json"))
        .isEqualTo(new Ignored("stripe", "evt_3QPaymentIntent0000000002", "payment_intent.succeeded",
            "not a credit pack payment"));
  }

  @Test
  void unknownTypesAreIgnored() {
    Ignored i = (Ignored) parse("customer.created.json");
    assertThat(i.eventId()).isEqualTo("evt_1QCustomerCreated00000001");
    assertThat(i.type()).isEqualTo("customer.created");
  }

  @Test
  void incompleteSubscriptionsAreIgnoredAndUnpaidIsPastDue() {
    String tpl = "{\"id\":\"evt_s\",\"type\":\"customer.subscription.updated\",\"data\":{\"object\":{\"id\":\"sub_s\","
        + "\"object\":\"subscription\",\"customer\":\"cus_s\",\"status\":\"%s\",\"items\":{\"data\":[]}}}}";
    assertThat(parser.parse(String.format(tpl, "incomplete").getBytes(StandardCharsets.UTF_8))).isInstanceOf(Ignored.class);
    assertThat(((SubscriptionChanged) parser.parse(String.format(tpl, "unpaid").getBytes(StandardCharsets.UTF_8))).status())
        .isEqualTo(BillingStatus.PAST_DUE);
    assertThat(((SubscriptionChanged) parser.parse(String.format(tpl, "trialing").getBytes(StandardCharsets.UTF_8))).status())
        .isEqualTo(BillingStatus.TRIALING);
  }

  @Test
  void malformedBodiesFail() {
    assertThatThrownBy(() -> parser.parse("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(() -> parser.parse("[1]".getBytes(StandardCharsets.UTF_8))).isInstanceOf(MalformedEventException.class);
    assertThatThrownBy(() -> parser.parse("{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class);
  }

  /** The failure for a body, with its field, problem and the envelope's id and type. */
  MalformedEventException refusal(String body) {
    try {
      parser.parse(body.getBytes(StandardCharsets.UTF_8));
    } catch (MalformedEventException e) {
      return e;
    }
    throw new AssertionError("accepted: " + body);
  }

  @Test
  void refusalsAreTypedAndNameTheField() {
    String pi = new String(Fixtures.read("stripe/payment_intent.succeeded.json"), StandardCharsets.UTF_8);
    MalformedEventException e = refusal(pi.replace("\"amount_received\": 5000", "\"amount_received\": -1"));
    assertThat(e.field()).isEqualTo("data.object.amount_received");
    assertThat(e.problem()).isEqualTo(MalformedEventException.Problem.OUT_OF_RANGE);
    assertThat(e.eventId()).isEqualTo("evt_3QPaymentIntent0000000001");
    assertThat(e.eventType()).isEqualTo("payment_intent.succeeded");
    assertThat(refusal(pi.replace("\"amount_received\": 5000", "\"amount_received\": 1e30")).problem())
        .isEqualTo(MalformedEventException.Problem.OUT_OF_RANGE);
    assertThat(refusal(pi.replace("\"amount_received\": 5000", "\"amount_received\": 1e999999999999")).problem())
        .isEqualTo(MalformedEventException.Problem.OUT_OF_RANGE);
    assertThat(refusal(pi.replace("\"amount_received\": 5000", "\"amount_received\": \"5000\"")).problem())
        .isEqualTo(MalformedEventException.Problem.WRONG_TYPE);
    assertThat(refusal(pi.replace("\"id\": \"pi_3QPack0001\",", "")).field()).isEqualTo("data.object.id");
    assertThat(refusal(pi.replace("\"pi_3QPack0001\"", "[]")).problem()).isEqualTo(MalformedEventException.Problem.WRONG_TYPE);
    assertThat(refusal(pi.replace("\"credits_50\"", "\"a\\u0000b\"")).field()).isEqualTo("data.object.metadata.pack_id");
    MalformedEventException env = refusal(pi.replace("\"evt_3QPaymentIntent0000000001\"", "null"));
    assertThat(env.field()).isEqualTo("id");
    assertThat(env.eventId()).isNull();
    String sub = new String(Fixtures.read("stripe/customer.subscription.updated.json"), StandardCharsets.UTF_8);
    MalformedEventException far = refusal(sub.replaceFirst("\"current_period_end\": \\d+", "\"current_period_end\": 99999999999"));
    assertThat(far.problem()).isEqualTo(MalformedEventException.Problem.OUT_OF_RANGE);
    assertThat(far.field()).endsWith("current_period_end");
    assertThat(far.getMessage()).doesNotContain("99999999999");
  }
}
