package io.genrtl.host;

import io.genrtl.core.pool.Money;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.SpendAlertListener;
import io.genrtl.core.port.Sleeper;
import io.genrtl.host.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers spend alerts to {@code GENRTL_ALERT_WEBHOOK_URL}. {@link #onAlert} is called after the charge's transaction
 * commits and only puts the alert on a bounded in-memory queue (it never blocks or fails the charge); a worker thread
 * POSTs each alert as JSON, signed like Stripe's webhooks:
 *
 * <pre>GenRTL-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;." + raw body)&gt;</pre>
 *
 * A non-2xx answer or a network error is retried with exponential backoff (1 s, 2 s, 4 s, … capped at 5 min) up to
 * {@link #MAX_ATTEMPTS} attempts. The queue is not durable: alerts queued when the host stops are not sent, but every
 * alert stays listed at {@code GET /api/billing/alerts}.
 */
public final class AlertWebhooks implements SpendAlertListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhooks.class);
  public static final String HEADER = "GenRTL-Signature";
  static final int MAX_ATTEMPTS = 8;
  static final int CAPACITY = 10_000;

  private final URI url;
  private final SecretKeySpec key;
  private final Clock clock;
  private final Sleeper sleeper;
  private final HttpClient http;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final BlockingQueue<SpendAlert> queue = new LinkedBlockingQueue<>(CAPACITY);
  private volatile Thread worker;

  public AlertWebhooks(URI url, String secret, Clock clock, Sleeper sleeper, HttpClient http, Duration baseBackoff,
      Duration maxBackoff) {
    this.url = Objects.requireNonNull(url, "url");
    if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("an alert webhook secret is required");
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.http = Objects.requireNonNull(http, "http");
    this.baseBackoff = baseBackoff;
    this.maxBackoff = maxBackoff;
  }

  public static AlertWebhooks create(String url, String secret, Clock clock) {
    return new AlertWebhooks(URI.create(url), secret, clock, Sleeper.REAL,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build(),
        Duration.ofSeconds(1), Duration.ofMinutes(5));
  }

  /** Queues the alert; never blocks, never throws. */
  @Override
  public void onAlert(SpendAlert alert) {
    if (!queue.offer(alert)) LOG.warn("alert webhook queue full; alert {} not delivered", alert.alertId());
  }

  /** Alerts waiting to be sent. */
  public int queued() {
    return queue.size();
  }

  /** Starts the worker thread that delivers queued alerts. */
  public synchronized void start() {
    if (worker != null) return;
    Thread t = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try {
          deliver(queue.take());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
          LOG.warn("alert webhook worker: {}", e.toString());
        }
      }
    }, "genrtl-alert-webhooks");
    t.setDaemon(true);
    t.start();
    worker = t;
  }

  /** Delivers everything queued now, on the calling thread; returns how many were delivered (tests, shutdown). */
  public int deliverPending() throws InterruptedException {
    int n = 0;
    SpendAlert a;
    while ((a = queue.poll()) != null) if (deliver(a)) n++;
    return n;
  }

  /** POSTs one alert, retrying with backoff; returns whether an attempt got a 2xx. */
  boolean deliver(SpendAlert alert) throws InterruptedException {
    String body = Json.write(payload(alert));
    for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      long t = clock.instant().getEpochSecond();
      HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15))
          .header("Content-Type", "application/json")
          .header("User-Agent", "genrtl-alerts")
          .header(HEADER, "t=" + t + ",v1=" + sign(key, t, body))
          .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
      String outcome;
      try {
        HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
        if (res.statusCode() / 100 == 2) return true;
        outcome = "HTTP " + res.statusCode();
      } catch (IOException e) {
        outcome = e.getClass().getSimpleName();
      }
      if (attempt == MAX_ATTEMPTS) {
        LOG.warn("alert {} not delivered after {} attempts (last: {})", alert.alertId(), attempt, outcome);
        return false;
      }
      sleeper.sleep(backoff(attempt));
    }
    return false;
  }

  Duration backoff(int attempt) {
    long ms = baseBackoff.toMillis() << Math.min(attempt - 1, 30);
    return ms <= 0 || ms > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(ms);
  }

  static Map<String, Object> payload(SpendAlert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", "spend_alert");
    m.put("alert_id", a.alertId());
    m.put("user_id", a.userId());
    m.put("kind", a.kind());
    m.put("threshold_percent", a.thresholdPercent());
    m.put("period_start", Instant.ofEpochMilli(a.periodStart()).toString());
    m.put("amount_usd", Money.toUsd(a.amountMicros()));
    m.put("limit_usd", Money.toUsd(a.limitMicros()));
    m.put("entry_id", a.entryId());
    m.put("created_at", Instant.ofEpochMilli(a.createdAt()).toString());
    return m;
  }

  /** Hex HMAC-SHA256 of {@code "<t>.<body>"}. */
  static String sign(SecretKeySpec key, long t, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return HexFormat.of().formatHex(mac.doFinal((t + "." + body).getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized void close() {
    Thread t = worker;
    worker = null;
    if (t != null) t.interrupt();
  }
}
