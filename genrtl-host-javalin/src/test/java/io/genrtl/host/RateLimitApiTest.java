package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.PlanLimits;
import io.genrtl.host.http.RateBuckets;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits on one host (in-memory buckets, time from an injected clock). */
class RateLimitApiTest {
  @TempDir Path tmp;
  HikariDataSource ds;
  MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  LimitsHost host;
  TestHttp http;

  /** Per key 3/min, anonymous 2/min per IP; the free plan: 5 requests/min per user, 1 job submit/min; pro: 100, 10. */
  @BeforeEach
  void start() {
    ds = SqliteDataSources.file(tmp.resolve("g.db"));
    host = new LimitsHost(SqliteStores.create(ds), clock, RateBuckets.inMemory(clock), new LimitsHost.Options(
        LimitsHost.limits(3, 2, Map.of("free", new PlanLimits(5, 1, 2), "pro", new PlanLimits(100, 10, 4))), null, null, null));
    http = host.http;
  }

  @AfterEach
  void stop() {
    host.close();
    ds.close();
  }

  @Test
  void aBurstIsAnswered429WithRetryAfterAndRateLimitHeaders() {
    String key = host.user("ann@a.test", "pro")[0];
    for (int i = 0; i < 3; i++) {
      TestHttp.Response r = http.get("/api/me", key);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("RateLimit-Limit")).isEqualTo("3");
      assertThat(r.header("RateLimit-Remaining")).isEqualTo(Integer.toString(2 - i));
      assertThat(r.header("RateLimit-Policy")).isEqualTo("3;w=60");
      assertThat(Long.parseLong(r.header("RateLimit-Reset"))).isBetween(1L, 60L);
    }
    TestHttp.Response r = http.get("/api/me", key);
    assertProblem(r, 429, "rate_limited");
    assertThat(r.header("Retry-After")).isEqualTo("20"); // 3 per minute: one token every 20 s
    assertThat(r.header("RateLimit-Limit")).isEqualTo("3");
    assertThat(r.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(r.header("RateLimit-Reset")).isEqualTo("60");
    assertThat(r.json()).containsEntry("scope", "key").containsEntry("endpoint_class", "default");
    assertThat(((Number) r.json().get("retry_after_seconds")).intValue()).isEqualTo(20);
  }

