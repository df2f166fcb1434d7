package io.genrtl.core.pool;

import io.genrtl.core.base.StoreDecorator;
import java.util.Objects;

/**
 * The pool's store ports: the pool accounts (balances and period), the append-only ledger, grants, holds, idempotency
 * records, spend alerts and the alerts waiting for delivery to the alert webhook.
 */
public record PoolStores(
    PoolStore accounts, LedgerStore ledger, GrantStore grants, HoldStore holds, IdempotencyStore idempotency,
    AlertStore alerts, AlertDeliveryStore alertDeliveries) {
  public PoolStores {
    Objects.requireNonNull(accounts, "accounts");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(grants, "grants");
    Objects.requireNonNull(holds, "holds");
    Objects.requireNonNull(idempotency, "idempotency");
    Objects.requireNonNull(alerts, "alerts");
    Objects.requireNonNull(alertDeliveries, "alertDeliveries");
  }

  public PoolStores decorate(StoreDecorator d) {
    return new PoolStores(d.decorate(PoolStore.class, accounts), d.decorate(LedgerStore.class, ledger),
        d.decorate(GrantStore.class, grants), d.decorate(HoldStore.class, holds),
        d.decorate(IdempotencyStore.class, idempotency), d.decorate(AlertStore.class, alerts),
        d.decorate(AlertDeliveryStore.class, alertDeliveries));
  }
}
