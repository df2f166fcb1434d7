package io.genrtl.store.jdbc.internal;

import io.genrtl.core.billing.CustomerStore;
import io.genrtl.core.billing.MeterOutboxStore;
import io.genrtl.core.billing.MeterRecord;
import io.genrtl.core.billing.MeterTotal;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.mapper.RowMapper;

/** Customers at payment providers and the meter outbox, in SQL shared by both dialects. Not API. */
public final class BillingJdbc {
  private final Db db;

  public BillingJdbc(Db db) {
    this.db = db;
  }

  static final RowMapper<MeterRecord> METER = (rs, ctx) -> new MeterRecord(rs.getString("entry_id"),
      rs.getString("identifier"), rs.getString("user_id"), rs.getString("customer_id"), rs.getLong("usd_micros"),
      rs.getLong("ts"), MeterRecord.Status.fromWire(rs.getString("status")), rs.getInt("attempts"),
      rs.getLong("next_attempt_at"), AccountsJdbc.nullableLong(rs, "reported_at"), rs.getString("last_error"));

  public CustomerStore customers() {
    return new CustomerStore() {
      @Override
      public Optional<String> find(String userId, String provider) {
        return db.withHandle(h -> h.createQuery("SELECT customer_id FROM billing_customers WHERE user_id = :u "
                + "AND provider = :p AND customer_id IS NOT NULL").bind("u", userId).bind("p", provider)
            .mapTo(String.class).findOne());
      }

      @Override
      public Optional<String> findUser(String provider, String customerId) {
        return db.withHandle(h -> h.createQuery("SELECT user_id FROM billing_customers WHERE provider = :p "
                + "AND customer_id = :c").bind("p", provider).bind("c", customerId).mapTo(String.class).findOne());
      }

      @Override
      public boolean claim(String userId, String provider, String token, long now) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO billing_customers (user_id, provider, customer_id, claim_token, "
                + "claimed_at, created_at) VALUES (:u, :p, NULL, :t, :now, :now) ON CONFLICT (user_id, provider) DO NOTHING")
            .bind("u", userId).bind("p", provider).bind("t", token).bind("now", now).execute()) == 1;
      }

      @Override
      public boolean takeOver(String userId, String provider, String newToken, long staleBefore, long now) {
        return db.withHandle(h -> h.createUpdate("UPDATE billing_customers SET claim_token = :t, claimed_at = :now "
                + "WHERE user_id = :u AND provider = :p AND customer_id IS NULL AND claimed_at < :stale")
            .bind("t", newToken).bind("now", now).bind("u", userId).bind("p", provider).bind("stale", staleBefore)
            .execute()) == 1;
      }

      @Override
      public boolean complete(String userId, String provider, String token, String customerId) {
        return db.insert("customer " + provider, h -> h.createUpdate("UPDATE billing_customers SET customer_id = :c, "
                + "claim_token = NULL WHERE user_id = :u AND provider = :p AND customer_id IS NULL AND claim_token = :t")
            .bind("c", customerId).bind("u", userId).bind("p", provider).bind("t", token).execute()) == 1;
      }

      @Override
      public void release(String userId, String provider, String token) {
        db.withHandle(h -> h.createUpdate("DELETE FROM billing_customers WHERE user_id = :u AND provider = :p "
                + "AND customer_id IS NULL AND claim_token = :t")
            .bind("u", userId).bind("p", provider).bind("t", token).execute());
      }

