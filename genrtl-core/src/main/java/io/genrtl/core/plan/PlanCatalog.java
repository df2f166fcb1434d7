package io.genrtl.core.plan;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The plans an installation offers. Always contains {@value #FREE}, the plan of a user without a subscription. */
public final class PlanCatalog {
  public static final String FREE = "free";
  private static final long USD = 1_000_000L;

  private final Map<String, Plan> plans;

  private PlanCatalog(Map<String, Plan> plans) {
    this.plans = plans;
  }

  public static PlanCatalog of(Collection<Plan> plans) {
    Map<String, Plan> m = new LinkedHashMap<>();
    for (Plan p : plans) {
      if (m.put(p.planId(), p) != null) throw new IllegalArgumentException("duplicate plan id: " + p.planId());
    }
    if (!m.containsKey(FREE)) throw new IllegalArgumentException("the plan catalog must contain a '" + FREE + "' plan");
    return new PlanCatalog(Map.copyOf(m));
  }

  /** Defaults modelled on Cursor's: free, pro ($20), pro_plus ($70), ultra ($400). */
  public static PlanCatalog defaults() {
    List<String> all = List.of();
    return of(List.of(
        new Plan(FREE, "Free", 0, false, 0, all),
        new Plan("pro", "Pro", 20 * USD, true, 500 * USD, all),
        new Plan("pro_plus", "Pro+", 70 * USD, true, 1_000 * USD, all),
        new Plan("ultra", "Ultra", 400 * USD, true, 5_000 * USD, all)));
  }

  public Optional<Plan> find(String planId) {
    return planId == null ? Optional.empty() : Optional.ofNullable(plans.get(planId));
  }

  public Plan free() {
    return plans.get(FREE);
  }

  public Collection<Plan> all() {
    return plans.values();
  }
}
