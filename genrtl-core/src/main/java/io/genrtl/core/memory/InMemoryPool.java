package io.genrtl.core.memory;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.AlertDelivery;
import io.genrtl.core.pool.AlertDeliveryStore;
import io.genrtl.core.pool.AlertStore;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.Debit;
import io.genrtl.core.pool.Grant;
import io.genrtl.core.pool.GrantStore;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.Hold;
import io.genrtl.core.pool.HoldStatus;
import io.genrtl.core.pool.HoldStore;
import io.genrtl.core.pool.IdempotencyRecord;
import io.genrtl.core.pool.IdempotencyStore;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.pool.PoolAccount;
import io.genrtl.core.pool.PoolStore;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageRollups;
import io.genrtl.core.pool.UsageTotal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** In-memory pool, ledger, grants, holds, idempotency and alerts: the same semantics as the SQL stores. */
final class InMemoryPool {
  static final class Data {
    TreeMap<String, PoolAccount> accounts = new TreeMap<>();
    TreeMap<String, LedgerEntry> ledger = new TreeMap<>();
    Map<String, Grant> grants = new LinkedHashMap<>(); // userId + '\0' + sourceKey
    TreeMap<String, Hold> holds = new TreeMap<>();
    Map<String, IdempotencyRecord> idempotency = new HashMap<>();
    TreeMap<String, SpendAlert> alerts = new TreeMap<>();
    Map<String, String> alertKeys = new HashMap<>();
    TreeMap<String, AlertDelivery> deliveries = new TreeMap<>(); // by alert id
    // usage rollups: values are never mutated in place (a transaction's snapshot shares them)
    TreeMap<RKey, long[]> rollupDay = new TreeMap<>();
    TreeMap<RKey, long[]> rollupJob = new TreeMap<>();
    TreeMap<RKey, long[]> rollupWorkspace = new TreeMap<>();
    TreeMap<RKey, long[]> rollupPeriod = new TreeMap<>(); // day holds the period start, kind/model unused

    Data copy() {
      Data d = new Data();
      d.accounts = new TreeMap<>(accounts);
      d.ledger = new TreeMap<>(ledger);
      d.grants = new LinkedHashMap<>(grants);
      d.holds = new TreeMap<>(holds);
      d.idempotency = new HashMap<>(idempotency);
      d.alerts = new TreeMap<>(alerts);
      d.alertKeys = new HashMap<>(alertKeys);
      d.deliveries = new TreeMap<>(deliveries);
      d.rollupDay = new TreeMap<>(rollupDay);
      d.rollupJob = new TreeMap<>(rollupJob);
      d.rollupWorkspace = new TreeMap<>(rollupWorkspace);
      d.rollupPeriod = new TreeMap<>(rollupPeriod);
      return d;
    }
  }

  /** A rollup key; unused dimensions are "". Ordered like the SQL primary keys (user, job, workspace, day, ...). */
  record RKey(String user, String job, String ws, long day, String kind, String model, String bucket)
      implements Comparable<RKey> {
    private static final Comparator<RKey> ORDER = Comparator.comparing(RKey::user).thenComparing(RKey::job)
        .thenComparing(RKey::ws).thenComparingLong(RKey::day).thenComparing(RKey::kind).thenComparing(RKey::model)
        .thenComparing(RKey::bucket);

    @Override
    public int compareTo(RKey o) {
      return ORDER.compare(this, o);
    }
  }

  interface Access {
    <T> T locked(Supplier<T> s);

    Data data();

    Optional<io.genrtl.core.account.Subscription> latestSubscription(String userId);
  }

  private final Access x;

  InMemoryPool(Access access) {
    this.x = access;
  }

  private static PoolAccount with(PoolAccount a, long inc, long cred, long spent, long limit, long holds, long granted,
      long start, long end, long now) {
    return new PoolAccount(a.userId(), a.tenantId(), inc, cred, spent, limit, holds, granted, start, end, now);
  }

