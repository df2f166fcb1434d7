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
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.AlertDelivery;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
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

/**
 * Spend alerts go to the webhook (WireMock) from the durable outbox, on a real database (subclasses: SQLite and
 * PostgreSQL): the charge only records a pending delivery; a deliverer POSTs it signed with its id, retries with backoff
 * on the injected sleeper and clock, gives up after {@link AlertWebhooks#MAX_ATTEMPTS}; an alert whose host stopped
 * before delivering it (or died holding it) is delivered once by another host on the same database.
 */
abstract class AlertWebhooksTest {
  static final String SECRET = "alert-secret-0123456789";
  static final String PATH = "/hooks/genrtl";

  /** This host's stores on a fresh database. */
  protected abstract Stores openStores();

  /** Another host's stores (its own connection pool) on the same database. */
  protected abstract Stores openAnotherHost();

  protected abstract void closeStores();

  WireMockServer wm;
  MutableClock clock;
  final List<Duration> slept = new CopyOnWriteArrayList<>();
  final List<AlertWebhooks> opened = new CopyOnWriteArrayList<>();
  Stores stores;
  AlertWebhooks hooks;
  GenRtl genrtl;

  @BeforeEach
  void start() {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    clock = MutableClock.at("2026-04-01T10:00:00Z");
    stores = openStores();
    hooks = hooks(stores, "host-a", Duration.ofHours(1));
    genrtl = GenRtl.builder().stores(stores).clock(clock).deliverAlerts(true)
        .alertListener(HostRuntime.alertListener(hooks)).build();
  }

  @AfterEach
  void stop() {
    opened.forEach(AlertWebhooks::close);
    closeStores();
    wm.stop();
  }

  /** A deliverer whose sleeper moves the test clock; {@code poll} bounds an idle worker's wait. */
  AlertWebhooks hooks(Stores on, String owner, Duration poll) {
    AlertWebhooks h = new AlertWebhooks(URI.create(wm.baseUrl() + PATH), SECRET, on.pool().alertDeliveries(), owner, clock, d -> {
      slept.add(d);
      clock.advance(d);
    }, HttpClient.newHttpClient(), Duration.ofSeconds(1), Duration.ofSeconds(30), poll);
    opened.add(h);
    return h;
  }

  String proUser(String email) {
    return genrtl.accounts().createUser(new NewUser(email, null, Role.USER, "pro")).user().userId();
  }

  static String hmac(String secret, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
  }

