package io.genrtl.bench;

import io.genrtl.bench.Floor.Sql;
import io.genrtl.core.base.IdGenerator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The bare-JDBC floor of a one-item CBB checkout: one transaction on plain {@code java.sql} with the conditional
 * debit exactly as {@code PoolJdbc} generates it, the {@code usage_ledger} INSERT (kind {@code cbb}, one row per
 * bucket the price was taken from, as the service writes it), one {@code receipts} INSERT, one
 * {@code receipt_items} INSERT and one {@code cbb_ownership} INSERT (the texts of {@code CbbJdbc}), commit. No
 * idempotency record, no pool row lock, no reads of the user, workspace, ownership or catalog, no HTTP, no Jdbi.
 */
final class CheckoutFloor {
  static final String RECEIPT_INSERT = "INSERT INTO receipts (receipt_id, user_id, tenant_id, workspace_id, job_id, "
      + "idempotency_key, created_at) VALUES (:id, :u, :t, :w, :j, :k, :at)";
  static final String ITEM_INSERT = "INSERT INTO receipt_items (receipt_id, item_index, cbb_id, version, price_micros, "
      + "already_owned, owned_via) VALUES (:r, :i, :c, :v, :p, :o, :via)";
  static final String OWNERSHIP_INSERT = "INSERT INTO cbb_ownership (user_id, cbb_id, version, receipt_id) "
      + "VALUES (:u, :c, :v, :r)";
  private static final String[] BUCKETS = {"included", "credits", "on_demand"};

  private final DataSource ds;
  private final Clock clock;
  private final IdGenerator ids;
  private final Sql debit;
  private final Sql ledger = Sql.of(Floor.LEDGER_INSERT);
  private final Sql receipt = Sql.of(RECEIPT_INSERT);
  private final Sql item = Sql.of(ITEM_INSERT);
  private final Sql ownership = Sql.of(OWNERSHIP_INSERT);

  CheckoutFloor(DataSource ds, String least, Clock clock, IdGenerator ids) {
    this.ds = ds;
    this.clock = clock;
    this.ids = ids;
    this.debit = Sql.of(Floor.debitSql(least));
  }

  /** Buys {@code cbbId@version} at {@code price} micro-USD for the user in one transaction. */
  void checkout(String userId, String workspaceId, String cbbId, String version, long price, String key)
      throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try {
        long now = clock.millis();
        String receiptId = ids.newId();
        final String tenant;
        final long period;
        long[] split = new long[3];
        try (PreparedStatement ps = c.prepareStatement(debit.text())) {
          debit.bind(ps, n -> switch (n) {
            case "x" -> price;
            case "release" -> 0L;
            case "now" -> now;
            case "u" -> userId;
            case "enforce", "od" -> 1;
            default -> throw new IllegalArgumentException(n);
          });
          try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) throw new IllegalStateException("debit refused for " + userId);
            split[0] = rs.getLong("last_included_taken");
            split[1] = rs.getLong("last_credits_taken");
            split[2] = rs.getLong("last_on_demand_taken");
            tenant = rs.getString("tenant_id");
            period = rs.getLong("period_start");
          }
        }
        String callId = ids.newId();
        for (int b = 0; b < 3; b++) {
          if (split[b] == 0) continue; // one row in practice; a split price gets one row per bucket, as the service writes it
          final String entryId = ids.newId();
          final String bucket = BUCKETS[b];
          final long usd = split[b];
          update(c, ledger, n -> switch (n) {
            case "id" -> entryId;
            case "u" -> userId;
            case "t" -> tenant;
            case "ts" -> now;
            case "kind" -> "cbb";
            case "bucket" -> bucket;
            case "usd" -> usd;
            case "call" -> callId;
            case "period" -> period;
            case "ws" -> workspaceId;
            case "cbb" -> cbbId;
            case "ver" -> version;
            case "price" -> price;
            case "receipt" -> receiptId;
            case "note" -> "checkout " + key;
            case "in", "out", "cached", "cw" -> 0L;
            case "overrun" -> 0;
            case "job", "step", "provider", "model", "key", "refund" -> null;
            default -> throw new IllegalArgumentException(n);
          });
          Floor.rollUp(c, userId, now, "cbb", null, bucket, usd, 0L, 0L, period, null, workspaceId);
        }
        update(c, receipt, n -> switch (n) {
          case "id" -> receiptId;
          case "u" -> userId;
          case "t" -> tenant;
          case "w" -> workspaceId;
          case "j" -> null;
          case "k" -> key;
          case "at" -> now;
          default -> throw new IllegalArgumentException(n);
        });
        update(c, item, n -> switch (n) {
          case "r", "via" -> receiptId;
          case "i" -> 0;
          case "c" -> cbbId;
          case "v" -> version;
          case "p" -> price;
          case "o" -> 0;
          default -> throw new IllegalArgumentException(n);
        });
        update(c, ownership, n -> switch (n) {
          case "u" -> userId;
          case "c" -> cbbId;
          case "v" -> version;
          case "r" -> receiptId;
          default -> throw new IllegalArgumentException(n);
        });
        c.commit();
      } catch (Throwable t) {
        c.rollback();
        throw t;
      } finally {
        c.setAutoCommit(true);
      }
    }
  }

  private static void update(Connection c, Sql sql, Function<String, Object> values) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql.text())) {
      sql.bind(ps, values);
      if (ps.executeUpdate() != 1) throw new IllegalStateException("no row written: " + sql.text());
    }
  }
}
