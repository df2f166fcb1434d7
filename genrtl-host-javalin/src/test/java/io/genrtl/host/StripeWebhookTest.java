package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.core.testing.StoreContractTest;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.StripeWebhooks;
import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeWebhookVerifier;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import io.javalin.Javalin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stripe webhooks over HTTP, signed with Stripe's real scheme: verification, dedupe, grants, packs, past-due. */
class StripeWebhookTest {
  static final String SECRET = "whsec_test_current";
  static final String OLD_SECRET = "whsec_test_previous";
  static final long JAN = 1767225600L; // 2026-01-01T00:00:00Z
  static final long FEB = 1769904000L; // 2026-02-01T00:00:00Z

  @TempDir Path tmp;
  MutableClock clock;
  HikariDataSource ds;
  GenRtl genrtl;
  Javalin app;
  TestHttp http;
  String userId;

  @BeforeEach
  void start() {
    clock = new MutableClock(Instant.ofEpochSecond(JAN + 60));
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).clock(clock).build();
    StripeWebhooks hooks = new StripeWebhooks(new StripeWebhookVerifier(List.of(SECRET, OLD_SECRET),
        StripeWebhookVerifier.DEFAULT_TOLERANCE, clock), new StripeEventParser(), Map.of("price_pro_monthly", "pro"), null);
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost", 1 << 20, null, hooks));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    userId = genrtl.accounts().createUser(new NewUser("payer@x.test", null, Role.USER, null)).user().userId();
  }

  @AfterEach
  void stop() {
    app.stop();
    ds.close();
  }

  static String sign(String secret, long t, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
  }

  TestHttp.Response deliver(String body, String header) {
    return http.send("POST", "/api/webhooks/stripe", null, body, "Stripe-Signature", header);
  }

  TestHttp.Response deliver(String body) throws Exception {
    long t = clock.instant().getEpochSecond();
    return deliver(body, "t=" + t + ",v1=" + sign(SECRET, t, body));
  }

  String subscriptionEvent(String eventId, String status) {
    return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"api_version\":\"2025-09-30.clover\",\"created\":" + JAN
        + ",\"type\":\"customer.subscription.updated\",\"data\":{\"object\":{\"id\":\"sub_1\",\"object\":\"subscription\","
        + "\"cancel_at_period_end\":false,\"customer\":\"cus_1\",\"items\":{\"object\":\"list\",\"data\":[{\"id\":\"si_1\","
        + "\"object\":\"subscription_item\",\"current_period_start\":" + JAN + ",\"current_period_end\":" + FEB
        + ",\"price\":{\"id\":\"price_pro_monthly\",\"object\":\"price\",\"currency\":\"usd\",\"unit_amount\":2000},"
        + "\"quantity\":1,\"subscription\":\"sub_1\"}]},\"metadata\":{\"user_id\":\"" + userId + "\"},\"status\":\"" + status
        + "\"}}}";
  }

  static String invoicePaid(String eventId, long start, long end) {
    return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"api_version\":\"2025-09-30.clover\",\"created\":" + start
        + ",\"type\":\"invoice.paid\",\"data\":{\"object\":{\"id\":\"in_" + start + "\",\"object\":\"invoice\","
        + "\"amount_paid\":2000,\"currency\":\"usd\",\"customer\":\"cus_1\",\"status\":\"paid\",\"billing_reason\":"
        + "\"subscription_cycle\",\"parent\":{\"type\":\"subscription_details\",\"subscription_details\":{\"metadata\":{},"
        + "\"subscription\":\"sub_1\"}},\"lines\":{\"object\":\"list\",\"data\":[{\"id\":\"il_1\",\"object\":\"line_item\","
        + "\"amount\":2000,\"currency\":\"usd\",\"period\":{\"start\":" + start + ",\"end\":" + end + "},\"parent\":{\"type\":"
        + "\"subscription_item_details\",\"subscription_item_details\":{\"subscription\":\"sub_1\",\"subscription_item\":\"si_1\","
        + "\"proration\":false}},\"pricing\":{\"type\":\"price_details\",\"price_details\":{\"price\":\"price_pro_monthly\"}}}]}}}}";
  }

  String packPaid(String eventId) {
    return "{\"id\":\"" + eventId + "\",\"object\":\"event\",\"created\":" + JAN + ",\"type\":\"payment_intent.succeeded\","
        + "\"data\":{\"object\":{\"id\":\"pi_1\",\"object\":\"payment_intent\",\"amount\":5000,\"amount_received\":5000,"
        + "\"currency\":\"usd\",\"metadata\":{\"pack_id\":\"credits_50\",\"user_id\":\"" + userId + "\"},\"status\":\"succeeded\"}}}";
  }

  @Test
  void aSubscriptionAndItsPaidInvoiceGrantTheIncludedAmountOnceEvenWhenRedeliveredConcurrently() throws Exception {
    TestHttp.Response sub = deliver(subscriptionEvent("evt_sub_1", "active"));
    assertThat(sub.status()).as(sub.body()).isEqualTo(200);
    assertThat(sub.json()).containsEntry("applied", true);
    String paid = invoicePaid("evt_paid_1", JAN, FEB);
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    List<Object> applied = new CopyOnWriteArrayList<>();
    StoreContractTest.hammer(10, () -> {
      TestHttp.Response r = deliver(paid);
      statuses.add(r.status());
      applied.add(r.json().get("applied"));
      return null;
    });
    assertThat(statuses).containsOnly(200);
    assertThat(applied).containsOnlyOnce(true);
    Balance b = genrtl.pool().balance(userId);
    assertThat(b.planId()).isEqualTo("pro");
    assertThat(b.includedMicros()).isEqualTo(20_000_000L);
    assertThat(b.periodStart()).isEqualTo(JAN * 1000);
    assertThat(genrtl.pool().verify(userId).problems()).isEmpty();
  }

  @Test
  void badSignaturesAre400AndChangeNothing() throws Exception {
    String body = packPaid("evt_pack_1");
    long t = clock.instant().getEpochSecond();
    assertProblem(deliver(body, null), 400, "invalid_signature");
    assertProblem(deliver(body, "garbage"), 400, "invalid_signature");
    assertProblem(deliver(body.replace("5000", "500000"), "t=" + t + ",v1=" + sign(SECRET, t, body)), 400, "invalid_signature");
    assertProblem(deliver(body, "t=" + t + ",v1=" + sign("whsec_wrong", t, body)), 400, "invalid_signature");
    long stale = t - 301;
    assertProblem(deliver(body, "t=" + stale + ",v1=" + sign(SECRET, stale, body)), 400, "invalid_signature");
    assertThat(genrtl.pool().balance(userId).creditsMicros()).isZero();
    // during a secret roll Stripe sends one v1 per secret: any that matches is enough
    TestHttp.Response rolled = deliver(body, "t=" + t + ",v1=" + sign("whsec_unknown", t, body) + ",v1=" + sign(OLD_SECRET, t, body));
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(userId).creditsMicros()).isEqualTo(50_000_000L);
    assertThat(deliver(body).json()).containsEntry("applied", false);
    assertThat(genrtl.pool().balance(userId).creditsMicros()).as("redelivery changes nothing").isEqualTo(50_000_000L);
  }

  @Test
  void aFailedPaymentMakesTheSubscriptionPastDueAndAnEarlyInvoiceIsRetried() throws Exception {
    // invoice.paid before we know the subscription: not 2xx, so Stripe delivers it again later
    String early = invoicePaid("evt_early", JAN, FEB);
    assertProblem(deliver(early), 404, "not_found");
    assertThat(deliver(subscriptionEvent("evt_sub", "active")).status()).isEqualTo(200);
    assertThat(deliver(early).json()).containsEntry("applied", true);
    String failed = "{\"id\":\"evt_fail\",\"object\":\"event\",\"created\":" + FEB + ",\"type\":\"invoice.payment_failed\","
        + "\"data\":{\"object\":{\"id\":\"in_2\",\"object\":\"invoice\",\"attempt_count\":1,\"customer\":\"cus_1\","
        + "\"parent\":{\"type\":\"subscription_details\",\"subscription_details\":{\"subscription\":\"sub_1\"}}}}}";
    TestHttp.Response r = deliver(failed);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(userId).subscriptionStatus()).isEqualTo("past_due");
    assertProblem(http.send("POST", "/api/webhooks/stripe", null, "{", "Stripe-Signature",
        "t=" + clock.instant().getEpochSecond() + ",v1=" + sign(SECRET, clock.instant().getEpochSecond(), "{")), 400, "validation_failed");
    clock.advance(Duration.ofSeconds(1));
  }
}
