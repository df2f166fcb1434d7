package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.Json;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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

/** Spend alerts are queued after commit and POSTed, HMAC-signed, to a webhook (WireMock), retried with backoff. */
class AlertWebhooksTest {
  static final String SECRET = "alert-secret-0123456789";
  @TempDir Path tmp;
  WireMockServer wm;
  HikariDataSource ds;
  MutableClock clock;
  final List<Duration> slept = new CopyOnWriteArrayList<>();
  AlertWebhooks hooks;
  GenRtl genrtl;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    clock = MutableClock.at("2026-04-01T10:00:00Z");
    hooks = new AlertWebhooks(URI.create(wm.baseUrl() + "/hooks/genrtl"), SECRET, clock, d -> {
      slept.add(d);
      clock.advance(d);
    }, HttpClient.newHttpClient(), Duration.ofSeconds(1), Duration.ofSeconds(30));
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    genrtl = GenRtl.builder().stores(SqliteStores.create(ds)).clock(clock).alertListener(HostRuntime.alertListener(hooks)).build();
  }

  @AfterEach
  void stop() {
    hooks.close();
    ds.close();
    wm.stop();
  }

  static String hmac(String secret, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anAlertIsQueuedByTheChargeAndDeliveredSignedAfterARetry() throws Exception {
    wm.stubFor(post(urlPathEqualTo("/hooks/genrtl")).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
    wm.stubFor(post(urlPathEqualTo("/hooks/genrtl")).inScenario("flaky").whenScenarioStateIs("up")
        .willReturn(aResponse().withStatus(204)));
    String u = genrtl.accounts().createUser(new NewUser("al@x.test", null, Role.USER, "pro")).user().userId();
    // $11 of the $20 included crosses 50 %: the charge returns with the alert only queued, nothing sent yet
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 11_000_000L, "k1"));
    assertThat(hooks.queued()).isEqualTo(1);
    wm.verify(0, postRequestedFor(urlPathEqualTo("/hooks/genrtl")));

    assertThat(hooks.deliverPending()).isEqualTo(1);
    assertThat(slept).containsExactly(Duration.ofSeconds(1));
    List<LoggedRequest> sent = wm.findAll(postRequestedFor(urlPathEqualTo("/hooks/genrtl")));
    assertThat(sent).hasSize(2);
    LoggedRequest last = sent.get(1);
    String body = last.getBodyAsString();
    String header = last.getHeader(AlertWebhooks.HEADER);
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    String t = header.substring(2, header.indexOf(','));
    assertThat(Long.parseLong(t)).isEqualTo(clock.instant().getEpochSecond());
    assertThat(header.substring(header.indexOf("v1=") + 3)).isEqualTo(hmac(SECRET, t + "." + body));
    assertThat(header.substring(header.indexOf("v1=") + 3)).isNotEqualTo(hmac("wrong-secret-0123456789", t + "." + body));
    @SuppressWarnings("unchecked") Map<String, Object> json = (Map<String, Object>) Json.parse(body.getBytes(StandardCharsets.UTF_8));
    assertThat(json).containsEntry("type", "spend_alert").containsEntry("user_id", u).containsEntry("kind", "included");
    assertThat(json.get("threshold_percent").toString()).isEqualTo("50");
    assertThat(json.get("amount_usd").toString()).isEqualTo("11");
    assertThat(last.getHeader("Content-Type")).startsWith("application/json");
    assertThat(hooks.queued()).isZero();
  }

  @Test
  void anUnreachableWebhookIsRetriedWithExponentialBackoffThenGivenUpWithoutBlockingCharges() throws Exception {
    wm.stubFor(post(urlPathEqualTo("/hooks/genrtl")).willReturn(aResponse().withStatus(500)));
    String u = genrtl.accounts().createUser(new NewUser("down@x.test", null, Role.USER, "pro")).user().userId();
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 17_000_000L, "k1")); // 50 % and 80 %
    assertThat(hooks.queued()).isEqualTo(2);
    assertThat(hooks.deliverPending()).isZero();
    wm.verify(2 * AlertWebhooks.MAX_ATTEMPTS, postRequestedFor(urlPathEqualTo("/hooks/genrtl")));
    assertThat(slept.subList(0, AlertWebhooks.MAX_ATTEMPTS - 1)).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2),
        Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30));
    // the alerts themselves are still listed
    assertThat(genrtl.pool().alerts(u, io.genrtl.core.PageRequest.first(10)).items()).hasSize(2);
  }
}
