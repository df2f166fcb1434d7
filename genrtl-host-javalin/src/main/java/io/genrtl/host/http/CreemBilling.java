package io.genrtl.host.http;

import io.genrtl.payments.CreemEventParser;
import io.genrtl.payments.CreemGateway;
import io.genrtl.payments.CreemWebhookVerifier;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the Creem routes need: the webhook verifier (null: {@code POST /api/webhooks/creem} answers 404), the event
 * parser, the API gateway (null: no Creem checkouts), and the Creem product id of each plan or credit pack id.
 */
public record CreemBilling(CreemWebhookVerifier verifier, CreemEventParser parser, CreemGateway gateway,
    Map<String, String> productById) {
  public CreemBilling {
    Objects.requireNonNull(parser, "parser");
    productById = Map.copyOf(productById);
  }

  Optional<String> productOf(String planOrPackId) {
    return Optional.ofNullable(productById.get(planOrPackId));
  }

  /**
   * What Creem's product ids mean when its events are applied: the plan of each product configured for a plan of
   * {@code plans} (products of credit packs are not plans), and the packs on sale.
   */
  public io.genrtl.core.billing.BillingCatalog catalog(io.genrtl.core.plan.PlanCatalog plans,
      java.util.List<io.genrtl.core.billing.CreditPack> packs) {
    Map<String, String> planOfProduct = new java.util.HashMap<>();
    productById.forEach((id, product) -> {
      if (plans.find(id).isPresent()) planOfProduct.putIfAbsent(product, id);
    });
    return new io.genrtl.core.billing.BillingCatalog(planOfProduct, packs);
  }
}
