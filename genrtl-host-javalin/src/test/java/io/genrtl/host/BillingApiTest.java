package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.core.billing.MeterReporter;
import io.genrtl.core.billing.MeterSender;
import io.genrtl.core.billing.MeterTotal;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.core.testing.StoreContractTest;
import io.genrtl.host.http.CreemBilling;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.StripeWebhooks;
import io.genrtl.payments.CreemEventParser;
import io.genrtl.payments.CreemGateway;
import io.genrtl.payments.CreemWebhookVerifier;
import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeGateway;
import io.genrtl.payments.StripeWebhookVerifier;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions and payments over HTTP against WireMock Stripe and Creem APIs, on a real database (subclasses pick
 * SQLite or PostgreSQL): non-stacking, one customer per user, portal, credit packs, renewals, Creem webhooks, and
 * on-demand meter reporting including a crash between sending and marking.
 */
abstract class BillingApiTest {
  static final long USD = 1_000_000L;
  static final String STRIPE_SECRET = "whsec_billing_api";
  static final String CREEM_SECRET = "creem_whsec_billing_api";
  static final long JAN = StripeWebhookTest.JAN;
  static final long FEB = StripeWebhookTest.FEB;
  static final long MAR = 1772323200L; // 2026-03-01T00:00:00Z

  protected abstract Stores openStores();

  protected void closeStores() {}

