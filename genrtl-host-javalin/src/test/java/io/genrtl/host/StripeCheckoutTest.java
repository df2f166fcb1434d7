package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.StripeWebhooks;
import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeGateway;
import io.genrtl.payments.StripeWebhookVerifier;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.javalin.Javalin;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /api/billing/checkout} against a WireMock Stripe API; subscriptions do not stack. */
class StripeCheckoutTest {
  @TempDir Path tmp;
  WireMockServer wm;
  HikariDataSource ds;
  GenRtl genrtl;
  Javalin app;
  TestHttp http;
  String userId;
  String key;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    MutableClock clock = MutableClock.at("2026-01-01T00:00:00Z");
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).clock(clock).build();
    StripeWebhooks stripe = new StripeWebhooks(new StripeWebhookVerifier(List.of("whsec_x"), StripeWebhookVerifier.DEFAULT_TOLERANCE,
        clock), new StripeEventParser(), Map.of("price_pro_monthly", "pro"), StripeGateway.create("sk_test_123", wm.baseUrl()));
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost", 1 << 20, null, stripe));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    userId = genrtl.accounts().createUser(new NewUser("ada@example.com", null, Role.USER, null)).user().userId();
    key = genrtl.apiKeys().issue(userId, "t", null).apiKey();
  }

  @AfterEach
  void stop() {
    app.stop();
    ds.close();
    wm.stop();
  }

  /** Events may arrive out of order: a stale subscription event is applied as the API's current state. */
  @Test
  void subscriptionEventsApplyTheSubscriptionsCurrentStateFromTheApi() throws Exception {
    long jan = 1767225600L;
    long feb = 1769904000L;
    String current = "{\"id\":\"sub_9\",\"object\":\"subscription\",\"cancel_at_period_end\":false,\"customer\":\"cus_1\","
        + "\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\",\"object\":\"subscription_item\",\"current_period_start\":"
        + jan + ",\"current_period_end\":" + feb + ",\"price\":{\"id\":\"price_pro_monthly\",\"object\":\"price\"},\"quantity\":1}]},"
        + "\"metadata\":{\"user_id\":\"" + userId + "\"},\"status\":\"active\"}";
    wm.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlPathEqualTo("/v1/subscriptions/sub_9"))
        .withHeader("Authorization", equalTo("Bearer sk_test_123"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(current)));
    // a stale event says "past_due"; the API says the subscription is active now
    String stale = "{\"id\":\"evt_old\",\"object\":\"event\",\"created\":" + jan + ",\"type\":\"customer.subscription.updated\","
        + "\"data\":{\"object\":" + current.replace("\"status\":\"active\"", "\"status\":\"past_due\"") + "}}";
    long t = genrtl.clock().instant().getEpochSecond();
    TestHttp.Response r = http.send("POST", "/api/webhooks/stripe", null, stale, "Stripe-Signature",
        "t=" + t + ",v1=" + StripeWebhookTest.sign("whsec_x", t, stale));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(userId).subscriptionStatus()).isEqualTo("active");
    assertThat(genrtl.pool().balance(userId).planId()).isEqualTo("pro");
    wm.verify(1, com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_9")));
  }

  private static String body(String plan) {
    return "{\"plan\":\"" + plan + "\",\"success_url\":\"https://app.example.com/ok\",\"cancel_url\":\"https://app.example.com/no\"}";
  }

  @Test
  void aCheckoutSessionIsCreatedForTheCallerAndSubscriptionsDoNotStack() {
    wm.stubFor(post(urlPathEqualTo("/v1/customers")).withHeader("Authorization", equalTo("Bearer sk_test_123"))
        .withFormParam("metadata[user_id]", equalTo(userId))
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody("{\"id\":\"cus_1\",\"object\":\"customer\",\"email\":\"ada@example.com\"}")));
    wm.stubFor(post(urlPathEqualTo("/v1/checkout/sessions")).withHeader("Authorization", equalTo("Bearer sk_test_123"))
        .withFormParam("mode", equalTo("subscription"))
        .withFormParam("client_reference_id", equalTo(userId))
        .withFormParam("customer", equalTo("cus_1"))
        .withFormParam("line_items[0][price]", equalTo("price_pro_monthly"))
        .withFormParam("success_url", equalTo("https://app.example.com/ok"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"id\":\"cs_1\",\"object\":"
            + "\"checkout.session\",\"mode\":\"subscription\",\"url\":\"https://checkout.stripe.com/c/pay/cs_1\"}")));
    TestHttp.Response r = http.post("/api/billing/checkout", key, body("pro"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("url", "https://checkout.stripe.com/c/pay/cs_1");
    // audited once the provider answered, without the session URL
    var audited = genrtl.stores().audit().list(new io.genrtl.core.audit.AuditQuery(userId, "billing.checkout", null, null, null,
        null, null), io.genrtl.core.base.PageRequest.firstDefault()).items();
    assertThat(audited).hasSize(1);
    assertThat(audited.get(0).detailsJson()).contains("\"plan\":\"pro\"").doesNotContain("checkout.stripe.com");

    assertProblem(http.post("/api/billing/checkout", key, body("free")), 400, "validation_failed");
    assertProblem(http.post("/api/billing/checkout", key, body("ultra")), 422, "unprocessable");
    assertProblem(http.post("/api/billing/checkout", key, "{\"plan\":\"pro\",\"success_url\":\"javascript:x\",\"cancel_url\":\"https://x\"}"),
        400, "validation_failed");

    // once the subscription is active, a second checkout is refused before Stripe is called
    genrtl.billing().subscriptionChanged(userId, "stripe", "sub_1", "pro", SubscriptionStatus.ACTIVE,
        genrtl.clock().millis(), genrtl.clock().millis() + 86_400_000L);
    wm.resetRequests();
    assertProblem(http.post("/api/billing/checkout", key, body("pro_plus")), 409, "subscription_exists");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }
}
