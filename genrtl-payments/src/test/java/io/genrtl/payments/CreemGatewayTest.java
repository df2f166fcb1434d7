package io.genrtl.payments;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.genrtl.payments.CreemGateway.Checkout;
import io.genrtl.payments.CreemGateway.CheckoutRequest;
import java.time.Duration;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CreemGatewayTest {
  static final String KEY = "creem_test_6b5a4c3d2e1f";
  static final String USER = "01JUSER0000000000000000001";
  static WireMockServer wm;
  static OkHttpClient http;
  CreemGateway gateway;

  @BeforeAll
  static void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    http = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    wm.stop();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @BeforeEach
  void reset() {
    wm.resetAll();
    gateway = new CreemGateway(http, "http://127.0.0.1:" + wm.port() + "/", KEY);
  }

  @Test
  void createsACheckout() {
    wm.stubFor(post(urlPathEqualTo("/v1/checkouts"))
        .withHeader("x-api-key", equalTo(KEY))
        .withHeader("Content-Type", matching("application/json(;.*)?"))
        .withRequestBody(equalToJson("""
            {"product_id": "prod_credits50", "request_id": "chk_01JCHECKOUT00000000000002",
             "success_url": "https://app.example.com/billing/success",
             "customer": {"email": "ada@example.com"},
             "metadata": {"user_id": "%s", "pack_id": "credits_50"}}""".formatted(USER)))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("""
            {"id": "ch_PackCheckout0000000001", "mode": "test", "object": "checkout", "status": "pending",
             "product": "prod_credits50", "units": 1, "request_id": "chk_01JCHECKOUT00000000000002",
             "success_url": "https://app.example.com/billing/success",
             "checkout_url": "https://creem.io/test/checkout/prod_credits50/ch_PackCheckout0000000001",
             "metadata": {"user_id": "%s", "pack_id": "credits_50"}}""".formatted(USER))));
    Checkout c = gateway.createCheckout(new CheckoutRequest("prod_credits50", USER, "chk_01JCHECKOUT00000000000002",
        "https://app.example.com/billing/success", "ada@example.com", Map.of("pack_id", "credits_50")));
    assertThat(c).isEqualTo(new Checkout("ch_PackCheckout0000000001",
        "https://creem.io/test/checkout/prod_credits50/ch_PackCheckout0000000001"));
  }

  @Test
  void errorsCarryStatusAndMessageButNotTheKey() {
    wm.stubFor(post(urlPathEqualTo("/v1/checkouts")).willReturn(aResponse().withStatus(403)
        .withHeader("Content-Type", "application/json").withBody("""
            {"trace_id": "4f0c1e2a", "status": 403, "error": "Forbidden", "message": ["Invalid API key"],
             "timestamp": 1767225600000}""")));
    assertThatThrownBy(() -> gateway.createCheckout(new CheckoutRequest("prod_x", USER, null, null, null, null)))
        .isInstanceOfSatisfying(PaymentProviderException.class, e -> {
          assertThat(e.httpStatus()).isEqualTo(403);
          assertThat(e.code()).isEqualTo("Forbidden");
          assertThat(e.getMessage()).contains("Invalid API key").doesNotContain(KEY);
        });
  }

  @Test
  void aResponseWithoutCheckoutUrlIsAnError() {
    wm.stubFor(post(urlPathEqualTo("/v1/checkouts")).willReturn(aResponse().withStatus(200).withBody("{\"id\":\"ch_1\"}")));
    assertThatThrownBy(() -> gateway.createCheckout(new CheckoutRequest("prod_x", USER, null, null, null, null)))
        .isInstanceOf(PaymentProviderException.class).hasMessageContaining("checkout_url");
  }
}
