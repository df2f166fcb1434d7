package io.genrtl.host.http;

import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeGateway;
import io.genrtl.payments.StripeWebhookVerifier;
import java.util.Map;
import java.util.Objects;

/**
 * What the Stripe routes need: the signature verifier (null: {@code POST /api/webhooks/stripe} answers 404), the event
 * parser, the plan of each price id, and the API gateway (null: no checkout, portal or PaymentIntents; webhooks then
 * trust the event's copy of a subscription instead of fetching its current state).
 */
public record StripeWebhooks(StripeWebhookVerifier verifier, StripeEventParser parser, Map<String, String> planByPrice,
    StripeGateway gateway) {
  public StripeWebhooks {
    Objects.requireNonNull(parser, "parser");
    planByPrice = Map.copyOf(planByPrice);
  }
}
