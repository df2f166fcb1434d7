package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.Hold;
import io.genrtl.core.pool.HoldStatus;
import io.genrtl.core.pool.LedgerCheck;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.PoolAccount;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.pool.UsageTotal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The USD pool's contract, on every store adapter: bucket order, all-or-nothing charges, idempotency, holds,
 * period rollover, alerts, refunds and the ledger invariant, including under real concurrent threads.
 */
public abstract class PoolContractTest {
  static final long USD = 1_000_000L;

  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected PoolService pool;
  protected final List<SpendAlert> heard = new CopyOnWriteArrayList<>();

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpPool() {
    clock = MutableClock.at("2026-01-15T12:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).alertListener(heard::add).build();
    pool = genrtl.pool();
  }

  @AfterEach
  void tearDownPool() {
    closeStores(stores);
  }

  protected String user(String email, String plan) {
    CreatedUser c = genrtl.accounts().createUser(new NewUser(email, null, Role.USER, plan));
    return c.user().userId();
  }

  private static ChargeRequest llm(String userId, long micros, String key, long in, long out) {
    return new ChargeRequest(userId, UsageKind.LLM, micros, key, null, new Attribution("job1", "step1", "ws1"),
        new TokenUsage("openai", "gpt-5.1", in, out, 7, 3), null, null);
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e.code();
    }
    throw new AssertionError("expected a GenRtlException");
  }

  private void assertLedgerExact(String userId) {
    LedgerCheck check = pool.verify(userId);
    assertThat(check.problems()).as("ledger invariant").isEmpty();
  }

  // ------------------------------------------------------------------ buckets

  @Test
  void aChargeTakesIncludedThenCreditsThenOnDemandAndStraddlesWithOneRowPerBucket() {
    String u = user("pro@x.test", "pro");
    assertThat(pool.grantCredits(u, 5 * USD, "pack-1", "credit_pack", null, "test pack")).isTrue();
    assertThat(pool.grantCredits(u, 5 * USD, "pack-1", "credit_pack", null, "test pack")).as("idempotent").isFalse();
    pool.setOnDemandLimit(u, 10 * USD);

    ChargeResult r1 = pool.charge(llm(u, 22 * USD, "k1", 1000, 200));
    assertThat(r1.entries()).extracting(LedgerEntry::bucket).containsExactly(Bucket.INCLUDED, Bucket.CREDITS);
    assertThat(r1.entries()).extracting(LedgerEntry::usdMicros).containsExactly(20 * USD, 2 * USD);
    assertThat(r1.entries()).extracting(LedgerEntry::callId).containsOnly(r1.callId());
    assertThat(r1.entries().get(0).tokens().inputTokens()).isEqualTo(1000);
    assertThat(r1.entries().get(1).tokens().inputTokens()).as("tokens only on the first row").isZero();
    assertThat(r1.entries().get(1).tokens().outputTokens()).isZero();
    assertThat(r1.after().includedMicros()).isZero();
    assertThat(r1.after().creditsMicros()).isEqualTo(3 * USD);

    ChargeResult r2 = pool.charge(llm(u, 10 * USD, "k2", 1, 1));
    assertThat(r2.entries()).extracting(LedgerEntry::bucket).containsExactly(Bucket.CREDITS, Bucket.ON_DEMAND);
    assertThat(r2.entries()).extracting(LedgerEntry::usdMicros).containsExactly(3 * USD, 7 * USD);

    Balance before = pool.balance(u);
    assertThat(codeOf(() -> pool.charge(llm(u, 4 * USD, "k3", 1, 1)))).isEqualTo(ErrorCode.SPEND_LIMIT_REACHED);
    assertThat(pool.balance(u)).as("a refused charge changes nothing").isEqualTo(before);
    ChargeResult r3 = pool.charge(llm(u, 3 * USD, "k3", 1, 1));
    assertThat(r3.after().onDemandSpentMicros()).isEqualTo(10 * USD);
    assertThat(pool.balance(u).availableMicros()).isZero();
    assertThat(codeOf(() -> pool.charge(llm(u, 1, "k4", 1, 1)))).isEqualTo(ErrorCode.SPEND_LIMIT_REACHED);
    assertLedgerExact(u);
  }

