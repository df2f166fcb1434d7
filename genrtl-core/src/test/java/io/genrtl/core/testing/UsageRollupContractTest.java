package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.pool.UsageTotal;
import io.genrtl.core.Stores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The usage rollups' contract, on every store adapter: every summary grouping, every filter (whole and partial days),
 * the per-bucket totals and the bucket sums read from the rollups equal a full scan of the rows, refunds included;
 * group pages concatenate to the whole; concurrent writers from real threads leave rollup = scan; and a corrupted
 * rollup row is reported by the ledger check.
 */
public abstract class UsageRollupContractTest {
  static final long USD = 1_000_000L;
  static final long DAY = 86_400_000L;

  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected PoolService pool;

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  /** Adds {@code usdMicros} to one of the user's day-rollup rows behind the store's back (SQL: an UPDATE). */
  protected abstract void corruptDayRollup(String userId, long usdMicros);

  @BeforeEach
  void setUpRollups() {
    clock = MutableClock.at("2026-03-01T05:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).build();
    pool = genrtl.pool();
  }

  @AfterEach
  void tearDownRollups() {
    closeStores(stores);
  }

  protected String user(String email) {
    String u = genrtl.accounts().createUser(new NewUser(email, null, Role.USER, "pro")).user().userId();
    pool.grantCredits(u, 1_000_000 * USD, "big", "credit_pack", null, null);
    return u;
  }

  private static final String[] MODELS = {"gpt-5.1", "claude-x", "Zeta"};
  private static final String[] JOBS = {"job-a", "job-b", "job-c", "job-d", "job-e", "job-f", null};
  private static final String[] WORKSPACES = {"ws1", "ws2", null};

  /** A random charge: kinds, models, jobs and workspaces mixed, some without any. */
  private static ChargeRequest charge(String u, Random rnd, String key) {
    int k = rnd.nextInt(10);
    UsageKind kind = k < 7 ? UsageKind.LLM : k < 9 ? UsageKind.TOOL : UsageKind.CBB;
    String job = JOBS[rnd.nextInt(JOBS.length)];
    String ws = WORKSPACES[rnd.nextInt(WORKSPACES.length)];
    long amount = 1 + rnd.nextInt(3 * (int) USD);
    TokenUsage t = kind == UsageKind.LLM ? new TokenUsage("openai", MODELS[rnd.nextInt(MODELS.length)],
        rnd.nextInt(1000), rnd.nextInt(500), rnd.nextInt(50), rnd.nextInt(20)) : null;
    return new ChargeRequest(u, kind, amount, key, null, new Attribution(job, job == null ? null : "s1", ws), t, null,
        null);
  }

  /** About 120 charges over ten days at uneven times, every eighth row refunded in part. */
  private List<ChargeResult> history(String u, long seed) {
    Random rnd = new Random(seed);
    List<ChargeResult> out = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ChargeResult r = pool.charge(charge(u, rnd, "c" + seed + "-" + i));
      out.add(r);
      if (i % 8 == 3) {
        LedgerEntry e = r.entries().get(0);
        pool.refund(e.entryId(), Math.max(1, e.usdMicros() / 3), "r" + seed + "-" + i, null, "test");
      }
      clock.advance(Duration.ofMinutes(30 + rnd.nextInt(240)));
    }
    return out;
  }