  @Test
  void retryAfterIsHonoured() {
    String key = host.user("ann@a.test", "pro")[0];
    for (int i = 0; i < 3; i++) assertThat(http.get("/api/me", key).status()).isEqualTo(200);
    TestHttp.Response limited = http.get("/api/me", key);
    assertThat(limited.status()).isEqualTo(429);
    int wait = Integer.parseInt(limited.header("Retry-After"));
    clock.advance(Duration.ofSeconds(wait - 1));
    TestHttp.Response early = http.get("/api/me", key);
    assertThat(early.status()).isEqualTo(429);
    assertThat(early.header("Retry-After")).isEqualTo("1");
    clock.advance(Duration.ofSeconds(1));
    TestHttp.Response after = http.get("/api/me", key);
    assertThat(after.status()).isEqualTo(200);
    assertThat(after.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(http.get("/api/me", key).status()).isEqualTo(429); // only one token came back
    clock.advance(Duration.ofMinutes(1));
    for (int i = 0; i < 3; i++) assertThat(http.get("/api/me", key).status()).isEqualTo(200); // full again, no more
    assertThat(http.get("/api/me", key).status()).isEqualTo(429);
  }

  @Test
  void oneKeysBurstDoesNotLimitAnotherKeyOrUser() {
    String[] ann = host.user("ann@a.test", "pro");
    String bob = host.user("bob@b.test", "pro")[0];
    String annSecond = host.anotherKey(ann[2]);
    for (int i = 0; i < 3; i++) http.get("/api/me", ann[0]);
    assertThat(http.get("/api/me", ann[0]).status()).isEqualTo(429);
    TestHttp.Response b = http.get("/api/me", bob);
    assertThat(b.status()).isEqualTo(200);
    assertThat(b.header("RateLimit-Remaining")).isEqualTo("2");
    assertThat(http.get("/api/me", annSecond).status()).isEqualTo(200); // the per-key limit is per key
  }

  @Test
  void thePlansPerUserLimitSpansTheUsersKeys() {
    String[] amy = host.user("amy@a.test", null); // free: 5 per minute per user
    String second = host.anotherKey(amy[2]);
    for (int i = 0; i < 3; i++) assertThat(http.get("/api/me", amy[0]).status()).isEqualTo(200);
    for (int i = 0; i < 2; i++) assertThat(http.get("/api/me", second).status()).isEqualTo(200);
    TestHttp.Response r = http.get("/api/me", second); // the second key has a token left; the user has none
    assertProblem(r, 429, "rate_limited");
    assertThat(r.json()).containsEntry("scope", "user");
    assertThat(r.header("RateLimit-Limit")).isEqualTo("5");
  }

  @Test
  void jobSubmissionsHaveTheirOwnClassLimit() {
    String[] amy = host.user("amy@a.test", null); // free: 1 job submit per minute
    String body = "{\"workspace_id\":\"" + amy[1] + "\",\"spec\":\"a uart\"}";
    TestHttp.Response first = http.post("/api/jobs/plan", amy[0], body);
    assertThat(first.status()).isNotEqualTo(429); // 402 on the free plan: the submission itself was let through
    TestHttp.Response second = http.post("/api/jobs/plan", amy[0], body);
    assertProblem(second, 429, "rate_limited");
    assertThat(second.json()).containsEntry("endpoint_class", "jobs-submit").containsEntry("scope", "user");
    assertThat(second.header("Retry-After")).isEqualTo("60");
    assertThat(http.get("/api/me", amy[0]).status()).isEqualTo(200); // other routes still answer
  }

  @Test
  void toolRunsAreAClassOfTheirOwn() {
    String[] amy = host.user("amy@a.test", null); // free: 1 submit per minute per class
    String body = "{\"workspace_id\":\"" + amy[1] + "\",\"simulator\":\"iverilog\",\"top\":\"t\",\"files\":[]}";
    assertThat(http.post("/api/tools/run", amy[0], body).status()).isNotEqualTo(429);
    TestHttp.Response second = http.post("/api/tools/run", amy[0], body);
    assertProblem(second, 429, "rate_limited");
    assertThat(second.json()).containsEntry("endpoint_class", "tools-run");
    // the jobs-submit bucket is apart
    TestHttp.Response plan = http.post("/api/jobs/plan", amy[0], "{\"workspace_id\":\"" + amy[1] + "\",\"spec\":\"x\"}");
    assertThat(plan.status()).isNotEqualTo(429);
  }

  @Test
  void onePlanJobTooManyIsRefusedOnOneHostToo() {
    String[] ann = host.user("ann@a.test", "pro"); // pro here: 4 at once
    String body = "{\"workspace_id\":\"" + ann[1] + "\",\"spec\":\"a uart\"}";
    String second = host.anotherKey(ann[2]); // this class allows 3 requests per key
    for (int i = 0; i < 4; i++) assertThat(http.post("/api/jobs/plan", i < 2 ? ann[0] : second, body).status()).isEqualTo(202);
    TestHttp.Response r = http.post("/api/jobs/plan", ann[0], body);
    assertProblem(r, 429, "too_many_jobs");
    assertThat(r.json()).containsEntry("max_active_jobs", 4.0).containsEntry("active_jobs", 4.0);
    assertThat(r.header("Retry-After")).isEqualTo("5");
    assertThat(r.header("RateLimit-Remaining")).isNotNull(); // the rate limit let it through; the job limit refused it
  }

  @Test
  void anonymousRequestsAndFailedAuthenticationAreLimitedPerClientIp() {
    assertThat(http.get("/api/cbb/download/not-a-token", null).status()).isNotEqualTo(429);
    assertThat(http.get("/api/cbb/download/not-a-token", null).status()).isNotEqualTo(429);
    assertThat(http.get("/api/cbb/download/not-a-token", null).status()).isEqualTo(429); // cbb-download: 2 per IP
    assertProblem(http.get("/api/me", "grtl_wrong_key"), 401, "unauthenticated"); // the default class: its own bucket
    assertProblem(http.get("/api/me", null), 401, "unauthenticated");
    TestHttp.Response third = http.get("/api/me", "grtl_another_wrong_key");
    assertProblem(third, 429, "rate_limited");
    assertThat(third.json()).containsEntry("scope", "ip");
    assertThat(third.header("Retry-After")).isEqualTo("30");
    // a valid key is not held back by the IP's anonymous bucket
    String key = host.user("ann@a.test", "pro")[0];
    assertThat(http.get("/api/me", key).status()).isEqualTo(200);
    assertThat(http.get("/no/such/route", null).status()).isEqualTo(429);
  }

  /**
   * Issue "Security findings from a hostile review", Low: the device verification page, where user codes are typed, is
   * in the {@code auth} class (30 per minute per IP here), not the anonymous bucket (2 per minute here).
   */
  @Test
  void low_deviceCodeAttemptsInAuthClass() {
    for (int i = 0; i < 30; i++) {
      TestHttp.Response r = i % 2 == 0
          ? http.send("POST", "/device", null, "user_code=BBBB-BBBB&action=approve", "Content-Type", "application/x-www-form-urlencoded")
          : http.get("/device?user_code=BBBB-BBBB", null);
      assertThat(r.status()).as("attempt " + (i + 1) + ": " + r.body()).isNotEqualTo(429);
      assertThat(r.header("RateLimit-Limit")).isEqualTo("30");
    }
    TestHttp.Response limited = http.send("POST", "/device", null, "user_code=BBBB-BBBB&action=approve",
        "Content-Type", "application/x-www-form-urlencoded");
    assertProblem(limited, 429, "rate_limited");
    assertThat(limited.json()).containsEntry("endpoint_class", "auth").containsEntry("scope", "ip");
    // the same bucket as /api/auth/**
    assertThat(http.post("/api/auth/refresh", null, "{}").status()).isEqualTo(429);
  }

  @Test
  void healthAndReadinessAreNeverLimited() {
    for (int i = 0; i < 20; i++) {
      TestHttp.Response h = http.get("/healthz", null);
      assertThat(h.status()).isEqualTo(200);
      assertThat(h.header("RateLimit-Limit")).isNull();
      assertThat(http.get("/readyz", null).status()).isEqualTo(200);
    }
    assertThat(host.metrics.scrape()).doesNotContain("genrtl_rate_limit_rejections_total{");
  }

  @Test
  void rejectionsAreCounted() {
    String key = host.user("ann@a.test", "pro")[0];
    for (int i = 0; i < 5; i++) http.get("/api/me", key);
    assertThat(host.metrics.scrape()).contains("genrtl_rate_limit_rejections_total{class=\"default\",scope=\"key\"} 2.0");
  }
}
