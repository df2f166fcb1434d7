package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.AlertDelivery;
import io.genrtl.core.pool.AlertDeliveryStore;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.UsageKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The alert webhook's outbox on every store adapter: a pending delivery commits (or rolls back) with its alert, a claim
 * leases it to one deliverer, marks are conditional on holding the lease, an expired lease is taken over, and concurrent
 * deliverers on real threads never claim the same alert.
 */
public abstract class AlertDeliveryContractTest {
  static final long USD = 1_000_000L;
  static final long LEASE = Duration.ofMinutes(5).toMillis();

  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected AlertDeliveryStore deliveries;

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpDeliveries() {
    clock = MutableClock.at("2026-05-04T09:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).deliverAlerts(true).build();
    deliveries = stores.pool().alertDeliveries();
  }

  @AfterEach
  void tearDownDeliveries() {
    closeStores(stores);
  }

  protected String proUser(String email) {
    return genrtl.accounts().createUser(new NewUser(email, null, Role.USER, "pro")).user().userId();
  }

  /** $17 of the Pro plan's $20 included: crosses 50 % and 80 %, two alerts. */
  protected List<SpendAlert> twoAlerts(String email) {
    String u = proUser(email);
    genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 17 * USD, "k-" + email));
    List<SpendAlert> alerts = genrtl.pool().alerts(u, PageRequest.first(10)).items();
    assertThat(alerts).hasSize(2);
    return alerts;
  }

  @Test
  void eachAlertCommitsWithAPendingDeliveryDueAtOnce() {
    List<SpendAlert> alerts = twoAlerts("a@x.test");
    for (SpendAlert a : alerts) {
      AlertDelivery d = deliveries.find(a.alertId()).orElseThrow();
      assertThat(d.alert()).isEqualTo(a);
      assertThat(d.status()).isEqualTo(AlertDelivery.Status.PENDING);
      assertThat(d.attempts()).isZero();
      assertThat(d.nextAttemptAt()).isEqualTo(clock.millis());
      assertThat(d.leaseOwner()).isNull();
      assertThat(d.leaseUntil()).isNull();
      assertThat(d.finishedAt()).isNull();
      assertThat(d.createdAt()).isEqualTo(a.createdAt());
    }
    assertThat(deliveries.counts()).isEqualTo(Map.of(AlertDelivery.Status.PENDING, 2L));
    assertThat(deliveries.nextDue()).hasValue(clock.millis());
    assertThat(deliveries.enqueue(alerts.get(0).alertId(), clock.millis())).as("once per alert").isFalse();
    assertThatThrownBy(() -> deliveries.enqueue("01NOSUCHALERT0000000000000", clock.millis()))
        .as("only for a recorded alert").isInstanceOf(RuntimeException.class);
  }

  @Test
  void aRolledBackChargeLeavesNeitherAlertNorDelivery() {
    String u = proUser("rb@x.test");
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 17 * USD, null)); // joins the outer transaction
      assertThat(deliveries.counts()).as("inside the transaction").containsEntry(AlertDelivery.Status.PENDING, 2L);
      throw new IllegalStateException("roll back");
    })).hasMessage("roll back");
    assertThat(genrtl.pool().alerts(u, PageRequest.first(10)).items()).isEmpty();
    assertThat(deliveries.counts()).isEmpty();
    assertThat(deliveries.nextDue()).isEmpty();
  }

  @Test
  void withoutDeliveryTheAlertIsRecordedAlone() {
    GenRtl quiet = GenRtl.builder().stores(stores).clock(clock).build();
    String u = quiet.accounts().createUser(new NewUser("q@x.test", null, Role.USER, "pro")).user().userId();
    quiet.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 17 * USD, "kq"));
    assertThat(quiet.pool().alerts(u, PageRequest.first(10)).items()).hasSize(2);
    assertThat(deliveries.counts()).isEmpty();
  }

  @Test
  void aClaimLeasesToOneOwnerAndOnlyTheHolderMarks() {
    List<SpendAlert> alerts = twoAlerts("c@x.test");
    long now = clock.millis();
    List<AlertDelivery> got = deliveries.claimDue("host-a", now, now + LEASE, 10);
    assertThat(got).extracting(AlertDelivery::alertId)
        .containsExactlyInAnyOrderElementsOf(alerts.stream().map(SpendAlert::alertId).toList());
    for (AlertDelivery d : got) {
      assertThat(d.attempts()).isEqualTo(1);
      assertThat(d.leaseOwner()).isEqualTo("host-a");
      assertThat(d.leaseUntil()).isEqualTo(now + LEASE);
      assertThat(d.nextAttemptAt()).isEqualTo(now + LEASE);
      assertThat(d.alert()).isIn(alerts);
    }
    assertThat(deliveries.claimDue("host-b", now, now + LEASE, 10)).as("held").isEmpty();
    assertThat(deliveries.nextDue()).hasValue(now + LEASE);
    String first = got.get(0).alertId();
    assertThat(deliveries.markDelivered(first, "host-b", now)).as("not the holder").isFalse();
    assertThat(deliveries.retryAt(first, "host-b", now, "x")).isFalse();
    assertThat(deliveries.markFailed(first, "host-b", now, "x")).isFalse();
    assertThat(deliveries.markDelivered(first, "host-a", now + 5)).isTrue();
    assertThat(deliveries.markDelivered(first, "host-a", now + 6)).as("once").isFalse();
    AlertDelivery done = deliveries.find(first).orElseThrow();
    assertThat(done.status()).isEqualTo(AlertDelivery.Status.DELIVERED);
    assertThat(done.finishedAt()).isEqualTo(now + 5);
    assertThat(done.leaseOwner()).isNull();
    assertThat(done.attempts()).isEqualTo(1);

    // host-a dies holding the second: after the lease it is someone else's, and host-a's late mark changes nothing
    String second = got.get(1).alertId();
    clock.advance(Duration.ofMillis(LEASE - 1));
    assertThat(deliveries.claimDue("host-b", clock.millis(), clock.millis() + LEASE, 10)).isEmpty();
    clock.advance(Duration.ofMillis(1));
    List<AlertDelivery> again = deliveries.claimDue("host-b", clock.millis(), clock.millis() + LEASE, 10);
    assertThat(again).extracting(AlertDelivery::alertId).containsExactly(second);
    assertThat(again.get(0).attempts()).isEqualTo(2);
    assertThat(deliveries.markDelivered(second, "host-a", clock.millis())).as("lease taken over").isFalse();
    assertThat(deliveries.markDelivered(second, "host-b", clock.millis())).isTrue();
    assertThat(deliveries.counts()).isEqualTo(Map.of(AlertDelivery.Status.DELIVERED, 2L));
    assertThat(deliveries.nextDue()).isEmpty();
    assertThat(deliveries.claimDue("host-c", clock.millis() + 10 * LEASE, clock.millis() + 11 * LEASE, 10)).isEmpty();
  }

  @Test
  void aRetryWaitsUntilItsTimeAndAFailureIsFinal() {
    List<SpendAlert> alerts = twoAlerts("r@x.test");
    long now = clock.millis();
    List<AlertDelivery> got = deliveries.claimDue("h", now, now + LEASE, 1);
    assertThat(got).hasSize(1);
    String id = got.get(0).alertId();
    assertThat(deliveries.retryAt(id, "h", now + 1_000, "HTTP 503")).isTrue();
    AlertDelivery d = deliveries.find(id).orElseThrow();
    assertThat(d.status()).isEqualTo(AlertDelivery.Status.PENDING);
    assertThat(d.nextAttemptAt()).isEqualTo(now + 1_000);
    assertThat(d.lastError()).isEqualTo("HTTP 503");
    assertThat(d.leaseOwner()).isNull();
    assertThat(d.leaseUntil()).isNull();

    // the other alert is due now, the retried one only at its time
    List<AlertDelivery> next = deliveries.claimDue("h", now, now + LEASE, 10);
    assertThat(next).extracting(AlertDelivery::alertId).doesNotContain(id).hasSize(1);
    assertThat(deliveries.claimDue("h", now + 999, now + LEASE, 10)).isEmpty();
    assertThat(deliveries.nextDue()).hasValue(now + 1_000);
    List<AlertDelivery> retried = deliveries.claimDue("h", now + 1_000, now + 1_000 + LEASE, 10);
    assertThat(retried).extracting(AlertDelivery::alertId).containsExactly(id);
    assertThat(retried.get(0).attempts()).isEqualTo(2);
    assertThat(retried.get(0).lastError()).as("kept until the next outcome").isEqualTo("HTTP 503");
    assertThat(deliveries.markFailed(id, "h", now + 2_000, "HTTP 500")).isTrue();
    AlertDelivery failed = deliveries.find(id).orElseThrow();
    assertThat(failed.status()).isEqualTo(AlertDelivery.Status.FAILED);
    assertThat(failed.lastError()).isEqualTo("HTTP 500");
    assertThat(failed.finishedAt()).isEqualTo(now + 2_000);
    assertThat(deliveries.retryAt(id, "h", now, "x")).as("final").isFalse();
    assertThat(deliveries.claimDue("h", now + 100 * LEASE, now + 101 * LEASE, 10)).as("failed is never claimed")
        .extracting(AlertDelivery::alertId).doesNotContain(id);
    assertThat(alerts).extracting(SpendAlert::alertId).contains(id);
  }

  @Test
  void claimsTakeTheEarliestDueFirstUpToTheLimit() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.addAll(twoAlerts("o" + i + "@x.test").stream().map(SpendAlert::alertId).sorted().toList());
      clock.advance(Duration.ofSeconds(1));
    }
    long now = clock.millis();
    List<String> firstTwo = deliveries.claimDue("h", now, now + LEASE, 2).stream().map(AlertDelivery::alertId).toList();
    assertThat(firstTwo).containsExactlyElementsOf(ids.subList(0, 2));
    List<String> rest = deliveries.claimDue("h", now, now + LEASE, 10).stream().map(AlertDelivery::alertId).toList();
    assertThat(rest).containsExactlyElementsOf(ids.subList(2, 6));
  }

  /** Deliverers on real threads, each claiming small batches until nothing is due: every alert goes to exactly one. */
  @Test
  void concurrentDeliverersNeverClaimTheSameAlert() throws Exception {
    int users = 12; // 3 alerts each: 50, 80, 100 % of included
    Set<String> raised = new HashSet<>();
    for (int i = 0; i < users; i++) {
      String u = proUser("cc" + i + "@x.test");
      genrtl.pool().charge(ChargeRequest.of(u, UsageKind.LLM, 20 * USD, "kc" + i));
      genrtl.pool().alerts(u, PageRequest.first(10)).items().forEach(a -> raised.add(a.alertId()));
    }
    assertThat(raised).hasSize(3 * users);
    long now = clock.millis();
    Map<String, String> claimedBy = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger owners = new AtomicInteger();
    List<Integer> perThread = StoreContractTest.hammer(4, () -> {
      String me = "deliverer-" + owners.incrementAndGet();
      int mine = 0;
      while (true) {
        List<AlertDelivery> batch = deliveries.claimDue(me, now, now + LEASE, 3);
        if (batch.isEmpty()) return mine;
        for (AlertDelivery d : batch) {
          if (claimedBy.putIfAbsent(d.alertId(), me) != null) duplicates.incrementAndGet();
          assertThat(d.leaseOwner()).isEqualTo(me);
          if (!deliveries.markDelivered(d.alertId(), me, now)) duplicates.incrementAndGet();
          mine++;
        }
      }
    });
    assertThat(duplicates).as("an alert claimed twice").hasValue(0);
    assertThat(claimedBy.keySet()).isEqualTo(raised);
    assertThat(perThread.stream().mapToInt(Integer::intValue).sum()).isEqualTo(raised.size());
    assertThat(deliveries.counts()).isEqualTo(Map.of(AlertDelivery.Status.DELIVERED, (long) raised.size()));
    for (String id : raised) assertThat(deliveries.find(id).orElseThrow().attempts()).isEqualTo(1);
  }
}