  private List<LedgerQuery> queries(String u) {
    long t0 = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli();
    List<LedgerQuery> qs = new ArrayList<>();
    qs.add(LedgerQuery.all(u));
    for (UsageKind k : UsageKind.values()) qs.add(new LedgerQuery(u, null, null, k, null, null));
    qs.add(new LedgerQuery(u, null, null, null, "job-a", null));
    qs.add(new LedgerQuery(u, null, null, null, "job-zzz", null));
    qs.add(new LedgerQuery(u, null, null, null, null, "ws1"));
    qs.add(new LedgerQuery(u, null, null, UsageKind.LLM, "job-b", "ws2"));
    qs.add(new LedgerQuery(u, t0 + 2 * DAY, t0 + 5 * DAY, null, null, null)); // whole days only
    qs.add(new LedgerQuery(u, t0 + 2 * DAY + 3_600_000, t0 + 6 * DAY + 7_777_777, null, null, null)); // both edges
    qs.add(new LedgerQuery(u, t0 + DAY + 1, null, null, null, null)); // lower edge only
    qs.add(new LedgerQuery(u, null, t0 + 4 * DAY - 1, UsageKind.LLM, null, null)); // upper edge only
    qs.add(new LedgerQuery(u, t0 + 3 * DAY + 1000, t0 + 3 * DAY + 50_000_000, null, null, null)); // inside one day
    qs.add(new LedgerQuery(u, t0 + 3 * DAY + 1000, t0 + 4 * DAY + 1000, null, null, null)); // two partial days
    qs.add(new LedgerQuery(u, t0 + DAY + 5, t0 + 8 * DAY + 5, null, "job-c", null));
    qs.add(new LedgerQuery(u, t0 + DAY + 5, t0 + 8 * DAY + 5, UsageKind.TOOL, null, "ws2"));
    return qs;
  }

  private void assertRollupsEqualScan(String u) {
    for (LedgerQuery q : queries(u)) {
      for (GroupBy g : GroupBy.values()) {
        List<UsageTotal> scan = stores.pool().ledger().summarizeByScan(q, g);
        assertThat(pool.summary(q, g)).as("%s by %s", q, g).isEqualTo(scan);
        for (int limit : new int[] {1, 2, 3}) {
          List<UsageTotal> paged = new ArrayList<>();
          PageRequest req = PageRequest.first(limit);
          int pages = 0;
          while (true) {
            Page<UsageTotal> p = pool.summary(q, g, req);
            assertThat(p.items().stream().map(UsageTotal::group).distinct().count()).as("groups per page")
                .isLessThanOrEqualTo(limit);
            paged.addAll(p.items());
            if (p.nextAfter() == null) break;
            assertThat(++pages).as("pages end").isLessThan(1000);
            req = new PageRequest(limit, p.nextAfter());
          }
          assertThat(paged).as("%s by %s in pages of %d", q, g, limit).isEqualTo(scan);
        }
      }
      assertThat(pool.summaryTotal(q)).as("total of %s", q).isEqualTo(stores.pool().ledger().summarizeByScan(q, null));
    }
    long period = pool.balance(u).periodStart();
    assertThat(stores.pool().ledger().sumByBucket(u, null)).isEqualTo(stores.pool().ledger().sumByBucketByScan(u, null));
    assertThat(stores.pool().ledger().sumByBucket(u, period)).isEqualTo(stores.pool().ledger().sumByBucketByScan(u, period));
    assertThat(stores.pool().ledger().checkRollups(u)).isEmpty();
    assertThat(pool.verify(u).problems()).isEmpty();
  }

  @Test
  void everyGroupingFilterAndPageEqualsAFullScan() {
    String u = user("a@x.test");
    String other = user("b@x.test");
    history(u, 1);
    history(other, 2);
    assertThat(pool.summary(LedgerQuery.all(u), GroupBy.DAY)).as("several days").hasSizeGreaterThan(5);
    assertThat(pool.summary(LedgerQuery.all(u), GroupBy.JOB)).extracting(UsageTotal::group)
        .as("jobs in order, rows without a job last").contains("job-a", "job-f").last().isNull();
    List<UsageTotal> kinds = pool.summary(LedgerQuery.all(u), GroupBy.KIND);
    assertThat(kinds).extracting(UsageTotal::group).contains("refund");
    assertThat(kinds).filteredOn(t -> "refund".equals(t.group())).allSatisfy(t -> assertThat(t.usdMicros()).isNegative());
    assertRollupsEqualScan(u);
    assertRollupsEqualScan(other);
  }