  PoolStore pool() {
    return new PoolStore() {
      @Override
      public boolean insert(PoolAccount a) {
        return x.locked(() -> x.data().accounts.putIfAbsent(a.userId(), a) == null);
      }

      @Override
      public Optional<PoolAccount> find(String userId) {
        return x.locked(() -> Optional.ofNullable(x.data().accounts.get(userId)));
      }

      @Override
      public Optional<AccountAndSubscription> findWithSubscription(String userId) {
        return x.locked(() -> Optional.ofNullable(x.data().accounts.get(userId))
            .map(a -> new AccountAndSubscription(a, x.latestSubscription(userId))));
      }

      @Override
      public Page<PoolAccount> list(PageRequest page) {
        return x.locked(() -> {
          var tail = page.after() == null ? x.data().accounts : x.data().accounts.tailMap(page.after(), false);
          List<PoolAccount> rows = tail.values().stream().limit(page.limit() + 1L).toList();
          return Page.fromOverfetch(rows, page, PoolAccount::userId);
        });
      }

      @Override
      public Optional<Debit> debit(String userId, long amount, boolean od, long release, boolean enforce, long now) {
        return x.locked(() -> {
          PoolAccount a = x.data().accounts.get(userId);
          if (a == null) return Optional.empty();
          if (enforce && a.availableMicros(od) < amount) return Optional.empty();
          long inc = Math.min(a.includedMicros(), amount);
          long cred = Math.min(a.creditsMicros(), amount - inc);
          long rest = amount - inc - cred;
          PoolAccount after = with(a, a.includedMicros() - inc, a.creditsMicros() - cred, a.onDemandSpentMicros() + rest,
              a.onDemandLimitMicros(), a.holdsMicros() - release, a.includedGrantedMicros(), a.periodStart(), a.periodEnd(), now);
          x.data().accounts.put(userId, after);
          return Optional.of(new Debit(inc, cred, rest, after));
        });
      }

      @Override
      public boolean reserve(String userId, long amount, boolean od, long now) {
        return x.locked(() -> {
          PoolAccount a = x.data().accounts.get(userId);
          if (a == null || a.availableMicros(od) < amount) return false;
          x.data().accounts.put(userId, with(a, a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(),
              a.onDemandLimitMicros(), a.holdsMicros() + amount, a.includedGrantedMicros(), a.periodStart(), a.periodEnd(), now));
          return true;
        });
      }

      @Override
      public boolean release(String userId, long amount, long now) {
        return x.locked(() -> {
          PoolAccount a = x.data().accounts.get(userId);
          if (a == null || a.holdsMicros() < amount) return false;
          x.data().accounts.put(userId, with(a, a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(),
              a.onDemandLimitMicros(), a.holdsMicros() - amount, a.includedGrantedMicros(), a.periodStart(), a.periodEnd(), now));
          return true;
        });
      }

      @Override
      public boolean rollPeriod(String userId, long expected, long start, long end, long included, long now) {
        return x.locked(() -> {
          PoolAccount a = x.data().accounts.get(userId);
          if (a == null || a.periodStart() != expected) return false;
          x.data().accounts.put(userId, with(a, included, a.creditsMicros(), 0, a.onDemandLimitMicros(), a.holdsMicros(),
              included, start, end, now));
          return true;
        });
      }

      @Override
      public void credit(String userId, Bucket bucket, long amount, boolean grantIncluded, long now) {
        x.locked(() -> {
          PoolAccount a = Objects.requireNonNull(x.data().accounts.get(userId), "no pool account");
          long inc = a.includedMicros() + (bucket == Bucket.INCLUDED ? amount : 0);
          long granted = a.includedGrantedMicros() + (bucket == Bucket.INCLUDED && grantIncluded ? amount : 0);
          long cred = a.creditsMicros() + (bucket == Bucket.CREDITS ? amount : 0);
          long spent = a.onDemandSpentMicros() - (bucket == Bucket.ON_DEMAND ? amount : 0);
          x.data().accounts.put(userId, with(a, inc, cred, spent, a.onDemandLimitMicros(), a.holdsMicros(), granted,
              a.periodStart(), a.periodEnd(), now));
          return null;
        });
      }

      @Override
      public boolean setOnDemandLimit(String userId, long limit, long now) {
        return x.locked(() -> {
          PoolAccount a = x.data().accounts.get(userId);
          if (a == null) return false;
          x.data().accounts.put(userId, with(a, a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(), limit,
              a.holdsMicros(), a.includedGrantedMicros(), a.periodStart(), a.periodEnd(), now));
          return true;
        });
      }

      @Override
      public int capOnDemandLimits(String tenantId, long cap, long now) {
        return x.locked(() -> {
          int n = 0;
          for (PoolAccount a : List.copyOf(x.data().accounts.values())) {
            if (!a.tenantId().equals(tenantId) || a.onDemandLimitMicros() <= cap) continue;
            x.data().accounts.put(a.userId(), with(a, a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(), cap,
                a.holdsMicros(), a.includedGrantedMicros(), a.periodStart(), a.periodEnd(), now));
            n++;
          }
          return n;
        });
      }

      @Override
      public boolean lock(String userId) {
        return x.locked(() -> x.data().accounts.containsKey(userId));
      }
    };
  }

