package io.genrtl.core.audit;

import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes and reads the audit log. Services call {@link #record} inside the transaction of the action they record, so
 * an action that rolls back leaves no entry and a committed one always has its entry.
 *
 * <p>Who and from where: a host binds the authenticated principal and the request's origin to the handling thread
 * ({@link #bind}, {@link #unbind}); {@link #actingAs} overrides the actor for a block (the admin services use it).
 * Outside both (a webhook, a background worker) the entry's actor is the system (null).
 */
public final class AuditService {
  private record Bound(Principal principal, AuditOrigin origin) {}

  private static final ThreadLocal<Bound> CURRENT = new ThreadLocal<>();

  private final AuditStore auditStore;
  private final Clock clock;
  private final IdGenerator ids;

  public AuditService(AuditStore auditStore, Clock clock, IdGenerator ids) {
    this.auditStore = auditStore;
    this.clock = clock;
    this.ids = ids;
  }

  /** Binds the calling thread to a request: its principal (null before authentication) and origin. */
  public static void bind(Principal principal, AuditOrigin origin) {
    CURRENT.set(new Bound(principal, origin == null ? AuditOrigin.NONE : origin));
  }

  /** Ends the binding made by {@link #bind}. */
  public static void unbind() {
    CURRENT.remove();
  }

  /** Runs {@code work} with {@code actor} as the audited actor (the origin bound to the thread is kept). */
  public static <T> T actingAs(Principal actor, Supplier<T> work) {
    Bound before = CURRENT.get();
    CURRENT.set(new Bound(actor, before == null ? AuditOrigin.NONE : before.origin()));
    try {
      return work.get();
    } finally {
      if (before == null) CURRENT.remove();
      else CURRENT.set(before);
    }
  }

  /** The principal bound to this thread, if any. */
  public static Principal currentActor() {
    Bound b = CURRENT.get();
    return b == null ? null : b.principal();
  }

  /**
   * Appends one entry for the current actor (inside the caller's transaction when there is one). {@code tenantId}
   * is the target's tenant; null means the actor's. {@code details} must hold no secrets.
   */
  public AuditEntry record(String action, String targetType, String targetId, String tenantId, Map<String, ?> details) {
    Bound b = CURRENT.get();
    Principal p = b == null ? null : b.principal();
    AuditOrigin o = b == null ? AuditOrigin.NONE : b.origin();
    String tenant = tenantId != null ? tenantId : p == null ? null : p.tenantId();
    AuditEntry e = new AuditEntry(ids.newId(), clock.millis(), p == null ? null : p.userId(),
        p == null ? null : p.role().wire(), p == null ? null : p.keyId(), tenant, action, targetType, targetId,
        io.genrtl.core.internal.JsonText.write(details == null ? Map.of() : details), o.ip(), o.userAgent(), o.requestId());
    auditStore.append(e);
    return e;
  }

  /**
   * Records a sign-in of {@code user} by {@code method} (e.g. {@code oidc:google}, {@code device}); the sign-in work
   * calls this in the transaction that creates the session or key.
   */
  public AuditEntry signIn(Principal user, String method, Map<String, ?> details) {
    return actingAs(user, () -> {
      java.util.Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("method", method);
      if (details != null) d.putAll(details);
      return record(AuditActions.SIGN_IN, "user", user.userId(), user.tenantId(), d);
    });
  }

  /**
   * The audit query: super admins see every entry, tenant admins their tenant's (a filter on another tenant finds
   * nothing), users are refused.
   */
  public Page<AuditEntry> query(Principal principal, AuditQuery query, PageRequest page) {
    AuditQuery q = switch (principal.role()) {
      case SUPER_ADMIN -> query;
      case TENANT_ADMIN -> {
        if (query.tenantId() != null && !query.tenantId().equals(principal.tenantId())) yield null;
        yield query.withTenant(principal.tenantId());
      }
      case USER -> throw new GenRtlException(ErrorCode.FORBIDDEN, "an admin role is required");
    };
    if (q == null) return new Page<>(java.util.List.of(), null);
    return auditStore.list(q, page);
  }

  static boolean isAdmin(Role r) {
    return r == Role.TENANT_ADMIN || r == Role.SUPER_ADMIN;
  }
}
