package io.genrtl.core.billing;

import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.OnDemandDebitListener;

/**
 * Queues each on-demand debit for the provider's usage meter: a pending {@link MeterRecord} written in the debit's
 * transaction (so nothing charged goes unreported), with the user's Stripe customer id when one is known.
 */
public final class MeterOutboxListener implements OnDemandDebitListener {
  private final BillingStores billingStores;

  public MeterOutboxListener(BillingStores billingStores) {
    this.billingStores = billingStores;
  }

  @Override
  public void onDemandDebited(LedgerEntry e) {
    billingStores.meterOutbox().insert(MeterRecord.pending(e.entryId(), e.userId(),
        billingStores.customers().find(e.userId(), BillingService.STRIPE).orElse(null), e.usdMicros(), e.timestamp()));
  }
}
