package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server started from environment variables wires Stripe, Creem, the built-in credit packs, the meter and the
 * alert webhook's durable outbox.
 */
class PaymentsWiringTest {
  @TempDir Path dir;

  @Test
  void theServerWiresPaymentProvidersFromTheEnvironment() throws Exception {
    WireMockServer wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    try {
      Map<String, String> env = new HashMap<>();
      env.put("GENRTL_DATA_DIR", dir.resolve("data").toString());
      env.put("GENRTL_PORT", "0");
      env.put("GENRTL_BIND", "127.0.0.1");
      env.put("STRIPE_SECRET_KEY", "sk_test_wired");
      env.put("STRIPE_API_BASE", wm.baseUrl());
      env.put("GENRTL_STRIPE_METER_EVENT", "genrtl_on_demand");
      env.put("CREEM_WEBHOOK_SECRET", "creem_wired_secret");
      env.put("GENRTL_ALERT_WEBHOOK_URL", wm.baseUrl() + "/alerts");
      env.put("GENRTL_ALERT_WEBHOOK_SECRET", "alert-secret-0123456789");
      wm.stubFor(post(urlPathEqualTo("/v1/customers")).willReturn(aResponse().withHeader("Content-Type", "application/json")
          .withBody("{\"id\":\"cus_w\",\"object\":\"customer\"}")));
      wm.stubFor(post(urlPathEqualTo("/v1/payment_intents")).willReturn(aResponse().withHeader("Content-Type", "application/json")
          .withBody("{\"id\":\"pi_w\",\"object\":\"payment_intent\",\"client_secret\":\"pi_w_secret\"}")));
      try (GenRtlServer server = GenRtlServer.start(HostConfig.load(env), Clock.systemUTC(),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
        HostRuntime.Payments pay = server.runtime().payments();
        assertThat(pay.meterReporter()).isNotNull();
        assertThat(pay.alertWebhooks()).isNotNull();
        assertThat(pay.packs()).extracting(p -> p.packId()).contains("credits_10");
        String user = server.runtime().genrtl().accounts().createUser(new NewUser("w@x.test", null, Role.USER, null)).user().userId();
        String key = server.runtime().genrtl().apiKeys().issue(user, "t", null).apiKey();
        TestHttp http = new TestHttp(server.port());
        // the built-in $10 pack through the wired Stripe gateway
        TestHttp.Response pi = http.post("/api/billing/payment-intent", key, "{\"pack\":\"credits_10\"}");
        assertThat(pi.status()).as(pi.body()).isEqualTo(200);
        assertThat(pi.json()).containsEntry("client_secret", "pi_w_secret").containsEntry("customer_id", "cus_w");
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/v1/payment_intents"))).get(0).getBodyAsString())
            .contains("amount=1000", "metadata[pack_id]=credits_10");
        // no STRIPE_WEBHOOK_SECRET: the Stripe webhook route does not exist; Creem's does and checks signatures
        assertProblem(http.send("POST", "/api/webhooks/stripe", null, "{}", "Stripe-Signature", "t=1,v1=00"), 404, "not_found");
        assertProblem(http.send("POST", "/api/webhooks/creem", null, "{}", "creem-signature", "00"), 400, "invalid_signature");
        String body = "{\"id\":\"evt_w\",\"eventType\":\"refund.created\",\"object\":{\"id\":\"ref_1\"}}";
        TestHttp.Response ok = http.send("POST", "/api/webhooks/creem", null, body, "creem-signature",
            BillingApiTest.creemSign("creem_wired_secret", body));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json()).containsEntry("applied", false);
        // a spend alert commits with its pending delivery, and the started worker is woken to POST it
        wm.stubFor(post(urlPathEqualTo("/alerts")).willReturn(aResponse().withStatus(204)));
        String pro = server.runtime().genrtl().accounts().createUser(new NewUser("a@x.test", null, Role.USER, "pro")).user().userId();
        server.runtime().genrtl().pool().charge(io.genrtl.core.pool.ChargeRequest.of(pro, io.genrtl.core.pool.UsageKind.LLM,
            11_000_000L, "wired-alert"));
        for (int i = 0; i < 600 && pay.alertWebhooks().pending() > 0; i++) Thread.sleep(50);
        assertThat(pay.alertWebhooks().pending()).isZero();
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/alerts")))).hasSize(1)
            .allSatisfy(r -> assertThat(r.getHeader(AlertWebhooks.ID_HEADER)).hasSize(26));
      }
    } finally {
      wm.stop();
    }
  }
}