  private static Predicate<LedgerEntry> matches(LedgerQuery q) {
    return e -> e.userId().equals(q.userId())
        && (q.from() == null || e.timestamp() >= q.from())
        && (q.to() == null || e.timestamp() < q.to())
        && (q.kind() == null || e.kind() == q.kind())
        && (q.jobId() == null || q.jobId().equals(e.attribution().jobId()))
        && (q.workspaceId() == null || q.workspaceId().equals(e.attribution().workspaceId()));
  }

  private static long[] totals(LedgerEntry e) {
    TokenUsage t = e.tokens();
    return new long[] {1, e.usdMicros(), t == null ? 0 : t.inputTokens(), t == null ? 0 : t.outputTokens(),
        t == null ? 0 : t.cachedInputTokens(), t == null ? 0 : t.cacheWriteTokens()};
  }

  private static void add(TreeMap<RKey, long[]> m, RKey k, long[] d) {
    m.merge(k, d, (a, b) -> {
      long[] c = a.clone();
      for (int i = 0; i < c.length; i++) c[i] += b[i];
      return c;
    });
  }

  /** The rollup keys one ledger row adds to: day, job, workspace (if any), period. */
  private static void rollUp(Data d, LedgerEntry e) {
    long[] t = totals(e);
    String u = e.userId();
    long day = UsageRollups.day(e.timestamp());
    String kind = e.kind().wire();
    String model = UsageRollups.key(e.tokens() == null ? null : e.tokens().model());
    String b = e.bucket().wire();
    String job = UsageRollups.key(e.attribution().jobId());
    String ws = UsageRollups.key(e.attribution().workspaceId());
    add(d.rollupDay, new RKey(u, "", "", day, kind, model, b), t);
    add(d.rollupJob, new RKey(u, job, ws, day, kind, model, b), t);
    if (!ws.isEmpty()) add(d.rollupWorkspace, new RKey(u, "", ws, day, kind, model, b), t);
    add(d.rollupPeriod, new RKey(u, "", "", e.periodStart(), "", "", b), t);
  }

  private static TreeMap<RKey, long[]> table(Data d, UsageRollups.Table t) {
    return switch (t) {
      case DAY -> d.rollupDay;
      case JOB -> d.rollupJob;
      case WORKSPACE -> d.rollupWorkspace;
      case PERIOD -> d.rollupPeriod;
    };
  }

  /** The user's rows of a rollup table (a contiguous range of the sorted map). */
  private static java.util.NavigableMap<RKey, long[]> userRows(TreeMap<RKey, long[]> m, String user) {
    return m.subMap(new RKey(user, "", "", Long.MIN_VALUE, "", "", ""), true,
        new RKey(user + "\0", "", "", Long.MIN_VALUE, "", "", ""), false);
  }

  private static boolean keep(RKey k, LedgerQuery q, Long d0, Long d1) {
    return (d0 == null || k.day() >= d0) && (d1 == null || k.day() < d1)
        && (q.kind() == null || q.kind().wire().equals(k.kind()))
        && (q.jobId() == null || q.jobId().equals(k.job()))
        && (q.workspaceId() == null || q.workspaceId().equals(k.ws()));
  }

  private static String groupOf(RKey k, GroupBy g) {
    if (g == null) return null;
    return switch (g) {
      case DAY -> Long.toString(k.day());
      case MODEL -> UsageRollups.group(k.model());
      case KIND -> k.kind();
      case JOB -> UsageRollups.group(k.job());
    };
  }

