package io.genrtl.core.memory;

import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.billing.CustomerStore;
import io.genrtl.core.billing.MeterOutboxStore;
import io.genrtl.core.billing.MeterRecord;
import io.genrtl.core.billing.MeterTotal;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.UsageKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Supplier;

/** In-memory customer mapping and meter outbox: the same semantics as the SQL stores. */
final class InMemoryBilling {
  /** One (user, provider) row: pending while {@code customerId} is null. */
  record Customer(String userId, String provider, String customerId, String claimToken, long claimedAt, long createdAt) {}

  static final class Data {
    Map<String, Customer> customers = new HashMap<>(); // userId + '\0' + provider
    TreeMap<String, MeterRecord> outbox = new TreeMap<>(); // by entry id

    Data copy() {
      Data d = new Data();
      d.customers = new HashMap<>(customers);
      d.outbox = new TreeMap<>(outbox);
      return d;
    }
  }

  interface Access {
    <T> T locked(Supplier<T> s);

    Data data();

    /** The ledger, for totals. */
    Map<String, LedgerEntry> ledger();

    boolean userExists(String userId);
  }

  private final Access x;

  InMemoryBilling(Access access) {
    this.x = access;
  }

  private static String key(String userId, String provider) {
    return userId + "\0" + provider;
  }

  CustomerStore customers() {
    return new CustomerStore() {
      @Override
      public Optional<String> find(String userId, String provider) {
        return x.locked(() -> Optional.ofNullable(x.data().customers.get(key(userId, provider))).map(Customer::customerId));
      }

      @Override
      public Optional<String> findUser(String provider, String customerId) {
        return x.locked(() -> x.data().customers.values().stream()
            .filter(c -> c.provider().equals(provider) && customerId.equals(c.customerId())).map(Customer::userId).findFirst());
      }

      @Override
      public boolean claim(String userId, String provider, String token, long now) {
        return x.locked(() -> {
          if (!x.userExists(userId)) throw new IllegalStateException("no such user: " + userId);
          return x.data().customers.putIfAbsent(key(userId, provider), new Customer(userId, provider, null, token, now, now)) == null;
        });
      }

      @Override
      public boolean takeOver(String userId, String provider, String newToken, long staleBefore, long now) {
        return x.locked(() -> {
          Customer c = x.data().customers.get(key(userId, provider));
          if (c == null || c.customerId() != null || c.claimedAt() >= staleBefore) return false;
          x.data().customers.put(key(userId, provider), new Customer(userId, provider, null, newToken, now, c.createdAt()));
          return true;
        });
      }

      @Override
      public boolean complete(String userId, String provider, String token, String customerId) {
        return x.locked(() -> {
          Customer c = x.data().customers.get(key(userId, provider));
          if (c == null || c.customerId() != null || !token.equals(c.claimToken())) return false;
          if (findUser(provider, customerId).isPresent()) throw new DuplicateKeyException("customer id taken", null);
          x.data().customers.put(key(userId, provider), new Customer(userId, provider, customerId, null, c.claimedAt(), c.createdAt()));
          return true;
        });
      }

      @Override
      public void release(String userId, String provider, String token) {
        x.locked(() -> {
          Customer c = x.data().customers.get(key(userId, provider));
          if (c != null && c.customerId() == null && token.equals(c.claimToken())) x.data().customers.remove(key(userId, provider));
          return null;
        });
      }

      @Override
      public boolean link(String userId, String provider, String customerId, long now) {
        return x.locked(() -> {
          if (!x.userExists(userId)) return false;
          if (findUser(provider, customerId).isPresent()) return false;
          Customer c = x.data().customers.get(key(userId, provider));
          if (c != null && c.customerId() != null) return false;
          x.data().customers.put(key(userId, provider), new Customer(userId, provider, customerId, null, now,
              c == null ? now : c.createdAt()));
          return true;
        });
      }
    };
  }

  private static MeterRecord with(MeterRecord m, MeterRecord.Status status, String customer, int attempts, long next,
      Long reportedAt, String error) {
    return new MeterRecord(m.entryId(), m.identifier(), m.userId(), customer, m.usdMicros(), m.timestamp(), status, attempts,
        next, reportedAt, error);
  }

