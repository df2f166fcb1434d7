package io.genrtl.payments;

import io.genrtl.payments.WebhookVerificationException.Reason;
import io.genrtl.payments.internal.Hmac;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Stripe's {@code Stripe-Signature} header ({@code t=<unix seconds>,v1=<hex>[,v1=<hex>…]}): each {@code v1}
 * is the hex HMAC-SHA256, keyed with an endpoint secret ({@code whsec_…}), of {@code "<t>.<raw body>"}. The raw body
 * bytes must be passed exactly as received, before any JSON parsing.
 *
 * <p>Several secrets may be configured (rolling a secret: Stripe signs with the old and the new one for a while and
 * sends two {@code v1} values); the header is accepted when any {@code v1} matches any secret, compared in constant
 * time. The signature is checked first, then the timestamp: a correctly signed request older than the tolerance (or
 * further than the tolerance in the future) is refused as a possible replay. Other schemes ({@code v0}) are ignored.
 */
public final class StripeWebhookVerifier {
  public static final String HEADER = "Stripe-Signature";
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);

  private final List<SecretKeySpec> keys;
  private final long toleranceSeconds;
  private final Clock clock;

  public StripeWebhookVerifier(List<String> secrets, Duration tolerance, Clock clock) {
    this.keys = Hmac.keys(secrets);
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative() || tolerance.isZero()) throw new IllegalArgumentException("tolerance must be positive");
    this.toleranceSeconds = tolerance.toSeconds();
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** From {@code STRIPE_WEBHOOK_SECRET}: one secret or several separated by commas; default tolerance. */
  public static StripeWebhookVerifier fromConfig(String commaSeparatedSecrets, Clock clock) {
    return new StripeWebhookVerifier(Hmac.splitSecrets(commaSeparatedSecrets), DEFAULT_TOLERANCE, clock);
  }

  /**
   * Returns normally when the header verifies for {@code rawBody}, otherwise throws {@link WebhookVerificationException}
   * with a distinct {@link Reason}.
   */
  public void verify(byte[] rawBody, String signatureHeader) {
    Objects.requireNonNull(rawBody, "rawBody");
    if (signatureHeader == null || signatureHeader.isBlank()) {
      throw new WebhookVerificationException(Reason.MISSING_HEADER, "missing " + HEADER + " header");
    }
    Long timestamp = null;
    List<String> v1 = new ArrayList<>();
    for (String item : signatureHeader.split(",")) {
      int eq = item.indexOf('=');
      if (eq <= 0) continue;
      String key = item.substring(0, eq).strip();
      String value = item.substring(eq + 1).strip();
      if (key.equals("t")) {
        if (timestamp != null) throw malformed("more than one timestamp");
        try {
          timestamp = Long.parseLong(value);
        } catch (NumberFormatException e) {
          throw malformed("timestamp is not a number");
        }
      } else if (key.equals("v1")) {
        v1.add(value);
      }
    }
    if (timestamp == null) throw malformed("no timestamp");
    if (v1.isEmpty()) throw malformed("no v1 signature");

    byte[] prefix = (timestamp + ".").getBytes(StandardCharsets.US_ASCII);
    boolean matched = false;
    for (SecretKeySpec key : keys) {
      byte[] expected = Hmac.sha256(key, prefix, rawBody);
      for (String presented : v1) {
        // no early exit: the work does not depend on which secret or signature matched
        matched |= Hmac.equal(expected, Hmac.parseHex(presented));
      }
    }
    if (!matched) {
      throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE, "no signature matches the payload");
    }
    long now = clock.millis() / 1000;
    if (Math.abs(now - timestamp) > toleranceSeconds) {
      throw new WebhookVerificationException(Reason.TIMESTAMP_OUTSIDE_TOLERANCE,
          "timestamp outside the tolerance of " + toleranceSeconds + " s");
    }
  }

  private static WebhookVerificationException malformed(String what) {
    return new WebhookVerificationException(Reason.MALFORMED_HEADER, "malformed " + HEADER + " header: " + what);
  }
}