  private static List<UsageTotal> totalsOf(Iterable<Map.Entry<RKey, long[]>> rows, GroupBy g) {
    List<UsageTotal> parts = new ArrayList<>();
    for (Map.Entry<RKey, long[]> e : rows) {
      long[] a = e.getValue();
      parts.add(new UsageTotal(groupOf(e.getKey(), g), Bucket.fromWire(e.getKey().bucket()), a[0], a[1], a[2], a[3], a[4], a[5]));
    }
    return UsageRollups.merge(parts, g);
  }

  private List<UsageTotal> scanTotals(LedgerQuery q, GroupBy g) {
    Map<List<Object>, long[]> acc = new LinkedHashMap<>();
    x.data().ledger.values().stream().filter(matches(q)).forEach(e -> {
      String group = g == null ? null : switch (g) {
        case DAY -> Long.toString(UsageRollups.day(e.timestamp()));
        case MODEL -> e.tokens() == null ? null : e.tokens().model();
        case KIND -> e.kind().wire();
        case JOB -> e.attribution().jobId();
      };
      List<Object> key = new ArrayList<>();
      key.add(group);
      key.add(e.bucket());
      long[] t = acc.computeIfAbsent(key, k -> new long[6]);
      long[] d = totals(e);
      for (int i = 0; i < 6; i++) t[i] += d[i];
    });
    List<UsageTotal> out = new ArrayList<>();
    acc.forEach((k, t) -> out.add(new UsageTotal((String) k.get(0), (Bucket) k.get(1), t[0], t[1], t[2], t[3], t[4], t[5])));
    return UsageRollups.merge(out, g);
  }

  private final UsageRollups.Source source = new UsageRollups.Source() {
    @Override
    public List<UsageTotal> rollup(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g) {
      return totalsOf(userRows(table(x.data(), t), q.userId()).entrySet().stream()
          .filter(e -> keep(e.getKey(), q, d0, d1)).toList(), g);
    }

    @Override
    public List<String> rollupKeys(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g, String after,
        int limit) {
      java.util.TreeSet<String> keys = new java.util.TreeSet<>(UsageRollups.order(g));
      Comparator<String> order = UsageRollups.order(g);
      for (Map.Entry<RKey, long[]> e : userRows(table(x.data(), t), q.userId()).entrySet()) {
        String k = groupOf(e.getKey(), g);
        if (k == null || !keep(e.getKey(), q, d0, d1) || (after != null && order.compare(k, after) <= 0)) continue;
        keys.add(k);
      }
      return keys.stream().limit(limit).toList();
    }

    @Override
    public List<UsageTotal> rollupRange(UsageRollups.Table t, LedgerQuery q, Long d0, Long d1, GroupBy g, String after,
        String last) {
      Comparator<String> order = UsageRollups.order(g);
      List<Map.Entry<RKey, long[]>> in = userRows(table(x.data(), t), q.userId()).entrySet().stream().filter(e -> {
        String k = groupOf(e.getKey(), g);
        boolean range = last == null ? k == null
            : k != null && (after == null || order.compare(k, after) > 0) && order.compare(k, last) <= 0;
        return range && keep(e.getKey(), q, d0, d1);
      }).toList();
      return totalsOf(in, g);
    }

    @Override
    public List<UsageTotal> scan(LedgerQuery q, GroupBy g) {
      return scanTotals(q, g);
    }

    @Override
    public Map<String, long[]> rollupRows(UsageRollups.Table t, String userId) {
      Map<String, long[]> m = new HashMap<>();
      userRows(table(x.data(), t), userId).forEach((k, v) -> m.put(rowKey(t, k), v.clone()));
      return m;
    }

    @Override
    public Map<String, long[]> scanRows(UsageRollups.Table t, String userId) {
      Data d = new Data();
      x.data().ledger.values().stream().filter(e -> e.userId().equals(userId)).forEach(e -> rollUp(d, e));
      return rollupRowsOf(table(d, t), t, userId);
    }

    private Map<String, long[]> rollupRowsOf(TreeMap<RKey, long[]> m, UsageRollups.Table t, String userId) {
      Map<String, long[]> out = new HashMap<>();
      userRows(m, userId).forEach((k, v) -> out.put(rowKey(t, k), v.clone()));
      return out;
    }
  };

