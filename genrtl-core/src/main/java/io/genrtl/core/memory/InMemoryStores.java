package io.genrtl.core.memory;

import io.genrtl.core.Stores;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.account.ApiKey;
import io.genrtl.core.account.ApiKeyStore;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStore;
import io.genrtl.core.account.Tenant;
import io.genrtl.core.account.TenantStore;
import io.genrtl.core.account.User;
import io.genrtl.core.account.UserStore;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.account.WorkspaceStore;
import io.genrtl.core.audit.AuditStore;
import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.base.Transactor;
import io.genrtl.core.billing.BillingStores;
import io.genrtl.core.billing.CustomerStore;
import io.genrtl.core.billing.MeterOutboxStore;
import io.genrtl.core.cbb.CbbStore;
import io.genrtl.core.cbb.CbbStores;
import io.genrtl.core.cbb.ReceiptStore;
import io.genrtl.core.jobs.JobStore;
import io.genrtl.core.pool.AlertStore;
import io.genrtl.core.pool.GrantStore;
import io.genrtl.core.pool.HoldStore;
import io.genrtl.core.pool.IdempotencyStore;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.pool.PoolStore;
import io.genrtl.core.pool.PoolStores;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * All stores in memory, for tests and embedding without a database. Every operation runs under one lock, so
 * transactions are serialisable; a transaction works on the live state and restores a snapshot taken at its start
 * if it fails (copying the state costs O(size) per transaction: fine for tests and small embedded uses).
 * {@link #create} fills one {@link Stores}.
 */
public final class InMemoryStores {
  private final ReentrantLock lock = new ReentrantLock();
  private State state = new State();

  private static final class State {
    TreeMap<String, Tenant> tenants = new TreeMap<>();
    TreeMap<String, User> users = new TreeMap<>();
    TreeMap<String, Workspace> workspaces = new TreeMap<>();
    Set<String> members = new HashSet<>(); // workspaceId + '/' + userId
    TreeMap<String, ApiKey> keys = new TreeMap<>();
    List<Subscription> subscriptions = new ArrayList<>();
    Map<String, Long> meta = new HashMap<>();
    InMemoryPool.Data pool = new InMemoryPool.Data();
    InMemoryCbb.Data cbb = new InMemoryCbb.Data();
    InMemoryJobs.Data jobs = new InMemoryJobs.Data();
    InMemoryBilling.Data billing = new InMemoryBilling.Data();
    InMemoryAuth.Data auth = new InMemoryAuth.Data();
    Map<String, String> metaValues = new HashMap<>();
    TreeMap<String, io.genrtl.core.audit.AuditEntry> audit = new TreeMap<>();

    State copy() {
      State s = new State();
      s.tenants = new TreeMap<>(tenants);
      s.users = new TreeMap<>(users);
      s.workspaces = new TreeMap<>(workspaces);
      s.members = new HashSet<>(members);
      s.keys = new TreeMap<>(keys);
      s.subscriptions = new ArrayList<>(subscriptions);
      s.meta = new HashMap<>(meta);
      s.pool = pool.copy();
      s.cbb = cbb.copy();
      s.jobs = jobs.copy();
      s.billing = billing.copy();
      s.auth = auth.copy();
      s.metaValues = new HashMap<>(metaValues);
      s.audit = new TreeMap<>(audit);
      return s;
    }
  }

  private final Transactor transactor = new Transactor() {
    @Override
    public <T> T inTransaction(Supplier<T> work) {
      lock.lock();
      try {
        if (lock.getHoldCount() > 1) return work.get(); // nested: join the outer transaction
        State snapshot = state.copy();
        try {
          return work.get();
        } catch (RuntimeException | Error e) {
          state = snapshot;
          throw e;
        }
      } finally {
        lock.unlock();
      }
    }
  };

  private <T> T locked(Supplier<T> s) {
    lock.lock();
    try {
      return s.get();
    } finally {
      lock.unlock();
    }
  }

  private void lockedRun(Runnable r) {
    locked(() -> {
      r.run();
      return null;
    });
  }

  private static <T> Page<T> page(TreeMap<String, T> map, PageRequest req, Predicate<T> filter, Function<T, String> key) {
    var tail = req.after() == null ? map : map.tailMap(req.after(), false);
    List<T> rows = new ArrayList<>();
    for (Map.Entry<String, T> e : tail.entrySet()) {
      if (!filter.test(e.getValue())) continue;
      rows.add(e.getValue());
      if (rows.size() > req.limit()) break;
    }
    return Page.fromOverfetch(rows, req, key);
  }

  private final TenantStore tenants = new TenantStore() {
    @Override
    public void insert(Tenant t) {
      lockedRun(() -> {
        if (state.tenants.containsKey(t.tenantId())
            || state.tenants.values().stream().anyMatch(x -> x.name().equals(t.name()))) {
          throw new DuplicateKeyException("tenant exists: " + t.name(), null);
        }
        state.tenants.put(t.tenantId(), t);
      });
    }

    @Override
    public Optional<Tenant> find(String id) {
      return locked(() -> Optional.ofNullable(state.tenants.get(id)));
    }

    @Override
    public Optional<Tenant> findByName(String name) {
      return locked(() -> state.tenants.values().stream().filter(t -> t.name().equals(name)).findFirst());
    }

    @Override
    public boolean setMemberOnDemandCap(String tenantId, Long capMicros) {
      return locked(() -> {
        Tenant t = state.tenants.get(tenantId);
        if (t == null) return false;
        state.tenants.put(tenantId, new Tenant(t.tenantId(), t.name(), t.createdAt(), capMicros));
        return true;
      });
    }
  };

  private final UserStore users = new UserStore() {
    @Override
    public void insert(User u) {
      lockedRun(() -> {
        if (!state.tenants.containsKey(u.tenantId())) throw new IllegalStateException("no such tenant: " + u.tenantId());
        if (state.users.containsKey(u.userId())
            || state.users.values().stream().anyMatch(x -> x.email().equals(u.email()))) {
          throw new DuplicateKeyException("user exists: " + u.userId(), null);
        }
        state.users.put(u.userId(), u);
      });
    }

    @Override
    public Optional<User> find(String id) {
      return locked(() -> Optional.ofNullable(state.users.get(id)));
    }

    @Override
    public Optional<User> findByEmail(String email) {
      return locked(() -> state.users.values().stream().filter(u -> u.email().equals(email)).findFirst());
    }

    @Override
    public long countByRole(Role role) {
      return locked(() -> state.users.values().stream().filter(u -> u.role() == role).count());
    }

    @Override
    public Page<User> list(String tenantId, PageRequest req) {
      return locked(() -> page(state.users, req, u -> tenantId == null || tenantId.equals(u.tenantId()), User::userId));
    }

    @Override
    public boolean updateRole(String userId, Role expected, Role role) {
      return locked(() -> {
        User u = state.users.get(userId);
        if (u == null || u.role() != expected) return false;
        state.users.put(userId, u.withRole(role));
        return true;
      });
    }

    @Override
    public boolean disable(String userId, long at) {
      return locked(() -> {
        User u = state.users.get(userId);
        if (u == null || u.disabled()) return false;
        state.users.put(userId, u.withDisabledAt(at));
        return true;
      });
    }

    @Override
    public boolean enable(String userId) {
      return locked(() -> {
        User u = state.users.get(userId);
        if (u == null || !u.disabled()) return false;
        state.users.put(userId, u.withDisabledAt(null));
        return true;
      });
    }
  };

  private final WorkspaceStore workspaces = new WorkspaceStore() {
    @Override
    public void insert(Workspace w) {
      lockedRun(() -> {
        if (!state.tenants.containsKey(w.tenantId())) throw new IllegalStateException("no such tenant: " + w.tenantId());
        if (state.workspaces.putIfAbsent(w.workspaceId(), w) != null) {
          throw new DuplicateKeyException("workspace exists: " + w.workspaceId(), null);
        }
      });
    }

    @Override
    public Optional<Workspace> find(String id) {
      return locked(() -> Optional.ofNullable(state.workspaces.get(id)));
    }

    @Override
    public void addMember(String workspaceId, String userId, long at) {
      lockedRun(() -> {
        if (!state.workspaces.containsKey(workspaceId) || !state.users.containsKey(userId)) {
          throw new IllegalStateException("no such workspace or user");
        }
        state.members.add(workspaceId + "/" + userId);
      });
    }

    @Override
    public boolean isMember(String workspaceId, String userId) {
      return locked(() -> state.members.contains(workspaceId + "/" + userId));
    }

    @Override
    public Page<Workspace> listForMember(String userId, PageRequest req) {
      return locked(() -> page(state.workspaces, req, w -> state.members.contains(w.workspaceId() + "/" + userId), Workspace::workspaceId));
    }

    @Override
    public Page<Workspace> listForTenant(String tenantId, PageRequest req) {
      return locked(() -> page(state.workspaces, req, w -> w.tenantId().equals(tenantId), Workspace::workspaceId));
    }

    @Override
    public Page<Workspace> listAll(PageRequest req) {
      return locked(() -> page(state.workspaces, req, w -> true, Workspace::workspaceId));
    }
  };

  private final ApiKeyStore keys = new ApiKeyStore() {
    @Override
    public void insert(ApiKey k) {
      lockedRun(() -> {
        if (!state.users.containsKey(k.userId())) throw new IllegalStateException("no such user: " + k.userId());
        if (state.keys.putIfAbsent(k.keyId(), k) != null) throw new DuplicateKeyException("key exists", null);
      });
    }

    @Override
    public Optional<ApiKey> find(String id) {
      return locked(() -> Optional.ofNullable(state.keys.get(id)));
    }

    @Override
    public Page<ApiKey> listForUser(String userId, PageRequest req) {
      return locked(() -> page(state.keys, req, k -> k.userId().equals(userId), ApiKey::keyId));
    }

    @Override
    public boolean revoke(String keyId, long at) {
      return locked(() -> {
        ApiKey k = state.keys.get(keyId);
        if (k == null || k.revokedAt() != null) return false;
        state.keys.put(keyId, new ApiKey(k.keyId(), k.userId(), k.name(), k.secretHash(), k.createdAt(),
            k.expiresAt(), at, k.lastUsedAt()));
        return true;
      });
    }

    @Override
    public boolean touchLastUsed(String keyId, long now, long minInterval) {
      return locked(() -> {
        ApiKey k = state.keys.get(keyId);
        if (k == null || (k.lastUsedAt() != null && k.lastUsedAt() > now - minInterval)) return false;
        state.keys.put(keyId, new ApiKey(k.keyId(), k.userId(), k.name(), k.secretHash(), k.createdAt(),
            k.expiresAt(), k.revokedAt(), now));
        return true;
      });
    }
  };

  private final SubscriptionStore subscriptions = new SubscriptionStore() {
    @Override
    public void insert(Subscription s) {
      lockedRun(() -> {
        if (!state.users.containsKey(s.userId())) throw new IllegalStateException("no such user: " + s.userId());
        if (state.subscriptions.stream().anyMatch(x -> x.subscriptionId().equals(s.subscriptionId()))) {
          throw new DuplicateKeyException("subscription exists", null);
        }
        state.subscriptions.add(s);
      });
    }

    @Override
    public Optional<Subscription> find(String subscriptionId) {
      return locked(() -> state.subscriptions.stream().filter(s -> s.subscriptionId().equals(subscriptionId)).findFirst());
    }

    @Override
    public void upsert(Subscription n) {
      locked(() -> {
        for (int i = 0; i < state.subscriptions.size(); i++) {
          Subscription s = state.subscriptions.get(i);
          if (s.subscriptionId().equals(n.subscriptionId())) {
            state.subscriptions.set(i, new Subscription(s.subscriptionId(), s.userId(), n.planId(), n.provider(), n.status(),
                n.periodStart(), n.periodEnd(), s.createdAt()));
            return null;
          }
        }
        insert(n);
        return null;
      });
    }

    @Override
    public boolean updatePeriod(String subscriptionId, long expectedStart, long newStart, long newEnd) {
      return locked(() -> {
        for (int i = 0; i < state.subscriptions.size(); i++) {
          Subscription s = state.subscriptions.get(i);
          if (s.subscriptionId().equals(subscriptionId) && s.periodStart() == expectedStart) {
            state.subscriptions.set(i, new Subscription(s.subscriptionId(), s.userId(), s.planId(), s.provider(), s.status(),
                newStart, newEnd, s.createdAt()));
            return true;
          }
        }
        return false;
      });
    }

    @Override
    public Optional<Subscription> latestForUser(String userId) {
      return locked(() -> state.subscriptions.stream()
          .filter(s -> s.userId().equals(userId))
          .max(Comparator.comparingLong(Subscription::createdAt).thenComparing(Subscription::subscriptionId)));
    }
  };

  private final MetaStore meta = new MetaStore() {
    @Override
    public boolean claimOnce(String name, long at) {
      return locked(() -> state.meta.putIfAbsent(name, at) == null);
    }

    @Override
    public String getOrCreate(String name, String candidate, long at) {
      return locked(() -> state.metaValues.computeIfAbsent(name, n -> candidate));
    }
  };

  private final InMemoryCbb cbbStores = new InMemoryCbb(new InMemoryCbb.Access() {
    @Override
    public <T> T locked(Supplier<T> s) {
      return InMemoryStores.this.locked(s);
    }

    @Override
    public InMemoryCbb.Data data() {
      return state.cbb;
    }
  });
  private final CbbStore cbbs = cbbStores.cbbs();
  private final JobStore jobs = new InMemoryJobs(new InMemoryJobs.Access() {
    @Override
    public <T> T locked(Supplier<T> s) {
      return InMemoryStores.this.locked(s);
    }

    @Override
    public InMemoryJobs.Data data() {
      return state.jobs;
    }
  }).jobs();
  private final ReceiptStore receipts = cbbStores.receipts();
  private final io.genrtl.core.auth.AuthStore auth = new InMemoryAuth(new InMemoryAuth.Access() {
    @Override
    public <T> T locked(Supplier<T> s) {
      return InMemoryStores.this.locked(s);
    }

    @Override
    public InMemoryAuth.Data data() {
      return state.auth;
    }

    @Override
    public boolean userExists(String userId) {
      return state.users.containsKey(userId);
    }
  }).store();

  private final InMemoryPool poolStores = new InMemoryPool(new InMemoryPool.Access() {
    @Override
    public <T> T locked(Supplier<T> s) {
      return InMemoryStores.this.locked(s);
    }

    @Override
    public InMemoryPool.Data data() {
      return state.pool;
    }

    @Override
    public Optional<Subscription> latestSubscription(String userId) {
      return subscriptions.latestForUser(userId);
    }
  });
  private final InMemoryBilling billingStores = new InMemoryBilling(new InMemoryBilling.Access() {
    @Override
    public <T> T locked(Supplier<T> s) {
      return InMemoryStores.this.locked(s);
    }

    @Override
    public InMemoryBilling.Data data() {
      return state.billing;
    }

    @Override
    public Map<String, io.genrtl.core.pool.LedgerEntry> ledger() {
      return state.pool.ledger;
    }

    @Override
    public boolean userExists(String userId) {
      return state.users.containsKey(userId);
    }
  });
  private final AuditStore audit = new AuditStore() {
    @Override
    public void append(io.genrtl.core.audit.AuditEntry e) {
      lockedRun(() -> {
        if (state.audit.containsKey(e.entryId())) throw new DuplicateKeyException("audit entry exists: " + e.entryId(), null);
        state.audit.put(e.entryId(), e);
      });
    }

    @Override
    public Optional<io.genrtl.core.audit.AuditEntry> find(String id) {
      return locked(() -> Optional.ofNullable(state.audit.get(id)));
    }

    @Override
    public Page<io.genrtl.core.audit.AuditEntry> list(io.genrtl.core.audit.AuditQuery q, PageRequest req) {
      return locked(() -> {
        var desc = req.after() == null ? state.audit.descendingMap() : state.audit.headMap(req.after(), false).descendingMap();
        List<io.genrtl.core.audit.AuditEntry> rows = new ArrayList<>();
        for (io.genrtl.core.audit.AuditEntry e : desc.values()) {
          if (!q.matches(e)) continue;
          rows.add(e);
          if (rows.size() > req.limit()) break;
        }
        return Page.fromOverfetch(rows, req, io.genrtl.core.audit.AuditEntry::entryId);
      });
    }
  };

  private InMemoryStores() {}

  /** The in-memory stores behind each {@link Stores} this class created (for the testing hook below). */
  private static final java.util.Map<Object, InMemoryStores> CREATED =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /**
   * Testing only: adds {@code usdMicros} to one of the user's day-rollup rows of {@code stores} (made by
   * {@link #create()}; the SQL stores' tests do the same with an UPDATE), so that a test can see the rollup check fail.
   * Returns false when the user has no rollup row.
   */
  public static boolean corruptUsageRollupForTesting(Stores stores, String userId, long usdMicros) {
    InMemoryStores m = CREATED.get(stores.pool().ledger());
    if (m == null) throw new IllegalArgumentException("not stores made by InMemoryStores.create()");
    return m.poolStores.corruptDayRollup(userId, usdMicros);
  }

  /** New, empty stores in memory. */
  public static Stores create() {
    InMemoryStores m = new InMemoryStores();
    InMemoryPool p = m.poolStores;
    io.genrtl.core.pool.LedgerStore ledger = p.ledger();
    CREATED.put(ledger, m);
    return new Stores(m.transactor, m.meta,
        new AccountStores(m.tenants, m.users, m.workspaces, m.keys, m.subscriptions),
        new PoolStores(p.pool(), ledger, p.grants(), p.holds(), p.idempotency(), p.alerts(), p.alertDeliveries()),
        new CbbStores(m.cbbs, m.receipts),
        new BillingStores(m.billingStores.customers(), m.billingStores.outbox()),
        m.jobs, m.auth, m.audit, () -> true);
  }
}
