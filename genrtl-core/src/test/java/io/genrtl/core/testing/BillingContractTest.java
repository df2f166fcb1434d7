package io.genrtl.core.testing;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.billing.BillingCatalog;
import io.genrtl.core.billing.BillingEvent;
import io.genrtl.core.base.Sleeper;
import io.genrtl.core.Stores;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Sleeper;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.billing.BillingStatus;
import io.genrtl.core.billing.CreditPack;
import io.genrtl.core.billing.SignedBody;
import io.genrtl.core.billing.MeterRecord;
import io.genrtl.core.billing.MeterReporter;
import io.genrtl.core.billing.MeterSender;
import io.genrtl.core.billing.MeterTotal;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.UsageKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Customers at payment providers and the meter outbox, on every store adapter: one customer per user even when
 * checkouts race, an outbox row in the same transaction as each on-demand ledger row, and a reporter that sends each
 * row once, backs off, and resends the same identifier after a crash between send and mark.
 */
public abstract class BillingContractTest {
  static final long USD = 1_000_000L;

  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected BillingService billing;
  protected final List<Duration> slept = new CopyOnWriteArrayList<>();
  /** How often a caller waited for a customer another caller was creating. */
  protected final AtomicInteger polls = new AtomicInteger();

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpBilling() {
    clock = MutableClock.at("2026-03-10T12:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).sleeper(d -> {
      polls.incrementAndGet();
      Thread.sleep(d.toMillis());
    }).build();
    billing = genrtl.billing();
  }

  @AfterEach
  void tearDownBilling() {
    closeStores(stores);
  }

  protected String user(String email, String plan) {
    return genrtl.accounts().createUser(new NewUser(email, null, Role.USER, plan)).user().userId();
  }

  /** Spends $25 on a Pro account with a $50 on-demand limit: $20 from included and $5 on-demand. */
  protected ChargeResult spendIntoOnDemand(String u, String key) {
    genrtl.pool().setOnDemandLimit(u, 50 * USD);
    return genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 25 * USD, key));
  }

  /** A sleeper that moves the test clock instead of waiting. */
  protected Sleeper clockSleeper() {
    return d -> {
      slept.add(d);
      clock.advance(d);
    };
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  protected MeterReporter reporter(MeterSender sender) {
    return new MeterReporter(stores.accounts(), stores.billing(), clock, clockSleeper(), sender, new MeterReporter.Settings(10, Duration.ofMinutes(5),
        Duration.ofSeconds(10), Duration.ofMinutes(10), BillingService.STRIPE));
  }

  // ------------------------------------------------------------------ customers

  @Test
  void concurrentCheckoutsCreateOneCustomerAndAllUseIt() throws Exception {
    String u = user("race@x.test", null);
    AtomicInteger created = new AtomicInteger();
    List<String> ids = StoreContractTest.hammer(8, () -> billing.customerFor(u, BillingService.STRIPE, () -> {
      // keep the provider call in flight until another caller is waiting for it (bounded), so the race really happens
      for (int i = 0; i < 1000 && polls.get() == 0; i++) sleepQuietly(5);
      return "cus_" + created.incrementAndGet();
    }));
    assertThat(polls.get()).as("another checkout waited for the one creating the customer").isPositive();
    assertThat(created).hasValue(1);
    assertThat(ids).containsOnly("cus_1");
    assertThat(billing.customer(u, BillingService.STRIPE)).contains("cus_1");
    assertThat(billing.userOfCustomer(BillingService.STRIPE, "cus_1")).contains(u);
    assertThat(billing.customer(u, BillingService.CREEM)).as("per provider").isEmpty();
    assertThat(billing.customerFor(u, BillingService.STRIPE, () -> "cus_other")).isEqualTo("cus_1");
  }

  @Test
  void aFailedCreationFreesTheClaimAndAStaleClaimIsTakenOver() {
    String u = user("fail@x.test", null);
    assertThatThrownBy(() -> billing.customerFor(u, BillingService.STRIPE, () -> {
      throw new IllegalStateException("provider down");
    })).hasMessage("provider down");
    assertThat(billing.customerFor(u, BillingService.STRIPE, () -> "cus_2")).isEqualTo("cus_2");

    String v = user("stale@x.test", null);
    assertThat(stores.billing().customers().claim(v, BillingService.STRIPE, "dead-host", clock.millis())).isTrue();
    assertThat(stores.billing().customers().claim(v, BillingService.STRIPE, "other", clock.millis())).as("one claim").isFalse();
    assertThat(stores.billing().customers().takeOver(v, BillingService.STRIPE, "other", clock.millis() - 60_000, clock.millis()))
        .as("a fresh claim is not taken over").isFalse();
    clock.advance(Duration.ofMinutes(2));
    assertThat(billing.customerFor(v, BillingService.STRIPE, () -> "cus_3")).isEqualTo("cus_3");
    assertThat(stores.billing().customers().complete(v, BillingService.STRIPE, "dead-host", "cus_late"))
        .as("the dead holder can no longer complete").isFalse();
    assertThat(billing.customer(v, BillingService.STRIPE)).contains("cus_3");
  }

  @Test
  void aCustomerIdLearnedFromAWebhookIsLinkedOnceAndBelongsToOneUser() {
    String u = user("link@x.test", null);
    String w = user("other@x.test", null);
    assertThat(billing.linkCustomer(u, BillingService.CREEM, "cust_1")).isTrue();
    assertThat(billing.linkCustomer(u, BillingService.CREEM, "cust_1")).isFalse();
    assertThat(billing.linkCustomer(u, BillingService.CREEM, "cust_2")).as("the first mapping stays").isFalse();
    assertThat(billing.linkCustomer(w, BillingService.CREEM, "cust_1")).as("another user's customer").isFalse();
    assertThat(billing.linkCustomer("nobody", BillingService.CREEM, "cust_9")).isFalse();
    assertThat(billing.customer(u, BillingService.CREEM)).contains("cust_1");
    assertThat(billing.userOfCustomer(BillingService.CREEM, "cust_1")).contains(u);
    // a pending claim is filled in by the webhook's id
    assertThat(stores.billing().customers().claim(w, BillingService.STRIPE, "t", clock.millis())).isTrue();
    assertThat(billing.linkCustomer(w, BillingService.STRIPE, "cus_w")).isTrue();
    assertThat(billing.customerFor(w, BillingService.STRIPE, () -> "cus_never")).isEqualTo("cus_w");
  }

  @Test
  void aRejectedWebhookIsRecordedOnceForSuperAdminsAndClaimsNothing() {
    GenRtlException why = new GenRtlException(ErrorCode.VALIDATION_FAILED, "data.object.id is required",
        java.util.Map.of("field", "data.object.id", "reason", "missing"));
    assertThat(billing.recordRejected("stripe", "evt_bad", "checkout.session.completed", "ab".repeat(32), 120, why)).isTrue();
    assertThat(billing.recordRejected("stripe", "evt_bad", "checkout.session.completed", "ab".repeat(32), 120, why))
        .as("the same body again").isFalse();
    assertThat(billing.recordRejected("stripe", null, null, "cd".repeat(32), 7, why)).as("another body").isTrue();
    io.genrtl.core.account.User root = genrtl.accounts().createUser(new NewUser("root@x.test", "ops", Role.SUPER_ADMIN, null)).user();
    io.genrtl.core.account.User adm = genrtl.accounts().createUser(new NewUser("adm@x.test", "acme", Role.TENANT_ADMIN, null)).user();
    io.genrtl.core.audit.AuditQuery q = new io.genrtl.core.audit.AuditQuery(null, "webhook.rejected", null, null, null, null, null);
    List<io.genrtl.core.audit.AuditEntry> seen = genrtl.audit().query(genrtl.apiKeys().authenticate(
        genrtl.apiKeys().issue(root.userId(), "t", null).apiKey()), q, io.genrtl.core.base.PageRequest.first(50)).items();
    assertThat(seen).hasSize(2);
    io.genrtl.core.audit.AuditEntry first = seen.get(1);
    assertThat(first.tenantId()).isNull();
    assertThat(first.actorUserId()).isNull();
    assertThat(first.targetType()).isEqualTo("webhook_event");
    assertThat(first.targetId()).isEqualTo("stripe:evt_bad");
    assertThat(first.detailsJson()).contains("\"field\":\"data.object.id\"", "\"reason\":\"missing\"",
        "\"code\":\"validation_failed\"", "\"event_type\":\"checkout.session.completed\"");
    assertThat(seen.get(0).targetId()).isNull();
    assertThat(genrtl.audit().query(genrtl.apiKeys().authenticate(genrtl.apiKeys().issue(adm.userId(), "t", null).apiKey()), q,
        io.genrtl.core.base.PageRequest.first(50)).items()).as("tenant admins do not see provider events").isEmpty();
    // the event id was not claimed: the event (corrected) still applies once
    assertThat(billing.processOnce("stripe", "evt_bad", () -> {})).isTrue();
    assertThat(billing.processOnce("stripe", "evt_bad", () -> {})).isFalse();
  }

  // ------------------------------------------------------------------ BillingService.apply (the webhook state machine)

  static final long JAN = java.time.Instant.parse("2026-01-15T12:00:00Z").toEpochMilli();
  static final long FEB = java.time.Instant.parse("2026-02-15T12:00:00Z").toEpochMilli();
  static final BillingCatalog CATALOG = new BillingCatalog(java.util.Map.of("price_pro", "pro"),
      List.of(new CreditPack("bonus", "Bonus", 12 * USD, 10 * USD)));

  protected int rejections() {
    io.genrtl.core.account.User root = genrtl.accounts().createUser(new NewUser("root" + System.nanoTime() + "@x.test",
        "ops", Role.SUPER_ADMIN, null)).user();
    return genrtl.audit().query(genrtl.apiKeys().authenticate(genrtl.apiKeys().issue(root.userId(), "t", null).apiKey()),
        new io.genrtl.core.audit.AuditQuery(null, "webhook.rejected", null, null, null, null, null),
        io.genrtl.core.base.PageRequest.first(50)).items().size();
  }

  static BillingEvent.SubscriptionChanged subscription(String eventId, String userId, String price, long start, long end) {
    return new BillingEvent.SubscriptionChanged("stripe", eventId, "sub_1", "cus_1", userId, price, BillingStatus.ACTIVE,
        start, end, false);
  }

  static GenRtlException refusal(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  @Test
  void applySubscriptionEventsOnceFindingTheUserPlanAndPeriodItKnows() {
    String u = user("sub@x.test", null);
    assertThat(billing.linkCustomer(u, "stripe", "cus_1")).isTrue();
    SignedBody body = new SignedBody("ee".repeat(32), 10);
    assertThat(billing.apply("stripe", subscription("evt_1", null, "price_pro", JAN, FEB), CATALOG, body))
        .as("user found by the customer, plan by the price").isTrue();
    assertThat(billing.apply("stripe", subscription("evt_1", null, "price_pro", JAN, FEB), CATALOG, body))
        .as("a redelivery").isFalse();
    io.genrtl.core.account.Subscription s = stores.accounts().subscriptions().find("sub_1").orElseThrow();
    assertThat(s.userId()).isEqualTo(u);
    assertThat(s.planId()).isEqualTo("pro");
    assertThat(s.periodStart()).isEqualTo(JAN);
    // an unknown price and no period: the known subscription's plan and period stay
    assertThat(billing.apply("stripe", new BillingEvent.SubscriptionChanged("stripe", "evt_2", "sub_1", null, null,
        "price_other", BillingStatus.PAST_DUE, 0, 0, false), CATALOG, body)).isTrue();
    s = stores.accounts().subscriptions().find("sub_1").orElseThrow();
    assertThat(s.planId()).isEqualTo("pro");
    assertThat(s.status()).isEqualTo(io.genrtl.core.account.SubscriptionStatus.PAST_DUE);
    assertThat(s.periodEnd()).isEqualTo(FEB);
    assertThat(rejections()).isZero();
  }

  @Test
  void anUnappliableEventIsRejectedOnceRecordedAndNotClaimed() {
    String u = user("rej@x.test", null);
    SignedBody body = new SignedBody("ab".repeat(32), 99);
    GenRtlException e = refusal(() -> billing.apply("stripe", subscription("evt_x", u, "price_unknown", JAN, FEB), CATALOG, body));
    assertThat(e.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(e.details()).containsEntry("field", "price");
    e = refusal(() -> billing.apply("stripe", subscription("evt_y", u, "price_pro", 0, 0), CATALOG, new SignedBody("ac".repeat(32), 9)));
    assertThat(e.details()).containsEntry("field", "period");
    // a payment for a subscription nobody knows (no customer link): 404 so the provider redelivers
    e = refusal(() -> billing.apply("stripe", new BillingEvent.PeriodPaid("stripe", "evt_z", "sub_9", "cus_9", "price_pro",
        JAN, FEB, "in_1", 20 * USD), CATALOG, new SignedBody("ad".repeat(32), 9)));
    assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(rejections()).isEqualTo(3);
    refusal(() -> billing.apply("stripe", subscription("evt_x", u, "price_unknown", JAN, FEB), CATALOG, body));
    assertThat(rejections()).as("the same body again").isEqualTo(3);
    assertThat(stores.accounts().subscriptions().find("sub_1")).isEmpty();
    // nothing was claimed: the corrected events apply
    assertThat(billing.apply("stripe", subscription("evt_x", u, "price_pro", JAN, FEB), CATALOG, body)).isTrue();
    assertThat(billing.apply("stripe", new BillingEvent.Ignored("stripe", "evt_i", "customer.created", "not acted on"),
        CATALOG, body)).isFalse();
    assertThatThrownBy(() -> billing.apply("creem", subscription("evt_c", u, "price_pro", JAN, FEB), CATALOG, body))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPaymentBeforeItsSubscriptionActivatesItAndPacksAddTheirCredits() {
    String u = user("pay@x.test", null);
    assertThat(billing.linkCustomer(u, "creem", "cust_1")).isTrue();
    SignedBody body = new SignedBody("cc".repeat(32), 5);
    BillingCatalog creem = new BillingCatalog(java.util.Map.of("prod_pro", "pro"), CATALOG.packs());
    assertThat(billing.apply("creem", new BillingEvent.PeriodPaid("creem", "evt_p", "sub_c", "cust_1", "prod_pro", JAN, FEB,
        null, 20 * USD), creem, body)).isTrue();
    assertThat(stores.accounts().subscriptions().find("sub_c").orElseThrow().status())
        .isEqualTo(io.genrtl.core.account.SubscriptionStatus.ACTIVE);
    assertThat(genrtl.pool().balance(u).includedMicros()).isEqualTo(20 * USD);
    assertThat(billing.apply("creem", new BillingEvent.PaymentFailed("creem", "evt_f", "sub_c", "cust_1", null, 1, null),
        creem, body)).isTrue();
    assertThat(genrtl.pool().balance(u).subscriptionStatus()).isEqualTo("past_due");
    // a pack paid in full adds its credits; an underpaid one what was paid; each payment once
    assertThat(billing.apply("creem", new BillingEvent.CreditPackPaid("creem", "evt_k1", "ord_1", u, "bonus", 10 * USD),
        creem, body)).isTrue();
    assertThat(billing.apply("creem", new BillingEvent.CreditPackPaid("creem", "evt_k2", "ord_2", u, "bonus", 3 * USD),
        creem, body)).isTrue();
    assertThat(billing.apply("creem", new BillingEvent.CreditPackPaid("creem", "evt_k3", "ord_1", u, "bonus", 10 * USD),
        creem, body)).as("a new event for a paid order").isTrue();
    assertThat(genrtl.pool().balance(u).creditsMicros()).isEqualTo(15 * USD);
    assertThat(billing.apply("creem", new BillingEvent.CheckoutCompleted("creem", "evt_cc", "ch_1", "payment", u,
        "cust_other", null, null), creem, body)).as("claimed, even when the user already has a customer").isTrue();
    assertThat(billing.customer(u, "creem")).contains("cust_1");
  }

  @Test
  void customerForAnUnknownUserIs404() {
    assertThatThrownBy(() -> billing.customerFor("nobody", BillingService.STRIPE, () -> "cus_x"))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
  }

  // ------------------------------------------------------------------ outbox

  @Test
  void onDemandLedgerRowsGetAnOutboxRowInTheSameTransactionAndNothingElseDoes() {
    String u = user("od@x.test", "pro");
    billing.customerFor(u, BillingService.STRIPE, () -> "cus_od");
    ChargeResult r = spendIntoOnDemand(u, "k1");
    assertThat(r.entries()).extracting(LedgerEntry::bucket).containsExactly(Bucket.INCLUDED, Bucket.ON_DEMAND);
    LedgerEntry od = r.entries().get(1);
    MeterRecord m = stores.billing().meterOutbox().find(od.entryId()).orElseThrow();
    assertThat(m.identifier()).isEqualTo("genrtl-od-" + od.entryId()).isEqualTo(MeterRecord.identifierFor(od.entryId()));
    assertThat(m.userId()).isEqualTo(u);
    assertThat(m.customerId()).isEqualTo("cus_od");
    assertThat(m.usdMicros()).isEqualTo(5 * USD);
    assertThat(m.status()).isEqualTo(MeterRecord.Status.PENDING);
    assertThat(stores.billing().meterOutbox().find(r.entries().get(0).entryId())).as("included rows are not metered").isEmpty();
    // a replay writes nothing new
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 25 * USD, "k1"));
    // a refused charge writes neither a ledger row nor an outbox row
    assertThatThrownBy(() -> genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 100 * USD, "k2")))
        .isInstanceOf(GenRtlException.class);
    // a refund of on-demand usage is not metered
    genrtl.pool().refund(od.entryId(), USD, "refund-1", null, "test");
    assertThat(billing.meterTotals()).containsExactly(new MeterTotal(u, od.periodStart(), 5 * USD, 0, 0, 5 * USD, 0));
    assertThat(stores.billing().meterOutbox().due(clock.millis(), 100)).hasSize(1);
  }

  @Test
  void anOutboxRowRollsBackWithItsLedgerRow() {
    String u = user("rb@x.test", "pro");
    genrtl.pool().setOnDemandLimit(u, 50 * USD);
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 25 * USD, null));
      assertThat(stores.billing().meterOutbox().due(clock.millis(), 10)).hasSize(1);
      throw new IllegalStateException("boom");
    })).hasMessage("boom");
    assertThat(stores.billing().meterOutbox().due(clock.millis(), 10)).isEmpty();
    assertThat(billing.meterTotals()).isEmpty();
  }

  // ------------------------------------------------------------------ reporter

  /** Stripe's side: counts every send, remembers identifiers (it dedupes on them). */
  protected static final class StubMeter implements MeterSender {
    final List<MeterEvent> sends = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    volatile boolean crashAfterNextSend;

    @Override
    public void send(MeterEvent e) {
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) throw new IllegalStateException("503 from the meter API");
      sends.add(e);
      if (crashAfterNextSend) {
        crashAfterNextSend = false;
        throw new SimulatedCrash();
      }
    }

    Set<String> unique() {
      Set<String> s = new HashSet<>();
      for (MeterEvent e : sends) s.add(e.identifier());
      return s;
    }
  }

  /** Stands for the process dying right after the provider accepted the event, before the row is marked. */
  protected static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void theReporterSendsEachRowOnceAndReconcilesToNoDifference() {
    String u = user("rep@x.test", "pro");
    billing.customerFor(u, BillingService.STRIPE, () -> "cus_rep");
    LedgerEntry a = spendIntoOnDemand(u, "a").entries().get(1);
    LedgerEntry b = genrtl.pool().charge(ChargeRequest.of(u, UsageKind.TOOL, 2 * USD, "b")).entries().get(0);
    StubMeter stub = new StubMeter();
    MeterReporter.Report r = reporter(stub).reportDue();
    assertThat(r.reported()).isEqualTo(2);
    assertThat(stub.sends).extracting(MeterSender.MeterEvent::identifier)
        .containsExactlyInAnyOrder("genrtl-od-" + a.entryId(), "genrtl-od-" + b.entryId());
    assertThat(stub.sends).extracting(MeterSender.MeterEvent::customerId).containsOnly("cus_rep");
    assertThat(stub.sends).extracting(MeterSender.MeterEvent::value).containsExactlyInAnyOrder(5 * USD, 2 * USD);
    assertThat(reporter(stub).reportDue().reported()).as("nothing twice").isZero();
    assertThat(stub.sends).hasSize(2);
    List<MeterTotal> totals = billing.meterTotals();
    assertThat(totals).hasSize(1);
    assertThat(totals.get(0).ledgerMicros()).isEqualTo(7 * USD);
    assertThat(totals.get(0).reportedMicros()).isEqualTo(7 * USD);
    assertThat(totals.get(0).differenceMicros()).isZero();
  }

  @Test
  void failedSendsBackOffExponentiallyAndAreNotLost() throws Exception {
    String u = user("bo@x.test", "pro");
    billing.customerFor(u, BillingService.STRIPE, () -> "cus_bo");
    LedgerEntry od = spendIntoOnDemand(u, "a").entries().get(1);
    StubMeter stub = new StubMeter();
    stub.failuresLeft.set(3);
    MeterReporter rep = reporter(stub);
    long t0 = clock.millis();
    assertThat(rep.reportDue().failed()).isEqualTo(1);
    assertThat(stores.billing().meterOutbox().find(od.entryId()).orElseThrow().nextAttemptAt()).isEqualTo(t0 + 10_000);
    assertThat(stores.billing().meterOutbox().find(od.entryId()).orElseThrow().lastError()).isEqualTo("IllegalStateException");
    assertThat(rep.reportDue().failed()).as("not due yet").isZero();
    MeterReporter.Report drained = rep.drain(Duration.ofHours(1));
    assertThat(drained.reported()).isEqualTo(1);
    assertThat(slept).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(40));
    assertThat(stub.sends).hasSize(1);
    MeterRecord m = stores.billing().meterOutbox().find(od.entryId()).orElseThrow();
    assertThat(m.status()).isEqualTo(MeterRecord.Status.REPORTED);
    assertThat(m.attempts()).isEqualTo(4);
    assertThat(billing.meterTotals().get(0).differenceMicros()).isZero();
  }

  @Test
  void aCrashBetweenSendAndMarkResendsTheSameIdentifierAndLosesNothing() {
    String u = user("crash@x.test", "pro");
    billing.customerFor(u, BillingService.STRIPE, () -> "cus_crash");
    LedgerEntry od = spendIntoOnDemand(u, "a").entries().get(1);
    StubMeter stub = new StubMeter();
    stub.crashAfterNextSend = true;
    assertThatThrownBy(() -> reporter(stub).reportDue()).isInstanceOf(SimulatedCrash.class);
    assertThat(stub.sends).hasSize(1);
    assertThat(billing.meterTotals().get(0).pendingMicros()).as("sent but not marked").isEqualTo(5 * USD);
    // another reporter (the restarted host) leaves the claimed row alone until its lease ends
    assertThat(reporter(stub).reportDue().reported()).isZero();
    assertThat(stub.sends).hasSize(1);
    clock.advance(Duration.ofMinutes(5));
    assertThat(reporter(stub).reportDue().reported()).isEqualTo(1);
    assertThat(stub.sends).hasSize(2);
    assertThat(stub.unique()).containsExactly("genrtl-od-" + od.entryId());
    MeterTotal t = billing.meterTotals().get(0);
    assertThat(t.reportedMicros()).isEqualTo(5 * USD);
    assertThat(t.differenceMicros()).isZero();
  }

  @Test
  void concurrentReportersNeverSendARowTwice() throws Exception {
    String u = user("conc@x.test", "pro");
    billing.customerFor(u, BillingService.STRIPE, () -> "cus_conc");
    genrtl.pool().setOnDemandLimit(u, 500 * USD);
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 20 * USD, "included"));
    for (int i = 0; i < 30; i++) genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, USD, "c" + i));
    StubMeter stub = new StubMeter();
    List<MeterReporter.Report> reports = StoreContractTest.hammer(4, () -> reporter(stub).reportDue());
    assertThat(reports.stream().mapToInt(MeterReporter.Report::reported).sum()).isEqualTo(30);
    assertThat(stub.sends).hasSize(30);
    assertThat(stub.unique()).hasSize(30);
    assertThat(billing.meterTotals().get(0).differenceMicros()).isZero();
  }

  @Test
  void usageOfUsersNotBilledByTheProviderIsSkippedAndAStripeUserWithoutCustomerWaits() {
    String manual = user("manual@x.test", "pro");
    LedgerEntry od = spendIntoOnDemand(manual, "a").entries().get(1);
    StubMeter stub = new StubMeter();
    assertThat(reporter(stub).reportDue().skipped()).isEqualTo(1);
    assertThat(stub.sends).isEmpty();
    assertThat(stores.billing().meterOutbox().find(od.entryId()).orElseThrow().status()).isEqualTo(MeterRecord.Status.SKIPPED);
    assertThat(billing.meterTotals().get(0).skippedMicros()).isEqualTo(5 * USD);
    assertThat(billing.meterTotals().get(0).differenceMicros()).isZero();

    String s = user("stripe@x.test", null);
    billing.subscriptionChanged(s, BillingService.STRIPE, "sub_s", "pro", io.genrtl.core.account.SubscriptionStatus.ACTIVE,
        clock.millis(), clock.millis() + 30L * 86_400_000L);
    billing.periodPaid("sub_s", clock.millis(), clock.millis() + 30L * 86_400_000L);
    LedgerEntry sod = spendIntoOnDemand(s, "s").entries().get(1);
    assertThat(reporter(stub).reportDue().failed()).as("waits for the customer id").isEqualTo(1);
    assertThat(stores.billing().meterOutbox().find(sod.entryId()).orElseThrow().status()).isEqualTo(MeterRecord.Status.PENDING);
    billing.linkCustomer(s, BillingService.STRIPE, "cus_late");
    clock.advance(Duration.ofSeconds(10));
    assertThat(reporter(stub).reportDue().reported()).isEqualTo(1);
    assertThat(stub.sends).extracting(MeterSender.MeterEvent::customerId).containsExactly("cus_late");
    List<MeterTotal> all = new ArrayList<>(billing.meterTotals());
    assertThat(all).allSatisfy(t -> assertThat(t.differenceMicros()).isZero());
  }
}
