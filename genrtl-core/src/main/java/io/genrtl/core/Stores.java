package io.genrtl.core;

import io.genrtl.core.account.AccountStores;
import io.genrtl.core.audit.AuditStore;
import io.genrtl.core.auth.AuthStore;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.StoreDecorator;
import io.genrtl.core.base.Transactor;
import io.genrtl.core.billing.BillingStores;
import io.genrtl.core.cbb.CbbStores;
import io.genrtl.core.jobs.JobStore;
import io.genrtl.core.pool.PoolStores;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Every store port of one backing database, grouped by the domain that owns them, and its transaction boundary.
 * Store calls made inside {@code transactor().inTransaction} take part in one transaction. Each adapter fills this
 * record once: {@code InMemoryStores.create()} (core), {@code SqliteStores.create} and {@code PostgresStores.create};
 * the caller owns the database connection pool. Services receive only the groups they use.
 *
 * @param transactor the transaction boundary
 * @param meta installation-wide markers and values
 * @param accounts tenants, users, workspaces, API keys, subscriptions
 * @param pool pool accounts, ledger, grants, holds, idempotency records, spend alerts and their deliveries
 * @param cbb published CBB packages and purchase receipts
 * @param billing users' customer ids at payment providers, on-demand usage waiting for the provider's meter
 * @param jobs jobs and their events
 * @param auth sign-in: identities, sessions, logins in progress, device authorizations, loopback codes
 * @param audit the append-only audit log
 * @param probe whether the database answers (see {@link #ping})
 */
public record Stores(
    Transactor transactor,
    MetaStore meta,
    AccountStores accounts,
    PoolStores pool,
    CbbStores cbb,
    BillingStores billing,
    JobStore jobs,
    AuthStore auth,
    AuditStore audit,
    BooleanSupplier probe) {
  public Stores {
    Objects.requireNonNull(transactor, "transactor");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(accounts, "accounts");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(cbb, "cbb");
    Objects.requireNonNull(billing, "billing");
    Objects.requireNonNull(jobs, "jobs");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(probe, "probe");
  }

  /** Whether the database answers; used for readiness checks. */
  public boolean ping() {
    return probe.getAsBoolean();
  }

  /** The same stores with every port (the transactor included, the probe not) passed through {@code d}. */
  public Stores decorate(StoreDecorator d) {
    return new Stores(d.decorate(Transactor.class, transactor), d.decorate(MetaStore.class, meta), accounts.decorate(d),
        pool.decorate(d), cbb.decorate(d), billing.decorate(d), d.decorate(JobStore.class, jobs),
        d.decorate(AuthStore.class, auth), d.decorate(AuditStore.class, audit), probe);
  }
}
