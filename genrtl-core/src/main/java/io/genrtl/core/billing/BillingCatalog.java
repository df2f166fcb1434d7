package io.genrtl.core.billing;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one payment provider's ids mean to genRTL when {@link BillingService#apply} applies its events: the plan id of
 * each price id (Stripe) or product id (Creem) a subscription may be for, and the credit packs on sale (a pack paid in
 * full adds its credits; anything else adds what was paid).
 */
public record BillingCatalog(Map<String, String> planByPrice, List<CreditPack> packs) {
  public static final BillingCatalog EMPTY = new BillingCatalog(Map.of(), List.of());

  public BillingCatalog {
    planByPrice = Map.copyOf(Objects.requireNonNull(planByPrice, "planByPrice"));
    packs = List.copyOf(Objects.requireNonNull(packs, "packs"));
  }

  /** The plan of a price or product id, or null when none is configured (or the id is null). */
  public String planOf(String priceId) {
    return priceId == null ? null : planByPrice.get(priceId);
  }

  /** The credits a paid credit pack adds (micro-USD). */
  public long creditsFor(BillingEvent.CreditPackPaid cp) {
    for (CreditPack p : packs) {
      if (p.packId().equals(cp.packId()) && cp.amountMicros() >= p.priceMicros()) return p.creditsMicros();
    }
    return cp.amountMicros();
  }
}