  private static String rowKey(UsageRollups.Table t, RKey k) {
    return switch (t) {
      case DAY -> UsageRollups.rowKey(k.day(), k.kind(), k.model(), k.bucket());
      case JOB -> UsageRollups.rowKey(k.job(), k.ws(), k.day(), k.kind(), k.model(), k.bucket());
      case WORKSPACE -> UsageRollups.rowKey(k.ws(), k.day(), k.kind(), k.model(), k.bucket());
      case PERIOD -> UsageRollups.rowKey(k.day(), k.bucket());
    };
  }

  /** Testing only: adds {@code usdMicros} to one of the user's day-rollup rows, so a check can see the difference. */
  boolean corruptDayRollup(String userId, long usdMicros) {
    return x.locked(() -> {
      var rows = userRows(x.data().rollupDay, userId);
      if (rows.isEmpty()) return false;
      RKey k = rows.firstKey();
      long[] v = rows.get(k).clone();
      v[1] += usdMicros;
      x.data().rollupDay.put(k, v);
      return true;
    });
  }

  LedgerStore ledger() {
    return new LedgerStore() {
      @Override
      public void insert(LedgerEntry e) {
        x.locked(() -> {
          if (x.data().ledger.putIfAbsent(e.entryId(), e) != null) throw new IllegalStateException("duplicate ledger id");
          rollUp(x.data(), e);
          return null;
        });
      }

      @Override
      public Optional<LedgerEntry> find(String entryId) {
        return x.locked(() -> Optional.ofNullable(x.data().ledger.get(entryId)));
      }

      @Override
      public List<LedgerEntry> findByCall(String userId, String callId) {
        return x.locked(() -> x.data().ledger.values().stream()
            .filter(e -> e.userId().equals(userId) && e.callId().equals(callId)).toList());
      }

      @Override
      public Page<LedgerEntry> list(LedgerQuery q, PageRequest page) {
        return x.locked(() -> {
          var head = page.after() == null ? x.data().ledger.descendingMap() : x.data().ledger.headMap(page.after(), false).descendingMap();
          List<LedgerEntry> rows = head.values().stream().filter(matches(q)).limit(page.limit() + 1L).toList();
          return Page.fromOverfetch(rows, page, LedgerEntry::entryId);
        });
      }

      @Override
      public void forEach(LedgerQuery q, Consumer<LedgerEntry> consumer) {
        List<LedgerEntry> rows = x.locked(() -> x.data().ledger.descendingMap().values().stream().filter(matches(q)).toList());
        rows.forEach(consumer);
      }

      @Override
      public List<UsageTotal> summarize(LedgerQuery q, GroupBy g) {
        return x.locked(() -> UsageRollups.all(source, q, g));
      }

      @Override
      public Page<UsageTotal> summarize(LedgerQuery q, GroupBy g, PageRequest page) {
        return x.locked(() -> UsageRollups.summarize(source, q, g, page));
      }

      @Override
      public List<UsageTotal> total(LedgerQuery q) {
        return x.locked(() -> UsageRollups.total(source, q));
      }

      @Override
      public List<UsageTotal> summarizeByScan(LedgerQuery q, GroupBy g) {
        return x.locked(() -> scanTotals(q, g));
      }

      @Override
      public Map<Bucket, Long> sumByBucket(String userId, Long periodStart) {
        return x.locked(() -> {
          Map<Bucket, Long> m = new EnumMap<>(Bucket.class);
          userRows(x.data().rollupPeriod, userId).forEach((k, v) -> {
            if (periodStart == null || k.day() == periodStart) m.merge(Bucket.fromWire(k.bucket()), v[1], Long::sum);
          });
          return m;
        });
      }

      @Override
      public Map<Bucket, Long> sumByBucketByScan(String userId, Long periodStart) {
        return x.locked(() -> {
          Map<Bucket, Long> m = new EnumMap<>(Bucket.class);
          x.data().ledger.values().stream()
              .filter(e -> e.userId().equals(userId) && (periodStart == null || e.periodStart() == periodStart))
              .forEach(e -> m.merge(e.bucket(), e.usdMicros(), Long::sum));
          return m;
        });
      }

      @Override
      public List<String> checkRollups(String userId) {
        return x.locked(() -> UsageRollups.check(source, userId));
      }

      @Override
      public long refundedAgainst(String entryId) {
        return x.locked(() -> -x.data().ledger.values().stream()
            .filter(e -> entryId.equals(e.refundOf())).mapToLong(LedgerEntry::usdMicros).sum());
      }
    };
  }

