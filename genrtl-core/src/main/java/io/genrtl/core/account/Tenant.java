package io.genrtl.core.account;

import java.util.Objects;

/** An organisation. Users and workspaces belong to exactly one tenant. */
public record Tenant(String tenantId, String name, long createdAt) {
  public Tenant {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(name, "name");
  }
}
