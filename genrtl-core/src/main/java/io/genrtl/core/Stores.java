package io.genrtl.core;

import io.genrtl.core.account.ApiKeyStore;
import io.genrtl.core.account.SubscriptionStore;
import io.genrtl.core.account.TenantStore;
import io.genrtl.core.account.UserStore;
import io.genrtl.core.account.WorkspaceStore;
import io.genrtl.core.audit.AuditStore;
import io.genrtl.core.auth.AuthStore;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.Transactor;
import io.genrtl.core.billing.CustomerStore;
import io.genrtl.core.billing.MeterOutboxStore;
import io.genrtl.core.cbb.CbbStore;
import io.genrtl.core.cbb.ReceiptStore;
import io.genrtl.core.jobs.JobStore;
import io.genrtl.core.pool.AlertDeliveryStore;
import io.genrtl.core.pool.AlertStore;
import io.genrtl.core.pool.GrantStore;
import io.genrtl.core.pool.HoldStore;
import io.genrtl.core.pool.IdempotencyStore;
import io.genrtl.core.pool.LedgerStore;
import io.genrtl.core.pool.PoolStore;

/**
 * Every store port of one backing database, and its transaction boundary. Adapters: {@code InMemoryStores}
 * (core), {@code SqliteStores} and {@code PostgresStores}. The caller owns the database connection pool.
 */
public interface Stores {
  Transactor transactor();

  TenantStore tenants();

  UserStore users();

  WorkspaceStore workspaces();

  ApiKeyStore apiKeys();

  SubscriptionStore subscriptions();

  MetaStore meta();

  PoolStore pool();

  LedgerStore ledger();

  GrantStore grants();

  HoldStore holds();

  IdempotencyStore idempotency();

  AlertStore alerts();

  /** Spend alerts waiting for (or done with) delivery to the alert webhook. */
  AlertDeliveryStore alertDeliveries();

  CbbStore cbbs();

  ReceiptStore receipts();

  JobStore jobs();

  /** Users' customer ids at payment providers. */
  CustomerStore customers();

  /** On-demand usage waiting to be reported to the provider's meter. */
  MeterOutboxStore meterOutbox();

  /** Sign-in: identities, sessions, logins in progress, device authorizations, loopback codes. */
  AuthStore auth();

  /** The append-only audit log. */
  AuditStore audit();

  /** Whether the database answers; used for readiness checks. */
  boolean ping();
}
