package io.genrtl.core.account;

import io.genrtl.core.plan.Plan;
import java.util.List;
import java.util.Optional;

/** Everything {@code GET /api/me} shows: who the caller is and what they are on. */
public record Me(User user, Tenant tenant, Plan plan, Optional<Subscription> subscription, List<Workspace> workspaces) {
  public Me {
    workspaces = List.copyOf(workspaces);
  }
}
