package io.genrtl.llm.http;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;
import okhttp3.OkHttpClient;

/**
 * Settings of one connector. The API key is kept out of {@link #toString()}, logs and exception messages; it has no
 * public accessor. Build with {@link #builder(String)}; every other setting has a default.
 *
 * <table>
 *   <caption>defaults</caption>
 *   <tr><td>baseUrl</td><td>the provider's ({@code https://api.openai.com/v1}, {@code https://api.anthropic.com/v1})</td></tr>
 *   <tr><td>connectTimeout</td><td>10 s</td></tr>
 *   <tr><td>readTimeout</td><td>10 min (longest silence while waiting for or reading the answer)</td></tr>
 *   <tr><td>callTimeout</td><td>10 min (one attempt, from connect to the end of the body or stream)</td></tr>
 *   <tr><td>maxAttempts</td><td>4 (first try plus three retries)</td></tr>
 *   <tr><td>baseBackoff / maxBackoff</td><td>500 ms / 30 s; wait before retry n is uniform in [0, min(max, base·2ⁿ⁻¹)]</td></tr>
 *   <tr><td>maxRetryAfter</td><td>60 s; a longer {@code Retry-After} ends the retries at once</td></tr>
 *   <tr><td>cancelPollInterval</td><td>100 ms (how often the cancel flag is polled while a call is in flight)</td></tr>
 * </table>
 */
public final class LlmHttpConfig {
  private final String apiKey;
  private final String baseUrl;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final Duration callTimeout;
  private final int maxAttempts;
  private final Duration baseBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryAfter;
  private final Duration cancelPollInterval;
  private final Sleeper sleeper;
  private final RandomGenerator random;
  private final Clock clock;
  private final OkHttpClient httpClient;

  private LlmHttpConfig(Builder b) {
    this.apiKey = b.apiKey;
    this.baseUrl = b.baseUrl;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.callTimeout = b.callTimeout;
    this.maxAttempts = b.maxAttempts;
    this.baseBackoff = b.baseBackoff;
    this.maxBackoff = b.maxBackoff;
    this.maxRetryAfter = b.maxRetryAfter;
    this.cancelPollInterval = b.cancelPollInterval;
    this.sleeper = b.sleeper;
    this.random = b.random != null ? b.random : new Random();
    this.clock = b.clock;
    this.httpClient = b.httpClient;
  }

  public static Builder builder(String apiKey) {
    return new Builder(apiKey);
  }

  String apiKey() {
    return apiKey;
  }

  /** The configured base URL without a trailing slash, or null for the provider's default. */
  public String baseUrl() {
    return baseUrl;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration readTimeout() {
    return readTimeout;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration baseBackoff() {
    return baseBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration maxRetryAfter() {
    return maxRetryAfter;
  }

  public Duration cancelPollInterval() {
    return cancelPollInterval;
  }

  public Sleeper sleeper() {
    return sleeper;
  }

  public RandomGenerator random() {
    return random;
  }

  public Clock clock() {
    return clock;
  }

  /** The shared client the connector derives its own from (same pool and dispatcher), or null. */
  public OkHttpClient httpClient() {
    return httpClient;
  }

  @Override
  public String toString() {
    return "LlmHttpConfig[apiKey=<redacted>, baseUrl=" + (baseUrl == null ? "<provider default>" : baseUrl)
        + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", callTimeout=" + callTimeout
        + ", maxAttempts=" + maxAttempts + ", baseBackoff=" + baseBackoff + ", maxBackoff=" + maxBackoff
        + ", maxRetryAfter=" + maxRetryAfter + ", cancelPollInterval=" + cancelPollInterval
        + ", sharedHttpClient=" + (httpClient != null) + "]";
  }

  /** Builder; not thread-safe. */
  public static final class Builder {
    private final String apiKey;
    private String baseUrl;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofMinutes(10);
    private Duration callTimeout = Duration.ofMinutes(10);
    private int maxAttempts = 4;
    private Duration baseBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(30);
    private Duration maxRetryAfter = Duration.ofSeconds(60);
    private Duration cancelPollInterval = Duration.ofMillis(100);
    private Sleeper sleeper = Sleeper.SYSTEM;
    private RandomGenerator random;
    private Clock clock = Clock.systemUTC();
    private OkHttpClient httpClient;

    private Builder(String apiKey) {
      if (apiKey == null || apiKey.isBlank()) throw new IllegalArgumentException("an API key is required");
      this.apiKey = apiKey.strip();
    }

    /** E.g. {@code https://api.openai.com/v1} or a gateway's {@code http://host:port/v1}; null for the default. */
    public Builder baseUrl(String baseUrl) {
      if (baseUrl == null || baseUrl.isBlank()) {
        this.baseUrl = null;
      } else {
        String u = baseUrl.strip();
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        if (okhttp3.HttpUrl.parse(u) == null) throw new IllegalArgumentException("base URL must be an http(s) URL");
        this.baseUrl = u;
      }
      return this;
    }

    public Builder connectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connectTimeout");
      return this;
    }

    public Builder readTimeout(Duration d) {
      this.readTimeout = positive(d, "readTimeout");
      return this;
    }

    public Builder callTimeout(Duration d) {
      this.callTimeout = positive(d, "callTimeout");
      return this;
    }

    /** Attempts in total, at least 1 (1 = no retry). */
    public Builder maxAttempts(int n) {
      if (n < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
      this.maxAttempts = n;
      return this;
    }

    public Builder baseBackoff(Duration d) {
      this.baseBackoff = positive(d, "baseBackoff");
      return this;
    }

    public Builder maxBackoff(Duration d) {
      this.maxBackoff = positive(d, "maxBackoff");
      return this;
    }

    public Builder maxRetryAfter(Duration d) {
      this.maxRetryAfter = positive(d, "maxRetryAfter");
      return this;
    }

    public Builder cancelPollInterval(Duration d) {
      this.cancelPollInterval = positive(d, "cancelPollInterval");
      return this;
    }

    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** The jitter source; must be safe for the threads that share the connector ({@link Random} is). */
    public Builder random(RandomGenerator random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Used to turn an HTTP-date {@code Retry-After} into a wait. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * A client to share connection pool and dispatcher with; the connector derives its own from it
     * ({@link OkHttpClient#newBuilder()}) with this config's timeouts and without OkHttp's silent connection retry.
     * Its interceptors stay: do not pass one that logs headers or bodies.
     */
    public Builder httpClient(OkHttpClient client) {
      this.httpClient = client;
      return this;
    }

    public LlmHttpConfig build() {
      if (baseBackoff.compareTo(maxBackoff) > 0) throw new IllegalArgumentException("baseBackoff must not exceed maxBackoff");
      return new LlmHttpConfig(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
      return d;
    }
  }
}