  @Test
  void aSummaryReadsTheGroupsOfItsUserOnly() {
    String u = user("a@x.test");
    String other = user("b@x.test");
    history(other, 3);
    assertThat(pool.summary(LedgerQuery.all(u), GroupBy.DAY)).isEmpty();
    assertThat(pool.summary(LedgerQuery.all(u), GroupBy.JOB, PageRequest.first(5)).items()).isEmpty();
    assertThat(pool.summaryTotal(LedgerQuery.all(u))).isEmpty();
    assertThat(stores.pool().ledger().sumByBucket(u, null)).isEmpty();
  }

  @Test
  void aCorruptedRollupRowIsReportedByTheLedgerCheck() {
    String u = user("a@x.test");
    history(u, 4);
    assertThat(pool.verify(u).problems()).isEmpty();
    corruptDayRollup(u, 7);
    assertThat(stores.pool().ledger().checkRollups(u)).singleElement().asString()
        .contains("usage rollup day").contains("usd_micros=");
    assertThat(pool.verify(u).problems()).anySatisfy(p -> assertThat(p).startsWith("usage rollup day"));
    assertThat(pool.verifyAll()).filteredOn(c -> c.userId().equals(u)).singleElement()
        .satisfies(c -> assertThat(c.ok()).isFalse());
    assertThat(pool.summary(LedgerQuery.all(u), GroupBy.DAY)).as("the views read the rollups")
        .isNotEqualTo(stores.pool().ledger().summarizeByScan(LedgerQuery.all(u), GroupBy.DAY));
  }

  /** Real threads charging and refunding two users at once: rollup = scan afterwards, for every view. */
  @Test
  void concurrentWritersKeepRollupsEqualToAScan() throws Exception {
    String u = user("a@x.test");
    String v = user("b@x.test");
    int threads = 8;
    int ops = 40;
    CountDownLatch start = new CountDownLatch(1);
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    AtomicInteger seq = new AtomicInteger();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        Random rnd = new Random(100 + id);
        try {
          start.await();
          for (int i = 0; i < ops; i++) {
            String who = (id + i) % 3 == 0 ? v : u;
            ChargeResult r = pool.charge(charge(who, rnd, "t" + id + "-" + i));
            if (rnd.nextInt(6) == 0) {
              LedgerEntry e = r.entries().get(0);
              pool.refund(e.entryId(), Math.max(1, e.usdMicros() / 2), "rf" + id + "-" + i, null, "test");
            }
            if (rnd.nextInt(10) == 0) clock.advance(Duration.ofHours(1 + seq.incrementAndGet() % 5));
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      th.start();
      ts.add(th);
    }
    start.countDown();
    for (Thread th : ts) th.join(120_000);
    assertThat(errors).isEmpty();
    long rows = 0;
    for (UsageTotal t : pool.summaryTotal(LedgerQuery.all(u))) rows += t.rows();
    for (UsageTotal t : pool.summaryTotal(LedgerQuery.all(v))) rows += t.rows();
    assertThat(rows).as("every charge row is in the rollups").isGreaterThanOrEqualTo(threads * ops);
    assertRollupsEqualScan(u);
    assertRollupsEqualScan(v);
  }

  @Test
  void bucketSumsPerPeriodComeFromTheRollups() {
    String u = user("a@x.test");
    history(u, 5);
    long period = pool.balance(u).periodStart();
    assertThat(stores.pool().ledger().sumByBucket(u, period)).isNotEmpty();
    assertThat(stores.pool().ledger().sumByBucket(u, period - 1)).isEmpty();
    long all = stores.pool().ledger().sumByBucket(u, null).values().stream().mapToLong(Long::longValue).sum();
    long total = pool.summaryTotal(LedgerQuery.all(u)).stream().mapToLong(UsageTotal::usdMicros).sum();
    assertThat(all).isEqualTo(total).isPositive();
    assertThat(pool.summaryTotal(LedgerQuery.all(u))).extracting(UsageTotal::bucket).contains(Bucket.CREDITS);
  }
}
