package io.genrtl.core.account;

import io.genrtl.core.base.StoreDecorator;
import java.util.Objects;

/** The account domain's store ports: tenants, users, workspaces, API keys and subscriptions. */
public record AccountStores(
    TenantStore tenants, UserStore users, WorkspaceStore workspaces, ApiKeyStore apiKeys, SubscriptionStore subscriptions) {
  public AccountStores {
    Objects.requireNonNull(tenants, "tenants");
    Objects.requireNonNull(users, "users");
    Objects.requireNonNull(workspaces, "workspaces");
    Objects.requireNonNull(apiKeys, "apiKeys");
    Objects.requireNonNull(subscriptions, "subscriptions");
  }

  public AccountStores decorate(StoreDecorator d) {
    return new AccountStores(d.decorate(TenantStore.class, tenants), d.decorate(UserStore.class, users),
        d.decorate(WorkspaceStore.class, workspaces), d.decorate(ApiKeyStore.class, apiKeys),
        d.decorate(SubscriptionStore.class, subscriptions));
  }
}