  WireMockServer wm;
  MutableClock clock;
  GenRtl genrtl;
  Javalin app;
  TestHttp http;
  String ada;
  String adaKey;
  String bob;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    clock = new MutableClock(Instant.ofEpochSecond(JAN + 60));
    genrtl = GenRtl.builder().stores(openStores()).clock(clock).build();
    StripeWebhooks stripe = new StripeWebhooks(new StripeWebhookVerifier(List.of(STRIPE_SECRET),
        StripeWebhookVerifier.DEFAULT_TOLERANCE, clock), new StripeEventParser(), Map.of("price_pro_monthly", "pro"),
        StripeGateway.create("sk_test_123", wm.baseUrl()));
    CreemBilling creem = new CreemBilling(new CreemWebhookVerifier(List.of(CREEM_SECRET)), new CreemEventParser(),
        new CreemGateway(new OkHttpClient(), wm.baseUrl(), "creem_test_key"),
        Map.of("pro", "prod_pro", "credits_50", "prod_credits50"));
    List<CreditPack> packs = List.of(new CreditPack("credits_50", "$50 of credits", 50 * USD, 50 * USD),
        new CreditPack("bonus_10", "$11 for $10", 11 * USD, 10 * USD));
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "https://app.example.com", 1 << 20, null, stripe,
        creem, packs));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    ada = genrtl.accounts().createUser(new NewUser("ada@example.com", null, Role.USER, null)).user().userId();
    adaKey = genrtl.apiKeys().issue(ada, "t", null).apiKey();
    bob = genrtl.accounts().createUser(new NewUser("bob@example.com", null, Role.USER, null)).user().userId();
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop();
    closeStores();
    wm.stop();
  }

  // ------------------------------------------------------------------ helpers

  TestHttp.Response stripeEvent(String body) throws Exception {
    long t = clock.instant().getEpochSecond();
    return http.send("POST", "/api/webhooks/stripe", null, body, "Stripe-Signature",
        "t=" + t + ",v1=" + StripeWebhookTest.sign(STRIPE_SECRET, t, body));
  }

  static String creemSign(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  TestHttp.Response creemEvent(String body, String signature) {
    return http.send("POST", "/api/webhooks/creem", null, body, "creem-signature", signature);
  }

  static String checkoutBody(String plan, String provider) {
    return "{\"plan\":\"" + plan + "\",\"success_url\":\"https://app.example.com/ok\",\"cancel_url\":"
        + "\"https://app.example.com/no\"" + (provider == null ? "" : ",\"provider\":\"" + provider + "\"") + "}";
  }

  void stubStripeCustomer(String id) {
    wm.stubFor(post(urlPathEqualTo("/v1/customers")).withHeader("Authorization", equalTo("Bearer sk_test_123"))
        .willReturn(aResponse().withFixedDelay(150).withHeader("Content-Type", "application/json")
            .withBody("{\"id\":\"" + id + "\",\"object\":\"customer\"}")));
  }

  void activeStripePro(String userId) {
    genrtl.billing().subscriptionChanged(userId, BillingService.STRIPE, "sub_1", "pro", SubscriptionStatus.ACTIVE,
        JAN * 1000, FEB * 1000);
  }

  // ------------------------------------------------------------------ checkout

  @Test
  void subscriptionsDoNotStackAndNoProviderIsCalled() {
    activeStripePro(ada);
    for (String provider : new String[] {null, "stripe", "creem"}) {
      TestHttp.Response r = http.post("/api/billing/checkout", adaKey, checkoutBody("pro_plus", provider));
      assertProblem(r, 409, "subscription_exists");
      assertThat(r.json()).containsEntry("plan", "pro");
    }
    // past due still counts; so does a canceled subscription whose paid period has not ended
    genrtl.billing().paymentFailed("sub_1");
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("ultra", null)), 409, "subscription_exists");
    genrtl.billing().subscriptionChanged(ada, "stripe", "sub_1", "pro", SubscriptionStatus.CANCELED, JAN * 1000, FEB * 1000);
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("ultra", "creem")), 409, "subscription_exists");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void concurrentCheckoutsCreateOneStripeCustomerAndBothUseIt() throws Exception {
    stubStripeCustomer("cus_1");
    wm.stubFor(post(urlPathEqualTo("/v1/checkout/sessions")).willReturn(aResponse().withHeader("Content-Type",
        "application/json").withBody("{\"id\":\"cs_1\",\"object\":\"checkout.session\",\"url\":\"https://checkout.stripe.com/c/pay/cs_1\"}")));
    List<TestHttp.Response> rs = StoreContractTest.hammer(4, () -> http.post("/api/billing/checkout", adaKey, checkoutBody("pro", null)));
    assertThat(rs).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers")));
    wm.verify(4, postRequestedFor(urlPathEqualTo("/v1/checkout/sessions")).withRequestBody(containing("customer=cus_1")));
    assertThat(genrtl.billing().customer(ada, "stripe")).contains("cus_1");
  }

  @Test
  void checkoutRefusesBadInput() {
    assertProblem(http.post("/api/billing/checkout", adaKey, "{\"plan\":"), 400, "malformed_json");
    assertProblem(http.post("/api/billing/checkout", adaKey, "{\"plan\":7,\"success_url\":\"https://a\",\"cancel_url\":\"https://b\"}"),
        400, "validation_failed");
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("pro", "paypal")), 400, "validation_failed");
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("gold", null)), 400, "validation_failed");
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("ultra", "creem")), 422, "unprocessable");
    assertProblem(http.post("/api/billing/checkout", adaKey, "{\"user_id\":\"" + bob + "\"," + checkoutBody("pro", null).substring(1)),
        403, "forbidden");
    assertProblem(http.post("/api/billing/checkout", adaKey, "{\"plan\":\"" + "x".repeat(70_000) + "\"}"), 413, "payload_too_large");
    assertProblem(http.post("/api/billing/checkout", null, checkoutBody("pro", null)), 401, "unauthenticated");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  @Test
  void aCreemCheckoutSendsTheUserToCreemsHostedPage() {
    wm.stubFor(post(urlPathEqualTo("/v1/checkouts")).withHeader("x-api-key", equalTo("creem_test_key"))
        .withRequestBody(matchingJsonPath("$.product_id", equalTo("prod_pro")))
        .withRequestBody(matchingJsonPath("$.metadata.user_id", equalTo(ada)))
        .withRequestBody(matchingJsonPath("$.metadata.plan_id", equalTo("pro")))
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody("{\"id\":\"ch_1\",\"checkout_url\":\"https://creem.io/checkout/ch_1\"}")));
    TestHttp.Response r = http.post("/api/billing/checkout", adaKey, checkoutBody("pro", "creem"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("url", "https://creem.io/checkout/ch_1");
  }

  // ------------------------------------------------------------------ portal

  @Test
  void thePortalNeedsACustomerAndOpensForTheCallersOwn() {
    assertProblem(http.post("/api/billing/portal", adaKey, "{}"), 404, "not_found");
    wm.verify(0, anyRequestedFor(anyUrl()));
    genrtl.billing().linkCustomer(ada, "stripe", "cus_ada");
    genrtl.billing().linkCustomer(bob, "stripe", "cus_bob");
    wm.stubFor(post(urlPathEqualTo("/v1/billing_portal/sessions")).willReturn(aResponse().withHeader("Content-Type",
        "application/json").withBody("{\"id\":\"bps_1\",\"object\":\"billing_portal.session\",\"url\":\"https://billing.stripe.com/p/session/1\"}")));
    TestHttp.Response r = http.post("/api/billing/portal", adaKey, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("url", "https://billing.stripe.com/p/session/1");
    TestHttp.Response r2 = http.post("/api/billing/portal", adaKey, "{\"return_url\":\"https://app.example.com/billing\"}");
    assertThat(r2.status()).as(r2.body()).isEqualTo(200);
    List<LoggedRequest> sent = wm.findAll(postRequestedFor(urlPathEqualTo("/v1/billing_portal/sessions")));
    assertThat(sent).hasSize(2).allSatisfy(q -> assertThat(q.getBodyAsString()).contains("customer=cus_ada")
        .doesNotContain("cus_bob"));
    assertThat(sent.get(0).getBodyAsString()).contains("return_url=https%3A%2F%2Fapp.example.com");
    assertThat(sent.get(1).getBodyAsString()).contains("return_url=https%3A%2F%2Fapp.example.com%2Fbilling");

    assertProblem(http.post("/api/billing/portal", adaKey, "{"), 400, "malformed_json");
    assertProblem(http.post("/api/billing/portal", adaKey, "{\"return_url\":5}"), 400, "validation_failed");
    assertProblem(http.post("/api/billing/portal", adaKey, "{\"return_url\":\"javascript:alert(1)\"}"), 400, "validation_failed");
    assertProblem(http.post("/api/billing/portal", adaKey, "{\"user_id\":\"" + bob + "\"}"), 403, "forbidden");
    assertProblem(http.post("/api/billing/portal", adaKey, "[" + "1,".repeat(40_000) + "1]"), 413, "payload_too_large");
    assertProblem(http.send("POST", "/api/billing/portal", adaKey, "x", "Content-Type", "text/plain"), 415, "unsupported_media_type");
    wm.verify(2, anyRequestedFor(anyUrl()));
  }

  // ------------------------------------------------------------------ credit packs

  String packPaid(String eventId, String paymentIntent, String pack, long cents) {
    return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"created\":" + JAN + ",\"type\":\"payment_intent.succeeded\","
        + "\"data\":{\"object\":{\"id\":\"" + paymentIntent + "\",\"object\":\"payment_intent\",\"amount\":" + cents
        + ",\"amount_received\":" + cents + ",\"currency\":\"usd\",\"customer\":\"cus_1\",\"metadata\":{\"pack_id\":\"" + pack
        + "\",\"user_id\":\"" + ada + "\"},\"status\":\"succeeded\"}}}";
  }

  @Test
  void aCreditPackIsBoughtThroughAPaymentIntentAndGrantedOnceEvenUnderTenConcurrentDeliveries() throws Exception {
    stubStripeCustomer("cus_1");
    wm.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(aResponse().withHeader("Content-Type", "application/json")
        .withBody("{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":5000,\"currency\":\"usd\","
            + "\"client_secret\":\"pi_1_secret_abc\",\"status\":\"requires_payment_method\"}")));
    TestHttp.Response r = http.send("POST", "/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_50\"}",
        "Idempotency-Key", "buy-1");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("client_secret", "pi_1_secret_abc").containsEntry("payment_intent_id", "pi_1")
        .containsEntry("currency", "usd").containsEntry("pack", "credits_50").containsEntry("customer_id", "cus_1")
        .containsEntry("amount_usd", 50.0);
    LoggedRequest pi = wm.findAll(postRequestedFor(urlPathEqualTo("/v1/payment_intents"))).get(0);
    assertThat(pi.getBodyAsString()).contains("amount=5000", "currency=usd", "customer=cus_1",
        "metadata[pack_id]=credits_50", "metadata[user_id]=" + ada, "automatic_payment_methods[enabled]=true");
    assertThat(pi.getHeader("Idempotency-Key")).isEqualTo("genrtl-pi-" + ada + "-buy-1");

    // a mobile PaymentSheet also asks for an ephemeral key, created for the same customer with the SDK's API version
    wm.stubFor(post(urlPathEqualTo("/v1/ephemeral_keys")).withHeader("Stripe-Version", equalTo("2025-09-30.clover"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json")
            .withBody("{\"id\":\"ephkey_1\",\"object\":\"ephemeral_key\",\"secret\":\"ek_test_1\"}")));
    TestHttp.Response mobile = http.post("/api/billing/payment-intent", adaKey,
        "{\"pack\":\"credits_50\",\"stripe_version\":\"2025-09-30.clover\"}");
    assertThat(mobile.status()).as(mobile.body()).isEqualTo(200);
    assertThat(mobile.json()).containsEntry("ephemeral_key", "ek_test_1").containsEntry("customer_id", "cus_1");
    assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/v1/ephemeral_keys"))).get(0).getBodyAsString()).contains("customer=cus_1");
    assertThat(r.json()).doesNotContainKey("ephemeral_key");
    wm.verify(1, postRequestedFor(urlPathEqualTo("/v1/customers")));

    // Stripe tells us it succeeded; ten deliveries at once grant the credits once
    String paid = packPaid("evt_pi_1", "pi_1", "credits_50", 5000);
    List<Object> applied = new CopyOnWriteArrayList<>();
    StoreContractTest.hammer(10, () -> {
      TestHttp.Response d = stripeEvent(paid);
      assertThat(d.status()).as(d.body()).isEqualTo(200);
      applied.add(d.json().get("applied"));
      return null;
    });
    assertThat(applied).containsOnlyOnce(true).hasSize(10);
    assertThat(genrtl.pool().balance(ada).creditsMicros()).isEqualTo(50 * USD);
    // a pack that adds more than it costs adds its credits
    assertThat(stripeEvent(packPaid("evt_pi_2", "pi_2", "bonus_10", 1000)).json()).containsEntry("applied", true);
    assertThat(genrtl.pool().balance(ada).creditsMicros()).isEqualTo(61 * USD);
    assertThat(genrtl.pool().verify(ada).problems()).isEmpty();
  }

  @Test
  void aPaymentIntentRefusesBadInputBeforeCallingStripe() {
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_5000\"}"), 400, "validation_failed");
    TestHttp.Response wrongType = http.post("/api/billing/payment-intent", adaKey, "{\"pack\":50}");
    assertProblem(wrongType, 400, "validation_failed");
    assertThat(wrongType.json()).containsEntry("field", "pack");
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{}"), 400, "validation_failed");
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_50\",\"stripe_version\":\"latest; x\"}"),
        400, "validation_failed");
    assertProblem(http.send("POST", "/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_50\"}", "Idempotency-Key",
        "k".repeat(201)), 400, "validation_failed");
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_50\",}"), 400, "malformed_json");
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{\"pack\":\"credits_50\",\"user_id\":\"" + bob + "\"}"),
        403, "forbidden");
    assertProblem(http.post("/api/billing/payment-intent", adaKey, "{\"pack\":\"" + "c".repeat(70_000) + "\"}"), 413,
        "payload_too_large");
    assertProblem(http.post("/api/billing/payment-intent", null, "{\"pack\":\"credits_50\"}"), 401, "unauthenticated");
    wm.verify(0, anyRequestedFor(anyUrl()));
  }

  // ------------------------------------------------------------------ renewals

  @Test
  void theNextPaidInvoiceSetsTheNewPeriodsIncludedAmountWithoutRollover() throws Exception {
    activeStripePro(ada);
    assertThat(stripeEvent(StripeWebhookTest.invoicePaid("evt_jan", JAN, FEB)).json()).containsEntry("applied", true);
    assertThat(genrtl.pool().balance(ada).includedMicros()).isEqualTo(20 * USD);
    genrtl.pool().setOnDemandLimit(ada, 100 * USD);
    genrtl.pool().charge(ChargeRequest.of(ada, UsageKind.LLM, 15 * USD, "jan-usage"));
    genrtl.pool().charge(ChargeRequest.of(ada, UsageKind.LLM, 8 * USD, "jan-more"));
    Balance jan = genrtl.pool().balance(ada);
    assertThat(jan.includedMicros()).isZero();
    assertThat(jan.onDemandSpentMicros()).isEqualTo(3 * USD);

    clock.set(Instant.ofEpochSecond(FEB + 120));
    TestHttp.Response feb = stripeEvent(StripeWebhookTest.invoicePaid("evt_feb", FEB, MAR));
    assertThat(feb.status()).as(feb.body()).isEqualTo(200);
    Balance b = genrtl.pool().balance(ada);
    assertThat(b.periodStart()).isEqualTo(FEB * 1000);
    assertThat(b.periodEnd()).isEqualTo(MAR * 1000);
    assertThat(b.includedMicros()).as("set, not added").isEqualTo(20 * USD);
    assertThat(b.onDemandSpentMicros()).isZero();
    assertThat(b.subscriptionStatus()).isEqualTo("active");
    // the same period paid again (a second event for it) grants nothing
    assertThat(stripeEvent(StripeWebhookTest.invoicePaid("evt_feb_again", FEB, MAR)).json()).containsEntry("applied", true);
    assertThat(genrtl.pool().balance(ada).includedMicros()).isEqualTo(20 * USD);
    assertThat(genrtl.pool().verify(ada).problems()).isEmpty();
  }

  // ------------------------------------------------------------------ Creem webhooks

  String creemPack(String eventId, String orderId) {
    return "{\"id\":\"" + eventId + "\",\"eventType\":\"checkout.completed\",\"created_at\":1767300000000,\"object\":{"
        + "\"id\":\"ch_p1\",\"object\":\"checkout\",\"order\":{\"id\":\"" + orderId + "\",\"customer\":\"cust_ada\","
        + "\"product\":\"prod_credits50\",\"amount\":5000,\"currency\":\"USD\",\"status\":\"paid\",\"type\":\"onetime\"},"
        + "\"product\":{\"id\":\"prod_credits50\",\"billing_type\":\"onetime\"},\"customer\":{\"id\":\"cust_ada\"},"
        + "\"status\":\"completed\",\"metadata\":{\"user_id\":\"" + ada + "\",\"pack_id\":\"credits_50\"}}}";
  }

  @Test
  void creemWebhooksAreVerifiedAndAppliedOnceEvenUnderTenConcurrentRedeliveries() throws Exception {
    String body = creemPack("evt_creem_1", "ord_1");
    String good = creemSign(CREEM_SECRET, body);
    assertProblem(creemEvent(body, null), 400, "invalid_signature");
    assertProblem(creemEvent(body, "not-hex"), 400, "invalid_signature");
    assertProblem(creemEvent(body, creemSign("creem_whsec_wrong", body)), 400, "invalid_signature");
    TestHttp.Response tampered = creemEvent(body.replace("5000", "500000"), good);
    assertProblem(tampered, 400, "invalid_signature");
    assertThat(tampered.json()).containsEntry("reason", "no_matching_signature");
    assertThat(genrtl.pool().balance(ada).creditsMicros()).as("no effect").isZero();

    List<Object> applied = new CopyOnWriteArrayList<>();
    StoreContractTest.hammer(10, () -> {
      TestHttp.Response r = creemEvent(body, good);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      applied.add(r.json().get("applied"));
      return null;
    });
    assertThat(applied).containsOnlyOnce(true).hasSize(10);
    assertThat(genrtl.pool().balance(ada).creditsMicros()).isEqualTo(50 * USD);
    assertProblem(creemEvent("{\"id\":1}", creemSign(CREEM_SECRET, "{\"id\":1}")), 400, "validation_failed");
  }

  @Test
  void aCreemSubscriptionIsLinkedByItsCheckoutAndItsPaidPeriodGrantsTheIncludedAmount() throws Exception {
    String checkout = "{\"id\":\"evt_cc\",\"eventType\":\"checkout.completed\",\"created_at\":1767225600123,\"object\":{"
        + "\"id\":\"ch_1\",\"object\":\"checkout\",\"order\":{\"id\":\"ord_1\",\"customer\":\"cust_ada\",\"product\":\"prod_pro\","
        + "\"amount\":2000,\"currency\":\"USD\",\"type\":\"recurring\"},\"customer\":{\"id\":\"cust_ada\"},"
        + "\"subscription\":{\"id\":\"sub_c1\",\"product\":\"prod_pro\",\"customer\":\"cust_ada\",\"status\":\"active\"},"
        + "\"status\":\"completed\",\"metadata\":{\"user_id\":\"" + ada + "\",\"plan_id\":\"pro\"}}}";
    assertThat(creemEvent(checkout, creemSign(CREEM_SECRET, checkout)).json()).containsEntry("applied", true);
    assertThat(genrtl.billing().customer(ada, "creem")).contains("cust_ada");
    clock.set(Instant.ofEpochSecond(FEB + 60));
    String paid = "{\"id\":\"evt_paid\",\"eventType\":\"subscription.paid\",\"created_at\":1769904000456,\"object\":{"
        + "\"id\":\"sub_c1\",\"object\":\"subscription\",\"product\":{\"id\":\"prod_pro\",\"billing_type\":\"recurring\"},"
        + "\"customer\":{\"id\":\"cust_ada\"},\"status\":\"active\",\"last_transaction\":{\"id\":\"tran_1\",\"amount_paid\":2000,"
        + "\"currency\":\"USD\"},\"current_period_start_date\":\"2026-02-01T00:00:00.000Z\","
        + "\"current_period_end_date\":\"2026-03-01T00:00:00.000Z\",\"metadata\":{\"user_id\":\"" + ada + "\"}}}";
    TestHttp.Response r = creemEvent(paid, creemSign(CREEM_SECRET, paid));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    Balance b = genrtl.pool().balance(ada);
    assertThat(b.planId()).isEqualTo("pro");
    assertThat(b.includedMicros()).isEqualTo(20 * USD);
    assertThat(b.periodStart()).isEqualTo(FEB * 1000);
    assertThat(creemEvent(paid, creemSign(CREEM_SECRET, paid)).json()).containsEntry("applied", false);
    assertThat(genrtl.pool().balance(ada).includedMicros()).isEqualTo(20 * USD);
    assertProblem(http.post("/api/billing/checkout", adaKey, checkoutBody("ultra", "creem")), 409, "subscription_exists");
  }

  // ------------------------------------------------------------------ metering

  /** The process dying right after Stripe accepted the meter event, before the outbox row is marked. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void onDemandUsageIsReportedToStripesMeterOnceEvenAfterACrashBetweenSendAndMark() throws Exception {
    activeStripePro(ada);
    genrtl.billing().periodPaid("sub_1", JAN * 1000, FEB * 1000);
    genrtl.billing().linkCustomer(ada, "stripe", "cus_ada");
    genrtl.pool().setOnDemandLimit(ada, 100 * USD);
    LedgerEntry od = genrtl.pool().charge(ChargeRequest.of(ada, UsageKind.LLM, 27 * USD, "big")).entries().get(1);
    assertThat(od.usdMicros()).isEqualTo(7 * USD);
    wm.stubFor(post(urlPathEqualTo("/v1/billing/meter_events")).willReturn(aResponse().withHeader("Content-Type",
        "application/json").withBody("{\"object\":\"billing.meter_event\",\"event_name\":\"genrtl_on_demand\"}")));
    StripeGateway gw = StripeGateway.create("sk_test_123", wm.baseUrl());
    MeterSender stripe = e -> gw.reportMeterEvent("genrtl_on_demand", e.customerId(), e.value(), e.identifier(), e.timestampSeconds());
    boolean[] crashed = {false};
    MeterSender crashing = e -> {
      stripe.send(e);
      if (!crashed[0]) {
        crashed[0] = true;
        throw new Crash();
      }
    };
    MeterReporter.Settings settings = new MeterReporter.Settings(10, Duration.ofMinutes(5), Duration.ofSeconds(10),
        Duration.ofMinutes(10), "stripe");
    assertThatThrownBy(() -> new MeterReporter(genrtl.stores().accounts(), genrtl.stores().billing(), clock, d -> clock.advance(d), crashing, settings).reportDue())
        .isInstanceOf(Crash.class);
    assertThat(genrtl.billing().meterTotals()).extracting(MeterTotal::differenceMicros).containsExactly(7 * USD);
    clock.advance(Duration.ofMinutes(5));
    MeterReporter.Report r = new MeterReporter(genrtl.stores().accounts(), genrtl.stores().billing(), clock, d -> clock.advance(d), crashing, settings).reportDue();
    assertThat(r.reported()).isEqualTo(1);
    List<LoggedRequest> sent = wm.findAll(postRequestedFor(urlPathEqualTo("/v1/billing/meter_events")));
    assertThat(sent).hasSize(2);
    String identifier = "identifier=genrtl-od-" + od.entryId();
    assertThat(sent).allSatisfy(q -> assertThat(q.getBodyAsString()).contains(identifier, "event_name=genrtl_on_demand",
        "payload[stripe_customer_id]=cus_ada", "payload[value]=7000000"));
    assertThat(genrtl.billing().meterTotals()).singleElement().satisfies(t -> {
      assertThat(t.ledgerMicros()).isEqualTo(7 * USD);
      assertThat(t.reportedMicros()).isEqualTo(7 * USD);
      assertThat(t.differenceMicros()).isZero();
    });
  }
}
