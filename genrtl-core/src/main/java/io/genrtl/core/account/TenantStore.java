package io.genrtl.core.account;

import io.genrtl.core.base.DuplicateKeyException;
import java.util.Optional;

public interface TenantStore {
  /** Inserts a tenant; a taken name throws {@link DuplicateKeyException}. */
  void insert(Tenant tenant);

  Optional<Tenant> find(String tenantId);

  Optional<Tenant> findByName(String name);

  /** Sets (or with null clears) the tenant's member on-demand cap in micro-USD; returns whether the tenant exists. */
  boolean setMemberOnDemandCap(String tenantId, Long capMicros);
}
