package io.genrtl.core.pool;

/**
 * Told of every on-demand ledger row the pool books (a positive debit from the on-demand bucket, not a refund), inside
 * the transaction that books it, so whatever it writes commits or rolls back with the ledger row. Billing queues the
 * row for the payment provider's usage meter ({@code billing.MeterOutboxListener}, wired by {@code GenRtl}).
 */
@FunctionalInterface
public interface OnDemandDebitListener {
  OnDemandDebitListener NONE = entry -> {};

  void onDemandDebited(LedgerEntry entry);
}
