package io.genrtl.core.audit;

import java.util.Objects;

/**
 * One append-only row of the audit log: who ({@code actorUserId}, {@code actorRole}, {@code actorKeyId}; all null for
 * the system, e.g. a payment webhook), what ({@code action}, {@code targetType}/{@code targetId}, {@code detailsJson} a
 * JSON object), when ({@code at}, epoch milliseconds), from where ({@code ip}, {@code userAgent}, {@code requestId};
 * null outside an HTTP request). {@code tenantId} is the tenant the entry belongs to (the target's, else the actor's):
 * tenant admins see their tenant's entries.
 */
public record AuditEntry(
    String entryId,
    long at,
    String actorUserId,
    String actorRole,
    String actorKeyId,
    String tenantId,
    String action,
    String targetType,
    String targetId,
    String detailsJson,
    String ip,
    String userAgent,
    String requestId) {

  public AuditEntry {
    Objects.requireNonNull(entryId, "entryId");
    Objects.requireNonNull(action, "action");
    if (detailsJson == null) detailsJson = "{}";
  }
}