  /** Checks the signature of one request as a receiver would, and returns its parsed body. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> verified(LoggedRequest r) throws Exception {
    String body = r.getBodyAsString();
    String header = r.getHeader(AlertWebhooks.HEADER);
    assertThat(header).matches("t=\\d+,v1=[0-9a-f]{64}");
    String t = header.substring(2, header.indexOf(','));
    String v1 = header.substring(header.indexOf("v1=") + 3);
    assertThat(v1).isEqualTo(hmac(SECRET, t + "." + body));
    assertThat(v1).isNotEqualTo(hmac("wrong-secret-0123456789", t + "." + body));
    assertThat(r.getHeader("Content-Type")).startsWith("application/json");
    Map<String, Object> json = (Map<String, Object>) Json.parse(body.getBytes(StandardCharsets.UTF_8));
    assertThat(r.getHeader(AlertWebhooks.ID_HEADER)).as("the id header is the signed body's alert_id")
        .isEqualTo(json.get("alert_id"));
    return json;
  }

  List<LoggedRequest> sent() {
    return wm.findAll(postRequestedFor(urlPathEqualTo(PATH)));
  }

  @Test
  void aChargeRecordsTheDeliveryAndA503IsRetriedAfterOneSecondThenDeliveredSigned() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
        .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
    wm.stubFor(post(urlPathEqualTo(PATH)).inScenario("flaky").whenScenarioStateIs("up")
        .willReturn(aResponse().withStatus(204)));
    String u = proUser("al@x.test");
    // $11 of the $20 included crosses 50 %: the charge returns with the delivery recorded, nothing sent yet
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 11_000_000L, "k1"));
    assertThat(hooks.pending()).isEqualTo(1);
    assertThat(sent()).isEmpty();
    SpendAlert alert = genrtl.pool().alerts(u, PageRequest.first(10)).items().get(0);

    assertThat(hooks.deliverDue()).isEqualTo(new AlertWebhooks.Report(0, 1, 0));
    AlertDelivery waiting = stores.pool().alertDeliveries().find(alert.alertId()).orElseThrow();
    assertThat(waiting.lastError()).isEqualTo("HTTP 503");
    assertThat(waiting.nextAttemptAt()).isEqualTo(clock.millis() + 1_000);
    assertThat(hooks.drain(Duration.ofMinutes(1))).isEqualTo(new AlertWebhooks.Report(1, 0, 0));
    assertThat(slept).as("no real waiting: the clock moved").containsExactly(Duration.ofSeconds(1));

    List<LoggedRequest> sent = sent();
    assertThat(sent).hasSize(2);
    assertThat(sent).extracting(r -> r.getHeader(AlertWebhooks.ID_HEADER)).containsOnly(alert.alertId());
    LoggedRequest last = sent.get(1);
    Map<String, Object> json = verified(last);
    String header = last.getHeader(AlertWebhooks.HEADER);
    assertThat(Long.parseLong(header.substring(2, header.indexOf(',')))).isEqualTo(clock.instant().getEpochSecond());
    assertThat(json).containsEntry("type", "spend_alert").containsEntry("user_id", u).containsEntry("kind", "included")
        .containsEntry("alert_id", alert.alertId());
    assertThat(json.get("threshold_percent").toString()).isEqualTo("50");
    assertThat(json.get("amount_usd").toString()).isEqualTo("11");
    AlertDelivery done = stores.pool().alertDeliveries().find(alert.alertId()).orElseThrow();
    assertThat(done.status()).isEqualTo(AlertDelivery.Status.DELIVERED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.finishedAt()).isEqualTo(clock.millis());
    assertThat(hooks.pending()).isZero();
    assertThat(hooks.drain(Duration.ofHours(1))).as("nothing left").isEqualTo(new AlertWebhooks.Report(0, 0, 0));
    assertThat(sent()).hasSize(2);
  }

  @Test
  void anUnreachableWebhookIsRetriedWithExponentialBackoffThenFailedWithoutBlockingCharges() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(500)));
    String u = proUser("down@x.test");
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 17_000_000L, "k1")); // 50 % and 80 %
    assertThat(hooks.pending()).isEqualTo(2);
    assertThat(sent()).isEmpty();
    assertThat(hooks.drain(Duration.ofHours(1))).isEqualTo(new AlertWebhooks.Report(0, 2 * (AlertWebhooks.MAX_ATTEMPTS - 1), 2));
    assertThat(sent()).hasSize(2 * AlertWebhooks.MAX_ATTEMPTS);
    assertThat(slept).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30));
    assertThat(stores.pool().alertDeliveries().counts()).isEqualTo(Map.of(AlertDelivery.Status.FAILED, 2L));
    for (SpendAlert a : genrtl.pool().alerts(u, PageRequest.first(10)).items()) {
      AlertDelivery d = stores.pool().alertDeliveries().find(a.alertId()).orElseThrow();
      assertThat(d.attempts()).isEqualTo(AlertWebhooks.MAX_ATTEMPTS);
      assertThat(d.lastError()).isEqualTo("HTTP 500");
    }
    assertThat(hooks.drain(Duration.ofHours(1))).as("failed is final").isEqualTo(new AlertWebhooks.Report(0, 0, 0));
    assertThat(sent()).hasSize(2 * AlertWebhooks.MAX_ATTEMPTS);
    // the alerts themselves are still listed
    assertThat(genrtl.pool().alerts(u, PageRequest.first(10)).items()).hasSize(2);
  }

  @Test
  void anAlertWhoseHostStoppedBeforeDeliveringIsDeliveredOnceByTheNextHost() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)));
    String u = proUser("crash@x.test");
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 11_000_000L, "k1"));
    hooks.close(); // host A stops (its worker never ran): the in-memory queue of old would have lost the alert
    assertThat(hooks.deliverDue()).as("a stopped deliverer sends nothing").isEqualTo(new AlertWebhooks.Report(0, 0, 0));
    assertThat(sent()).isEmpty();

    Stores other = openAnotherHost();
    AlertWebhooks b = hooks(other, "host-b", Duration.ofHours(1));
    assertThat(b.pending()).isEqualTo(1);
    assertThat(b.deliverDue()).isEqualTo(new AlertWebhooks.Report(1, 0, 0));
    assertThat(b.drain(Duration.ofHours(1))).isEqualTo(new AlertWebhooks.Report(0, 0, 0));
    assertThat(sent()).hasSize(1);
    Map<String, Object> json = verified(sent().get(0));
    SpendAlert alert = genrtl.pool().alerts(u, PageRequest.first(10)).items().get(0);
    assertThat(json).containsEntry("alert_id", alert.alertId()).containsEntry("user_id", u);
    assertThat(other.pool().alertDeliveries().find(alert.alertId()).orElseThrow().status()).isEqualTo(AlertDelivery.Status.DELIVERED);
  }

  @Test
  void anAlertWhoseHostDiedHoldingItIsDeliveredOnceByAnotherHostWhenTheLeaseEnds() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)));
    String u = proUser("lease@x.test");
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 11_000_000L, "k1"));
    long now = clock.millis();
    // host A claims it and dies before its POST
    List<AlertDelivery> held = stores.pool().alertDeliveries().claimDue("host-a", now, now + AlertWebhooks.LEASE.toMillis(), 10);
    assertThat(held).hasSize(1);
    String id = held.get(0).alertId();

    AlertWebhooks b = hooks(openAnotherHost(), "host-b", Duration.ofHours(1));
    assertThat(b.deliverDue()).as("still leased to host A").isEqualTo(new AlertWebhooks.Report(0, 0, 0));
    assertThat(sent()).isEmpty();
    assertThat(b.drain(Duration.ofHours(1))).isEqualTo(new AlertWebhooks.Report(1, 0, 0));
    assertThat(slept).containsExactly(AlertWebhooks.LEASE);
    assertThat(sent()).hasSize(1);
    assertThat(verified(sent().get(0))).containsEntry("alert_id", id);
    assertThat(stores.pool().alertDeliveries().markDelivered(id, "host-a", clock.millis())).as("host A's lease is gone").isFalse();
    AlertDelivery d = stores.pool().alertDeliveries().find(id).orElseThrow();
    assertThat(d.status()).isEqualTo(AlertDelivery.Status.DELIVERED);
    assertThat(d.attempts()).isEqualTo(2);
  }

  @Test
  void twoHostsDrainingTogetherSendEachAlertOnce() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)));
    int users = 6; // three alerts each
    for (int i = 0; i < users; i++) {
      genrtl.pool().charge(ChargeRequest.of(proUser("two" + i + "@x.test"), UsageKind.LLM, 20_000_000L, "k" + i));
    }
    AlertWebhooks b = hooks(openAnotherHost(), "host-b", Duration.ofHours(1));
    List<AlertWebhooks.Report> reports = io.genrtl.core.testing.StoreContractTest.hammer(2,
        new java.util.concurrent.Callable<>() {
          final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

          @Override
          public AlertWebhooks.Report call() throws Exception {
            return (n.getAndIncrement() == 0 ? hooks : b).deliverDue();
          }
        });
    assertThat(reports.stream().mapToInt(AlertWebhooks.Report::delivered).sum()).isEqualTo(3 * users);
    List<String> ids = sent().stream().map(r -> r.getHeader(AlertWebhooks.ID_HEADER)).toList();
    assertThat(ids).hasSize(3 * users).doesNotHaveDuplicates();
    assertThat(stores.pool().alertDeliveries().counts()).isEqualTo(Map.of(AlertDelivery.Status.DELIVERED, (long) 3 * users));
  }

  @Test
  void theWorkerIsWokenByACommittedAlertAndStopsOnClose() throws Exception {
    wm.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)));
    // an hour between polls: only the wake-up after the commit can deliver it within the wait below
    hooks.start();
    String u = proUser("wake@x.test");
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 11_000_000L, "k1"));
    for (int i = 0; i < 600 && hooks.pending() > 0; i++) Thread.sleep(50);
    assertThat(hooks.pending()).as("delivered by the woken worker").isZero();
    assertThat(sent()).hasSize(1);
    verified(sent().get(0));
    hooks.close();
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 6_000_000L, "k2")); // 85 %: the 80 % alert
    assertThat(hooks.pending()).as("stays in the outbox for the next host").isEqualTo(1);
    assertThat(sent()).hasSize(1);
  }
}
