package io.genrtl.host.http;

import io.genrtl.core.account.ApiKey;
import io.genrtl.core.account.Me;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.Workspace;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON shapes of domain objects: snake_case, ids as {@code <noun>_id}, times as RFC 3339 UTC. */
final class Views {
  private Views() {}

  static String time(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }

  static String time(Long epochMillis) {
    return epochMillis == null ? null : time(epochMillis.longValue());
  }

  static Map<String, Object> workspace(Workspace w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("workspace_id", w.workspaceId());
    m.put("tenant_id", w.tenantId());
    m.put("name", w.name());
    m.put("created_by", w.createdBy());
    m.put("created_at", time(w.createdAt()));
    return m;
  }

  static Map<String, Object> key(ApiKey k, long now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("key_id", k.keyId());
    m.put("name", k.name());
    m.put("status", k.revokedAt() != null ? "revoked" : k.isActiveAt(now) ? "active" : "expired");
    m.put("created_at", time(k.createdAt()));
    m.put("expires_at", time(k.expiresAt()));
    m.put("last_used_at", time(k.lastUsedAt()));
    m.put("revoked_at", time(k.revokedAt()));
    return m;
  }

  static Map<String, Object> subscription(Subscription s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("subscription_id", s.subscriptionId());
    m.put("plan", s.planId());
    m.put("provider", s.provider());
    m.put("status", s.status().wire());
    m.put("period_start", time(s.periodStart()));
    m.put("period_end", time(s.periodEnd()));
    return m;
  }

  static Map<String, Object> me(Me me) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("user_id", me.user().userId());
    user.put("email", me.user().email());
    user.put("role", me.user().role().wire());
    user.put("created_at", time(me.user().createdAt()));
    m.put("user", user);
    Map<String, Object> tenant = new LinkedHashMap<>();
    tenant.put("tenant_id", me.tenant().tenantId());
    tenant.put("name", me.tenant().name());
    m.put("tenant", tenant);
    m.put("role", me.user().role().wire());
    m.put("plan", me.plan().planId());
    m.put("plan_name", me.plan().name());
    m.put("subscription_status", me.subscription().map(s -> s.status().wire()).orElse(null));
    m.put("subscription", me.subscription().map(Views::subscription).orElse(null));
    m.put("workspaces", me.workspaces().stream().map(Views::workspace).toList());
    return m;
  }
}
