package io.genrtl.store.jdbc.internal;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.cbb.CbbManifest;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.CbbStore;
import io.genrtl.core.cbb.CbbVersion;
import io.genrtl.core.cbb.Receipt;
import io.genrtl.core.cbb.ReceiptStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** CBB versions, receipts and ownership in SQL shared by both dialects. Not API. */
public final class CbbJdbc {
  private final Db db;

  public CbbJdbc(Db db) {
    this.db = db;
  }

  private static List<String> lines(String s) {
    return s == null || s.isEmpty() ? List.of() : Arrays.asList(s.split("\n"));
  }

  static final RowMapper<CbbVersion> VERSION = (rs, ctx) -> new CbbVersion(
      new CbbManifest(rs.getString("cbb_id"), rs.getString("version"), rs.getString("name"), rs.getString("description"),
          lines(rs.getString("tags")),
          new CbbManifest.Entrypoints(rs.getString("rtl_top"), rs.getString("tb_top"), rs.getString("filelist_rtl"),
              rs.getString("filelist_tb")),
          new CbbManifest.Compat(rs.getString("compat_sv"), lines(rs.getString("simulators"))),
          rs.getLong("price_micros"), rs.getString("license"), rs.getString("manifest_json")),
      rs.getString("sha256"), rs.getLong("size_bytes"), CbbPackage.Format.fromWire(rs.getString("format")),
      rs.getString("blob_key"), rs.getInt("yanked") != 0, rs.getLong("published_at"), rs.getString("published_by"));

  public CbbStore cbbs() {
    return new CbbStore() {
      @Override
      public void insert(CbbVersion v) {
        CbbManifest m = v.manifest();
        db.insert("CBB version", h -> h.createUpdate("INSERT INTO cbb_versions (cbb_id, version, name, description, tags, "
                + "rtl_top, tb_top, filelist_rtl, filelist_tb, compat_sv, simulators, price_micros, license, manifest_json, "
                + "sha256, size_bytes, format, blob_key, yanked, published_at, published_by) VALUES (:id, :v, :name, :desc, "
                + ":tags, :rtl, :tb, :flr, :flt, :sv, :sims, :price, :lic, :json, :sha, :size, :fmt, :key, :y, :at, :by)")
            .bind("id", m.id()).bind("v", m.version()).bind("name", m.name()).bind("desc", m.description())
            .bind("tags", String.join("\n", m.tags())).bind("rtl", m.entrypoints().rtlTop()).bind("tb", m.entrypoints().tbTop())
            .bind("flr", m.entrypoints().filelistRtl()).bind("flt", m.entrypoints().filelistTb()).bind("sv", m.compat().sv())
            .bind("sims", String.join("\n", m.compat().simulators())).bind("price", m.priceMicros()).bind("lic", m.license())
            .bind("json", m.json()).bind("sha", v.sha256()).bind("size", v.sizeBytes()).bind("fmt", v.format().wire())
            .bind("key", v.blobKey()).bind("y", v.yanked() ? 1 : 0).bind("at", v.publishedAt()).bind("by", v.publishedBy())
            .execute());
      }

      @Override
      public Optional<CbbVersion> find(String id, String version) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM cbb_versions WHERE cbb_id = :id AND version = :v")
            .bind("id", id).bind("v", version).map(VERSION).findOne());
      }

      @Override
      public List<CbbVersion> versions(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM cbb_versions WHERE cbb_id = :id").bind("id", id).map(VERSION).list());
      }

      @Override
      public List<CbbVersion> all() {
        return db.withHandle(h -> h.createQuery("SELECT * FROM cbb_versions ORDER BY cbb_id, version").map(VERSION).list());
      }