      @Override
      public boolean link(String userId, String provider, String customerId, long now) {
        return db.withHandle(h -> {
          if (h.createQuery("SELECT COUNT(*) FROM users WHERE user_id = :u").bind("u", userId).mapTo(Integer.class).one() == 0) {
            return false;
          }
          int n = h.createUpdate("INSERT INTO billing_customers (user_id, provider, customer_id, claim_token, claimed_at, "
                  + "created_at) VALUES (:u, :p, :c, NULL, :now, :now) ON CONFLICT DO NOTHING")
              .bind("u", userId).bind("p", provider).bind("c", customerId).bind("now", now).execute();
          if (n == 1) return true;
          // a pending claim of this user's: fill it in, unless the customer id is already someone's
          return h.createUpdate("UPDATE billing_customers SET customer_id = :c, claim_token = NULL WHERE user_id = :u "
                  + "AND provider = :p AND customer_id IS NULL AND NOT EXISTS (SELECT 1 FROM billing_customers x "
                  + "WHERE x.provider = :p AND x.customer_id = :c)")
              .bind("c", customerId).bind("u", userId).bind("p", provider).execute() == 1;
        });
      }
    };
  }

  public MeterOutboxStore outbox() {
    return new MeterOutboxStore() {
      @Override
      public void insert(MeterRecord r) {
        db.insert("meter row", h -> h.createUpdate("INSERT INTO meter_outbox (entry_id, identifier, user_id, customer_id, "
                + "usd_micros, ts, status, attempts, next_attempt_at, reported_at, last_error) VALUES (:id, :ident, :u, :c, "
                + ":usd, :ts, :s, :n, :next, :rep, :err)")
            .bind("id", r.entryId()).bind("ident", r.identifier()).bind("u", r.userId()).bind("c", r.customerId())
            .bind("usd", r.usdMicros()).bind("ts", r.timestamp()).bind("s", r.status().wire()).bind("n", r.attempts())
            .bind("next", r.nextAttemptAt()).bind("rep", r.reportedAt()).bind("err", r.lastError()).execute());
      }

      @Override
      public Optional<MeterRecord> find(String entryId) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM meter_outbox WHERE entry_id = :id").bind("id", entryId)
            .map(METER).findOne());
      }

      @Override
      public List<MeterRecord> due(long now, int limit) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM meter_outbox WHERE status = 'pending' AND next_attempt_at <= :now "
            + "ORDER BY next_attempt_at, entry_id LIMIT :n").bind("now", now).bind("n", limit).map(METER).list());
      }

      @Override
      public OptionalLong nextDue() {
        Optional<Long> v = db.withHandle(h -> h.createQuery("SELECT MIN(next_attempt_at) FROM meter_outbox WHERE status = 'pending'")
            .mapTo(Long.class).findOne());
        return v.isPresent() && v.get() != null ? OptionalLong.of(v.get()) : OptionalLong.empty();
      }

      @Override
      public boolean claim(String entryId, long now, long leaseUntil) {
        return db.withHandle(h -> h.createUpdate("UPDATE meter_outbox SET attempts = attempts + 1, next_attempt_at = :lease "
                + "WHERE entry_id = :id AND status = 'pending' AND next_attempt_at <= :now")
            .bind("lease", leaseUntil).bind("id", entryId).bind("now", now).execute()) == 1;
      }

      @Override
      public boolean markReported(String entryId, String customerId, long at) {
        return db.withHandle(h -> h.createUpdate("UPDATE meter_outbox SET status = 'reported', reported_at = :at, "
                + "customer_id = COALESCE(:c, customer_id) WHERE entry_id = :id AND status = 'pending'")
            .bind("at", at).bind("c", customerId).bind("id", entryId).execute()) == 1;
      }

      @Override
      public boolean markSkipped(String entryId, String reason, long at) {
        return db.withHandle(h -> h.createUpdate("UPDATE meter_outbox SET status = 'skipped', reported_at = :at, "
                + "last_error = :r WHERE entry_id = :id AND status = 'pending'")
            .bind("at", at).bind("r", reason).bind("id", entryId).execute()) == 1;
      }

      @Override
      public boolean retryAt(String entryId, long at, String error) {
        return db.withHandle(h -> h.createUpdate("UPDATE meter_outbox SET next_attempt_at = :at, last_error = :e "
                + "WHERE entry_id = :id AND status = 'pending'")
            .bind("at", at).bind("e", error).bind("id", entryId).execute()) == 1;
      }

      @Override
      public List<MeterTotal> totals() {
        return db.withHandle(h -> h.createQuery("SELECT l.user_id, l.period_start, SUM(l.usd_micros) AS ledger, "
                + "SUM(CASE WHEN o.status = 'reported' THEN o.usd_micros ELSE 0 END) AS reported, "
                + "SUM(CASE WHEN o.status = 'skipped' THEN o.usd_micros ELSE 0 END) AS skipped, "
                + "SUM(CASE WHEN o.status = 'pending' THEN o.usd_micros ELSE 0 END) AS pending, "
                + "SUM(CASE WHEN o.entry_id IS NULL THEN l.usd_micros ELSE 0 END) AS missing "
                + "FROM usage_ledger l LEFT JOIN meter_outbox o ON o.entry_id = l.entry_id "
                + "WHERE l.bucket = 'on_demand' AND l.kind <> 'refund' AND l.usd_micros > 0 "
                + "GROUP BY l.user_id, l.period_start ORDER BY l.user_id, l.period_start")
            .map((rs, ctx) -> new MeterTotal(rs.getString("user_id"), rs.getLong("period_start"), rs.getLong("ledger"),
                rs.getLong("reported"), rs.getLong("skipped"), rs.getLong("pending"), rs.getLong("missing")))
            .list());
      }
    };
  }
}
