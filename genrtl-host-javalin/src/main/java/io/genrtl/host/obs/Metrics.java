package io.genrtl.host.obs;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.ToDoubleFunction;

/**
 * The host's Prometheus registry (Micrometer) and the meters it keeps; served as text at {@code GET /metrics}.
 * Names (Prometheus form) are listed in {@code docs/observability.md}. Tag values are bounded: route templates (never
 * raw paths), job types, provider and model ids from the price table, status codes, error codes.
 */
public final class Metrics {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60),
      Duration.ofSeconds(300)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public void httpRequest(String method, String route, int status, long nanos) {
    Timer.builder("http.server.requests").description("HTTP requests by route template, method and status")
        .tags("method", method, "route", route, "status", Integer.toString(status))
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry).record(Duration.ofNanos(nanos));
  }

  public void rateLimited(String endpointClass, String scope) {
    Counter.builder("genrtl.rate.limit.rejections").description("requests answered 429 rate_limited")
        .tags("class", endpointClass, "scope", scope).register(registry).increment();
  }

  public void jobSubmitted(String type) {
    Counter.builder("genrtl.jobs.submitted").description("jobs queued").tags("type", type).register(registry).increment();
  }

  public void job(String type, String outcome, long nanos) {
    Timer.builder("genrtl.jobs").description("job runs by type and final status")
        .tags("type", type, "outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry)
        .record(Duration.ofNanos(nanos));
  }

  public void providerCall(String provider, String model, String outcome, long nanos) {
    Timer.builder("genrtl.provider.calls").description("model provider calls by provider, model and outcome")
        .tags("provider", provider, "model", model, "outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry).record(Duration.ofNanos(nanos));
  }

  public void tokens(String provider, String model, String kind, long n) {
    if (n <= 0) return;
    Counter.builder("genrtl.tokens").description("tokens reported by providers, by kind")
        .tags("provider", provider, "model", model, "kind", kind).register(registry).increment(n);
  }

  public void charged(String kind, long micros) {
    if (micros <= 0) return;
    Counter.builder("genrtl.charged.micro.usd").description("money taken from pools, in micro-USD, by usage kind")
        .tags("kind", kind).register(registry).increment(micros);
  }

  public void paymentRefused(String code) {
    Counter.builder("genrtl.payment.refusals").description("charges and reservations refused with 402, by code")
        .tags("code", code).register(registry).increment();
  }

  /** Gauges of the database pool: active, idle, pending (threads waiting) and total connections, and the maximum. */
  public void bindPool(HikariDataSource ds) {
    gauge("active", ds, d -> d.getHikariPoolMXBean() == null ? 0 : d.getHikariPoolMXBean().getActiveConnections());
    gauge("idle", ds, d -> d.getHikariPoolMXBean() == null ? 0 : d.getHikariPoolMXBean().getIdleConnections());
    gauge("pending", ds, d -> d.getHikariPoolMXBean() == null ? 0 : d.getHikariPoolMXBean().getThreadsAwaitingConnection());
    gauge("total", ds, d -> d.getHikariPoolMXBean() == null ? 0 : d.getHikariPoolMXBean().getTotalConnections());
    Gauge.builder("genrtl.db.pool.max", ds, HikariDataSource::getMaximumPoolSize).description("database pool size")
        .register(registry);
  }

  private void gauge(String state, HikariDataSource ds, ToDoubleFunction<HikariDataSource> f) {
    Gauge.builder("genrtl.db.pool.connections", ds, f).description("database pool connections by state")
        .tag("state", state).register(registry);
  }
}