  GrantStore grants() {
    return new GrantStore() {
      @Override
      public boolean insert(Grant g) {
        return x.locked(() -> x.data().grants.putIfAbsent(g.userId() + "\0" + g.sourceKey(), g) == null);
      }

      @Override
      public long sum(String userId, Bucket bucket, Long periodStart) {
        return x.locked(() -> x.data().grants.values().stream()
            .filter(g -> g.userId().equals(userId) && g.bucket() == bucket && (periodStart == null || g.periodStart() == periodStart))
            .mapToLong(Grant::amountMicros).sum());
      }

      @Override
      public List<Grant> listForUser(String userId) {
        return x.locked(() -> x.data().grants.values().stream().filter(g -> g.userId().equals(userId)).toList());
      }
    };
  }

  HoldStore holds() {
    return new HoldStore() {
      @Override
      public void insert(Hold h) {
        x.locked(() -> x.data().holds.putIfAbsent(h.holdId(), h));
      }

      @Override
      public Optional<Hold> find(String holdId) {
        return x.locked(() -> Optional.ofNullable(x.data().holds.get(holdId)));
      }

      @Override
      public boolean transition(String holdId, HoldStatus from, HoldStatus to, long at, String callId) {
        return x.locked(() -> {
          Hold h = x.data().holds.get(holdId);
          if (h == null || h.status() != from) return false;
          x.data().holds.put(holdId, new Hold(h.holdId(), h.userId(), h.amountMicros(), to, h.createdAt(), h.expiresAt(),
              h.idempotencyKey(), h.attribution(), callId != null ? callId : h.callId(), at));
          return true;
        });
      }

      @Override
      public List<Hold> expiredActive(long now, int limit) {
        return x.locked(() -> x.data().holds.values().stream()
            .filter(h -> h.status() == HoldStatus.ACTIVE && h.expiresAt() <= now)
            .sorted(Comparator.comparingLong(Hold::expiresAt)).limit(limit).toList());
      }

      @Override
      public long activeSum(String userId) {
        return x.locked(() -> x.data().holds.values().stream()
            .filter(h -> h.userId().equals(userId) && h.status() == HoldStatus.ACTIVE).mapToLong(Hold::amountMicros).sum());
      }
    };
  }

  IdempotencyStore idempotency() {
    return new IdempotencyStore() {
      private String k(String u, String op, String key) {
        return u + "\0" + op + "\0" + key;
      }

      @Override
      public boolean claim(String userId, String op, String key, String fp, long at) {
        return x.locked(() -> x.data().idempotency.putIfAbsent(k(userId, op, key),
            new IdempotencyRecord(userId, op, key, fp, null, null, at)) == null);
      }

      @Override
      public Optional<IdempotencyRecord> find(String userId, String op, String key) {
        return x.locked(() -> Optional.ofNullable(x.data().idempotency.get(k(userId, op, key))));
      }

      @Override
      public boolean insertCompleted(String userId, String op, String key, String fp, String ref, String data, long at) {
        return x.locked(() -> x.data().idempotency.putIfAbsent(k(userId, op, key),
            new IdempotencyRecord(userId, op, key, fp, ref, data, at)) == null);
      }

      @Override
      public void complete(String userId, String op, String key, String ref, String data) {
        x.locked(() -> x.data().idempotency.computeIfPresent(k(userId, op, key),
            (kk, r) -> new IdempotencyRecord(r.userId(), r.operation(), r.key(), r.fingerprint(), ref, data, r.createdAt())));
      }
    };
  }

