package io.genrtl.core.port;

import io.genrtl.core.base.Transactor;

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
