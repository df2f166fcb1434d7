package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.CreemBilling;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.StripeWebhooks;
import io.genrtl.core.billing.BillingEvent;
import io.genrtl.payments.CreemEventParser;
import io.genrtl.payments.CreemWebhookVerifier;
import io.genrtl.payments.MalformedEventException;
import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeWebhookVerifier;
import io.javalin.Javalin;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signed provider events that cannot be applied (finding M1 of the hostile review), over HTTP on a real database
 * (subclasses pick SQLite or PostgreSQL): never a 5xx; a 4xx problem naming the field; nothing applied; the rejection
 * recorded once for super admins ({@code GET /api/admin/audit?action=webhook.rejected}); a corrected event applies.
 *
 * <p>{@link #generatedMutationsOfEverySignedEventNeverAnswer5xxAndApplyNothingWhenRejected} takes every event type
 * each parser handles and mutates it field by field (seeded; the seed is printed, {@code -Dgenrtl.fuzz.seed=N}
 * reproduces a run, {@code -Dgenrtl.fuzz.full=true} tries every mutation of every field instead of a seeded sample).
 */
abstract class WebhookPayloadsTest {
  static final String STRIPE_SECRET = "whsec_payloads";
  static final String CREEM_SECRET = "creem_whsec_payloads";
  static final long JAN = 1767225600L; // 2026-01-01T00:00:00Z
  static final long FEB = 1769904000L; // 2026-02-01T00:00:00Z
  static final long MAR = 1772323200L; // 2026-03-01T00:00:00Z
  static final long USD = 1_000_000L;
  static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

  protected abstract Stores openStores();

  protected void closeStores() {}

  MutableClock clock;
  GenRtl genrtl;
  Javalin app;
  TestHttp http;
  String ada; // Stripe's customer
  String cy; // Creem's customer
  String rootKey;
  String admKey;

  @BeforeEach
  void start() {
    clock = new MutableClock(Instant.ofEpochSecond(JAN + 60));
    genrtl = GenRtl.builder().stores(openStores()).clock(clock).build();
    StripeWebhooks stripe = new StripeWebhooks(new StripeWebhookVerifier(List.of(STRIPE_SECRET),
        StripeWebhookVerifier.DEFAULT_TOLERANCE, clock), new StripeEventParser(), Map.of("price_pro_monthly", "pro"), null);
    CreemBilling creem = new CreemBilling(new CreemWebhookVerifier(List.of(CREEM_SECRET)), new CreemEventParser(), null,
        Map.of("pro", "prod_pro", "credits_50", "prod_credits50"));
    List<CreditPack> packs = List.of(new CreditPack("credits_50", "$50 of credits", 50 * USD, 50 * USD));
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "https://app.example.com", 1 << 20, null, stripe,
        creem, packs));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
    ada = genrtl.accounts().createUser(new NewUser("ada@acme.test", "acme", Role.USER, null)).user().userId();
    String root = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null)).user().userId();
    String adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null)).user().userId();
    rootKey = genrtl.apiKeys().issue(root, "t", null).apiKey();
    admKey = genrtl.apiKeys().issue(adm, "t", null).apiKey();
    genrtl.billing().linkCustomer(ada, "stripe", "cus_ada");
    cy = genrtl.accounts().createUser(new NewUser("cy@acme.test", "acme", Role.USER, null)).user().userId();
    genrtl.billing().linkCustomer(cy, "creem", "cust_cy");
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop();
    closeStores();
  }

  // ------------------------------------------------------------------ signing and posting

  TestHttp.Response stripe(String body) {
    long t = clock.instant().getEpochSecond();
    return http.send("POST", "/api/webhooks/stripe", null, body, "Stripe-Signature",
        "t=" + t + ",v1=" + hmac(STRIPE_SECRET, t + "." + body));
  }

  TestHttp.Response creem(String body) {
    return http.send("POST", "/api/webhooks/creem", null, body, "creem-signature", hmac(CREEM_SECRET, body));
  }

  static String hmac(String secret, String text) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(String body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The 400 a refused field answers, naming it and the reason. */
  static void assertRefused(TestHttp.Response r, String field, String reason) {
    assertProblem(r, 400, "validation_failed");
    assertThat(r.json()).as(r.body()).containsEntry("field", field).containsEntry("reason", reason);
  }

  /** The webhook.rejected entries a caller sees, newest first. */
  @SuppressWarnings("unchecked")
  List<Map<String, Object>> rejections(String key) {
    List<Map<String, Object>> out = new ArrayList<>();
    String cursor = null;
    do {
      TestHttp.Response r = http.get("/api/admin/audit?action=webhook.rejected&limit=200"
          + (cursor == null ? "" : "&cursor=" + cursor), key);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      out.addAll((List<Map<String, Object>>) r.json().get("items"));
      cursor = (String) r.json().get("next_cursor");
    } while (cursor != null);
    return out;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> details(Map<String, Object> entry) {
    return (Map<String, Object>) entry.get("details");
  }

  /** What an event could change: the users' balances, subscriptions and provider customers. */
  String state() {
    String b = genrtl.pool().balance(ada) + " " + genrtl.pool().balance(cy);
    List<String> subs = new ArrayList<>();
    for (String id : new String[] {"sub_ada", "sub_creem_cy"}) {
      subs.add(genrtl.stores().accounts().subscriptions().find(id).map(Subscription::toString).orElse("-"));
    }
    return b + " " + subs + " " + genrtl.billing().customer(ada, "stripe") + " " + genrtl.billing().customer(cy, "creem");
  }

  // ------------------------------------------------------------------ the events each parser handles

  String stripeSubscription(String eventId, String type) {
    return """
        {"id":"%s","object":"event","api_version":"2025-09-30.clover","created":%d,"type":"%s","data":{"object":{
        "id":"sub_ada","object":"subscription","cancel_at_period_end":false,"customer":"cus_ada","status":"active",
        "current_period_start":%d,"current_period_end":%d,"plan":{"id":"price_pro_monthly","object":"plan"},
        "items":{"object":"list","data":[{"id":"si_1","object":"subscription_item","current_period_start":%d,
        "current_period_end":%d,"price":{"id":"price_pro_monthly","object":"price","unit_amount":2000},
        "plan":"price_pro_monthly","quantity":1}]},"metadata":{"user_id":"%s"}}}}
        """.formatted(eventId, JAN, type, JAN, FEB, JAN, FEB, ada);
  }

  String stripeCheckout(String eventId, String object) {
    return """
        {"id":"%s","object":"event","created":%d,"type":"checkout.session.completed","data":{"object":%s}}
        """.formatted(eventId, JAN, object);
  }

  String stripeCheckoutObject() {
    return """
        {"id":"cs_ada","object":"checkout.session","client_reference_id":"%s","customer":"cus_ada","mode":"subscription",
        "subscription":"sub_ada","payment_intent":null,"metadata":{"user_id":"%s"}}""".formatted(ada, ada);
  }

  static String stripeInvoicePaid(String eventId, String amountPaid, String start, String end) {
    return """
        {"id":"%s","object":"event","created":%d,"type":"invoice.paid","data":{"object":{"id":"in_%s","object":"invoice",
        "amount_paid":%s,"currency":"usd","customer":"cus_ada","parent":{"type":"subscription_details",
        "subscription_details":{"metadata":{},"subscription":"sub_ada"}},"lines":{"object":"list","data":[{"id":"il_1",
        "object":"line_item","amount":2000,"currency":"usd","period":{"start":%s,"end":%s},"parent":{"type":
        "subscription_item_details","subscription_item_details":{"subscription":"sub_ada","subscription_item":"si_1",
        "proration":false}},"pricing":{"type":"price_details","price_details":{"price":"price_pro_monthly"}}}]}}}}
        """.formatted(eventId, JAN, eventId, amountPaid, start, end);
  }

  static String stripeInvoicePaidLegacy(String eventId) {
    return """
        {"id":"%s","object":"event","created":%d,"type":"invoice.paid","data":{"object":{"id":"in_legacy",
        "object":"invoice","amount_paid":2000,"currency":"usd","customer":{"id":"cus_ada","object":"customer"},
        "subscription":"sub_ada","lines":{"data":[{"id":"il_p","amount":-500,"period":{"start":%d,"end":%d},
        "price":{"id":"price_old"},"proration":true,"subscription":"sub_ada","type":"subscription"},{"id":"il_2",
        "period":{"start":%d,"end":%d},"plan":{"id":"price_pro_monthly"},"price":"price_pro_monthly","proration":false,
        "subscription":{"id":"sub_ada"},"type":"subscription"}]}}}}
        """.formatted(eventId, JAN, JAN - 86400, FEB, JAN, FEB);
  }

  static String stripePaymentFailed(String eventId) {
    return """
        {"id":"%s","object":"event","created":%d,"type":"invoice.payment_failed","data":{"object":{"id":"in_fail",
        "object":"invoice","attempt_count":1,"customer":"cus_ada","next_payment_attempt":%d,"lines":{"data":[]},
        "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_ada"}}}}}
        """.formatted(eventId, FEB, FEB + 86400);
  }

  String stripePackPaid(String eventId, String paymentId, String packId, String amountReceived) {
    return """
        {"id":"%s","object":"event","created":%d,"type":"payment_intent.succeeded","data":{"object":{"id":"%s",
        "object":"payment_intent","amount":5000,"amount_received":%s,"currency":"usd","customer":"cus_ada",
        "metadata":{"pack_id":"%s","user_id":"%s"},"status":"succeeded"}}}
        """.formatted(eventId, JAN, paymentId, amountReceived, packId, ada);
  }

  String creemCheckout(String eventId, String object) {
    return """
        {"id":"%s","eventType":"checkout.completed","created_at":1767225600123,"object":%s}
        """.formatted(eventId, object);
  }

  String creemCheckoutSubscriptionObject() {
    return """
        {"id":"ch_cy","object":"checkout","order":{"id":"ord_cy","customer":"cust_cy","product":"prod_pro",
        "amount":2000,"currency":"USD","status":"paid","type":"recurring"},"product":{"id":"prod_pro",
        "billing_type":"recurring"},"customer":{"id":"cust_cy","object":"customer"},"subscription":{"id":"sub_creem_cy",
        "object":"subscription","status":"active"},"status":"completed","metadata":{"user_id":"%s","plan_id":"pro"}}"""
        .formatted(cy);
  }

  String creemCheckoutPackObject() {
    return """
        {"id":"ch_pack","object":"checkout","order":{"id":"ord_pack","customer":{"id":"cust_cy"},"product":"prod_credits50",
        "amount":5000,"amount_paid":5000,"currency":"USD","status":"paid","type":"onetime"},"product":"prod_credits50",
        "customer":"cust_cy","status":"completed","metadata":{"user_id":"%s","pack_id":"credits_50"}}""".formatted(cy);
  }

  String creemSubscription(String eventId, String type, String start, String end, String amount) {
    return """
        {"id":"%s","eventType":"%s","created_at":1769904000456,"object":{"id":"sub_creem_cy","object":"subscription",
        "product":{"id":"prod_pro","billing_type":"recurring"},"customer":{"id":"cust_cy","object":"customer"},
        "status":"%s","last_transaction_id":"tran_1","last_transaction":{"id":"tran_1","amount":%s,"amount_paid":%s,
        "currency":"USD","type":"invoice","status":"paid"},"current_period_start_date":%s,"current_period_end_date":%s,
        "metadata":{"user_id":"%s","userId":"%s"}}}
        """.formatted(eventId, type, type.equals("subscription.paid") || type.equals("subscription.expired") ? "active"
        : type.substring("subscription.".length()), amount, amount, start, end, cy, cy);
  }

  static String q(String s) {
    return "\"" + s + "\"";
  }

  /** Every event type each parser handles, valid (each applies or is acknowledged), keyed by a label. */
  Map<String, String> stripeBases() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("checkout.session.completed", stripeCheckout("evt_cs", stripeCheckoutObject()));
    for (String t : new String[] {"created", "updated", "paused", "resumed", "deleted"}) {
      m.put("customer.subscription." + t, stripeSubscription("evt_sub_" + t, "customer.subscription." + t));
    }
    m.put("invoice.paid", stripeInvoicePaid("evt_inv", "2000", Long.toString(JAN), Long.toString(FEB)));
    m.put("invoice.paid (older shape)", stripeInvoicePaidLegacy("evt_inv_legacy"));
    m.put("invoice.payment_failed", stripePaymentFailed("evt_fail"));
    m.put("payment_intent.succeeded", stripePackPaid("evt_pi", "pi_ada", "credits_50", "5000"));
    return m;
  }

  Map<String, String> creemBases() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("checkout.completed (subscription)", creemCheckout("evt_cc", creemCheckoutSubscriptionObject()));
    m.put("checkout.completed (credit pack)", creemCheckout("evt_ccp", creemCheckoutPackObject()));
    String start = q("2026-01-01T00:00:00.000Z");
    String end = q("2026-02-01T00:00:00.000Z");
    m.put("subscription.paid", creemSubscription("evt_cpaid", "subscription.paid", start, end, "2000"));
    for (String t : new String[] {"active", "trialing", "update", "past_due", "paused", "scheduled_cancel", "canceled",
        "expired"}) {
      m.put("subscription." + t, creemSubscription("evt_c_" + t, "subscription." + t, start, end, "2000"));
    }
    return m;
  }

  // ------------------------------------------------------------------ named regressions (M1)

  @Test
  void m1_creemCheckoutCompletedWithEmptyObject() {
    String before = state();
    List<String> objects = List.of("{}", "{\"id\":null}", "{\"id\":[]}", "{\"id\":{}}", "{\"id\":\"\"}",
        "{\"id\":\"ch_\\u0000x\"}");
    List<String> reasons = List.of("missing", "missing", "wrong_type", "wrong_type", "invalid_value", "invalid_value");
    for (int i = 0; i < objects.size(); i++) {
      String body = creemCheckout("evt_empty_" + i, objects.get(i));
      assertRefused(creem(body), "object.id", reasons.get(i));
      assertRefused(creem(body), "object.id", reasons.get(i)); // Creem redelivers: the same answer
    }
    assertThat(state()).as("nothing applied").isEqualTo(before);
    List<Map<String, Object>> seen = rejections(rootKey);
    assertThat(seen).as("one entry per body, visible to the super admin").hasSize(objects.size());
    Map<String, Object> first = seen.get(seen.size() - 1);
    assertThat(first).containsEntry("target_type", "webhook_event").containsEntry("target_id", "creem:evt_empty_0")
        .containsEntry("tenant_id", null).containsEntry("actor", null);
    assertThat(details(first)).containsEntry("provider", "creem").containsEntry("event_type", "checkout.completed")
        .containsEntry("code", "validation_failed").containsEntry("field", "object.id").containsEntry("reason", "missing")
        .containsEntry("body_sha256", sha256(creemCheckout("evt_empty_0", "{}")));
    assertThat(rejections(admKey)).as("a tenant admin does not see provider events").isEmpty();
    // the corrected checkout applies
    TestHttp.Response ok = creem(creemCheckout("evt_empty_fixed", creemCheckoutSubscriptionObject()));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json()).containsEntry("applied", true);
  }

  @Test
  void m1_stripeCheckoutSessionWithNullId() {
    String bob = genrtl.accounts().createUser(new NewUser("bob@acme.test", "acme", Role.USER, null)).user().userId();
    String good = stripeCheckoutObject().replace(ada, bob).replace("cus_ada", "cus_bob");
    JsonObject base = JsonParser.parseString(good).getAsJsonObject();
    List<JsonElement> ids = List.of(JsonNull.INSTANCE, new JsonArray(), new JsonObject(), new JsonPrimitive(7));
    List<String> reasons = List.of("missing", "wrong_type", "wrong_type", "wrong_type");
    JsonObject noId = base.deepCopy();
    noId.remove("id");
    assertRefused(stripe(stripeCheckout("evt_cs_bad", GSON.toJson(noId))), "data.object.id", "missing");
    for (int i = 0; i < ids.size(); i++) {
      JsonObject o = base.deepCopy();
      o.add("id", ids.get(i));
      assertRefused(stripe(stripeCheckout("evt_cs_" + i, GSON.toJson(o))), "data.object.id", reasons.get(i));
    }
    String replay = stripeCheckout("evt_cs_0", GSON.toJson(withMember(base, "id", JsonNull.INSTANCE)));
    assertRefused(stripe(replay), "data.object.id", "missing");
    assertThat(genrtl.billing().customer(bob, "stripe")).as("nothing linked").isEmpty();
    assertThat(rejections(rootKey)).hasSize(5);
    // neither a corrected event with a new id nor one reusing a rejected id is blocked by the rejections
    TestHttp.Response fixed = stripe(stripeCheckout("evt_cs_0", good));
    assertThat(fixed.status()).as(fixed.body()).isEqualTo(200);
    assertThat(fixed.json()).containsEntry("applied", true);
    assertThat(genrtl.billing().customer(bob, "stripe")).contains("cus_bob");
    TestHttp.Response again = stripe(stripeCheckout("evt_cs_new", good));
    assertThat(again.status()).isEqualTo(200);
  }

  static JsonObject withMember(JsonObject o, String name, JsonElement value) {
    JsonObject c = o.deepCopy();
    c.add(name, value);
    return c;
  }

  @Test
  void m1_amountOverflowRefused() {
    assertThat(stripe(stripeSubscription("evt_sub", "customer.subscription.updated")).status()).isEqualTo(200);
    String before = state();
    for (String amount : List.of("1e30", "9223372036854775808", "922337203685478", "-1", "-9223372036854775809",
        "100000001")) {
      assertRefused(stripe(stripeInvoicePaid("evt_inv_" + amount.hashCode(), amount, Long.toString(JAN),
          Long.toString(FEB))), "data.object.amount_paid", "out_of_range");
    }
    assertRefused(stripe(stripeInvoicePaid("evt_inv_frac", "12.5", Long.toString(JAN), Long.toString(FEB))),
        "data.object.amount_paid", "wrong_type");
    for (String amount : List.of("-5000", "1e30", "9223372036854775807", "-9223372036854775809", "100000001")) {
      assertRefused(stripe(stripePackPaid("evt_pi_" + amount.hashCode(), "pi_" + amount.hashCode(), "bulk", amount)),
          "data.object.amount_received", "out_of_range");
    }
    String noId = stripePackPaid("evt_pi_noid", "pi_x", "credits_50", "5000").replace("\"id\":\"pi_x\",", "");
    assertRefused(stripe(noId), "data.object.id", "missing");
    assertRefused(creem(creemSubscription("evt_cp_huge", "subscription.paid", q("2026-01-01T00:00:00Z"),
        q("2026-02-01T00:00:00Z"), "9223372036854775808")), "object.last_transaction.amount_paid", "out_of_range");
    assertRefused(creem(creemCheckout("evt_ccp_huge", creemCheckoutPackObject().replace("\"amount_paid\":5000",
        "\"amount_paid\":1e30"))), "object.order.amount_paid", "out_of_range");
    assertThat(state()).as("no grant, no period").isEqualTo(before);
    assertThat(rejections(rootKey)).hasSize(15);
    // the documented maximum itself is accepted: $1,000,000 for a pack we do not list adds what was paid
    TestHttp.Response max = stripe(stripePackPaid("evt_pi_max", "pi_max", "bulk", "100000000"));
    assertThat(max.status()).as(max.body()).isEqualTo(200);
    assertThat(genrtl.pool().balance(ada).creditsMicros()).isEqualTo(1_000_000 * USD);
  }

  @Test
  void m1_periodOutOfRangeRefused() {
    assertThat(stripe(stripeSubscription("evt_sub", "customer.subscription.updated")).status()).isEqualTo(200);
    assertThat(creem(creemSubscription("evt_c0", "subscription.active", q("2026-01-01T00:00:00Z"),
        q("2026-02-01T00:00:00Z"), "2000")).status()).isEqualTo(200);
    String before = state();
    String item = "data.object.items.data[0].current_period_end";
    String sub = stripeSubscription("evt_far", "customer.subscription.updated");
    String far = sub.replace("\"current_period_end\":" + FEB + ",\"price\"", "\"current_period_end\":99999999999,\"price\"");
    assertThat(far).isNotEqualTo(sub);
    assertRefused(stripe(far), item, "out_of_range");
    assertRefused(stripe(sub.replace("\"current_period_end\":" + FEB + ",\"price\"", "\"current_period_end\":-1,\"price\"")
        .replace("evt_far", "evt_neg")), item, "out_of_range");
    assertRefused(stripe(sub.replace("\"current_period_end\":" + FEB + ",\"price\"", "\"current_period_end\":" + JAN
        + ",\"price\"").replace("evt_far", "evt_empty")), item, "out_of_range");
    assertRefused(stripe(sub.replace("\"current_period_end\":" + FEB + ",\"plan\"", "\"current_period_end\":1e30,\"plan\"")
        .replace("evt_far", "evt_top")), "data.object.current_period_end", "out_of_range");
    assertRefused(stripe(stripeInvoicePaid("evt_inv_far", "2000", Long.toString(JAN), "9223372036854775807")),
        "data.object.lines.data[0].period.end", "out_of_range");
    assertRefused(stripe(stripeInvoicePaid("evt_inv_old", "2000", "-9223372036854775808", Long.toString(FEB))),
        "data.object.lines.data[0].period.start", "out_of_range");
    assertRefused(creem(creemSubscription("evt_c_far", "subscription.canceled", q("2026-01-01T00:00:00Z"),
        q("+246105574-05-31T00:00:00Z"), "2000")), "object.current_period_end_date", "out_of_range");
    assertRefused(creem(creemSubscription("evt_c_old", "subscription.paid", q("1999-12-31T23:59:59Z"),
        q("2026-02-01T00:00:00Z"), "2000")), "object.current_period_start_date", "out_of_range");
    assertRefused(creem(creemSubscription("evt_c_bad", "subscription.update", q("2026-01-01T00:00:00Z"),
        q("yesterday"), "2000")), "object.current_period_end_date", "invalid_value");
    assertRefused(creem(creemSubscription("evt_c_rev", "subscription.paid", q("2026-02-01T00:00:00Z"),
        q("2026-01-01T00:00:00Z"), "2000")), "object.current_period_end_date", "out_of_range");
    assertThat(state()).as("no subscription moved to another period").isEqualTo(before);
    assertThat(genrtl.stores().accounts().subscriptions().find("sub_creem_cy").orElseThrow().periodEnd()).isEqualTo(FEB * 1000);
    assertThat(rejections(rootKey)).hasSize(10);
  }

  // ------------------------------------------------------------------ generated mutations

  /** One way of breaking a field. {@code apply} returns the replacement, or null to remove the field. */
  record Mutation(String name, Function<JsonElement, JsonElement> apply) {}

  static final JsonElement REMOVE = null;

  static List<Mutation> mutations() {
    List<Mutation> m = new ArrayList<>();
    m.add(new Mutation("remove", e -> REMOVE));
    m.add(new Mutation("null", e -> JsonNull.INSTANCE));
    m.add(new Mutation("[]", e -> new JsonArray()));
    m.add(new Mutation("{}", e -> new JsonObject()));
    m.add(new Mutation("wrong type", e -> e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? new JsonPrimitive(7)
        : e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? new JsonPrimitive("7")
        : e.isJsonPrimitive() ? new JsonPrimitive("true") : new JsonPrimitive("x")));
    m.add(new Mutation("true", e -> new JsonPrimitive(true)));
    m.add(new Mutation("string with NUL", e -> new JsonPrimitive("a\u0000b")));
    m.add(new Mutation("300-character string", e -> new JsonPrimitive("x".repeat(300))));
    m.add(new Mutation("-1", e -> new JsonPrimitive(-1)));
    m.add(new Mutation("1e30", e -> new JsonPrimitive(new BigDecimal("1e30"))));
    m.add(new Mutation("2^63", e -> new JsonPrimitive(BigInteger.TWO.pow(63))));
    m.add(new Mutation("-2^63-1", e -> new JsonPrimitive(BigInteger.TWO.pow(63).negate().subtract(BigInteger.ONE))));
    m.add(new Mutation("9.3e14 cents", e -> new JsonPrimitive(922_337_203_685_478L)));
    m.add(new Mutation("fraction", e -> new JsonPrimitive(new BigDecimal("12.5"))));
    m.add(new Mutation("year 5138 in seconds", e -> new JsonPrimitive(99_999_999_999L)));
    m.add(new Mutation("year +246105574", e -> new JsonPrimitive("+246105574-05-31T00:00:00Z")));
    m.add(new Mutation("year 1969", e -> new JsonPrimitive("1969-12-31T23:59:59Z")));
    m.add(new Mutation("not a date", e -> new JsonPrimitive("not a date")));
    return m;
  }

  /** The paths of every member and element below the root, as lists of names and indexes. */
  static List<List<Object>> paths(JsonElement e, List<Object> prefix, List<List<Object>> out) {
    if (e.isJsonObject()) {
      for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(m.getKey());
        out.add(p);
        paths(m.getValue(), p, out);
      }
    } else if (e.isJsonArray()) {
      for (int i = 0; i < e.getAsJsonArray().size(); i++) {
        List<Object> p = new ArrayList<>(prefix);
        p.add(i);
        out.add(p);
        paths(e.getAsJsonArray().get(i), p, out);
      }
    }
    return out;
  }

  static JsonObject mutate(JsonObject root, List<Object> path, Mutation m) {
    JsonObject copy = root.deepCopy();
    JsonElement parent = copy;
    for (int i = 0; i < path.size() - 1; i++) {
      Object step = path.get(i);
      parent = step instanceof String s ? parent.getAsJsonObject().get(s) : parent.getAsJsonArray().get((Integer) step);
    }
    Object last = path.get(path.size() - 1);
    JsonElement old = last instanceof String s ? parent.getAsJsonObject().get(s) : parent.getAsJsonArray().get((Integer) last);
    JsonElement replacement = m.apply().apply(old);
    if (last instanceof String s) {
      if (replacement == REMOVE) parent.getAsJsonObject().remove(s);
      else parent.getAsJsonObject().add(s, replacement);
    } else {
      if (replacement == REMOVE) parent.getAsJsonArray().remove((int) (Integer) last);
      else parent.getAsJsonArray().set((Integer) last, replacement);
    }
    return copy;
  }

  record Case(String provider, String label, String body) {}

  record Outcome(int status, String code, String field) {}

  @Test
  void generatedMutationsOfEverySignedEventNeverAnswer5xxAndApplyNothingWhenRejected() {
    long seed = Long.getLong("genrtl.fuzz.seed", System.nanoTime());
    boolean full = Boolean.getBoolean("genrtl.fuzz.full");
    int perField = Integer.getInteger("genrtl.fuzz.mutationsPerField", 4);
    System.out.println("[webhook fuzz] seed " + seed + (full ? " (full)" : " (" + perField + " mutations per field)")
        + " on " + getClass().getSimpleName() + ": reproduce with -Dgenrtl.fuzz.seed=" + seed);
    Random rnd = new Random(seed);
    List<Mutation> all = mutations();

    // every base event is valid: it applies (or is acknowledged) as it is
    List<Case> cases = new ArrayList<>();
    int n = 0;
    for (String provider : List.of("stripe", "creem")) {
      Map<String, String> bases = provider.equals("stripe") ? stripeBases() : creemBases();
      for (Map.Entry<String, String> b : bases.entrySet()) {
        TestHttp.Response r = provider.equals("stripe") ? stripe(b.getValue()) : creem(b.getValue());
        assertThat(r.status()).as(b.getKey() + ": " + r.body()).isEqualTo(200);
        JsonObject root = JsonParser.parseString(b.getValue()).getAsJsonObject();
        for (List<Object> path : paths(root, List.of(), new ArrayList<>())) {
          List<Mutation> ms = new ArrayList<>(all);
          if (!full) {
            Collections.shuffle(ms, rnd);
            ms = ms.subList(0, Math.min(perField, ms.size()));
          }
          for (Mutation m : ms) {
            JsonObject withId = root.deepCopy();
            withId.addProperty("id", "evt_fuzz_" + (n++)); // a fresh event id per case (unless the case breaks it)
            String body = GSON.toJson(mutate(withId, path, m));
            cases.add(new Case(provider, b.getKey() + " " + path + " → " + m.name(), body));
          }
        }
      }
    }
    Collections.shuffle(cases, rnd);

    StripeEventParser stripeParser = new StripeEventParser();
    CreemEventParser creemParser = new CreemEventParser();
    Map<String, Outcome> rejected = new HashMap<>();
    int ok = 0;
    int refused = 0;
    int notFound = 0;
    for (Case c : cases) {
      String before = state();
      TestHttp.Response r = c.provider().equals("stripe") ? stripe(c.body()) : creem(c.body());
      String what = c.label() + " → " + r.status() + " " + r.body() + "\n" + c.body();
      assertThat(r.status()).as("never 5xx: " + what).isLessThan(500);
      // the documented rule: what the parser refuses is 400 naming its field; what it ignores is 200, not applied
      BillingEvent parsed = null;
      MalformedEventException refusal = null;
      try {
        parsed = c.provider().equals("stripe") ? stripeParser.parse(c.body().getBytes(StandardCharsets.UTF_8))
            : creemParser.parse(c.body().getBytes(StandardCharsets.UTF_8));
      } catch (MalformedEventException e) {
        refusal = e;
      }
      if (refusal != null) {
        assertThat(r.status()).as(what).isEqualTo(400);
        assertThat(r.json()).as(what).containsEntry("field", refusal.field())
            .containsEntry("reason", refusal.problem().wire());
      } else if (parsed instanceof BillingEvent.Ignored) {
        assertThat(r.status()).as(what).isEqualTo(200);
        assertThat(r.json()).as(what).containsEntry("applied", false);
      } else {
        assertThat(r.status()).as(what).isIn(200, 400, 404);
      }
      if (r.status() >= 400) {
        assertThat(r.contentType()).as(what).startsWith("application/problem+json");
        assertThat(r.json().get("code")).as(what).isIn("validation_failed", "not_found");
        assertThat(r.body()).as(what).doesNotContain("Exception");
        assertThat(state()).as("a rejected event applies nothing: " + what).isEqualTo(before);
        rejected.put(sha256(c.body()), new Outcome(r.status(), (String) r.json().get("code"), (String) r.json().get("field")));
        if (r.status() == 400) refused++;
        else notFound++;
      } else {
        assertThat(r.json()).as(what).containsEntry("received", true);
        ok++;
        // what was applied is sane: no period outside 2000-2200, no balance beyond what one event may add
        for (String id : new String[] {"sub_ada", "sub_creem_cy"}) {
          genrtl.stores().accounts().subscriptions().find(id).ifPresent(s -> {
            assertThat(BillingEvent.saneTime(s.periodStart())).as(what + "\n" + s).isTrue();
            assertThat(BillingEvent.saneTime(s.periodEnd())).as(what + "\n" + s).isTrue();
            assertThat(s.periodEnd()).as(what).isGreaterThan(s.periodStart());
          });
        }
        for (String u : new String[] {ada, cy}) {
          Balance b = genrtl.pool().balance(u);
          assertThat(b.creditsMicros()).as(what).isBetween(0L, 10 * BillingEvent.MAX_AMOUNT_MICROS);
          assertThat(b.includedMicros()).as(what).isBetween(0L, 10 * BillingEvent.MAX_AMOUNT_MICROS);
        }
      }
    }
    // a sample of rejected events replayed: the same answer, and no second record
    List<Case> replays = cases.stream().filter(c -> rejected.containsKey(sha256(c.body()))).limit(20).toList();
    for (Case c : replays) {
      TestHttp.Response r = c.provider().equals("stripe") ? stripe(c.body()) : creem(c.body());
      Outcome o = rejected.get(sha256(c.body()));
      assertThat(r.status()).as(c.label()).isEqualTo(o.status());
      assertThat(r.json().get("code")).isEqualTo(o.code());
    }
    // every rejection is visible to the super admin, once, with the answer's code and field; not to a tenant admin
    Map<String, Map<String, Object>> recorded = new HashMap<>();
    for (Map<String, Object> e : rejections(rootKey)) {
      Map<String, Object> d = details(e);
      assertThat(recorded.put((String) d.get("body_sha256"), d)).as("recorded once: " + d).isNull();
    }
    assertThat(recorded.keySet()).containsExactlyInAnyOrderElementsOf(rejected.keySet());
    rejected.forEach((sha, o) -> {
      assertThat(recorded.get(sha)).containsEntry("code", o.code());
      if (o.field() != null) assertThat(recorded.get(sha)).containsEntry("field", o.field());
    });
    assertThat(rejections(admKey)).isEmpty();
    System.out.println("[webhook fuzz] " + cases.size() + " signed events: " + ok + " answered 200, " + refused
        + " refused (400), " + notFound + " not found yet (404), 0 5xx");
  }
}
