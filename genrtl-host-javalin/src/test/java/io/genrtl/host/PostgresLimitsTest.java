package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.PlanLimits;
import io.genrtl.host.http.RateBuckets;
import io.genrtl.store.postgres.PgTestDatabase;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hosts on one PostgreSQL schema (each with its own connection pool, app and bucket store): their combined requests
 * respect one rate limit, and a user's running-jobs limit holds across both.
 */
class PostgresLimitsTest {
  PgTestDatabase db;
  HikariDataSource second;
  MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");
  RateBuckets bucketsA;
  LimitsHost a;
  LimitsHost b;

  /** Per key 10/min; pro: 1000 requests/min per user, 100 submits/min, 2 concurrent jobs. */
  @BeforeEach
  void start() {
    db = PgTestDatabase.open(8);
    second = PostgresDataSources.create(db.url(), null, null, db.schema(), 8);
    LimitsHost.Options o = new LimitsHost.Options(
        LimitsHost.limits(10, 100, Map.of("pro", new PlanLimits(1000, 100, 2), "free", new PlanLimits(1000, 100, 1))),
        null, null, null);
    bucketsA = RateBuckets.postgres(db.dataSource(), clock);
    a = new LimitsHost(db.stores(), clock, bucketsA, o);
    b = new LimitsHost(PostgresStores.create(second), clock, RateBuckets.postgres(second, clock), o);
  }

  @AfterEach
  void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
    if (second != null) second.close();
    if (db != null) db.close();
  }

  private static <T> List<T> concurrently(int n, java.util.function.IntFunction<T> work) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<T>> fs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        fs.add(pool.submit(() -> {
          go.await();
          return work.apply(k);
        }));
      }
      go.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : fs) out.add(f.get(60, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoHostsSharingPostgresRespectOneLimit() throws Exception {
    String key = a.user("ann@a.test", "pro")[0];
    // 8 threads, 5 requests each, alternating hosts: 40 requests against one key's 10 per minute
    List<List<TestHttp.Response>> answers = concurrently(8, t -> {
      List<TestHttp.Response> rs = new ArrayList<>();
      for (int i = 0; i < 5; i++) rs.add(((t + i) % 2 == 0 ? a : b).http.get("/api/me", key));
      return rs;
    });
    List<TestHttp.Response> all = answers.stream().flatMap(List::stream).toList();
    List<TestHttp.Response> ok = all.stream().filter(r -> r.status() == 200).toList();
    assertThat(ok).hasSize(10);
    assertThat(all).filteredOn(r -> r.status() != 200).allSatisfy(r -> assertProblem(r, 429, "rate_limited"));
    List<Integer> remaining = new ArrayList<>(ok.stream().map(r -> Integer.parseInt(r.header("RateLimit-Remaining"))).toList());
    Collections.sort(remaining);
    assertThat(remaining).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9); // each token handed out exactly once
    // one token comes back every 6 s, for both hosts together
    assertThat(a.http.get("/api/me", key).header("Retry-After")).isEqualTo("6");
    clock.advance(Duration.ofSeconds(6));
    assertThat(b.http.get("/api/me", key).status()).isEqualTo(200);
    assertThat(a.http.get("/api/me", key).status()).isEqualTo(429);
  }

  /**
   * Rows carry an expiry (bucket4j stamps it with the system clock, not the injected one: the time to refill to full
   * plus 60 s) and {@code removeExpired} deletes the rows past it; a deleted bucket starts full again.
   */
  @Test
  void expiredBucketsAreRemovedFromTheTable() throws Exception {
    String key = a.user("ann@a.test", "pro")[0];
    for (int i = 0; i < 3; i++) b.http.get("/api/me", key);
    assertThat(rows()).isEqualTo(2); // the key's and the user's buckets (the tenant limit is off here)
    long now = System.currentTimeMillis();
    assertThat(sql("SELECT MIN(expires_at) FROM genrtl_rate_limit_buckets")).isGreaterThan(now);
    assertThat(sql("SELECT MAX(expires_at) FROM genrtl_rate_limit_buckets")).isLessThanOrEqualTo(now + 60_000 + 60_000);
    assertThat(bucketsA.removeExpired()).isZero();
    exec("UPDATE genrtl_rate_limit_buckets SET expires_at = " + (now - 1) + " WHERE id LIKE 'key:%'");
    assertThat(bucketsA.removeExpired()).isEqualTo(1);
    assertThat(rows()).isEqualTo(1);
    assertThat(a.http.get("/api/me", key).header("RateLimit-Remaining")).isEqualTo("9"); // the key's bucket is new
  }

  private long sql(String q) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(q)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void exec(String q) throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
      st.execute(q);
    }
  }

  private int rows() throws Exception {
    try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM genrtl_rate_limit_buckets")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void theRunningJobsLimitHoldsAcrossTwoHosts() throws Exception {
    String[] ann = a.user("ann@a.test", "pro"); // pro: 2 jobs queued or running at once; no runner: they stay queued
    String body = "{\"workspace_id\":\"" + ann[1] + "\",\"spec\":\"a uart with a FIFO\"}";
    List<TestHttp.Response> rs = concurrently(6, t -> (t % 2 == 0 ? a : b).http.post("/api/jobs/plan", ann[0], body));
    List<TestHttp.Response> accepted = rs.stream().filter(r -> r.status() == 202).toList();
    assertThat(accepted).as(rs.toString()).hasSize(2);
    assertThat(rs).filteredOn(r -> r.status() != 202).allSatisfy(r -> {
      assertProblem(r, 429, "too_many_jobs");
      assertThat(((Number) r.json().get("max_active_jobs")).intValue()).isEqualTo(2);
      assertThat(r.header("Retry-After")).isNotNull();
    });
    String jobId = (String) accepted.get(0).json().get("job_id");
    assertThat(b.http.post("/api/jobs/" + jobId + "/cancel", ann[0], null).status()).isLessThan(300);
    assertThat(a.http.post("/api/jobs/plan", ann[0], body).status()).isEqualTo(202); // a slot is free again
    assertProblem(b.http.post("/api/jobs/plan", ann[0], body), 429, "too_many_jobs");
    // another user's jobs are counted apart
    String[] bob = b.user("bob@b.test", "pro");
    assertThat(a.http.post("/api/jobs/plan", bob[0], "{\"workspace_id\":\"" + bob[1] + "\",\"spec\":\"x\"}").status())
        .isEqualTo(202);
  }
}
