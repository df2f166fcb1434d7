package io.genrtl.payments;

import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.BillingEvent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.google.gson.JsonParser;
import io.genrtl.core.billing.BillingEvent.SubscriptionChanged;
import io.genrtl.payments.StripeGateway.CheckoutLink;
import io.genrtl.payments.StripeGateway.CreditPackPayment;
import io.genrtl.payments.StripeGateway.SubscriptionCheckoutRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StripeGatewayTest {
  static final String KEY = "sk_test_51GenRtlTestKey";
  static final String USER = "01JUSER0000000000000000001";
  static WireMockServer wm;
  StripeGateway gateway;

  @BeforeAll
  static void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
  }

  @AfterAll
  static void stop() {
    wm.stop();
  }

  @BeforeEach
  void reset() {
    wm.resetAll();
    gateway = StripeGateway.create(KEY, "http://127.0.0.1:" + wm.port());
  }

  static MappingBuilder authed(MappingBuilder m) {
    return m.withHeader("Authorization", equalTo("Bearer " + KEY));
  }

  static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withHeader("Request-Id", "req_test")
        .withBody(body);
  }

  void stubSession(String customer) {
    wm.stubFor(authed(post(urlPathEqualTo("/v1/checkout/sessions")))
        .withFormParam("mode", equalTo("subscription"))
        .withFormParam("customer", equalTo(customer))
        .withFormParam("client_reference_id", equalTo(USER))
        .withFormParam("line_items[0][price]", equalTo("price_pro_monthly"))
        .withFormParam("line_items[0][quantity]", equalTo("1"))
        .withFormParam("subscription_data[metadata][user_id]", equalTo(USER))
        .withFormParam("success_url", equalTo("https://app.example.com/billing/success"))
        .withFormParam("cancel_url", equalTo("https://app.example.com/billing/cancel"))
        .willReturn(json("""
            {"id": "cs_test_a1b2c3", "object": "checkout.session", "mode": "subscription", "status": "open",
             "client_reference_id": "%s", "customer": "%s", "livemode": false,
             "url": "https://checkout.stripe.com/c/pay/cs_test_a1b2c3"}""".formatted(USER, customer))));
  }

  @Test
  void checkoutCreatesTheCustomerWhenNew() {
    wm.stubFor(authed(post(urlPathEqualTo("/v1/customers")))
        .withHeader("Idempotency-Key", equalTo("genrtl-customer-" + USER))
        .withFormParam("email", equalTo("ada@example.com"))
        .withFormParam("metadata[user_id]", equalTo(USER))
        .willReturn(json("""
            {"id": "cus_New0001", "object": "customer", "email": "ada@example.com", "metadata": {"user_id": "%s"}}"""
            .formatted(USER))));
    stubSession("cus_New0001");

    CheckoutLink link = gateway.createSubscriptionCheckout(new SubscriptionCheckoutRequest(USER, "ada@example.com", null,
        "price_pro_monthly", "https://app.example.com/billing/success", "https://app.example.com/billing/cancel"));

    assertThat(link).isEqualTo(new CheckoutLink("cs_test_a1b2c3", "https://checkout.stripe.com/c/pay/cs_test_a1b2c3",
        "cus_New0001"));
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers")));
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions")));
  }

  @Test
  void checkoutReusesAKnownCustomer() {
    stubSession("cus_Qa1b2c3");
    CheckoutLink link = gateway.createSubscriptionCheckout(new SubscriptionCheckoutRequest(USER, "ada@example.com",
        "cus_Qa1b2c3", "price_pro_monthly", "https://app.example.com/billing/success",
        "https://app.example.com/billing/cancel"));
    assertThat(link.url()).isEqualTo("https://checkout.stripe.com/c/pay/cs_test_a1b2c3");
    assertThat(link.customerId()).isEqualTo("cus_Qa1b2c3");
    wm.verify(0, postRequestedFor(urlPathEqualTo("/v1/customers")));
  }

  @Test
  void anErrorBecomesAProviderExceptionWithoutTheKey() {
    wm.stubFor(post(urlPathEqualTo("/v1/checkout/sessions")).willReturn(aResponse().withStatus(400)
        .withHeader("Content-Type", "application/json").withBody("""
            {"error": {"type": "invalid_request_error", "code": "resource_missing", "param": "line_items[0][price]",
             "message": "No such price: 'price_gone'"}}""")));
    assertThatThrownBy(() -> gateway.createSubscriptionCheckout(new SubscriptionCheckoutRequest(USER, null, "cus_Qa1b2c3",
        "price_gone", "https://a/s", "https://a/c")))
        .isInstanceOfSatisfying(PaymentProviderException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("resource_missing");
          assertThat(e.retryable()).isFalse();
          assertThat(e.getMessage()).contains("No such price").doesNotContain(KEY);
        });
  }

  @Test
  void billingPortalSession() {
    wm.stubFor(authed(post(urlPathEqualTo("/v1/billing_portal/sessions")))
        .withFormParam("customer", equalTo("cus_Qa1b2c3"))
        .withFormParam("return_url", equalTo("https://app.example.com/billing"))
        .willReturn(json("""
            {"id": "bps_1QPortal", "object": "billing_portal.session", "customer": "cus_Qa1b2c3", "livemode": false,
             "return_url": "https://app.example.com/billing",
             "url": "https://billing.stripe.com/p/session/test_YWNjdF8x"}""")));
    assertThat(gateway.createPortalSession("cus_Qa1b2c3", "https://app.example.com/billing"))
        .isEqualTo("https://billing.stripe.com/p/session/test_YWNjdF8x");
  }

  @Test
  void creditPackPaymentIntent() {
    wm.stubFor(authed(post(urlPathEqualTo("/v1/payment_intents")))
        .withHeader("Idempotency-Key", equalTo("pack-purchase-1"))
        .withFormParam("amount", equalTo("5000"))
        .withFormParam("currency", equalTo("usd"))
        .withFormParam("automatic_payment_methods[enabled]", equalTo("true"))
        .withFormParam("customer", equalTo("cus_Qa1b2c3"))
        .withFormParam("metadata[user_id]", equalTo(USER))
        .withFormParam("metadata[pack_id]", equalTo("credits_50"))
        .willReturn(json("""
            {"id": "pi_3QPack0001", "object": "payment_intent", "amount": 5000, "currency": "usd",
             "automatic_payment_methods": {"enabled": true}, "client_secret": "pi_3QPack0001_secret_XyZ",
             "metadata": {"pack_id": "credits_50", "user_id": "%s"}, "status": "requires_payment_method"}"""
            .formatted(USER))));
    CreditPackPayment p = gateway.createCreditPackPayment(USER, "cus_Qa1b2c3", "credits_50", 50_000_000L, "pack-purchase-1");
    assertThat(p).isEqualTo(new CreditPackPayment("pi_3QPack0001", "pi_3QPack0001_secret_XyZ"));
    assertThatThrownBy(() -> gateway.createCreditPackPayment(USER, null, "credits_50", 1_234L, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void fetchesTheCurrentSubscription() {
    String sub = JsonParser.parseString(new String(Fixtures.read("stripe/customer.subscription.updated.json"),
        StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("data").getAsJsonObject("object").toString();
    wm.stubFor(authed(get(urlPathEqualTo("/v1/subscriptions/sub_1QSub0001"))).willReturn(json(sub)));
    BillingEvent e = gateway.fetchSubscription("sub_1QSub0001", "evt_prompting");
    assertThat(e).isEqualTo(new SubscriptionChanged("stripe", "evt_prompting", "sub_1QSub0001", "cus_Qa1b2c3", USER,
        "price_pro_monthly", BillingStatus.ACTIVE, 1_767_225_600_000L, 1_769_904_000_000L, true));
    wm.verify(1, getRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_1QSub0001")));
  }

  @Test
  void reportsAMeterEventWithAnIdentifier() {
    wm.stubFor(authed(post(urlPathEqualTo("/v1/billing/meter_events")))
        .withFormParam("event_name", equalTo("genrtl_on_demand_micros"))
        .withFormParam("payload[stripe_customer_id]", equalTo("cus_Qa1b2c3"))
        .withFormParam("payload[value]", equalTo("1250000"))
        .withFormParam("identifier", equalTo("ledger_01JLEDGER000000000000001"))
        .withFormParam("timestamp", equalTo("1767225700"))
        .willReturn(json("""
            {"object": "billing.meter_event", "created": 1767225701, "event_name": "genrtl_on_demand_micros",
             "identifier": "ledger_01JLEDGER000000000000001", "livemode": false,
             "payload": {"stripe_customer_id": "cus_Qa1b2c3", "value": "1250000"}, "timestamp": 1767225700}""")));
    gateway.reportMeterEvent("genrtl_on_demand_micros", "cus_Qa1b2c3", 1_250_000L, "ledger_01JLEDGER000000000000001",
        1_767_225_700L);
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/billing/meter_events")));
  }

  @Test
  void noResponseIsARetryableFailure() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    StripeGateway down = new StripeGateway(com.stripe.StripeClient.builder().setApiKey(KEY).setMaxNetworkRetries(0)
        .setApiBase("http://127.0.0.1:" + closedPort).build());
    assertThatThrownBy(() -> down.createPortalSession("cus_Qa1b2c3", "https://app.example.com/billing"))
        .isInstanceOfSatisfying(PaymentProviderException.class, e -> {
          assertThat(e.httpStatus()).isZero();
          assertThat(e.retryable()).isTrue();
          assertThat(e.getMessage()).doesNotContain(KEY);
        });
  }
}
