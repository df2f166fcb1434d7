package io.genrtl.core.plan;

import java.util.List;
import java.util.Objects;

/**
 * A subscription plan. Money is integer micro-USD: {@code includedMicros} is the balance granted each period,
 * {@code maxOnDemandLimitMicros} the highest on-demand limit a user on this plan may set.
 */
public record Plan(
    String planId,
    String name,
    long includedMicros,
    boolean onDemandAllowed,
    long maxOnDemandLimitMicros,
    List<String> allowedModels) {

  public Plan {
    Objects.requireNonNull(planId, "planId");
    Objects.requireNonNull(name, "name");
    if (includedMicros < 0) throw new IllegalArgumentException("includedMicros < 0 for plan " + planId);
    if (maxOnDemandLimitMicros < 0) throw new IllegalArgumentException("maxOnDemandLimitMicros < 0 for plan " + planId);
    if (!onDemandAllowed && maxOnDemandLimitMicros != 0) {
      throw new IllegalArgumentException("plan " + planId + " disallows on-demand but has a maximum on-demand limit");
    }
    allowedModels = List.copyOf(allowedModels);
  }

  public boolean isFree() {
    return PlanCatalog.FREE.equals(planId);
  }
}
