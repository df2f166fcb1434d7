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

  /** The plan or pack id a Creem product id was configured for. */
  Optional<String> idOfProduct(String productId) {
    if (productId == null) return Optional.empty();
    return productById.entrySet().stream().filter(e -> e.getValue().equals(productId)).map(Map.Entry::getKey).findFirst();
  }
}
