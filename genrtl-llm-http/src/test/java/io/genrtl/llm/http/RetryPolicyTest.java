package io.genrtl.llm.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

  private static RetryPolicy policy(long seed) {
    return new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(8), new Random(seed), CLOCK);
  }

  @Test
  void backoffIsFullJitterUnderAnExponentialCeilingCappedAtTheMaximum() {
    RetryPolicy p = policy(1);
    long[] ceilings = {500, 1000, 2000, 4000, 8000, 8000, 8000};
    for (int round = 0; round < 200; round++) {
      for (int n = 1; n <= ceilings.length; n++) {
        assertThat(p.backoff(n)).isBetween(Duration.ZERO, Duration.ofMillis(ceilings[n - 1]));
      }
    }
    assertThat(p.backoff(1_000)).isBetween(Duration.ZERO, Duration.ofSeconds(8)); // no overflow
  }

  @Test
  void backoffIsReproducibleWithASeed() {
    RetryPolicy a = policy(42);
    RetryPolicy b = policy(42);
    for (int n = 1; n <= 5; n++) assertThat(a.backoff(n)).isEqualTo(b.backoff(n));
  }

  @Test
  void backoffSpreadsOverTheWholeRange() {
    RetryPolicy p = policy(3);
    long min = Long.MAX_VALUE;
    long max = 0;
    for (int i = 0; i < 2000; i++) {
      long ms = p.backoff(3).toMillis();
      min = Math.min(min, ms);
      max = Math.max(max, ms);
    }
    assertThat(min).isLessThan(100);
    assertThat(max).isGreaterThan(1900);
  }

  @Test
  void retryAfterReadsSecondsDatesAndOpenAiMilliseconds() {
    RetryPolicy p = policy(1);
    assertThat(p.retryAfter(Headers.of("Retry-After", "7"))).isEqualTo(Duration.ofSeconds(7));
    assertThat(p.retryAfter(Headers.of("retry-after", " 0 "))).isEqualTo(Duration.ZERO);
    assertThat(p.retryAfter(Headers.of("Retry-After", "1.5"))).isEqualTo(Duration.ofMillis(1500));
    assertThat(p.retryAfter(Headers.of("Retry-After", "Sun, 01 Mar 2026 10:00:30 GMT"))).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.retryAfter(Headers.of("Retry-After", "Sun, 01 Mar 2026 09:59:00 GMT"))).isEqualTo(Duration.ZERO);
    assertThat(p.retryAfter(Headers.of("retry-after-ms", "250", "Retry-After", "1"))).isEqualTo(Duration.ofMillis(250));
    assertThat(p.retryAfter(Headers.of("Retry-After", "soon"))).isNull();
    assertThat(p.retryAfter(Headers.of("Retry-After", "-3"))).isNull();
    assertThat(p.retryAfter(Headers.of())).isNull();
  }
}
