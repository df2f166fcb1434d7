package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.User;
import io.genrtl.core.admin.AdminService;
import io.genrtl.core.audit.AuditActions;
import io.genrtl.core.audit.AuditEntry;
import io.genrtl.core.audit.AuditOrigin;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.audit.AuditService;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.UsageKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The audit log and the admin operations, on every store adapter: entries written in the action's transaction (a
 * rolled-back action leaves none), filters and cursor pages, tenant scoping of the query and of the admin operations,
 * role rules, idempotent grants and refunds (one entry each, also under concurrent calls).
 */
public abstract class AuditContractTest {
  static final long USD = 1_000_000L;

  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected AdminService admin;
  protected User superAdmin;
  protected User tenantAdmin;
  protected User alice;
  protected User bob;
  protected User mallory; // another tenant

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpAudit() {
    clock = MutableClock.at("2026-04-01T10:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).build();
    admin = genrtl.admin();
    superAdmin = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null)).user();
    tenantAdmin = genrtl.accounts().createUser(new NewUser("boss@acme.test", "acme", Role.TENANT_ADMIN, null)).user();
    alice = genrtl.accounts().createUser(new NewUser("alice@acme.test", "acme", Role.USER, "pro")).user();
    bob = genrtl.accounts().createUser(new NewUser("bob@acme.test", "acme", Role.USER, null)).user();
    mallory = genrtl.accounts().createUser(new NewUser("mallory@evil.test", "evil", Role.USER, "pro")).user();
  }

  @AfterEach
  void tearDownAudit() {
    AuditService.unbind();
    closeStores(stores);
  }

  protected static Principal p(User u) {
    return Principal.of(u, null);
  }

  private List<AuditEntry> all(Principal who, AuditQuery q) {
    List<AuditEntry> out = new ArrayList<>();
    PageRequest page = PageRequest.first(2);
    while (true) {
      Page<AuditEntry> pg = genrtl.audit().query(who, q, page);
      out.addAll(pg.items());
      if (pg.nextAfter() == null) return out;
      page = new PageRequest(2, pg.nextAfter());
    }
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e.code();
    }
    throw new AssertionError("expected a GenRtlException");
  }

  @Test
  void keyCreationAndRevocationAreRecordedWithActorAndOrigin() {
    AuditService.bind(p(alice), new AuditOrigin("203.0.113.9", "genrtl-client/1.0", "req-1"));
    IssuedKey k = genrtl.apiKeys().issue(alice.userId(), "laptop", null);
    genrtl.apiKeys().revoke(Principal.of(alice, k.key().keyId()), k.key().keyId());
    genrtl.apiKeys().revoke(Principal.of(alice, k.key().keyId()), k.key().keyId()); // again: nothing new
    AuditService.unbind();

    List<AuditEntry> rows = all(p(superAdmin), new AuditQuery(null, "key.", "api_key", k.key().keyId(), null, null, null));
    assertThat(rows).extracting(AuditEntry::action).containsExactly(AuditActions.KEY_REVOKE, AuditActions.KEY_CREATE);
    AuditEntry created = rows.get(1);
    assertThat(created.actorUserId()).isEqualTo(alice.userId());
    assertThat(created.actorRole()).isEqualTo("user");
    assertThat(created.tenantId()).isEqualTo(alice.tenantId());
    assertThat(created.ip()).isEqualTo("203.0.113.9");
    assertThat(created.userAgent()).isEqualTo("genrtl-client/1.0");
    assertThat(created.requestId()).isEqualTo("req-1");
    assertThat(created.at()).isEqualTo(clock.millis());
    assertThat(created.detailsJson()).contains("\"name\":\"laptop\"").doesNotContain(k.apiKey());
    assertThat(stores.audit().find(created.entryId())).contains(created);
  }

  @Test
  void anActionThatRollsBackLeavesNoEntry() {
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      genrtl.pool().grantCredits(alice.userId(), 5 * USD, "rolled-back", "manual", superAdmin.userId(), "test");
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, null, null, null, null, null))).isEmpty();
    assertThat(genrtl.pool().grantCredits(alice.userId(), 5 * USD, "committed", "manual", null, "test")).isTrue();
    List<AuditEntry> grants = all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, null, null, null, null, null));
    assertThat(grants).hasSize(1);
    assertThat(grants.get(0).actorUserId()).as("no actor bound: the system").isNull();
    assertThat(grants.get(0).tenantId()).isEqualTo(alice.tenantId());
  }

  @Test
  void filtersAndCursorPagesCoverEveryEntryOnce() {
    User root2 = genrtl.accounts().createUser(new NewUser("root2@ops.test", "ops", Role.SUPER_ADMIN, null)).user();
    for (int i = 0; i < 7; i++) {
      clock.advance(Duration.ofMinutes(1));
      admin.grant(p(i % 2 == 0 ? superAdmin : root2), i % 3 == 0 ? bob.userId() : alice.userId(), USD, "r" + i, "g" + i);
    }
    List<AuditEntry> grants = all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, null, null, null, null, null));
    assertThat(grants).hasSize(7);
    assertThat(grants.stream().map(AuditEntry::entryId).distinct().count()).isEqualTo(7);
    for (int i = 1; i < grants.size(); i++) {
      assertThat(grants.get(i).entryId()).as("newest first").isLessThan(grants.get(i - 1).entryId());
    }
    assertThat(all(p(superAdmin), new AuditQuery(root2.userId(), AuditActions.GRANT, null, null, null, null, null)))
        .hasSize(3).allMatch(e -> e.actorUserId().equals(root2.userId()) && e.actorRole().equals("super_admin"));
    long t3 = grants.get(grants.size() - 3).at();
    long t6 = grants.get(grants.size() - 6).at();
    assertThat(all(p(superAdmin), new AuditQuery(null, "pool.", null, null, null, t3, t6))).hasSize(3);
    assertThat(all(p(superAdmin), new AuditQuery(null, "pool", null, null, null, null, null))).as("exact match").isEmpty();
    assertThat(all(p(superAdmin), new AuditQuery(null, null, null, null, "no-such-tenant", null, null))).isEmpty();
  }

  @Test
  void tenantAdminsSeeTheirTenantOnlyAndUsersAreRefused() {
    admin.grant(p(superAdmin), alice.userId(), USD, "goodwill", "a1");
    admin.grant(p(superAdmin), mallory.userId(), USD, "goodwill", "m1");
    assertThat(all(p(tenantAdmin), AuditQuery.all())).isNotEmpty().allMatch(e -> alice.tenantId().equals(e.tenantId()));
    assertThat(all(p(tenantAdmin), AuditQuery.all().withTenant(mallory.tenantId()))).isEmpty();
    assertThat(all(p(superAdmin), AuditQuery.all().withTenant(mallory.tenantId()))).isNotEmpty();
    assertThat(codeOf(() -> genrtl.audit().query(p(alice), AuditQuery.all(), PageRequest.firstDefault())))
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.audit(p(alice), AuditQuery.all(), PageRequest.firstDefault()))).isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void adminOperationsAreTenantScoped() {
    assertThat(admin.users(p(tenantAdmin), null, PageRequest.firstDefault()).items()).extracting(User::userId)
        .containsExactlyInAnyOrder(tenantAdmin.userId(), alice.userId(), bob.userId());
    assertThat(admin.users(p(tenantAdmin), mallory.tenantId(), PageRequest.firstDefault()).items()).isEmpty();
    assertThat(admin.users(p(superAdmin), null, PageRequest.firstDefault()).items()).hasSize(5);
    assertThat(codeOf(() -> admin.users(p(alice), null, PageRequest.firstDefault()))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.user(p(tenantAdmin), mallory.userId()))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.grant(p(tenantAdmin), mallory.userId(), USD, "x", "k"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.changeRole(p(tenantAdmin), mallory.userId(), Role.TENANT_ADMIN, "x")))
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.setSpendLimit(p(tenantAdmin), mallory.userId(), USD, "x"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.setPlan(p(tenantAdmin), mallory.userId(), "pro", "x"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(all(p(superAdmin), AuditQuery.all().withTenant(mallory.tenantId())))
        .noneMatch(e -> tenantAdmin.userId().equals(e.actorUserId()));
  }

  @Test
  void roleChangesFollowTheRulesAndAreRecorded() {
    assertThat(codeOf(() -> admin.changeRole(p(tenantAdmin), bob.userId(), Role.SUPER_ADMIN, "promote")))
        .isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.changeRole(p(tenantAdmin), tenantAdmin.userId(), Role.USER, "me"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.changeRole(p(tenantAdmin), bob.userId(), Role.TENANT_ADMIN, " "))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> admin.changeRole(p(alice), bob.userId(), Role.TENANT_ADMIN, "x"))).isEqualTo(ErrorCode.FORBIDDEN);
    User promoted = admin.changeRole(p(tenantAdmin), bob.userId(), Role.TENANT_ADMIN, "runs the team now");
    assertThat(promoted.role()).isEqualTo(Role.TENANT_ADMIN);
    assertThat(stores.accounts().users().find(bob.userId()).orElseThrow().role()).isEqualTo(Role.TENANT_ADMIN);
    // a tenant admin cannot touch a super admin of their tenant
    admin.changeRole(p(superAdmin), alice.userId(), Role.SUPER_ADMIN, "ops rotation");
    assertThat(codeOf(() -> admin.changeRole(p(tenantAdmin), alice.userId(), Role.USER, "demote")))
        .isEqualTo(ErrorCode.FORBIDDEN);
    List<AuditEntry> rows = all(p(superAdmin), new AuditQuery(null, AuditActions.ROLE_CHANGE, null, null, null, null, null));
    assertThat(rows).hasSize(2);
    AuditEntry bobs = rows.get(1);
    assertThat(bobs.targetId()).isEqualTo(bob.userId());
    assertThat(bobs.actorUserId()).isEqualTo(tenantAdmin.userId());
    assertThat(bobs.detailsJson()).contains("\"from\":\"user\"", "\"to\":\"tenant_admin\"", "\"reason\":\"runs the team now\"");
  }

  @Test
  void grantsAndRefundsAreIdempotentWithOneEntryEach() {
    assertThat(admin.grant(p(superAdmin), bob.userId(), 3 * USD, "support ticket 12", "grant-1").created()).isTrue();
    assertThat(admin.grant(p(superAdmin), bob.userId(), 3 * USD, "support ticket 12", "grant-1").created()).isFalse();
    assertThat(codeOf(() -> admin.grant(p(superAdmin), bob.userId(), 3 * USD, "r", null))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> admin.grant(p(superAdmin), bob.userId(), 4 * USD, "support ticket 12", "grant-1")))
        .as("same key, another amount").isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assertThat(genrtl.pool().balance(bob.userId()).creditsMicros()).isEqualTo(3 * USD);
    assertThat(stores.pool().grants().listForUser(bob.userId())).anyMatch(g -> "manual".equals(g.kind())
        && superAdmin.userId().equals(g.actorUserId()) && "support ticket 12".equals(g.reason()));

    ChargeResult charged = genrtl.pool().charge(ChargeRequest.of(alice.userId(), UsageKind.LLM, 4 * USD, "c1"));
    String row = charged.entries().get(0).entryId();
    ChargeResult r1 = admin.refund(p(superAdmin), row, USD, "bad answer", "refund-1");
    ChargeResult r2 = admin.refund(p(superAdmin), row, USD, "bad answer", "refund-1");
    assertThat(r2.callId()).isEqualTo(r1.callId());
    assertThat(codeOf(() -> admin.refund(p(superAdmin), row, 2 * USD, "bad answer", "refund-1")))
        .isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);
    assertThat(codeOf(() -> admin.refund(p(superAdmin), row, null, "whole", "refund-2"))).as("exceeds the row")
        .isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> admin.refund(p(alice), row, USD, "x", "refund-3"))).isEqualTo(ErrorCode.FORBIDDEN);
    String mallorysRow = genrtl.pool().charge(ChargeRequest.of(mallory.userId(), UsageKind.LLM, USD, "m")).entries().get(0).entryId();
    assertThat(codeOf(() -> admin.refund(p(tenantAdmin), mallorysRow, USD, "x", "refund-4"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.refund(p(tenantAdmin), row, USD, "x", "refund-5"))).as("super admins only").isEqualTo(ErrorCode.FORBIDDEN);
    List<LedgerEntry> refunds = genrtl.pool().usage(new LedgerQuery(alice.userId(), null, null, UsageKind.REFUND, null, null),
        PageRequest.firstDefault()).items();
    assertThat(refunds).hasSize(1);
    assertThat(refunds.get(0).usdMicros()).isEqualTo(-USD);
    assertThat(refunds.get(0).note()).isEqualTo("bad answer");
    assertThat(genrtl.pool().verify(alice.userId()).ok()).isTrue();

    assertThat(all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, "grant", null, null, null, null))
        .stream().filter(e -> e.detailsJson().contains("admin:grant-1")).count()).isEqualTo(1);
    List<AuditEntry> refundRows = all(p(superAdmin), new AuditQuery(null, AuditActions.REFUND, "ledger_entry", row, null, null, null));
    assertThat(refundRows).hasSize(1);
    assertThat(refundRows.get(0).actorUserId()).isEqualTo(superAdmin.userId());
    assertThat(refundRows.get(0).detailsJson()).contains("\"reason\":\"bad answer\"", "\"admin_user_id\":\"" + superAdmin.userId() + "\"");
  }

  @Test
  void concurrentGrantsWithOneKeyGrantOnceAndRecordOnce() throws Exception {
    int n = 6;
    CyclicBarrier start = new CyclicBarrier(n);
    AtomicInteger created = new AtomicInteger();
    List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(n);
    for (int i = 0; i < n; i++) {
      Thread t = new Thread(() -> {
        try {
          start.await();
          if (admin.grant(p(superAdmin), bob.userId(), 2 * USD, "race", "same-key").created()) created.incrementAndGet();
        } catch (GenRtlException e) {
          if (e.code() != ErrorCode.CONFLICT && e.code() != ErrorCode.UNAVAILABLE) errors.add(e);
        } catch (Throwable e) {
          if (!(e instanceof io.genrtl.core.base.LockWaitTimeoutException)) errors.add(e);
        } finally {
          done.countDown();
        }
      });
      t.start();
    }
    done.await();
    assertThat(errors).isEmpty();
    assertThat(created.get()).isEqualTo(1);
    assertThat(genrtl.pool().balance(bob.userId()).creditsMicros()).isEqualTo(2 * USD);
    assertThat(all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, null, null, bob.tenantId(), null, null))
        .stream().filter(e -> e.detailsJson().contains("admin:same-key")).count()).isEqualTo(1);
  }

  @Test
  void planOverridesAndSpendLimitOverridesAreRecorded() {
    var sub = admin.setPlan(p(superAdmin), bob.userId(), "pro", "trial for the pilot");
    assertThat(sub.provider()).isEqualTo("manual");
    assertThat(genrtl.pool().balance(bob.userId()).planId()).isEqualTo("pro");
    assertThat(genrtl.pool().balance(bob.userId()).includedMicros()).isEqualTo(20 * USD);
    assertThat(codeOf(() -> admin.setPlan(p(superAdmin), bob.userId(), "platinum", "x"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    // above the plan's maximum ($500 on pro): only a super admin's override may do it
    assertThat(codeOf(() -> genrtl.pool().setOnDemandLimit(bob.userId(), 900 * USD))).isEqualTo(ErrorCode.SPEND_LIMIT_ABOVE_PLAN_MAXIMUM);
    assertThat(admin.setSpendLimit(p(superAdmin), bob.userId(), 900 * USD, "big tapeout").onDemandLimitMicros()).isEqualTo(900 * USD);
    assertThat(codeOf(() -> admin.setSpendLimit(p(superAdmin), bob.userId(), -1, "x"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(genrtl.pool().verify(bob.userId()).ok()).isTrue();
    List<AuditEntry> rows = all(p(tenantAdmin), new AuditQuery(null, null, "user", bob.userId(), null, null, null));
    assertThat(rows).extracting(AuditEntry::action).containsExactly(AuditActions.SPEND_LIMIT, AuditActions.SUBSCRIPTION_OVERRIDE);
    assertThat(rows.get(0).detailsJson()).contains("\"on_demand_limit_usd\":900", "\"reason\":\"big tapeout\"");
    assertThat(rows.get(1).detailsJson()).contains("\"plan\":\"pro\"", "\"reason\":\"trial for the pilot\"");
  }

  // ------------------------------------------------------------------ H1: who may move money

  private static GenRtlException thrown(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e;
    }
    throw new AssertionError("expected a GenRtlException");
  }

  private static void assertForbidden(Runnable r, String reason) {
    GenRtlException e = thrown(r);
    assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(e.details()).containsEntry("reason", reason);
  }

  private long auditCount(String action) {
    return all(p(superAdmin), new AuditQuery(null, action, null, null, null, null, null)).size();
  }

  @Test
  void h1_tenantAdminCannotGrantItselfCredits() {
    assertForbidden(() -> admin.grant(p(tenantAdmin), tenantAdmin.userId(), 1000 * USD, "x", "self-1"), "super_admin_only");
    assertForbidden(() -> admin.grant(p(tenantAdmin), alice.userId(), 1000 * USD, "x", "member-1"), "super_admin_only");
    assertThat(codeOf(() -> admin.grant(p(tenantAdmin), mallory.userId(), USD, "x", "other-1")))
        .as("another tenant's user stays not found: reach is checked before the rule").isEqualTo(ErrorCode.NOT_FOUND);
    assertForbidden(() -> admin.target(p(tenantAdmin), AdminService.Operation.GRANT, alice.userId()), "super_admin_only");
    assertThat(genrtl.pool().balance(tenantAdmin.userId()).creditsMicros()).isZero();
    assertThat(genrtl.pool().balance(alice.userId()).creditsMicros()).isZero();
    assertThat(stores.pool().grants().listForUser(tenantAdmin.userId())).noneMatch(g -> "manual".equals(g.kind()));
    assertThat(auditCount(AuditActions.GRANT)).isZero();
    assertThat(admin.grant(p(superAdmin), alice.userId(), 5 * USD, "goodwill", "ok-1").created()).isTrue();
  }

  @Test
  void h1_tenantAdminCannotChangePlans() {
    assertForbidden(() -> admin.setPlan(p(tenantAdmin), tenantAdmin.userId(), "ultra", "x"), "super_admin_only");
    assertForbidden(() -> admin.setPlan(p(tenantAdmin), bob.userId(), "ultra", "x"), "super_admin_only");
    assertThat(stores.accounts().subscriptions().latestForUser(tenantAdmin.userId())).isEmpty();
    assertThat(stores.accounts().subscriptions().latestForUser(bob.userId())).isEmpty();
    assertThat(genrtl.pool().balance(bob.userId()).planId()).isEqualTo("free");
    assertThat(auditCount(AuditActions.SUBSCRIPTION_OVERRIDE)).isZero();
  }

  @Test
  void h1_tenantAdminCannotRefundItsOwnUsage() {
    genrtl.pool().grantCredits(tenantAdmin.userId(), 5 * USD, "pack-1", "credit_pack", null, null);
    String own = genrtl.pool().charge(ChargeRequest.of(tenantAdmin.userId(), UsageKind.LLM, 2 * USD, "own")).entries().get(0).entryId();
    String member = genrtl.pool().charge(ChargeRequest.of(alice.userId(), UsageKind.LLM, 2 * USD, "m")).entries().get(0).entryId();
    assertForbidden(() -> admin.refund(p(tenantAdmin), own, null, "x", "r-1"), "super_admin_only");
    assertForbidden(() -> admin.refund(p(tenantAdmin), member, null, "x", "r-2"), "super_admin_only");
    assertThat(stores.pool().ledger().refundedAgainst(own)).isZero();
    assertThat(stores.pool().ledger().refundedAgainst(member)).isZero();
    assertThat(genrtl.pool().balance(tenantAdmin.userId()).creditsMicros()).isEqualTo(3 * USD);
    assertThat(auditCount(AuditActions.REFUND)).isZero();
  }

  @Test
  void h1_superAdminCannotActOnItsOwnMoney() {
    genrtl.pool().grantCredits(superAdmin.userId(), 2 * USD, "pack-1", "credit_pack", null, null);
    String own = genrtl.pool().charge(ChargeRequest.of(superAdmin.userId(), UsageKind.LLM, USD, "own")).entries().get(0).entryId();
    long credits = genrtl.pool().balance(superAdmin.userId()).creditsMicros();
    assertForbidden(() -> admin.grant(p(superAdmin), superAdmin.userId(), USD, "x", "g"), "self");
    assertForbidden(() -> admin.setPlan(p(superAdmin), superAdmin.userId(), "ultra", "x"), "self");
    assertForbidden(() -> admin.setSpendLimit(p(superAdmin), superAdmin.userId(), 100_000 * USD, "x"), "self");
    assertForbidden(() -> admin.refund(p(superAdmin), own, null, "x", "r"), "self");
    assertForbidden(() -> admin.disableUser(p(superAdmin), superAdmin.userId(), "x"), "self");
    assertForbidden(() -> admin.setSpendLimit(p(tenantAdmin), tenantAdmin.userId(), 0, "x"), "self");
    assertThat(genrtl.pool().balance(superAdmin.userId()).creditsMicros()).isEqualTo(credits).isEqualTo(USD);
    assertThat(genrtl.pool().balance(superAdmin.userId()).onDemandLimitMicros()).isZero();
    assertThat(stores.accounts().subscriptions().latestForUser(superAdmin.userId())).isEmpty();
    assertThat(stores.pool().ledger().refundedAgainst(own)).isZero();
    assertThat(all(p(superAdmin), AuditQuery.all())).noneMatch(e -> e.action().equals(AuditActions.REFUND)
        || e.action().equals(AuditActions.SPEND_LIMIT) || e.action().startsWith("subscription.") || e.action().startsWith("user."));
    assertThat(all(p(superAdmin), new AuditQuery(null, AuditActions.GRANT, null, null, null, null, null))).hasSize(1);
  }

  @Test
  void h1_tenantAdminOnlyLowersSpendLimitsWithinTheTenantBudget() {
    // alice is on pro (plan maximum $500); a super admin overrides past it
    assertThat(admin.setSpendLimit(p(superAdmin), alice.userId(), 600 * USD, "tapeout").onDemandLimitMicros()).isEqualTo(600 * USD);
    GenRtlException raise = thrown(() -> admin.setSpendLimit(p(tenantAdmin), alice.userId(), 700 * USD, "more"));
    assertThat(raise.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(raise.details()).containsEntry("reason", "raise").containsEntry("field", "on_demand_limit_usd");
    assertThat(admin.setSpendLimit(p(tenantAdmin), alice.userId(), 400 * USD, "less").onDemandLimitMicros()).isEqualTo(400 * USD);
    assertThat(admin.setSpendLimit(p(tenantAdmin), alice.userId(), 400 * USD, "same").onDemandLimitMicros()).isEqualTo(400 * USD);

    // the tenant's budget: only a super admin sets it; members above it are lowered to it
    assertForbidden(() -> admin.setSpendBudget(p(tenantAdmin), alice.tenantId(), 1000 * USD, "x"), "super_admin_only");
    assertThat(codeOf(() -> admin.setSpendBudget(p(alice), alice.tenantId(), 1000 * USD, "x"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.setSpendBudget(p(superAdmin), "NO-SUCH-TENANT", USD, "x"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.setSpendBudget(p(superAdmin), alice.tenantId(), -1L, "x"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> admin.setSpendBudget(p(superAdmin), alice.tenantId(), USD, " "))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    AdminService.SpendBudget b = admin.setSpendBudget(p(superAdmin), alice.tenantId(), 100 * USD, "q3 budget");
    assertThat(b.tenant().memberOnDemandCapMicros()).isEqualTo(100 * USD);
    assertThat(b.loweredAccounts()).isEqualTo(1);
    assertThat(genrtl.pool().balance(alice.userId()).onDemandLimitMicros()).isEqualTo(100 * USD);
    assertThat(genrtl.pool().balance(mallory.userId()).onDemandLimitMicros()).as("another tenant").isZero();
    assertThat(stores.accounts().tenants().find(alice.tenantId()).orElseThrow().memberOnDemandCapMicros()).isEqualTo(100 * USD);

    // a super admin may still override one member past it; a tenant admin lowering must land within it
    admin.setSpendLimit(p(superAdmin), alice.userId(), 300 * USD, "exception");
    GenRtlException above = thrown(() -> admin.setSpendLimit(p(tenantAdmin), alice.userId(), 200 * USD, "lower, still above"));
    assertThat(above.code()).isEqualTo(ErrorCode.SPEND_LIMIT_ABOVE_TENANT_BUDGET);
    assertThat(above.details()).containsEntry("field", "on_demand_limit_usd");
    assertThat(genrtl.pool().balance(alice.userId()).onDemandLimitMicros()).isEqualTo(300 * USD);
    assertThat(admin.setSpendLimit(p(tenantAdmin), alice.userId(), 50 * USD, "within").onDemandLimitMicros()).isEqualTo(50 * USD);
    // the member's own setting is held to the budget too
    assertThat(codeOf(() -> genrtl.pool().setOnDemandLimit(alice.userId(), 150 * USD))).isEqualTo(ErrorCode.SPEND_LIMIT_ABOVE_TENANT_BUDGET);
    assertThat(genrtl.pool().setOnDemandLimit(alice.userId(), 80 * USD).onDemandLimitMicros()).isEqualTo(80 * USD);
    // removing the budget
    assertThat(admin.setSpendBudget(p(superAdmin), alice.tenantId(), null, "no budget").tenant().memberOnDemandCapMicros()).isNull();
    assertThat(genrtl.pool().setOnDemandLimit(alice.userId(), 150 * USD).onDemandLimitMicros()).isEqualTo(150 * USD);
    List<AuditEntry> budgets = all(p(tenantAdmin), new AuditQuery(null, AuditActions.SPEND_BUDGET, "tenant", alice.tenantId(), null, null, null));
    assertThat(budgets).hasSize(2);
    assertThat(budgets.get(1).detailsJson()).contains("\"member_on_demand_cap_usd\":100", "\"lowered_accounts\":1", "\"reason\":\"q3 budget\"");
    assertThat(genrtl.pool().verify(alice.userId()).ok()).isTrue();
  }

  @Test
  void low_disablingAndEnablingUsersFollowTheRules() {
    User adm2 = genrtl.accounts().createUser(new NewUser("adm2@acme.test", "acme", Role.TENANT_ADMIN, null)).user();
    assertThat(admin.disableUser(p(tenantAdmin), alice.userId(), "left the company").disabled()).isTrue();
    assertThat(stores.accounts().users().find(alice.userId()).orElseThrow().disabled()).isTrue();
    assertForbidden(() -> admin.disableUser(p(tenantAdmin), tenantAdmin.userId(), "x"), "self");
    assertForbidden(() -> admin.disableUser(p(tenantAdmin), adm2.userId(), "x"), "admin_target");
    assertThat(codeOf(() -> admin.disableUser(p(tenantAdmin), mallory.userId(), "x"))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> admin.disableUser(p(bob), alice.userId(), "x"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> admin.disableUser(p(tenantAdmin), bob.userId(), ""))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(stores.accounts().users().find(bob.userId()).orElseThrow().disabled()).isFalse();
    assertThat(admin.disableUser(p(superAdmin), adm2.userId(), "audit finding").disabled()).isTrue();
    assertThat(admin.disableUser(p(superAdmin), mallory.userId(), "fraud").disabled()).isTrue();
    assertThat(admin.enableUser(p(tenantAdmin), alice.userId(), "rehired").disabled()).isFalse();
    assertForbidden(() -> admin.enableUser(p(tenantAdmin), adm2.userId(), "x"), "admin_target");
    assertThat(admin.enableUser(p(superAdmin), adm2.userId(), "cleared").disabled()).isFalse();
    List<AuditEntry> rows = all(p(superAdmin), new AuditQuery(null, "user.", null, null, null, null, null));
    assertThat(rows).extracting(AuditEntry::action)
        .containsExactly(AuditActions.USER_ENABLE, AuditActions.USER_ENABLE, AuditActions.USER_DISABLE, AuditActions.USER_DISABLE,
            AuditActions.USER_DISABLE);
    AuditEntry first = rows.get(rows.size() - 1);
    assertThat(first.targetId()).isEqualTo(alice.userId());
    assertThat(first.actorUserId()).isEqualTo(tenantAdmin.userId());
    assertThat(first.tenantId()).isEqualTo(alice.tenantId());
    assertThat(first.detailsJson()).contains("\"reason\":\"left the company\"");
  }

  @Test
  void signInIsRecordedForTheAuthWork() {
    AuditService.bind(null, new AuditOrigin("198.51.100.7", "Mozilla/5.0", "req-9"));
    genrtl.audit().signIn(Principal.of(alice, null), "oidc:google", java.util.Map.of("new_user", false));
    AuditEntry e = all(p(superAdmin), new AuditQuery(null, AuditActions.SIGN_IN, null, null, null, null, null)).get(0);
    assertThat(e.actorUserId()).isEqualTo(alice.userId());
    assertThat(e.ip()).isEqualTo("198.51.100.7");
    assertThat(e.detailsJson()).isEqualTo("{\"method\":\"oidc:google\",\"new_user\":false}");
    assertThat(AuditService.currentActor()).as("the binding is restored").isNull();
  }

  @Test
  void theEntryIdsAreUniqueAcrossManyWrites() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 30; i++) ids.add(genrtl.audit().record("test.write", "t", "x" + i, null, java.util.Map.of("i", i)).entryId());
    assertThat(ids).hasSize(30);
    assertThat(all(p(superAdmin), new AuditQuery(null, "test.write", null, null, null, null, null))).hasSize(30);
  }
}