  @Test
  void freeUsersWithoutCreditsGetInsufficientFundsAndCreditsUnlockThem() {
    String u = user("free@x.test", null);
    Balance b = pool.balance(u);
    assertThat(b.planId()).isEqualTo("free");
    assertThat(b.includedMicros()).isZero();
    assertThat(b.onDemandAllowed()).isFalse();
    assertThat(codeOf(() -> pool.charge(llm(u, 1, "a", 1, 1)))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    pool.grantCredits(u, 2 * USD, "pack", "credit_pack", null, null);
    assertThat(pool.charge(llm(u, USD, "a", 1, 1)).entries()).singleElement()
        .satisfies(e -> assertThat(e.bucket()).isEqualTo(Bucket.CREDITS));
    assertThat(codeOf(() -> pool.charge(llm(u, 2 * USD, "b", 1, 1)))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(codeOf(() -> pool.setOnDemandLimit(u, USD))).isEqualTo(ErrorCode.SPEND_LIMIT_ABOVE_PLAN_MAXIMUM);
    assertLedgerExact(u);
  }

  @Test
  void paidUsersWithOnDemandOffGetInsufficientFunds() {
    String u = user("pro@x.test", "pro");
    pool.charge(llm(u, 20 * USD, "a", 1, 1));
    assertThat(codeOf(() -> pool.charge(llm(u, 1, "b", 1, 1)))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(codeOf(() -> pool.setOnDemandLimit(u, 501 * USD))).isEqualTo(ErrorCode.SPEND_LIMIT_ABOVE_PLAN_MAXIMUM);
    pool.setOnDemandLimit(u, 500 * USD);
    assertThat(pool.charge(llm(u, 1, "b", 1, 1)).entries().get(0).bucket()).isEqualTo(Bucket.ON_DEMAND);
  }

  @Test
  void zeroCostChargesStillWriteARow() {
    String u = user("free@x.test", null);
    ChargeResult r = pool.charge(ChargeRequest.of(u, UsageKind.TOOL, 0, "tool-1"));
    assertThat(r.entries()).singleElement().satisfies(e -> {
      assertThat(e.usdMicros()).isZero();
      assertThat(e.kind()).isEqualTo(UsageKind.TOOL);
    });
  }

  // ------------------------------------------------------------------ idempotency

  @Test
  void aReplayedKeyReturnsTheOriginalAndChargesOnce() {
    String u = user("pro@x.test", "pro");
    ChargeResult first = pool.charge(llm(u, 3 * USD, "same", 10, 10));
    ChargeResult again = pool.charge(llm(u, 3 * USD, "same", 10, 10));
    assertThat(again.replayed()).isTrue();
    assertThat(again.callId()).isEqualTo(first.callId());
    assertThat(again.entries()).isEqualTo(first.entries());
    assertThat(again.after()).isEqualTo(first.after());
    assertThat(pool.balance(u).includedMicros()).isEqualTo(17 * USD);
    assertThat(codeOf(() -> pool.charge(llm(u, 4 * USD, "same", 10, 10)))).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    // keys are scoped per user
    String v = user("pro2@x.test", "pro");
    assertThat(pool.charge(llm(v, 3 * USD, "same", 10, 10)).replayed()).isFalse();
  }

  @Test
  void aRefusedChargeLeavesItsKeyFreeForARetry() {
    String u = user("free@x.test", null);
    assertThat(codeOf(() -> pool.charge(llm(u, USD, "retry-me", 1, 1)))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    pool.grantCredits(u, USD, "pack", "credit_pack", null, null);
    assertThat(pool.charge(llm(u, USD, "retry-me", 1, 1)).replayed()).isFalse();
  }

  // ------------------------------------------------------------------ holds

  @Test
  void holdsReserveSettleAndVoid() {
    String u = user("pro@x.test", "pro");
    Hold h = pool.reserve(u, 8 * USD, Duration.ofMinutes(5), "h1", new Attribution("j", "s", "w"));
    assertThat(pool.reserve(u, 8 * USD, Duration.ofMinutes(5), "h1", new Attribution("j", "s", "w")).holdId())
        .as("replay").isEqualTo(h.holdId());
    assertThat(codeOf(() -> pool.reserve(u, 9 * USD, Duration.ofMinutes(5), "h1", null))).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assertThat(pool.balance(u).holdsMicros()).isEqualTo(8 * USD);
    assertThat(pool.balance(u).availableMicros()).isEqualTo(12 * USD);
    assertThat(codeOf(() -> pool.reserve(u, 13 * USD, Duration.ofMinutes(5), "h2", null))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(codeOf(() -> pool.charge(llm(u, 13 * USD, "c", 1, 1)))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);

    ChargeResult s = pool.settle(h.holdId(), 3 * USD, new PoolService.Settlement(UsageKind.LLM,
        new TokenUsage("anthropic", "claude-sonnet-4-5", 5, 6, 7, 8), null, null));
    assertThat(s.totalMicros()).isEqualTo(3 * USD);
    assertThat(s.entries().get(0).attribution()).isEqualTo(new Attribution("j", "s", "w"));
    assertThat(pool.settle(h.holdId(), 3 * USD, PoolService.Settlement.of(UsageKind.LLM)).callId()).isEqualTo(s.callId());
    Balance b = pool.balance(u);
    assertThat(b.holdsMicros()).isZero();
    assertThat(b.includedMicros()).isEqualTo(17 * USD);
    assertThat(codeOf(() -> pool.voidHold(h.holdId()))).isEqualTo(ErrorCode.HOLD_NOT_ACTIVE);

    Hold h2 = pool.reserve(u, 2 * USD, Duration.ofMinutes(5), "h3", null);
    assertThat(pool.voidHold(h2.holdId()).status()).isEqualTo(HoldStatus.VOIDED);
    assertThat(pool.voidHold(h2.holdId()).status()).isEqualTo(HoldStatus.VOIDED);
    assertThat(pool.balance(u).holdsMicros()).isZero();
    assertThat(codeOf(() -> pool.settle(h2.holdId(), 1, PoolService.Settlement.of(UsageKind.LLM)))).isEqualTo(ErrorCode.HOLD_NOT_ACTIVE);
    assertLedgerExact(u);
  }

  @Test
  void anActualAboveTheHoldIsChargedInFullAndAnOverrunPastTheLimitIsFlagged() {
    String u = user("pro@x.test", "pro");
    pool.setOnDemandLimit(u, 2 * USD);
    Hold h = pool.reserve(u, 21 * USD, Duration.ofMinutes(5), "big", null);
    ChargeResult r = pool.settle(h.holdId(), 25 * USD, PoolService.Settlement.of(UsageKind.LLM));
    assertThat(r.totalMicros()).isEqualTo(25 * USD);
    LedgerEntry od = r.entries().stream().filter(e -> e.bucket() == Bucket.ON_DEMAND).findFirst().orElseThrow();
    assertThat(od.usdMicros()).isEqualTo(5 * USD);
    assertThat(od.overrun()).isTrue();
    assertThat(r.entries().stream().filter(e -> e.bucket() != Bucket.ON_DEMAND)).allMatch(e -> !e.overrun());
    assertThat(heard).anySatisfy(a -> {
      assertThat(a.kind()).isEqualTo("overrun");
      assertThat(a.entryId()).isEqualTo(od.entryId());
    });
    assertThat(pool.balance(u).availableMicros()).isNegative();
    assertThat(codeOf(() -> pool.charge(llm(u, 1, "after", 1, 1)))).isEqualTo(ErrorCode.SPEND_LIMIT_REACHED);
    assertLedgerExact(u);
  }

  @Test
  void expiredHoldsAreFreedBySweeperAndMaySettleLater() {
    String u = user("pro@x.test", "pro");
    Hold h = pool.reserve(u, 5 * USD, Duration.ofMinutes(1), "h", null);
    Hold keep = pool.reserve(u, 1 * USD, Duration.ofMinutes(10), "k", null);
    assertThat(pool.sweepExpiredHolds()).isZero();
    clock.advance(Duration.ofMinutes(1));
    assertThat(pool.sweepExpiredHolds()).isEqualTo(1);
    assertThat(pool.sweepExpiredHolds()).isZero();
    assertThat(stores.pool().holds().find(h.holdId()).orElseThrow().status()).isEqualTo(HoldStatus.EXPIRED);
    assertThat(pool.balance(u).holdsMicros()).isEqualTo(1 * USD);
    // the provider answered after all: the work is still charged, and the freed hold is not freed twice
    ChargeResult late = pool.settle(h.holdId(), 2 * USD, PoolService.Settlement.of(UsageKind.LLM));
    assertThat(late.totalMicros()).isEqualTo(2 * USD);
    assertThat(pool.balance(u).holdsMicros()).isEqualTo(1 * USD);
    assertThat(stores.pool().holds().find(keep.holdId()).orElseThrow().status()).isEqualTo(HoldStatus.ACTIVE);
    assertLedgerExact(u);
  }

  // ------------------------------------------------------------------ periods

  @Test
  void manualSubscriptionsRollMonthlyWithoutRolloverAndGrantOncePerPeriod() {
    String u = user("pro@x.test", "pro");
    pool.setOnDemandLimit(u, 50 * USD);
    pool.grantCredits(u, 4 * USD, "p", "credit_pack", null, null);
    pool.charge(llm(u, 27 * USD, "a", 1, 1)); // 20 included + 4 credits + 3 on-demand
    Balance jan = pool.balance(u);
    assertThat(jan.periodStart()).isEqualTo(Instant.parse("2026-01-15T12:00:00Z").toEpochMilli());
    assertThat(jan.onDemandSpentMicros()).isEqualTo(3 * USD);

    clock.set(Instant.parse("2026-02-15T12:00:00Z"));
    Balance feb = pool.balance(u);
    assertThat(feb.periodStart()).isEqualTo(Instant.parse("2026-02-15T12:00:00Z").toEpochMilli());
    assertThat(feb.periodEnd()).isEqualTo(Instant.parse("2026-03-15T12:00:00Z").toEpochMilli());
    assertThat(feb.includedMicros()).as("set, not added").isEqualTo(20 * USD);
    assertThat(feb.onDemandSpentMicros()).isZero();
    assertThat(feb.onDemandLimitMicros()).isEqualTo(50 * USD);
    assertThat(pool.balance(u)).isEqualTo(feb);
    assertThat(genrtl.accounts().me(io.genrtl.core.account.Principal.of(stores.accounts().users().find(u).orElseThrow(), null))
        .subscription().orElseThrow().periodStart()).isEqualTo(feb.periodStart());

    // three idle months later: one grant for the period that contains now, none for the skipped ones
    clock.set(Instant.parse("2026-05-20T00:00:00Z"));
    Balance may = pool.balance(u);
    assertThat(Instant.ofEpochMilli(may.periodStart())).isEqualTo(Instant.parse("2026-05-15T12:00:00Z"));
    assertThat(stores.pool().grants().listForUser(u)).filteredOn(g -> g.bucket() == Bucket.INCLUDED).hasSize(3);
    ChargeResult r = pool.charge(llm(u, USD, "b", 1, 1));
    assertThat(r.entries().get(0).periodStart()).isEqualTo(may.periodStart());
    assertLedgerExact(u);
  }

  @Test
  void providerBilledPeriodsAreGrantedOncePerPaymentAndNeverRollByThemselves() {
    String u = user("free@x.test", null);
    long jan = Instant.parse("2026-01-15T12:00:00Z").toEpochMilli();
    long feb = Instant.parse("2026-02-15T12:00:00Z").toEpochMilli();
    long mar = Instant.parse("2026-03-15T12:00:00Z").toEpochMilli();
    io.genrtl.core.account.Subscription sub = new io.genrtl.core.account.Subscription("sub_stripe_1", u, "pro", "stripe",
        io.genrtl.core.account.SubscriptionStatus.ACTIVE, jan, feb, jan);
    stores.accounts().subscriptions().insert(sub);
    // the account opened on the free plan's period starting now (= jan): the first paid invoice grants $20
    assertThat(pool.grantPaidPeriod(u, "sub_stripe_1", jan, feb)).isTrue();
    assertThat(pool.grantPaidPeriod(u, "sub_stripe_1", jan, feb)).as("a redelivered event").isFalse();
    assertThat(pool.balance(u).includedMicros()).isEqualTo(20 * USD);
    pool.setOnDemandLimit(u, 10 * USD);
    pool.charge(llm(u, 25 * USD, "a", 1, 1));
    // the period ends without a payment: a provider-billed account does not roll by itself
    clock.set(Instant.parse("2026-02-20T00:00:00Z"));
    assertThat(pool.balance(u).periodStart()).isEqualTo(jan);
    assertThat(pool.balance(u).onDemandSpentMicros()).isEqualTo(5 * USD);
    // February's invoice is paid: included is set (not added), on-demand restarts
    assertThat(pool.grantPaidPeriod(u, "sub_stripe_1", feb, mar)).isTrue();
    Balance b = pool.balance(u);
    assertThat(b.periodStart()).isEqualTo(feb);
    assertThat(b.includedMicros()).isEqualTo(20 * USD);
    assertThat(b.onDemandSpentMicros()).isZero();
    // a late duplicate of January's event changes nothing
    assertThat(pool.grantPaidPeriod(u, "sub_stripe_1", jan, feb)).isFalse();
    assertThat(pool.balance(u)).isEqualTo(b);
    assertThat(codeOf(() -> pool.grantPaidPeriod(u, "sub_other", feb, mar))).isEqualTo(ErrorCode.NOT_FOUND);
    assertLedgerExact(u);
  }

  @Test
  void providerEventsApplyOnceEvenWhenDeliveredTenTimesConcurrently() throws Exception {
    String u = user("buyer@x.test", null);
    long jan = Instant.parse("2026-01-15T12:00:00Z").toEpochMilli();
    long feb = Instant.parse("2026-02-15T12:00:00Z").toEpochMilli();
    var billing = genrtl.billing();
    assertThat(billing.processOnce("stripe", "evt_sub", () -> billing.subscriptionChanged(u, "stripe", "sub_9", "pro",
        io.genrtl.core.account.SubscriptionStatus.ACTIVE, jan, feb))).isTrue();
    AtomicInteger ran = new AtomicInteger();
    StoreContractTest.hammer(10, () -> billing.processOnce("stripe", "evt_paid", () -> {
      ran.incrementAndGet();
      billing.periodPaid("sub_9", jan, feb);
    }));
    assertThat(ran.get()).isEqualTo(1);
    assertThat(pool.balance(u).includedMicros()).isEqualTo(20 * USD);
    assertThat(pool.balance(u).planId()).isEqualTo("pro");
    assertThat(billing.processOnce("stripe", "evt_failed", () -> billing.paymentFailed("sub_9"))).isTrue();
    assertThat(pool.balance(u).subscriptionStatus()).isEqualTo("past_due");
    assertThat(pool.balance(u).onDemandAllowed()).isFalse();
    assertThat(billing.processOnce("stripe", "evt_pack", () -> billing.creditPackPaid(u, "stripe", "pi_1", 10 * USD))).isTrue();
    assertThat(billing.processOnce("stripe", "evt_pack", () -> billing.creditPackPaid(u, "stripe", "pi_1", 10 * USD))).isFalse();
    assertThat(billing.creditPackPaid(u, "stripe", "pi_1", 10 * USD)).as("same payment id").isFalse();
    assertThat(pool.balance(u).creditsMicros()).isEqualTo(10 * USD);
    // an effect that fails leaves the event unprocessed, so the provider's retry is applied
    assertThat(codeOf(() -> billing.processOnce("stripe", "evt_bad", () -> billing.periodPaid("sub_unknown", jan, feb))))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(billing.processOnce("stripe", "evt_bad", () -> {})).isTrue();
    assertLedgerExact(u);
  }

  @Test
  void freeAccountsRollToo() {
    String u = user("free@x.test", null);
    clock.advance(Duration.ofDays(40));
    Balance b = pool.balance(u);
    assertThat(b.periodEnd()).isGreaterThan(clock.millis());
    assertThat(b.periodStart()).isLessThanOrEqualTo(clock.millis());
    assertLedgerExact(u);
  }

  // ------------------------------------------------------------------ alerts

  @Test
  void eachThresholdFiresOncePerPeriod() {
    String u = user("pro@x.test", "pro");
    pool.setOnDemandLimit(u, 10 * USD);
    pool.charge(llm(u, 9 * USD, "a", 1, 1));   // 45 %
    assertThat(heard).isEmpty();
    pool.charge(llm(u, 1 * USD, "b", 1, 1));   // 50 %
    pool.charge(llm(u, 7 * USD, "c", 1, 1));   // 85 %: crosses 80
    pool.charge(llm(u, 1, "d", 1, 1));         // still 85 %
    pool.charge(llm(u, 8 * USD - 1, "e", 1, 1)); // included 100 %, on-demand 5 $ = 50 %
    pool.charge(llm(u, 5 * USD, "f", 1, 1));   // on-demand 100 %: crosses 80 and 100 at once
    assertThat(heard).extracting(a -> a.kind() + ":" + a.thresholdPercent()).containsExactly(
        "included:50", "included:80", "included:100", "on_demand:50", "on_demand:80", "on_demand:100");
    assertThat(pool.alerts(u, PageRequest.firstDefault()).items()).hasSize(6);

    clock.advance(Duration.ofDays(31));
    heard.clear();
    pool.charge(llm(u, 10 * USD, "g", 1, 1));
    assertThat(heard).extracting(a -> a.kind() + ":" + a.thresholdPercent()).containsExactly("included:50");
  }

  // ------------------------------------------------------------------ refunds

  @Test
  void refundsReferenceTheRowAndNeverExceedIt() {
    String u = user("pro@x.test", "pro");
    ChargeResult r = pool.charge(llm(u, 5 * USD, "a", 1, 1));
    String row = r.entries().get(0).entryId();
    ChargeResult ref = pool.refund(row, 2 * USD, "rf1", "admin", "bad answer");
    assertThat(ref.entries()).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(UsageKind.REFUND);
      assertThat(e.usdMicros()).isEqualTo(-2 * USD);
      assertThat(e.refundOf()).isEqualTo(row);
      assertThat(e.bucket()).isEqualTo(Bucket.INCLUDED);
    });
    assertThat(pool.refund(row, 2 * USD, "rf1", "admin", "bad answer").replayed()).isTrue();
    assertThat(pool.balance(u).includedMicros()).isEqualTo(17 * USD);
    assertThat(codeOf(() -> pool.refund(row, 3 * USD + 1, "rf2", "admin", "too much"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> pool.refund(ref.entries().get(0).entryId(), 1, "rf3", "admin", "x"))).isEqualTo(ErrorCode.VALIDATION_FAILED);

    clock.advance(Duration.ofDays(31)); // the row's period is over: the money comes back as credits
    ChargeResult late = pool.refund(row, 3 * USD, "rf4", "admin", "rest");
    assertThat(late.entries().get(0).bucket()).isEqualTo(Bucket.CREDITS);
    assertThat(pool.balance(u).creditsMicros()).isEqualTo(3 * USD);
    assertLedgerExact(u);
  }

  // ------------------------------------------------------------------ statements

  @Test
  void usageListsNewestFirstWithFiltersAndSummaries() {
    String u = user("pro@x.test", "pro");
    pool.setOnDemandLimit(u, 100 * USD);
    List<String> calls = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      calls.add(pool.charge(llm(u, 1 * USD, "l" + i, 100, 10)).callId());
      clock.advance(Duration.ofHours(12));
    }
    pool.charge(new ChargeRequest(u, UsageKind.CBB, 16 * USD, "cbb", null, new Attribution("job2", null, "ws2"), null,
        new io.genrtl.core.pool.CbbPurchase("sync_fifo", "1.0.0", 16 * USD, "rcpt1"), null));
    List<LedgerEntry> seen = new ArrayList<>();
    PageRequest req = PageRequest.first(3);
    while (true) {
      Page<LedgerEntry> p = pool.usage(LedgerQuery.all(u), req);
      seen.addAll(p.items());
      if (p.nextAfter() == null) break;
      req = new PageRequest(3, p.nextAfter());
    }
    assertThat(seen).hasSize(7); // the CBB charge straddles included and on-demand
    assertThat(seen).extracting(LedgerEntry::entryId).isSortedAccordingTo(Collections.reverseOrder());
    assertThat(seen.get(0).kind()).isEqualTo(UsageKind.CBB);
    assertThat(pool.usage(new LedgerQuery(u, null, null, UsageKind.LLM, null, null), PageRequest.firstDefault()).items()).hasSize(5);
    assertThat(pool.usage(new LedgerQuery(u, null, null, null, "job2", null), PageRequest.firstDefault()).items()).hasSize(2);
    assertThat(pool.usage(new LedgerQuery(u, null, null, null, null, "ws1"), PageRequest.firstDefault()).items()).hasSize(5);
    long t0 = Instant.parse("2026-01-15T12:00:00Z").toEpochMilli();
    assertThat(pool.usage(new LedgerQuery(u, t0, t0 + Duration.ofHours(12).toMillis(), null, null, null),
        PageRequest.firstDefault()).items()).as("from included, to excluded").hasSize(1);

    List<UsageTotal> byDay = pool.summary(LedgerQuery.all(u), GroupBy.DAY);
    assertThat(byDay.stream().mapToLong(UsageTotal::usdMicros).sum()).isEqualTo(21 * USD);
    assertThat(byDay).extracting(UsageTotal::group).contains(Long.toString(t0 / 86_400_000L));
    List<UsageTotal> byModel = pool.summary(LedgerQuery.all(u), GroupBy.MODEL);
    assertThat(byModel).filteredOn(t -> "gpt-5.1".equals(t.group())).singleElement()
        .satisfies(t -> {
          assertThat(t.usdMicros()).isEqualTo(5 * USD);
          assertThat(t.inputTokens()).isEqualTo(500);
          assertThat(t.cachedInputTokens()).isEqualTo(35);
        });
    List<UsageTotal> byKind = pool.summary(LedgerQuery.all(u), GroupBy.KIND);
    assertThat(byKind).filteredOn(t -> "cbb".equals(t.group())).extracting(UsageTotal::bucket)
        .containsExactly(Bucket.INCLUDED, Bucket.ON_DEMAND);
    List<LedgerEntry> all = new ArrayList<>();
    pool.forEachUsage(LedgerQuery.all(u), all::add);
    assertThat(all).isEqualTo(seen);
  }

  // ------------------------------------------------------------------ concurrency

  /**
   * 32 threads × 100 operations of random sizes against a small balance with on-demand on: unique charges,
   * charges with keys shared between threads, and reservations settled or voided. Nothing overdraws, on-demand never
   * passes the limit, every shared key is charged once, and the ledger invariant is exact.
   */
  @Test
  void concurrentChargesDuplicatesAndReservationsKeepEveryInvariant() throws Exception {
    String u = user("pro@x.test", "pro");
    long limit = 30 * USD;
    pool.setOnDemandLimit(u, limit);
    pool.grantCredits(u, 5 * USD, "pack", "credit_pack", null, null);
    int threads = concurrencyThreads();
    int ops = concurrencyOpsPerThread();
    Map<String, Set<String>> callsByKey = new ConcurrentHashMap<>();
    Map<String, Long> amountByKey = new ConcurrentHashMap<>();
    AtomicLong settled = new AtomicLong();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger thread = new AtomicInteger();
    hammer(threads, () -> {
      int t = thread.getAndIncrement();
      Random rnd = new Random(1000 + t);
      for (int i = 0; i < ops; i++) {
        int kind = rnd.nextInt(100);
        long amount = 1 + rnd.nextInt(400_000); // up to $0.40
        try {
          if (kind < 70) {
            String key = "t" + t + "-" + i;
            ChargeResult r = pool.charge(llm(u, amount, key, 1, 1));
            callsByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(r.callId());
            amountByKey.put(key, amount);
          } else if (kind < 85) {
            int shared = rnd.nextInt(20);
            long sharedAmount = 100_000 + shared; // same key, same body
            String key = "shared-" + shared;
            ChargeResult r = pool.charge(llm(u, sharedAmount, key, 1, 1));
            callsByKey.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(r.callId());
            amountByKey.put(key, sharedAmount);
          } else {
            Hold h = pool.reserve(u, amount, Duration.ofMinutes(5), "h" + t + "-" + i, null);
            if (rnd.nextBoolean()) {
              long actual = rnd.nextInt((int) amount + 1);
              pool.settle(h.holdId(), actual, PoolService.Settlement.of(UsageKind.LLM));
              settled.addAndGet(actual);
            } else {
              pool.voidHold(h.holdId());
            }
          }
        } catch (GenRtlException e) {
          assertThat(e.code()).isIn(ErrorCode.SPEND_LIMIT_REACHED, ErrorCode.INSUFFICIENT_FUNDS);
          refused.incrementAndGet();
        }
      }
      return null;
    });

    assertThat(callsByKey.values()).allSatisfy(calls -> assertThat(calls).hasSize(1));
    long charged = amountByKey.values().stream().mapToLong(Long::longValue).sum() + settled.get();
    PoolAccount a = stores.pool().accounts().find(u).orElseThrow();
    assertThat(a.includedMicros()).isGreaterThanOrEqualTo(0);
    assertThat(a.creditsMicros()).isGreaterThanOrEqualTo(0);
    assertThat(a.holdsMicros()).isZero();
    assertThat(a.onDemandSpentMicros()).isLessThanOrEqualTo(limit);
    long ledgerTotal = stores.pool().ledger().sumByBucket(u, null).values().stream().mapToLong(Long::longValue).sum();
    assertThat(ledgerTotal).as("every successful charge exactly once").isEqualTo(charged);
    assertThat(ledgerTotal).isEqualTo(20 * USD + 5 * USD - a.includedMicros() - a.creditsMicros() + a.onDemandSpentMicros());
    assertThat(refused.get()).as("the balance was small enough to refuse some").isPositive();
    Map<String, Integer> callsPerSharedKey = new HashMap<>();
    pool.forEachUsage(LedgerQuery.all(u), e -> {
      if (e.idempotencyKey() != null && e.idempotencyKey().startsWith("shared-")) {
        callsPerSharedKey.merge(e.idempotencyKey() + "/" + e.callId(), 1, Integer::sum);
      }
    });
    Set<String> sharedKeys = new HashSet<>();
    callsPerSharedKey.keySet().forEach(k -> assertThat(sharedKeys.add(k.substring(0, k.indexOf('/')))).as("one call per key").isTrue());
    assertLedgerExact(u);
    assertThat(pool.verifyAll()).allMatch(LedgerCheck::ok);
  }

  /** Concurrent reservations can never together exceed what is available. */
  @Test
  void concurrentReservationsNeverExceedAvailable() throws Exception {
    String u = user("pro@x.test", "pro"); // $20 included, on-demand off
    List<Hold> held = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    hammer(16, () -> {
      for (int i = 0; i < 10; i++) {
        try {
          held.add(pool.reserve(u, 300_000, Duration.ofMinutes(5), "r" + n.incrementAndGet(), null));
        } catch (GenRtlException e) {
          assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
        }
      }
      return null;
    });
    assertThat(held).hasSize(66); // floor(20 / 0.30)
    assertThat(pool.balance(u).holdsMicros()).isEqualTo(66 * 300_000L);
    assertLedgerExact(u);
  }

  protected int concurrencyThreads() {
    return 32;
  }

  protected int concurrencyOpsPerThread() {
    return 100;
  }

  private static <T> void hammer(int threads, java.util.concurrent.Callable<T> task) throws Exception {
    StoreContractTest.hammer(threads, task);
  }
}
