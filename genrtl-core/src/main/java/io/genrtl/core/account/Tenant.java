package io.genrtl.core.account;

import java.util.Objects;

/**
 * An organisation. Users and workspaces belong to exactly one tenant. {@code memberOnDemandCapMicros} is the tenant's
 * spend budget set by a super admin: the highest on-demand limit a member may have unless a super admin overrides it
 * (null: no ceiling beyond the plan's maximum).
 */
public record Tenant(String tenantId, String name, long createdAt, Long memberOnDemandCapMicros) {
  public Tenant {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(name, "name");
    if (memberOnDemandCapMicros != null && memberOnDemandCapMicros < 0) {
      throw new IllegalArgumentException("memberOnDemandCapMicros must not be negative");
    }
  }

  /** A tenant without a spend budget. */
  public Tenant(String tenantId, String name, long createdAt) {
    this(tenantId, name, createdAt, null);
  }
}
