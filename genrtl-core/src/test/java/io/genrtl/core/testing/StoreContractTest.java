package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.ApiKey;
import io.genrtl.core.account.ApiKeyService;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.Me;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.account.Tenant;
import io.genrtl.core.account.User;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract: every {@link Stores} adapter (in-memory, SQLite, PostgreSQL) must pass these tests unchanged.
 * Subclasses provide a fresh, empty, migrated adapter per test.
 */
public abstract class StoreContractTest {
  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected IdGenerator ids;

  /** A fresh, empty store set. Called once per test. */
  protected abstract Stores createStores();

  /** Releases what {@link #createStores()} opened. */
  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpStores() {
    clock = MutableClock.at("2026-03-31T10:00:00Z");
    stores = createStores();
    genrtl = GenRtl.builder().stores(stores).clock(clock).build();
    ids = genrtl.ids();
  }

  @AfterEach
  void tearDownStores() {
    closeStores(stores);
  }

  // ---------------------------------------------------------------- helpers

  protected Tenant tenant(String name) {
    Tenant t = new Tenant(ids.newId(), name, clock.millis());
    stores.accounts().tenants().insert(t);
    return t;
  }

  protected User user(Tenant t, String email, Role role) {
    User u = new User(ids.newId(), t.tenantId(), email, role, clock.millis());
    stores.accounts().users().insert(u);
    return u;
  }

  protected Principal principal(User u) {
    return Principal.of(u, null);
  }

  // ---------------------------------------------------------------- plain store behaviour

  @Test
  void tenantsRoundTripAndNamesAreUnique() {
    Tenant t = tenant("acme");
    assertThat(stores.accounts().tenants().find(t.tenantId())).contains(t);
    assertThat(stores.accounts().tenants().findByName("acme")).contains(t);
    assertThat(stores.accounts().tenants().findByName("nope")).isEmpty();
    assertThatThrownBy(() -> tenant("acme")).isInstanceOf(DuplicateKeyException.class);
  }

  @Test
  void usersRoundTripAndEmailsAreUnique() {
    Tenant t = tenant("acme");
    User u = user(t, "ann@example.com", Role.TENANT_ADMIN);
    assertThat(stores.accounts().users().find(u.userId())).contains(u);
    assertThat(stores.accounts().users().findByEmail("ann@example.com")).contains(u);
    assertThat(stores.accounts().users().countByRole(Role.TENANT_ADMIN)).isEqualTo(1);
    assertThat(stores.accounts().users().countByRole(Role.SUPER_ADMIN)).isZero();
    assertThatThrownBy(() -> user(t, "ann@example.com", Role.USER)).isInstanceOf(DuplicateKeyException.class);
  }

  @Test
  void usersAreDisabledAndEnabledConditionally() {
    Tenant t = tenant("acme");
    User u = user(t, "ann@example.com", Role.USER);
    assertThat(u.disabled()).isFalse();
    long at = clock.millis();
    assertThat(stores.accounts().users().disable(u.userId(), at)).isTrue();
    assertThat(stores.accounts().users().disable(u.userId(), at + 5)).as("already disabled: unchanged").isFalse();
    assertThat(stores.accounts().users().find(u.userId()).orElseThrow().disabledAt()).isEqualTo(at);
    assertThat(stores.accounts().users().findByEmail("ann@example.com").orElseThrow().disabled()).isTrue();
    assertThat(stores.accounts().users().list(t.tenantId(), PageRequest.firstDefault()).items()).singleElement()
        .satisfies(x -> assertThat(x.disabledAt()).isEqualTo(at));
    assertThat(stores.accounts().users().updateRole(u.userId(), Role.USER, Role.TENANT_ADMIN)).isTrue();
    assertThat(stores.accounts().users().find(u.userId()).orElseThrow().disabledAt()).as("a role change keeps it").isEqualTo(at);
    assertThat(stores.accounts().users().enable(u.userId())).isTrue();
    assertThat(stores.accounts().users().enable(u.userId())).isFalse();
    assertThat(stores.accounts().users().find(u.userId()).orElseThrow().disabledAt()).isNull();
    assertThat(stores.accounts().users().disable("NOBODY", at)).isFalse();
    assertThat(stores.accounts().users().enable("NOBODY")).isFalse();
  }