  AlertStore alerts() {
    return new AlertStore() {
      @Override
      public boolean insert(SpendAlert a) {
        return x.locked(() -> {
          if (x.data().alertKeys.putIfAbsent(a.userId() + "\0" + a.alertKey(), a.alertId()) != null) return false;
          x.data().alerts.put(a.alertId(), a);
          return true;
        });
      }

      @Override
      public Page<SpendAlert> list(String userId, PageRequest page) {
        return x.locked(() -> {
          var head = page.after() == null ? x.data().alerts.descendingMap() : x.data().alerts.headMap(page.after(), false).descendingMap();
          List<SpendAlert> rows = head.values().stream().filter(a -> a.userId().equals(userId)).limit(page.limit() + 1L).toList();
          return Page.fromOverfetch(rows, page, SpendAlert::alertId);
        });
      }
    };
  }

  AlertDeliveryStore alertDeliveries() {
    return new AlertDeliveryStore() {
      @Override
      public boolean enqueue(String alertId, long now) {
        return x.locked(() -> {
          SpendAlert a = x.data().alerts.get(alertId);
          if (a == null) throw new IllegalArgumentException("no alert " + alertId); // the SQL stores: foreign key
          if (x.data().deliveries.containsKey(alertId)) return false;
          x.data().deliveries.put(alertId, new AlertDelivery(a, AlertDelivery.Status.PENDING, 0, now, null, null, null, null, now));
          return true;
        });
      }

      @Override
      public Optional<AlertDelivery> find(String alertId) {
        return x.locked(() -> Optional.ofNullable(x.data().deliveries.get(alertId)));
      }

      @Override
      public List<AlertDelivery> claimDue(String owner, long now, long leaseUntil, int limit) {
        return x.locked(() -> {
          List<AlertDelivery> due = x.data().deliveries.values().stream()
              .filter(d -> d.status() == AlertDelivery.Status.PENDING && d.nextAttemptAt() <= now)
              .sorted(Comparator.comparingLong(AlertDelivery::nextAttemptAt).thenComparing(AlertDelivery::alertId))
              .limit(limit).toList();
          List<AlertDelivery> out = new ArrayList<>();
          for (AlertDelivery d : due) {
            AlertDelivery c = new AlertDelivery(d.alert(), d.status(), d.attempts() + 1, leaseUntil, owner, leaseUntil,
                d.lastError(), null, d.createdAt());
            x.data().deliveries.put(d.alertId(), c);
            out.add(c);
          }
          return out;
        });
      }

      private boolean held(String alertId, String owner, java.util.function.UnaryOperator<AlertDelivery> change) {
        return x.locked(() -> {
          AlertDelivery d = x.data().deliveries.get(alertId);
          if (d == null || d.status() != AlertDelivery.Status.PENDING || !owner.equals(d.leaseOwner())) return false;
          x.data().deliveries.put(alertId, change.apply(d));
          return true;
        });
      }

      @Override
      public boolean markDelivered(String alertId, String owner, long at) {
        return held(alertId, owner, d -> new AlertDelivery(d.alert(), AlertDelivery.Status.DELIVERED, d.attempts(),
            d.nextAttemptAt(), null, null, d.lastError(), at, d.createdAt()));
      }

      @Override
      public boolean retryAt(String alertId, String owner, long at, String error) {
        return held(alertId, owner, d -> new AlertDelivery(d.alert(), AlertDelivery.Status.PENDING, d.attempts(), at,
            null, null, error, null, d.createdAt()));
      }

      @Override
      public boolean markFailed(String alertId, String owner, long at, String error) {
        return held(alertId, owner, d -> new AlertDelivery(d.alert(), AlertDelivery.Status.FAILED, d.attempts(),
            d.nextAttemptAt(), null, null, error, at, d.createdAt()));
      }

      @Override
      public java.util.OptionalLong nextDue() {
        return x.locked(() -> x.data().deliveries.values().stream().filter(d -> d.status() == AlertDelivery.Status.PENDING)
            .mapToLong(AlertDelivery::nextAttemptAt).min());
      }

      @Override
      public Map<AlertDelivery.Status, Long> counts() {
        return x.locked(() -> {
          Map<AlertDelivery.Status, Long> m = new EnumMap<>(AlertDelivery.Status.class);
          for (AlertDelivery d : x.data().deliveries.values()) m.merge(d.status(), 1L, Long::sum);
          return m;
        });
      }
    };
  }
}