      @Override
      public boolean yank(String id, String version) {
        return db.withHandle(h -> h.createUpdate("UPDATE cbb_versions SET yanked = 1 WHERE cbb_id = :id AND version = :v AND yanked = 0")
            .bind("id", id).bind("v", version).execute()) == 1;
      }
    };
  }

  private static List<Receipt.Item> items(Handle h, String receiptId) {
    return h.createQuery("SELECT * FROM receipt_items WHERE receipt_id = :r ORDER BY item_index").bind("r", receiptId)
        .map((rs, ctx) -> new Receipt.Item(rs.getInt("item_index"), rs.getString("cbb_id"), rs.getString("version"),
            rs.getLong("price_micros"), rs.getInt("already_owned") != 0, rs.getString("owned_via")))
        .list();
  }

  private static Receipt receipt(Handle h, java.sql.ResultSet rs) throws java.sql.SQLException {
    String id = rs.getString("receipt_id");
    return new Receipt(id, rs.getString("user_id"), rs.getString("tenant_id"), rs.getString("workspace_id"),
        rs.getString("job_id"), rs.getString("idempotency_key"), rs.getLong("created_at"), List.of());
  }

  public ReceiptStore receipts() {
    return new ReceiptStore() {
      @Override
      public void insert(Receipt r) {
        db.withHandle(h -> {
          h.createUpdate("INSERT INTO receipts (receipt_id, user_id, tenant_id, workspace_id, job_id, idempotency_key, "
                  + "created_at) VALUES (:id, :u, :t, :w, :j, :k, :at)")
              .bind("id", r.receiptId()).bind("u", r.userId()).bind("t", r.tenantId()).bind("w", r.workspaceId())
              .bind("j", r.jobId()).bind("k", r.idempotencyKey()).bind("at", r.createdAt()).execute();
          for (Receipt.Item it : r.items()) {
            h.createUpdate("INSERT INTO receipt_items (receipt_id, item_index, cbb_id, version, price_micros, already_owned, "
                    + "owned_via) VALUES (:r, :i, :c, :v, :p, :o, :via)")
                .bind("r", r.receiptId()).bind("i", it.index()).bind("c", it.cbbId()).bind("v", it.version())
                .bind("p", it.priceMicros()).bind("o", it.alreadyOwned() ? 1 : 0).bind("via", it.ownedVia()).execute();
            if (!it.alreadyOwned()) {
              h.createUpdate("INSERT INTO cbb_ownership (user_id, cbb_id, version, receipt_id) VALUES (:u, :c, :v, :r)")
                  .bind("u", r.userId()).bind("c", it.cbbId()).bind("v", it.version()).bind("r", r.receiptId()).execute();
            }
          }
          return null;
        });
      }

      @Override
      public Optional<Receipt> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM receipts WHERE receipt_id = :id").bind("id", id)
            .map((rs, ctx) -> receipt(h, rs)).findOne()
            .map(r -> new Receipt(r.receiptId(), r.userId(), r.tenantId(), r.workspaceId(), r.jobId(), r.idempotencyKey(),
                r.createdAt(), items(h, r.receiptId()))));
      }

      @Override
      public Map<String, String> owned(String userId) {
        Map<String, String> m = new LinkedHashMap<>();
        db.withHandle(h -> {
          h.createQuery("SELECT cbb_id, version, receipt_id FROM cbb_ownership WHERE user_id = :u").bind("u", userId)
              .map((rs, ctx) -> Map.entry(rs.getString("cbb_id") + "@" + rs.getString("version"), rs.getString("receipt_id")))
              .forEach(e -> m.put(e.getKey(), e.getValue()));
          return null;
        });
        return m;
      }

      @Override
      public boolean revoke(String userId, String cbbId, String version, String receiptId) {
        return db.withHandle(h -> h.createUpdate("DELETE FROM cbb_ownership WHERE user_id = :u AND cbb_id = :c "
                + "AND version = :v AND receipt_id = :r")
            .bind("u", userId).bind("c", cbbId).bind("v", version).bind("r", receiptId).execute()) == 1;
      }

      @Override
      public Page<Receipt> list(String userId, PageRequest page) {
        String sql = "SELECT * FROM receipts WHERE user_id = :u" + (page.after() == null ? "" : " AND receipt_id < :after")
            + " ORDER BY receipt_id DESC LIMIT :limit";
        List<Receipt> rows = db.withHandle(h -> {
          Query q = h.createQuery(sql).bind("u", userId).bind("limit", page.limit() + 1);
          if (page.after() != null) q.bind("after", page.after());
          List<Receipt> heads = q.map((rs, ctx) -> receipt(h, rs)).list();
          List<Receipt> full = new ArrayList<>();
          for (Receipt r : heads) {
            full.add(new Receipt(r.receiptId(), r.userId(), r.tenantId(), r.workspaceId(), r.jobId(), r.idempotencyKey(),
                r.createdAt(), items(h, r.receiptId())));
          }
          return full;
        });
        return Page.fromOverfetch(rows, page, Receipt::receiptId);
      }
    };
  }
}
