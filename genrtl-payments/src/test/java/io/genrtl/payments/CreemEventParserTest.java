package io.genrtl.payments;

import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.BillingEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.billing.BillingEvent.CheckoutCompleted;
import io.genrtl.core.billing.BillingEvent.CreditPackPaid;
import io.genrtl.core.billing.BillingEvent.Ignored;
import io.genrtl.core.billing.BillingEvent.PeriodPaid;
import io.genrtl.core.billing.BillingEvent.SubscriptionChanged;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CreemEventParserTest {
  static final String USER = "01JUSER0000000000000000001";
  static final String SUB = "sub_6pC2lNB6joCRQIZ1aMrTpi";
  static final String CUST = "cust_1OcIK1GEuVvXZwD19tjq2z";
  static final String PRODUCT = "prod_d1AY2Sadk9YAvLI0pj97f";
  static final long FEB = 1_769_904_000_000L;
  static final long MAR = 1_772_323_200_000L;
  final CreemEventParser parser = new CreemEventParser();

  BillingEvent parse(String fixture) {
    return parser.parse(Fixtures.read("creem/" + fixture));
  }

  @Test
  void subscriptionCheckoutCompleted() {
    assertThat(parse("checkout.completed.subscription.json")).isEqualTo(new CheckoutCompleted("creem",
        "evt_5WHHcZPv7VS0YUsberIuOz", "ch_4l0N34kxo16AhRKUHFUuXr", "subscription", USER, CUST, SUB,
        "ord_4aDwWXjMLpes4Kj4XqNnUA"));
  }

  @Test
  void oneTimeCheckoutWithAPackIsACreditPack() {
    assertThat(parse("checkout.completed.pack.json")).isEqualTo(new CreditPackPaid("creem", "evt_6XPack0000000000000001",
        "ord_PackOrder000000000001", USER, "credits_50", 50_000_000L));
  }

  @Test
  void subscriptionPaidIsAPaidPeriod() {
    assertThat(parse("subscription.paid.json")).isEqualTo(new PeriodPaid("creem", "evt_21mO1jWmU2QHe7u2oFV7y1", SUB,
        CUST, PRODUCT, FEB, MAR, "tran_5yMaWzAl3jxuGJMCOrYWwk", 20_000_000L));
  }

  @Test
  void subscriptionCanceled() {
    assertThat(parse("subscription.canceled.json")).isEqualTo(new SubscriptionChanged("creem",
        "evt_2iGTc600qGW6FBzloh2Nr7", SUB, CUST, USER, PRODUCT, BillingStatus.CANCELED, FEB, MAR, false));
  }

  @Test
  void subscriptionExpiredEndsWhateverTheObjectSays() {
    SubscriptionChanged e = (SubscriptionChanged) parse("subscription.expired.json");
    assertThat(e.status()).isEqualTo(BillingStatus.ENDED);
    assertThat(e.planPriceId()).isEqualTo(PRODUCT);
    assertThat(e.customerId()).isEqualTo(CUST);
  }

  @Test
  void scheduledCancelStaysActiveUntilThePeriodEnds() {
    String json = "{\"id\":\"evt_sc\",\"eventType\":\"subscription.scheduled_cancel\",\"created_at\":1,\"object\":{"
        + "\"id\":\"sub_x\",\"object\":\"subscription\",\"status\":\"scheduled_cancel\",\"product\":\"prod_x\","
        + "\"customer\":\"cust_x\",\"current_period_start_date\":\"2026-02-01T00:00:00Z\","
        + "\"current_period_end_date\":\"2026-03-01T00:00:00Z\",\"metadata\":{\"userId\":\"u1\"}}}";
    SubscriptionChanged e = (SubscriptionChanged) parser.parse(json.getBytes(StandardCharsets.UTF_8));
    assertThat(e.status()).isEqualTo(BillingStatus.ACTIVE);
    assertThat(e.cancelAtPeriodEnd()).isTrue();
    assertThat(e.userId()).isEqualTo("u1");
    assertThat(e.periodStart()).isEqualTo(FEB);
  }

  @Test
  void refundsAndUnknownTypesAreIgnored() {
    assertThat(parse("refund.created.json"))
        .isEqualTo(new Ignored("creem", "evt_61eTsJHLgJGbwYUQoRFfbB", "refund.created", "not handled"));
  }

  @Test
  void malformedBodiesFail() {
    assertThatThrownBy(() -> parser.parse("{\"id\":\"evt\",\"object\":{}}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedEventException.class);
  }

  @Test
  void refusalsAreTypedAndNameTheField() {
    String paid = new String(Fixtures.read("creem/subscription.paid.json"), StandardCharsets.UTF_8);
    for (String[] c : new String[][] {
        {"\"current_period_end_date\": \"[^\"]*\"", "\"current_period_end_date\": \"+246105574-05-31T00:00:00Z\"",
            "object.current_period_end_date", "out_of_range"},
        {"\"current_period_end_date\": \"[^\"]*\"", "\"current_period_end_date\": {}", "object.current_period_end_date",
            "wrong_type"},
        {"\"current_period_start_date\": \"[^\"]*\"", "\"current_period_start_date\": null",
            "object.current_period_start_date", "missing"},
        {"\"amount_paid\": \\d+", "\"amount_paid\": 9223372036854775808", "object.last_transaction.amount_paid", "out_of_range"},
        {"\"amount_paid\": \\d+", "\"amount_paid\": -1", "object.last_transaction.amount_paid", "out_of_range"}}) {
      String body = paid.replaceFirst(c[0], c[1]);
      assertThat(body).isNotEqualTo(paid);
      assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> {
            assertThat(e.field()).isEqualTo(c[2]);
            assertThat(e.problem().wire()).isEqualTo(c[3]);
            assertThat(e.eventType()).isEqualTo("subscription.paid");
          });
    }
    for (String object : new String[] {"{}", "{\"id\":null}", "{\"id\":[]}", "{\"id\":{}}"}) {
      String body = "{\"id\":\"evt_x\",\"eventType\":\"checkout.completed\",\"object\":" + object + "}";
      assertThatThrownBy(() -> parser.parse(body.getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.field()).isEqualTo("object.id"));
    }
  }
}
