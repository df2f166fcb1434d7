package io.genrtl.llm.http;

import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.random.RandomGenerator;
import okhttp3.Headers;

/** Waits between attempts: exponential backoff with full jitter, or what the provider asked for. */
final class RetryPolicy {
  private final Duration base;
  private final Duration max;
  private final RandomGenerator random;
  private final Clock clock;

  RetryPolicy(Duration base, Duration max, RandomGenerator random, Clock clock) {
    this.base = base;
    this.max = max;
    this.random = random;
    this.clock = clock;
  }

  /** Before retry {@code n} (n = 1 after the first attempt): uniform in [0, min(max, base·2ⁿ⁻¹)], whole milliseconds. */
  Duration backoff(int n) {
    long cap = max.toMillis();
    long b = base.toMillis();
    int shift = Math.min(Math.max(n - 1, 0), 30);
    long ceiling = b > (cap >> shift) ? cap : Math.min(cap, b << shift);
    return Duration.ofMillis(random.nextLong(0, ceiling + 1));
  }

  /**
   * The provider's wait: {@code retry-after-ms} (OpenAI) or {@code Retry-After} as seconds or an HTTP date (a date in
   * the past means no wait). Null when absent or unreadable.
   */
  Duration retryAfter(Headers headers) {
    Duration ms = number(headers.get("retry-after-ms"), 1);
    if (ms != null) return ms;
    String value = headers.get("Retry-After");
    if (value == null) return null;
    Duration seconds = number(value, 1000);
    if (seconds != null) return seconds;
    try {
      ZonedDateTime at = ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
      Duration d = Duration.between(clock.instant(), at.toInstant());
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A non-negative decimal number times {@code millisPerUnit}, capped at a day; null if not a number. */
  private static Duration number(String value, long millisPerUnit) {
    if (value == null) return null;
    String v = value.strip();
    if (v.isEmpty() || !v.matches("\\d{1,9}(\\.\\d{1,6})?")) return null;
    double millis = Double.parseDouble(v) * millisPerUnit;
    return Duration.ofMillis((long) Math.ceil(Math.min(millis, 86_400_000d)));
  }
}
