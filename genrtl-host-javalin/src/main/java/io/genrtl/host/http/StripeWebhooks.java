package io.genrtl.host.http;

import io.genrtl.payments.StripeEventParser;
import io.genrtl.payments.StripeGateway;
import io.genrtl.payments.StripeWebhookVerifier;
import java.util.Map;
import java.util.Objects;

/**
 * What the Stripe webhook route needs: the signature verifier, the event parser, the plan of each price id, and
 * (optional) the API gateway used to fetch a subscription's current state when events may arrive out of order.
 */
public record StripeWebhooks(StripeWebhookVerifier verifier, StripeEventParser parser, Map<String, String> planByPrice,
    StripeGateway gateway) {
  public StripeWebhooks {
    Objects.requireNonNull(verifier, "verifier");
    Objects.requireNonNull(parser, "parser");
    planByPrice = Map.copyOf(planByPrice);
  }
}