  MeterOutboxStore outbox() {
    return new MeterOutboxStore() {
      @Override
      public void insert(MeterRecord r) {
        x.locked(() -> {
          if (!x.ledger().containsKey(r.entryId())) throw new IllegalStateException("no such ledger row: " + r.entryId());
          if (x.data().outbox.containsKey(r.entryId())
              || x.data().outbox.values().stream().anyMatch(m -> m.identifier().equals(r.identifier()))) {
            throw new DuplicateKeyException("meter row exists", null);
          }
          x.data().outbox.put(r.entryId(), r);
          return null;
        });
      }

      @Override
      public Optional<MeterRecord> find(String entryId) {
        return x.locked(() -> Optional.ofNullable(x.data().outbox.get(entryId)));
      }

      @Override
      public List<MeterRecord> due(long now, int limit) {
        return x.locked(() -> x.data().outbox.values().stream()
            .filter(m -> m.status() == MeterRecord.Status.PENDING && m.nextAttemptAt() <= now)
            .sorted(java.util.Comparator.comparingLong(MeterRecord::nextAttemptAt).thenComparing(MeterRecord::entryId))
            .limit(limit).toList());
      }

      @Override
      public OptionalLong nextDue() {
        return x.locked(() -> x.data().outbox.values().stream().filter(m -> m.status() == MeterRecord.Status.PENDING)
            .mapToLong(MeterRecord::nextAttemptAt).min());
      }

      @Override
      public boolean claim(String entryId, long now, long leaseUntil) {
        return x.locked(() -> {
          MeterRecord m = x.data().outbox.get(entryId);
          if (m == null || m.status() != MeterRecord.Status.PENDING || m.nextAttemptAt() > now) return false;
          x.data().outbox.put(entryId, with(m, m.status(), m.customerId(), m.attempts() + 1, leaseUntil, null, m.lastError()));
          return true;
        });
      }

      private boolean finish(String entryId, MeterRecord.Status to, String customer, long at, String error) {
        return x.locked(() -> {
          MeterRecord m = x.data().outbox.get(entryId);
          if (m == null || m.status() != MeterRecord.Status.PENDING) return false;
          x.data().outbox.put(entryId, with(m, to, customer == null ? m.customerId() : customer, m.attempts(), m.nextAttemptAt(),
              at, error == null ? m.lastError() : error));
          return true;
        });
      }

      @Override
      public boolean markReported(String entryId, String customerId, long at) {
        return finish(entryId, MeterRecord.Status.REPORTED, customerId, at, null);
      }

      @Override
      public boolean markSkipped(String entryId, String reason, long at) {
        return finish(entryId, MeterRecord.Status.SKIPPED, null, at, reason);
      }

      @Override
      public boolean retryAt(String entryId, long at, String error) {
        return x.locked(() -> {
          MeterRecord m = x.data().outbox.get(entryId);
          if (m == null || m.status() != MeterRecord.Status.PENDING) return false;
          x.data().outbox.put(entryId, with(m, m.status(), m.customerId(), m.attempts(), at, null, error));
          return true;
        });
      }

      @Override
      public List<MeterTotal> totals() {
        return x.locked(() -> {
          TreeMap<String, long[]> sums = new TreeMap<>();
          Map<String, long[]> keyed = new HashMap<>();
          for (LedgerEntry e : x.ledger().values()) {
            if (e.bucket() != Bucket.ON_DEMAND || e.kind() == UsageKind.REFUND || e.usdMicros() <= 0) continue;
            String k = e.userId() + "\0" + String.format("%020d", e.periodStart());
            long[] s = sums.computeIfAbsent(k, kk -> new long[5]);
            keyed.putIfAbsent(k, new long[] {e.periodStart()});
            s[0] += e.usdMicros();
            MeterRecord m = x.data().outbox.get(e.entryId());
            if (m == null) s[4] += e.usdMicros();
            else if (m.status() == MeterRecord.Status.REPORTED) s[1] += m.usdMicros();
            else if (m.status() == MeterRecord.Status.SKIPPED) s[2] += m.usdMicros();
            else s[3] += m.usdMicros();
          }
          List<MeterTotal> out = new ArrayList<>();
          sums.forEach((k, s) -> out.add(new MeterTotal(k.substring(0, k.indexOf('\0')), keyed.get(k)[0], s[0], s[1], s[2],
              s[3], s[4])));
          return out;
        });
      }
    };
  }

}
