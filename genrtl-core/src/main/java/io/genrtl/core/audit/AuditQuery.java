package io.genrtl.core.audit;

/**
 * Filters over the audit log; null fields do not filter. The time range is [{@code from}, {@code to}) in epoch
 * milliseconds. {@code action} matches exactly, or as a prefix when it ends in {@code .} (e.g. {@code admin.}).
 */
public record AuditQuery(String actorUserId, String action, String targetType, String targetId, String tenantId,
    Long from, Long to) {

  public static AuditQuery all() {
    return new AuditQuery(null, null, null, null, null, null, null);
  }

  public AuditQuery withTenant(String tenant) {
    return new AuditQuery(actorUserId, action, targetType, targetId, tenant, from, to);
  }

  /** Whether an entry passes the filters (used by the in-memory store; the SQL stores say the same in SQL). */
  public boolean matches(AuditEntry e) {
    if (actorUserId != null && !actorUserId.equals(e.actorUserId())) return false;
    if (action != null && !(action.endsWith(".") ? e.action().startsWith(action) : action.equals(e.action()))) return false;
    if (targetType != null && !targetType.equals(e.targetType())) return false;
    if (targetId != null && !targetId.equals(e.targetId())) return false;
    if (tenantId != null && !tenantId.equals(e.tenantId())) return false;
    if (from != null && e.at() < from) return false;
    if (to != null && e.at() >= to) return false;
    return true;
  }
}
