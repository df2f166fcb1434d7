package io.genrtl.store.jdbc.internal;

import io.genrtl.core.audit.AuditEntry;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.audit.AuditStore;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** The audit log in SQL shared by both dialects (append-only: the schema's triggers refuse UPDATE and DELETE). Not API. */
public final class AuditJdbc {
  private final Db db;

  public AuditJdbc(Db db) {
    this.db = db;
  }

  private static final RowMapper<AuditEntry> ENTRY = (rs, ctx) -> new AuditEntry(rs.getString("entry_id"),
      rs.getLong("at"), rs.getString("actor_user_id"), rs.getString("actor_role"), rs.getString("actor_key_id"),
      rs.getString("tenant_id"), rs.getString("action"), rs.getString("target_type"), rs.getString("target_id"),
      rs.getString("details"), rs.getString("ip"), rs.getString("user_agent"), rs.getString("request_id"));

  public AuditStore audit() {
    return new AuditStore() {
      @Override
      public void append(AuditEntry e) {
        db.insert("audit entry", h -> h.createUpdate("INSERT INTO audit_log (entry_id, at, actor_user_id, actor_role, "
                + "actor_key_id, tenant_id, action, target_type, target_id, details, ip, user_agent, request_id) VALUES "
                + "(:id, :at, :actor, :role, :key, :tenant, :action, :ttype, :tid, :details, :ip, :ua, :rid)")
            .bind("id", e.entryId()).bind("at", e.at()).bind("actor", e.actorUserId()).bind("role", e.actorRole())
            .bind("key", e.actorKeyId()).bind("tenant", e.tenantId()).bind("action", e.action())
            .bind("ttype", e.targetType()).bind("tid", e.targetId()).bind("details", e.detailsJson())
            .bind("ip", e.ip()).bind("ua", e.userAgent()).bind("rid", e.requestId()).execute());
      }

      @Override
      public Optional<AuditEntry> find(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM audit_log WHERE entry_id = :id")
            .bind("id", id).map(ENTRY).findOne());
      }

      @Override
      public Page<AuditEntry> list(AuditQuery q, PageRequest page) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (q.actorUserId() != null) {
          where.add("actor_user_id = :actor");
          binds.put("actor", q.actorUserId());
        }
        if (q.action() != null) {
          if (q.action().endsWith(".")) {
            // prefix match without LIKE wildcards: [prefix, prefix + U+FFFF)
            where.add("action >= :action AND action < :actionEnd");
            binds.put("action", q.action());
            binds.put("actionEnd", q.action() + "\uffff");
          } else {
            where.add("action = :action");
            binds.put("action", q.action());
          }
        }
        if (q.targetType() != null) {
          where.add("target_type = :ttype");
          binds.put("ttype", q.targetType());
        }
        if (q.targetId() != null) {
          where.add("target_id = :tid");
          binds.put("tid", q.targetId());
        }
        if (q.tenantId() != null) {
          where.add("tenant_id = :tenant");
          binds.put("tenant", q.tenantId());
        }
        if (q.from() != null) {
          where.add("at >= :from");
          binds.put("from", q.from());
        }
        if (q.to() != null) {
          where.add("at < :to");
          binds.put("to", q.to());
        }
        if (page.after() != null) {
          where.add("entry_id < :after");
          binds.put("after", page.after());
        }
        String sql = "SELECT * FROM audit_log" + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
            + " ORDER BY entry_id DESC LIMIT :limit";
        List<AuditEntry> rows = db.withHandle(h -> h.createQuery(sql).bindMap(binds).bind("limit", page.limit() + 1)
            .map(ENTRY).list());
        return Page.fromOverfetch(rows, page, AuditEntry::entryId);
      }
    };
  }
}
