package io.genrtl.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Account shapes: {@code /api/me}, {@code /api/workspaces}, {@code /api/keys}. */
public final class Accounts {
  private Accounts() {}

  /** {@code GET /api/me}. */
  public record Me(String userId, String email, String role, String tenantId, String tenantName, String plan,
      String subscriptionStatus, List<Workspace> workspaces) {
    static Me from(Map<String, Object> m) {
      Map<String, Object> user = Json.obj(m, "user");
      Map<String, Object> tenant = Json.obj(m, "tenant");
      return new Me(Json.requiredStr(user, "user_id"), Json.str(user, "email"), Json.str(m, "role"),
          Json.str(tenant, "tenant_id"), Json.str(tenant, "name"), Json.str(m, "plan"), Json.str(m, "subscription_status"),
          Json.objects(m, "workspaces").stream().map(Workspace::from).toList());
    }
  }

  public record Workspace(String workspaceId, String tenantId, String name, String createdBy, Instant createdAt) {
    static Workspace from(Map<String, Object> m) {
      return new Workspace(Json.requiredStr(m, "workspace_id"), Json.str(m, "tenant_id"), Json.str(m, "name"),
          Json.str(m, "created_by"), Json.time(m, "created_at"));
    }
  }

  /** A key as listed (never its secret). */
  public record ApiKeyInfo(String keyId, String name, String status, Instant createdAt, Instant expiresAt,
      Instant lastUsedAt, Instant revokedAt) {
    static ApiKeyInfo from(Map<String, Object> m) {
      return new ApiKeyInfo(Json.requiredStr(m, "key_id"), Json.str(m, "name"), Json.str(m, "status"),
          Json.time(m, "created_at"), Json.time(m, "expires_at"), Json.time(m, "last_used_at"), Json.time(m, "revoked_at"));
    }
  }

  /** A new key: {@link #apiKey()} is shown only once. {@code toString} masks it. */
  public record IssuedKey(String keyId, String name, String apiKey, Instant createdAt, Instant expiresAt) {
    static IssuedKey from(Map<String, Object> m) {
      return new IssuedKey(Json.requiredStr(m, "key_id"), Json.str(m, "name"), Json.requiredStr(m, "api_key"),
          Json.time(m, "created_at"), Json.time(m, "expires_at"));
    }

    @Override
    public String toString() {
      return "IssuedKey[keyId=" + keyId + ", name=" + name + ", apiKey=<hidden>, createdAt=" + createdAt
          + ", expiresAt=" + expiresAt + "]";
    }
  }
}