  @Test
  void tenantsKeepAMemberOnDemandCap() {
    Tenant t = tenant("acme");
    assertThat(t.memberOnDemandCapMicros()).isNull();
    assertThat(stores.accounts().tenants().setMemberOnDemandCap(t.tenantId(), 25_000_000L)).isTrue();
    assertThat(stores.accounts().tenants().find(t.tenantId()).orElseThrow().memberOnDemandCapMicros()).isEqualTo(25_000_000L);
    assertThat(stores.accounts().tenants().findByName("acme").orElseThrow().memberOnDemandCapMicros()).isEqualTo(25_000_000L);
    assertThat(stores.accounts().tenants().setMemberOnDemandCap(t.tenantId(), 0L)).isTrue();
    assertThat(stores.accounts().tenants().find(t.tenantId()).orElseThrow().memberOnDemandCapMicros()).isZero();
    assertThat(stores.accounts().tenants().setMemberOnDemandCap(t.tenantId(), null)).isTrue();
    assertThat(stores.accounts().tenants().find(t.tenantId()).orElseThrow().memberOnDemandCapMicros()).isNull();
    assertThat(stores.accounts().tenants().setMemberOnDemandCap("NOPE", 1L)).isFalse();
  }

  @Test
  void onDemandLimitsAreCappedPerTenantInOneStatement() {
    CreatedUser a = genrtl.accounts().createUser(new NewUser("a@acme.test", "acme", Role.USER, "pro"));
    CreatedUser b = genrtl.accounts().createUser(new NewUser("b@acme.test", "acme", Role.USER, "pro"));
    CreatedUser c = genrtl.accounts().createUser(new NewUser("c@acme.test", "acme", Role.USER, "pro"));
    CreatedUser x = genrtl.accounts().createUser(new NewUser("x@evil.test", "evil", Role.USER, "pro"));
    stores.pool().accounts().setOnDemandLimit(a.user().userId(), 50_000_000L, clock.millis());
    stores.pool().accounts().setOnDemandLimit(b.user().userId(), 5_000_000L, clock.millis());
    stores.pool().accounts().setOnDemandLimit(x.user().userId(), 50_000_000L, clock.millis());
    int lowered = stores.transactor().inTransaction(() -> stores.pool().accounts().capOnDemandLimits(a.tenant().tenantId(), 10_000_000L, clock.millis()));
    assertThat(lowered).isEqualTo(1);
    assertThat(stores.pool().accounts().find(a.user().userId()).orElseThrow().onDemandLimitMicros()).isEqualTo(10_000_000L);
    assertThat(stores.pool().accounts().find(b.user().userId()).orElseThrow().onDemandLimitMicros()).isEqualTo(5_000_000L);
    assertThat(stores.pool().accounts().find(c.user().userId()).orElseThrow().onDemandLimitMicros()).isZero();
    assertThat(stores.pool().accounts().find(x.user().userId()).orElseThrow().onDemandLimitMicros()).as("another tenant").isEqualTo(50_000_000L);
    assertThat(stores.pool().accounts().capOnDemandLimits(a.tenant().tenantId(), 10_000_000L, clock.millis())).isZero();
  }

  @Test
  void workspacesPaginateByIdAndFilterByMemberAndTenant() {
    Tenant a = tenant("a");
    Tenant b = tenant("b");
    User ua = user(a, "a@example.com", Role.USER);
    User ub = user(b, "b@example.com", Role.USER);
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Workspace w = new Workspace(ids.newId(), a.tenantId(), "w" + i, ua.userId(), clock.millis());
      stores.accounts().workspaces().insert(w);
      stores.accounts().workspaces().addMember(w.workspaceId(), ua.userId(), clock.millis());
      stores.accounts().workspaces().addMember(w.workspaceId(), ua.userId(), clock.millis()); // idempotent
      mine.add(w.workspaceId());
    }
    Workspace other = new Workspace(ids.newId(), b.tenantId(), "theirs", ub.userId(), clock.millis());
    stores.accounts().workspaces().insert(other);
    stores.accounts().workspaces().addMember(other.workspaceId(), ub.userId(), clock.millis());

