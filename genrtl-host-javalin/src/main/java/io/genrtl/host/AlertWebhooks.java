package io.genrtl.host;

import io.genrtl.core.base.Sleeper;
import io.genrtl.core.pool.AlertDelivery;
import io.genrtl.core.pool.AlertDeliveryStore;
import io.genrtl.core.pool.Money;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.SpendAlertListener;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers spend alerts to {@code GENRTL_ALERT_WEBHOOK_URL} from the durable outbox ({@link AlertDeliveryStore}, table
 * {@code alert_deliveries}): the library writes a pending delivery in the same transaction as each alert (the host
 * builds it with {@code deliverAlerts(true)}), so an alert that committed is delivered even if this host stops or
 * crashes before sending it: any host with the webhook configured, or this one after a restart, picks it up.
 *
 * <p>{@link #onAlert} (after the charge commits) only wakes the worker: it never blocks or fails the charge. The worker
 * claims due deliveries with a lease (no two hosts send the same alert at once), POSTs each as JSON, signed like
 * Stripe's webhooks:
 *
 * <pre>GenRTL-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;." + raw body)&gt;
 * GenRTL-Alert-Id: &lt;alert id, also "alert_id" in the body&gt;</pre>
 *
 * A non-2xx answer or a network error reschedules the delivery with exponential backoff (1 s, 2 s, 4 s, … capped at
 * 5 min); after {@link #MAX_ATTEMPTS} attempts it is marked failed and logged. Delivery is at least once: a host that
 * dies after the POST but before marking it delivered leaves it to be sent again when its lease ends, with the same
 * alert id, so receivers dedupe on it.
 */
public final class AlertWebhooks implements SpendAlertListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AlertWebhooks.class);
  public static final String HEADER = "GenRTL-Signature";
  public static final String ID_HEADER = "GenRTL-Alert-Id";
  static final int MAX_ATTEMPTS = 8;
  /** Claimed at once; the lease covers a whole batch of slow attempts (10 s connect + 15 s answer each). */
  static final int BATCH = 10;
  static final Duration LEASE = Duration.ofMinutes(5);
  /** How often an idle worker looks for deliveries other hosts left behind or rescheduled. */
  static final Duration POLL = Duration.ofSeconds(10);
  private static final Duration IDLE_MIN = Duration.ofMillis(100);

  /** What one pass did: delivered, rescheduled after a failed attempt, given up. */
  public record Report(int delivered, int retrying, int failed) {
    Report plus(Report o) {
      return new Report(delivered + o.delivered, retrying + o.retrying, failed + o.failed);
    }
  }

  private final URI url;
  private final SecretKeySpec key;
  private final AlertDeliveryStore deliveries;
  private final String owner;
  private final Clock clock;
  private final Sleeper sleeper;
  private final HttpClient http;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final Duration poll;
  private final Semaphore wake = new Semaphore(0);
  private volatile boolean closed;
  private volatile Thread worker;

  /**
   * @param owner this deliverer's name on the leases it takes (unique per host process)
   * @param sleeper how {@link #drain} waits for the next due delivery (tests move a clock instead)
   * @param poll how often an idle worker looks for deliveries other hosts left behind ({@link #POLL})
   */
  public AlertWebhooks(URI url, String secret, AlertDeliveryStore deliveries, String owner, Clock clock, Sleeper sleeper,
      HttpClient http, Duration baseBackoff, Duration maxBackoff, Duration poll) {
    this.url = Objects.requireNonNull(url, "url");
    if (secret == null || secret.isEmpty()) throw new IllegalArgumentException("an alert webhook secret is required");
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    this.deliveries = Objects.requireNonNull(deliveries, "deliveries");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.http = Objects.requireNonNull(http, "http");
    this.baseBackoff = Objects.requireNonNull(baseBackoff, "baseBackoff");
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    this.poll = Objects.requireNonNull(poll, "poll");
  }

  public static AlertWebhooks create(String url, String secret, AlertDeliveryStore deliveries, String owner, Clock clock) {
    return new AlertWebhooks(URI.create(url), secret, deliveries, owner, clock, Sleeper.REAL,
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build(),
        Duration.ofSeconds(1), Duration.ofMinutes(5), POLL);
  }

  /** The alert's delivery is already recorded: wake the worker so it goes out now. Never blocks, never throws. */
  @Override
  public void onAlert(SpendAlert alert) {
    if (wake.availablePermits() == 0) wake.release();
  }

  /** Deliveries waiting (or being tried), on every host of this database. */
  public long pending() {
    return deliveries.counts().getOrDefault(AlertDelivery.Status.PENDING, 0L);
  }

  /** Starts the worker thread: delivers what is due, then waits until the next is due, it is woken, or the poll interval. */
  public synchronized void start() {
    if (worker != null || closed) return;
    Thread t = new Thread(this::work, "genrtl-alert-webhooks");
    t.setDaemon(true);
    worker = t;
    t.start();
  }

  private void work() {
    while (!closed && !Thread.currentThread().isInterrupted()) {
      long wait = poll.toMillis();
      try {
        deliverDue();
        OptionalLong next = deliveries.nextDue();
        // due now yet not claimed (another host's claim holds it for a moment): look again shortly, do not spin
        if (next.isPresent()) wait = Math.max(IDLE_MIN.toMillis(), Math.min(wait, next.getAsLong() - clock.millis()));
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("alert webhook worker: {}", e.toString()); // e.g. the database is away: try again after the poll interval
      }
      try {
        if (wake.tryAcquire(wait, TimeUnit.MILLISECONDS)) wake.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One pass on the calling thread: claims and tries everything due now (each once); returns what happened. */
  public Report deliverDue() throws InterruptedException {
    Report total = new Report(0, 0, 0);
    while (!closed) {
      long now = clock.millis();
      List<AlertDelivery> batch = deliveries.claimDue(owner, now, now + LEASE.toMillis(), BATCH);
      if (batch.isEmpty()) return total;
      for (int i = 0; i < batch.size(); i++) {
        if (closed) {
          release(batch.subList(i, batch.size()));
          return total;
        }
        try {
          total = total.plus(attempt(batch.get(i)));
        } catch (InterruptedException e) {
          release(batch.subList(i, batch.size()));
          throw e;
        }
      }
    }
    return total;
  }

  /**
   * Delivers until nothing is pending, waiting with the injected sleeper until the next delivery is due, for at most
   * {@code maxWait} of waiting in total (tests; shutdown). Deliveries still pending afterwards stay in the outbox.
   */
  public Report drain(Duration maxWait) throws InterruptedException {
    Report total = deliverDue();
    long waited = 0;
    while (true) {
      OptionalLong next = deliveries.nextDue();
      if (next.isEmpty()) return total;
      long wait = Math.max(0, next.getAsLong() - clock.millis());
      if (waited + wait > maxWait.toMillis()) return total;
      if (wait > 0) sleeper.sleep(Duration.ofMillis(wait));
      waited += wait;
      total = total.plus(deliverDue());
    }
  }

  /** Hands claimed deliveries not tried yet back, due now (the claim counted an attempt for each). */
  private void release(List<AlertDelivery> rest) {
    for (AlertDelivery d : rest) {
      try {
        deliveries.retryAt(d.alertId(), owner, clock.millis(), "released unsent: host stopping");
      } catch (RuntimeException e) {
        return; // the lease runs out instead
      }
    }
  }

  /** One POST of a claimed delivery, and its outcome recorded. */
  private Report attempt(AlertDelivery d) throws InterruptedException {
    SpendAlert alert = d.alert();
    String body = Json.write(payload(alert));
    long t = clock.instant().getEpochSecond();
    HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(15))
        .header("Content-Type", "application/json")
        .header("User-Agent", "genrtl-alerts")
        .header(HEADER, "t=" + t + ",v1=" + sign(key, t, body))
        .header(ID_HEADER, alert.alertId())
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    String outcome;
    try {
      HttpResponse<Void> res = http.send(req, HttpResponse.BodyHandlers.discarding());
      if (res.statusCode() / 100 == 2) {
        if (!deliveries.markDelivered(alert.alertId(), owner, clock.millis())) {
          LOG.info("alert {} delivered after its lease ended; it may be delivered again", alert.alertId());
        }
        return new Report(1, 0, 0);
      }
      outcome = "HTTP " + res.statusCode();
    } catch (IOException e) {
      outcome = e.getClass().getSimpleName();
    }
    if (d.attempts() >= MAX_ATTEMPTS) {
      deliveries.markFailed(alert.alertId(), owner, clock.millis(), outcome);
      LOG.warn("alert {} not delivered after {} attempts (last: {})", alert.alertId(), d.attempts(), outcome);
      return new Report(0, 0, 1);
    }
    deliveries.retryAt(alert.alertId(), owner, clock.millis() + backoff(d.attempts()).toMillis(), outcome);
    return new Report(0, 1, 0);
  }

  /** The wait after failed attempt {@code attempt} (1-based): base doubling, capped. */
  Duration backoff(int attempt) {
    long ms = baseBackoff.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
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

  /**
   * Stops the worker: no new claims; an attempt in flight is interrupted and handed back due now (if its POST
   * arrived, it is sent again later: receivers dedupe on the alert id). Nothing pending is lost: it stays in the outbox.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      closed = true;
      t = worker;
      worker = null;
    }
    if (t == null) return;
    t.interrupt();
    try {
      t.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
