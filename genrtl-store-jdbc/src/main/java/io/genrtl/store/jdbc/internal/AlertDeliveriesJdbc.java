package io.genrtl.store.jdbc.internal;

import io.genrtl.core.pool.AlertDelivery;
import io.genrtl.core.pool.AlertDeliveryStore;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jdbi.v3.core.mapper.RowMapper;

/** The alert webhook's outbox ({@code alert_deliveries}, V9), in SQL shared by both dialects. Not API. */
public final class AlertDeliveriesJdbc {
  private final Db db;

  public AlertDeliveriesJdbc(Db db) {
    this.db = db;
  }

  /** The delivery columns (the alert's own {@code created_at} keeps its name) joined to the alert. */
  private static final String SELECT = "SELECT a.*, d.status, d.attempts, d.next_attempt_at, d.lease_owner, d.lease_until, "
      + "d.last_error, d.finished_at, d.created_at AS delivery_created_at FROM alert_deliveries d "
      + "JOIN spend_alerts a ON a.alert_id = d.alert_id";

  static final RowMapper<AlertDelivery> DELIVERY = (rs, ctx) -> new AlertDelivery(PoolJdbc.ALERT.map(rs, ctx),
      AlertDelivery.Status.fromWire(rs.getString("status")), rs.getInt("attempts"), rs.getLong("next_attempt_at"),
      rs.getString("lease_owner"), AccountsJdbc.nullableLong(rs, "lease_until"), rs.getString("last_error"),
      AccountsJdbc.nullableLong(rs, "finished_at"), rs.getLong("delivery_created_at"));

  public AlertDeliveryStore store() {
    return new AlertDeliveryStore() {
      @Override
      public boolean enqueue(String alertId, long now) {
        return db.withHandle(h -> h.createUpdate("INSERT INTO alert_deliveries (alert_id, status, attempts, next_attempt_at, "
                + "created_at) VALUES (:id, 'pending', 0, :now, :now) ON CONFLICT (alert_id) DO NOTHING")
            .bind("id", alertId).bind("now", now).execute()) == 1;
      }

      @Override
      public Optional<AlertDelivery> find(String alertId) {
        return db.withHandle(h -> h.createQuery(SELECT + " WHERE d.alert_id = :id").bind("id", alertId).map(DELIVERY).findOne());
      }

      @Override
      public List<AlertDelivery> claimDue(String owner, long now, long leaseUntil, int limit) {
        // one transaction (SQLite: BEGIN IMMEDIATE, the only writer). On PostgreSQL the CTE locks the rows it picks and
        // skips rows another claim holds; it is materialized once, because an IN (subquery ... LIMIT ... SKIP LOCKED)
        // may be rescanned by the plan and then picks further rows past the limit. The outer conditions are checked
        // again on the locked row.
        return db.inTransaction(() -> db.withHandle(h -> {
          List<String> ids = h.createQuery("WITH picked AS MATERIALIZED (SELECT alert_id FROM alert_deliveries "
                  + "WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, alert_id LIMIT :n"
                  + db.dialect().skipLocked() + ") UPDATE alert_deliveries SET attempts = attempts + 1, lease_owner = :o, "
                  + "lease_until = :lease, next_attempt_at = :lease WHERE alert_id IN (SELECT alert_id FROM picked) "
                  + "AND status = 'pending' AND next_attempt_at <= :now RETURNING alert_id")
              .bind("o", owner).bind("lease", leaseUntil).bind("now", now).bind("n", limit).mapTo(String.class).list();
          if (ids.isEmpty()) return List.of();
          return h.createQuery(SELECT + " WHERE d.alert_id IN (<ids>) AND d.lease_owner = :o "
                  + "ORDER BY d.next_attempt_at, d.alert_id")
              .bindList("ids", ids).bind("o", owner).map(DELIVERY).list();
        }));
      }

      private boolean held(String sql, String alertId, String owner, long at, String error) {
        return db.withHandle(h -> {
          var u = h.createUpdate(sql + " WHERE alert_id = :id AND status = 'pending' AND lease_owner = :o")
              .bind("at", at).bind("id", alertId).bind("o", owner);
          if (sql.contains(":e")) u.bind("e", error);
          return u.execute();
        }) == 1;
      }

      @Override
      public boolean markDelivered(String alertId, String owner, long at) {
        return held("UPDATE alert_deliveries SET status = 'delivered', finished_at = :at, lease_owner = NULL, "
            + "lease_until = NULL", alertId, owner, at, null);
      }

      @Override
      public boolean retryAt(String alertId, String owner, long at, String error) {
        return held("UPDATE alert_deliveries SET next_attempt_at = :at, lease_owner = NULL, lease_until = NULL, "
            + "last_error = :e", alertId, owner, at, error);
      }

      @Override
      public boolean markFailed(String alertId, String owner, long at, String error) {
        return held("UPDATE alert_deliveries SET status = 'failed', finished_at = :at, lease_owner = NULL, "
            + "lease_until = NULL, last_error = :e", alertId, owner, at, error);
      }

      @Override
      public OptionalLong nextDue() {
        Optional<Long> v = db.withHandle(h -> h.createQuery("SELECT MIN(next_attempt_at) FROM alert_deliveries "
            + "WHERE status = 'pending'").mapTo(Long.class).findOne());
        return v.isPresent() && v.get() != null ? OptionalLong.of(v.get()) : OptionalLong.empty();
      }

      @Override
      public Map<AlertDelivery.Status, Long> counts() {
        Map<AlertDelivery.Status, Long> m = new EnumMap<>(AlertDelivery.Status.class);
        db.withHandle(h -> h.createQuery("SELECT status, COUNT(*) AS n FROM alert_deliveries GROUP BY status")
            .map((rs, ctx) -> Map.entry(AlertDelivery.Status.fromWire(rs.getString("status")), rs.getLong("n"))).list())
            .forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
      }
    };
  }
}