    List<String> seen = new ArrayList<>();
    PageRequest req = PageRequest.first(2);
    int pages = 0;
    while (true) {
      Page<Workspace> p = stores.accounts().workspaces().listForMember(ua.userId(), req);
      pages++;
      p.items().forEach(w -> seen.add(w.workspaceId()));
      if (p.nextAfter() == null) break;
      assertThat(p.items()).hasSize(2);
      req = new PageRequest(2, p.nextAfter());
    }
    assertThat(seen).containsExactlyElementsOf(mine);
    assertThat(pages).isEqualTo(3);
    assertThat(stores.accounts().workspaces().listForTenant(b.tenantId(), PageRequest.firstDefault()).items())
        .extracting(Workspace::workspaceId).containsExactly(other.workspaceId());
    assertThat(stores.accounts().workspaces().listAll(PageRequest.firstDefault()).items()).hasSize(6);
    assertThat(stores.accounts().workspaces().isMember(other.workspaceId(), ua.userId())).isFalse();
    assertThat(stores.accounts().workspaces().isMember(mine.get(0), ua.userId())).isTrue();
    // an exact multiple of the page size ends without an empty extra page
    Page<Workspace> five = stores.accounts().workspaces().listForMember(ua.userId(), PageRequest.first(5));
    assertThat(five.items()).hasSize(5);
    assertThat(five.nextAfter()).isNull();
  }

  @Test
  void apiKeysRoundTripRevokeAndThrottleLastUsed() {
    Tenant t = tenant("acme");
    User u = user(t, "ann@example.com", Role.USER);
    byte[] hash = new byte[32];
    hash[0] = 7;
    ApiKey k = new ApiKey(ids.newId(), u.userId(), "laptop", hash, clock.millis(), clock.millis() + 1000, null, null);
    stores.accounts().apiKeys().insert(k);
    ApiKey read = stores.accounts().apiKeys().find(k.keyId()).orElseThrow();
    assertThat(read.secretHash()).isEqualTo(hash);
    assertThat(read.name()).isEqualTo("laptop");
    assertThat(read.expiresAt()).isEqualTo(clock.millis() + 1000);
    assertThat(read.revokedAt()).isNull();
    assertThat(read.lastUsedAt()).isNull();

    long now = clock.millis();
    assertThat(stores.accounts().apiKeys().touchLastUsed(k.keyId(), now, 60_000)).isTrue();
    assertThat(stores.accounts().apiKeys().touchLastUsed(k.keyId(), now + 59_999, 60_000)).isFalse();
    assertThat(stores.accounts().apiKeys().find(k.keyId()).orElseThrow().lastUsedAt()).isEqualTo(now);
    assertThat(stores.accounts().apiKeys().touchLastUsed(k.keyId(), now + 60_000, 60_000)).isTrue();
    assertThat(stores.accounts().apiKeys().find(k.keyId()).orElseThrow().lastUsedAt()).isEqualTo(now + 60_000);

    assertThat(stores.accounts().apiKeys().revoke(k.keyId(), now + 5)).isTrue();
    assertThat(stores.accounts().apiKeys().revoke(k.keyId(), now + 6)).isFalse();
    assertThat(stores.accounts().apiKeys().find(k.keyId()).orElseThrow().revokedAt()).isEqualTo(now + 5);
    assertThat(stores.accounts().apiKeys().revoke("NOPE", now)).isFalse();
    assertThat(stores.accounts().apiKeys().listForUser(u.userId(), PageRequest.firstDefault()).items()).hasSize(1);
  }

  @Test
  void latestSubscriptionWins() {
    Tenant t = tenant("acme");
    User u = user(t, "ann@example.com", Role.USER);
    assertThat(stores.accounts().subscriptions().latestForUser(u.userId())).isEmpty();
    long now = clock.millis();
    Subscription s1 = new Subscription(ids.newId(), u.userId(), "pro", "manual", SubscriptionStatus.ENDED, now, now + 10, now);
    Subscription s2 = new Subscription(ids.newId(), u.userId(), "ultra", "stripe", SubscriptionStatus.PAST_DUE, now + 10, now + 20, now + 1);
    stores.accounts().subscriptions().insert(s1);
    stores.accounts().subscriptions().insert(s2);
    assertThat(stores.accounts().subscriptions().latestForUser(u.userId())).contains(s2);
  }

  @Test
  void claimOnceIsExclusiveUnderConcurrency() throws Exception {
    int threads = 8;
    List<Boolean> results = hammer(threads, () -> stores.transactor().inTransaction(() -> stores.meta().claimOnce("m", 1)));
    assertThat(results).containsOnlyOnce(true).hasSize(threads);
    assertThat(stores.meta().claimOnce("m", 2)).isFalse();
    assertThat(stores.meta().claimOnce("other", 2)).isTrue();
  }

  // ---------------------------------------------------------------- transaction boundary

  @Test
  void aFailedTransactionLeavesNothingBehindAcrossStores() {
    String tenantId = ids.newId();
    String userId = ids.newId();
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      stores.accounts().tenants().insert(new Tenant(tenantId, "t", clock.millis()));
      stores.accounts().users().insert(new User(userId, tenantId, "x@example.com", Role.USER, clock.millis()));
      assertThat(stores.accounts().users().find(userId)).isPresent(); // visible inside the transaction
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(stores.accounts().tenants().find(tenantId)).isEmpty();
    assertThat(stores.accounts().users().find(userId)).isEmpty();
  }

  @Test
  void nestedTransactionsJoinTheOuterOne() {
    String tenantId = ids.newId();
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      stores.transactor().inTransaction(() -> stores.accounts().tenants().insert(new Tenant(tenantId, "t", clock.millis())));
      throw new IllegalStateException("outer fails after inner finished");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(stores.accounts().tenants().find(tenantId)).isEmpty();

    stores.transactor().inTransaction(() -> stores.transactor().inTransaction(
        () -> stores.accounts().tenants().insert(new Tenant(tenantId, "t", clock.millis()))));
    assertThat(stores.accounts().tenants().find(tenantId)).isPresent();
  }

  @Test
  void aDuplicateInsideATransactionRollsItBackWhole() {
    tenant("taken");
    String id = ids.newId();
    assertThatThrownBy(() -> stores.transactor().inTransaction(() -> {
      stores.accounts().tenants().insert(new Tenant(id, "fresh", clock.millis()));
      stores.accounts().tenants().insert(new Tenant(ids.newId(), "taken", clock.millis()));
    })).isInstanceOf(DuplicateKeyException.class);
    assertThat(stores.accounts().tenants().find(id)).isEmpty();
    assertThat(stores.accounts().tenants().findByName("fresh")).isEmpty();
  }

  // ---------------------------------------------------------------- services on this adapter

  @Test
  void createUserWithoutPlanIsOnFreeWithoutSubscription() {
    CreatedUser c = genrtl.accounts().createUser(NewUser.of("  Ann@Example.COM "));
    assertThat(c.user().email()).isEqualTo("ann@example.com");
    assertThat(c.user().role()).isEqualTo(Role.USER);
    assertThat(c.tenant().name()).isEqualTo("ann@example.com");
    assertThat(c.subscription()).isEmpty();
    Me me = genrtl.accounts().me(principal(c.user()));
    assertThat(me.plan().planId()).isEqualTo("free");
    assertThat(me.subscription()).isEmpty();
  }

  @Test
  void createUserWithPaidPlanStartsAMonthlyManualSubscription() {
    CreatedUser c = genrtl.accounts().createUser(new NewUser("bob@example.com", "Acme", Role.TENANT_ADMIN, "pro"));
    Subscription s = c.subscription().orElseThrow();
    assertThat(s.provider()).isEqualTo("manual");
    assertThat(s.status()).isEqualTo(SubscriptionStatus.ACTIVE);
    assertThat(s.periodStart()).isEqualTo(clock.millis());
    // 31 March + 1 month = 30 April (calendar month, UTC)
    assertThat(Instant.ofEpochMilli(s.periodEnd())).isEqualTo(Instant.parse("2026-04-30T10:00:00Z"));
    assertThat(genrtl.accounts().me(principal(c.user())).plan().planId()).isEqualTo("pro");
    // a second user joins the existing tenant by name
    CreatedUser d = genrtl.accounts().createUser(new NewUser("carol@example.com", "Acme", Role.USER, null));
    assertThat(d.tenant().tenantId()).isEqualTo(c.tenant().tenantId());
  }

  @Test
  void createUserRejectsBadInputAndTakenEmailsWithoutSideEffects() {
    genrtl.accounts().createUser(NewUser.of("ann@example.com"));
    assertThatThrownBy(() -> genrtl.accounts().createUser(new NewUser("ANN@example.com", "NewTenant", Role.USER, null)))
        .isInstanceOf(GenRtlException.class).extracting(e -> ((GenRtlException) e).code()).isEqualTo(ErrorCode.EMAIL_TAKEN);
    assertThat(stores.accounts().tenants().findByName("NewTenant")).as("tenant of the failed creation rolled back").isEmpty();
    assertThatThrownBy(() -> genrtl.accounts().createUser(NewUser.of("not-an-email")))
        .extracting(e -> ((GenRtlException) e).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThatThrownBy(() -> genrtl.accounts().createUser(new NewUser("x@example.com", null, Role.USER, "platinum")))
        .extracting(e -> ((GenRtlException) e).code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
  }

  @Test
  void issuedKeysAuthenticateAndAreStoredOnlyAsHashes() {
    CreatedUser c = genrtl.accounts().createUser(NewUser.of("ann@example.com"));
    IssuedKey k = genrtl.apiKeys().issue(c.user().userId(), "laptop", null);
    assertThat(k.apiKey()).matches("grtl_[0-9A-Za-z]+_[0-9A-Za-z]{32}");
    assertThat(k.apiKey()).startsWith("grtl_" + k.key().keyId() + "_");
    ApiKey stored = stores.accounts().apiKeys().find(k.key().keyId()).orElseThrow();
    String secret = k.apiKey().substring(k.apiKey().lastIndexOf('_') + 1);
    assertThat(new String(stored.secretHash(), java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain(secret);
    assertThat(stored.secretHash()).hasSize(32);

    Principal p = genrtl.apiKeys().authenticate(k.apiKey());
    assertThat(p.userId()).isEqualTo(c.user().userId());
    assertThat(p.keyId()).isEqualTo(k.key().keyId());
    assertThat(p.role()).isEqualTo(Role.USER);

    // two keys per user, both work
    IssuedKey k2 = genrtl.apiKeys().issue(c.user().userId(), "ci", null);
    assertThat(genrtl.apiKeys().authenticate(k2.apiKey()).keyId()).isEqualTo(k2.key().keyId());
    assertThat(genrtl.apiKeys().list(p, PageRequest.firstDefault()).items()).hasSize(2);
  }

  @Test
  void wrongMalformedRevokedAndExpiredKeysAreRefused() {
    CreatedUser c = genrtl.accounts().createUser(NewUser.of("ann@example.com"));
    IssuedKey k = genrtl.apiKeys().issue(c.user().userId(), "laptop", clock.millis() + Duration.ofDays(1).toMillis());
    String s = k.apiKey();
    String flipped = s.substring(0, s.length() - 1) + (s.endsWith("A") ? "B" : "A");
    assertUnauthenticated(flipped, "invalid API key");
    assertUnauthenticated("grtl_" + ids.newId() + "_" + s.substring(s.length() - 32), "invalid API key");
    assertUnauthenticated("grtl_abc", "malformed API key");
    assertUnauthenticated("Bearer " + s, "malformed API key");
    assertUnauthenticated(s + "x", "malformed API key");
    assertUnauthenticated("grtl_" + k.key().keyId() + "_" + "x".repeat(31) + "!", "malformed API key");
    assertUnauthenticated(null, "malformed API key");

    clock.advance(Duration.ofDays(1));
    assertUnauthenticated(s, "API key expired");
    clock.advance(Duration.ofDays(-1).plusMillis(-1));
    assertThat(genrtl.apiKeys().authenticate(s).userId()).isEqualTo(c.user().userId());

    genrtl.apiKeys().revoke(principal(c.user()), k.key().keyId());
    assertUnauthenticated(s, "API key revoked");
  }

  @Test
  void lastUsedIsWrittenAtMostOnceAMinute() {
    CreatedUser c = genrtl.accounts().createUser(NewUser.of("ann@example.com"));
    IssuedKey k = genrtl.apiKeys().issue(c.user().userId(), "laptop", null);
    long t0 = clock.millis();
    genrtl.apiKeys().authenticate(k.apiKey());
    clock.advance(Duration.ofSeconds(30));
    genrtl.apiKeys().authenticate(k.apiKey());
    assertThat(stores.accounts().apiKeys().find(k.key().keyId()).orElseThrow().lastUsedAt()).isEqualTo(t0);
    clock.advance(Duration.ofSeconds(30));
    genrtl.apiKeys().authenticate(k.apiKey());
    assertThat(stores.accounts().apiKeys().find(k.key().keyId()).orElseThrow().lastUsedAt()).isEqualTo(t0 + 60_000);
  }

  @Test
  void keysOfOthersAreNotFoundButTenantAdminsAndSuperAdminsMayRevoke() {
    CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@example.com", "acme", Role.USER, null));
    CreatedUser bob = genrtl.accounts().createUser(new NewUser("bob@example.com", "acme", Role.USER, null));
    CreatedUser admin = genrtl.accounts().createUser(new NewUser("adm@example.com", "acme", Role.TENANT_ADMIN, null));
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@example.com", "evil", Role.TENANT_ADMIN, null));
    CreatedUser root = genrtl.accounts().createUser(new NewUser("root@example.com", "ops", Role.SUPER_ADMIN, null));
    IssuedKey k1 = genrtl.apiKeys().issue(ann.user().userId(), "a", null);
    IssuedKey k2 = genrtl.apiKeys().issue(ann.user().userId(), "b", null);

    assertCode(() -> genrtl.apiKeys().revoke(principal(bob.user()), k1.key().keyId()), ErrorCode.NOT_FOUND);
    assertCode(() -> genrtl.apiKeys().revoke(principal(eve.user()), k1.key().keyId()), ErrorCode.NOT_FOUND);
    assertCode(() -> genrtl.apiKeys().revoke(principal(ann.user()), "01NOSUCHKEY"), ErrorCode.NOT_FOUND);
    assertThat(genrtl.apiKeys().authenticate(k1.apiKey())).isNotNull();
    genrtl.apiKeys().revoke(principal(admin.user()), k1.key().keyId());
    genrtl.apiKeys().revoke(principal(root.user()), k2.key().keyId());
    assertUnauthenticated(k1.apiKey(), "API key revoked");
    assertUnauthenticated(k2.apiKey(), "API key revoked");
    assertThat(genrtl.apiKeys().list(principal(bob.user()), PageRequest.firstDefault()).items()).isEmpty();
  }

  @Test
  void workspacesFollowTheOwnershipRule() {
    CreatedUser ann = genrtl.accounts().createUser(new NewUser("ann@example.com", "acme", Role.USER, null));
    CreatedUser bob = genrtl.accounts().createUser(new NewUser("bob@example.com", "acme", Role.USER, null));
    CreatedUser admin = genrtl.accounts().createUser(new NewUser("adm@example.com", "acme", Role.TENANT_ADMIN, null));
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@example.com", "evil", Role.TENANT_ADMIN, null));
    CreatedUser root = genrtl.accounts().createUser(new NewUser("root@example.com", "ops", Role.SUPER_ADMIN, null));
    Workspace w = genrtl.accounts().createWorkspace(principal(ann.user()), "  chip-1 ");
    assertThat(w.name()).isEqualTo("chip-1");
    assertThat(w.tenantId()).isEqualTo(ann.tenant().tenantId());

    assertThat(genrtl.accounts().getWorkspace(principal(ann.user()), w.workspaceId())).isEqualTo(w);
    assertThat(genrtl.accounts().getWorkspace(principal(admin.user()), w.workspaceId())).isEqualTo(w);
    assertThat(genrtl.accounts().getWorkspace(principal(root.user()), w.workspaceId())).isEqualTo(w);
    assertCode(() -> genrtl.accounts().getWorkspace(principal(bob.user()), w.workspaceId()), ErrorCode.NOT_FOUND);
    assertCode(() -> genrtl.accounts().getWorkspace(principal(eve.user()), w.workspaceId()), ErrorCode.NOT_FOUND);

    assertThat(genrtl.accounts().listWorkspaces(principal(ann.user()), PageRequest.firstDefault()).items()).containsExactly(w);
    assertThat(genrtl.accounts().listWorkspaces(principal(bob.user()), PageRequest.firstDefault()).items()).isEmpty();
    assertThat(genrtl.accounts().listWorkspaces(principal(admin.user()), PageRequest.firstDefault()).items()).containsExactly(w);
    assertThat(genrtl.accounts().listWorkspaces(principal(eve.user()), PageRequest.firstDefault()).items()).isEmpty();
    assertThat(genrtl.accounts().me(principal(ann.user())).workspaces()).containsExactly(w);
    assertCode(() -> genrtl.accounts().createWorkspace(principal(ann.user()), " "), ErrorCode.VALIDATION_FAILED);
    assertCode(() -> genrtl.accounts().createWorkspace(principal(ann.user()), "x".repeat(101)), ErrorCode.VALIDATION_FAILED);
  }

  @Test
  void superAdminBootstrapHappensOnceEvenWhenHostsRace() throws Exception {
    List<Optional<IssuedKey>> results = hammer(6, () -> genrtl.accounts().bootstrapSuperAdmin("admin@localhost"));
    List<IssuedKey> created = results.stream().flatMap(Optional::stream).toList();
    assertThat(created).hasSize(1);
    assertThat(stores.accounts().users().countByRole(Role.SUPER_ADMIN)).isEqualTo(1);
    Principal p = genrtl.apiKeys().authenticate(created.get(0).apiKey());
    assertThat(p.role()).isEqualTo(Role.SUPER_ADMIN);
    assertThat(genrtl.accounts().bootstrapSuperAdmin("admin@localhost")).isEmpty();
  }

  @Test
  void noBootstrapWhenASuperAdminAlreadyExists() {
    genrtl.accounts().createUser(new NewUser("root@example.com", "ops", Role.SUPER_ADMIN, null));
    assertThat(genrtl.accounts().bootstrapSuperAdmin("admin@localhost")).isEmpty();
  }

  @Test
  void idsAreUniqueAndIncreasing() {
    Set<String> seen = new HashSet<>();
    String last = "";
    for (int i = 0; i < 10_000; i++) {
      String id = ids.newId();
      assertThat(id).hasSize(26).matches("[0-9A-Z]+");
      assertThat(id.compareTo(last)).isPositive();
      assertThat(seen.add(id)).isTrue();
      last = id;
    }
    assertThat(ApiKeyService.PREFIX).isEqualTo("grtl_");
  }

  // ---------------------------------------------------------------- utilities

  protected void assertUnauthenticated(String presented, String message) {
    assertThatThrownBy(() -> genrtl.apiKeys().authenticate(presented))
        .isInstanceOf(GenRtlException.class)
        .hasMessage(message)
        .extracting(e -> ((GenRtlException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED);
  }

  protected static void assertCode(Runnable r, ErrorCode code) {
    assertThatThrownBy(r::run).isInstanceOf(GenRtlException.class)
        .extracting(e -> ((GenRtlException) e).code()).isEqualTo(code);
  }

  /** Runs {@code task} on {@code threads} real threads released at the same moment; returns every result. */
  public static <T> List<T> hammer(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) out.add(f.get(60, TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }
}
