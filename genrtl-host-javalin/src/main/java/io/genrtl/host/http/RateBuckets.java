package io.genrtl.host.http;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Token buckets (bucket4j) by key: {@code n} requests per minute, refilled greedily (one token every 60/n seconds), a
 * burst of at most {@code n}. In memory for one host, or in PostgreSQL ({@code genrtl_rate_limit_buckets}, migration V8)
 * so every host sharing the database draws from the same buckets. Time comes from the injected {@link Clock}.
 */
public interface RateBuckets {
  /** The answer for one key: taken or not, tokens left, seconds until one more token, seconds until the bucket is full. */
  record Probe(boolean consumed, long limit, long remaining, long retryAfterSeconds, long resetSeconds) {}

  /** Takes one token from the bucket {@code key} allowing {@code perMinute} requests per minute. */
  Probe consume(String key, long perMinute);

  /** Deletes buckets that have been full for a while (PostgreSQL); returns how many. */
  default int removeExpired() {
    return 0;
  }

  static RateBuckets inMemory(Clock clock) {
    return new Local(clock);
  }

  static RateBuckets postgres(DataSource ds, Clock clock) {
    return new Postgres(ds, clock);
  }

  private static TimeMeter meter(Clock clock) {
    return new TimeMeter() {
      @Override
      public long currentTimeNanos() {
        return clock.millis() * 1_000_000L;
      }

      @Override
      public boolean isWallClockBased() {
        return true;
      }
    };
  }

  private static BucketConfiguration config(long perMinute) {
    return BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
        .build();
  }

  private static Probe probe(ConsumptionProbe p, long limit) {
    long retry = p.isConsumed() ? 0 : Math.max(1, ceilSeconds(p.getNanosToWaitForRefill()));
    return new Probe(p.isConsumed(), limit, p.getRemainingTokens(), retry, ceilSeconds(p.getNanosToWaitForReset()));
  }

  private static long ceilSeconds(long nanos) {
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }

  /** One host: a map of local buckets, trimmed of full ones when it grows large. */
  final class Local implements RateBuckets {
    static final int TRIM_AT = 100_000;
    private final TimeMeter meter;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private Local(Clock clock) {
      this.meter = meter(clock);
    }

    @Override
    public Probe consume(String key, long perMinute) {
      if (buckets.size() >= TRIM_AT) trim();
      Bucket b = buckets.computeIfAbsent(key + "|" + perMinute, k -> Bucket.builder()
          .addLimit(Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build())
          .withCustomTimePrecision(meter).build());
      return probe(b.tryConsumeAndReturnRemaining(1), perMinute);
    }

    private void trim() {
      buckets.entrySet().removeIf(e -> {
        String k = e.getKey();
        long cap = Long.parseLong(k.substring(k.lastIndexOf('|') + 1));
        return e.getValue().getAvailableTokens() >= cap;
      });
    }

    int size() {
      return buckets.size();
    }
  }

  /** Several hosts: bucket4j's PostgreSQL proxy manager (SELECT ... FOR UPDATE on the bucket's row). */
  final class Postgres implements RateBuckets {
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> manager;
    private final ProxyManager<String> proxies;

    private Postgres(DataSource ds, Clock clock) {
      this.manager = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(ds)
          .primaryKeyMapper(PrimaryKeyMapper.STRING)
          .table("genrtl_rate_limit_buckets").idColumn("id").stateColumn("state").expiresAtColumn("expires_at")
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(60)))
          .clientClock(meter(clock))
          .build();
      this.proxies = manager;
    }

    @Override
    public Probe consume(String key, long perMinute) {
      String id = key + "|" + perMinute;
      if (id.length() > 255) id = id.substring(0, 200) + "#" + Integer.toHexString(id.hashCode());
      return probe(proxies.builder().build(id, () -> config(perMinute)).tryConsumeAndReturnRemaining(1), perMinute);
    }

    @Override
    public int removeExpired() {
      int total = 0;
      for (int i = 0; i < 100; i++) {
        int n = manager.removeExpired(1000);
        total += n;
        if (n < 1000) break;
      }
      return total;
    }
  }
}
