package io.genrtl.core.account;

import java.util.Objects;

/** Who is calling: the authenticated user and the key they presented (null when not authenticated by key). */
public record Principal(String userId, String tenantId, Role role, String keyId) {
  public Principal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(role, "role");
  }

  public static Principal of(User user, String keyId) {
    return new Principal(user.userId(), user.tenantId(), user.role(), keyId);
  }

  /**
   * The one ownership rule: a user acts on their own objects, a tenant admin on their tenant's, a super admin on
   * all. Objects outside it are reported as not found, never as forbidden.
   */
  public boolean canAccess(String ownerUserId, String ownerTenantId) {
    return switch (role) {
      case SUPER_ADMIN -> true;
      case TENANT_ADMIN -> tenantId.equals(ownerTenantId);
      case USER -> userId.equals(ownerUserId);
    };
  }
}
