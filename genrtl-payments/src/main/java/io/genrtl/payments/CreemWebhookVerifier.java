package io.genrtl.payments;

import io.genrtl.payments.WebhookVerificationException.Reason;
import io.genrtl.payments.internal.Hmac;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Creem's {@code creem-signature} header: the hex HMAC-SHA256 of the raw body, keyed with the webhook secret.
 * Several secrets may be configured (comma-separated) while one is rolled; comparison is constant-time. Creem signs
 * no timestamp, so replays are stopped only by the host's event-id dedupe.
 */
public final class CreemWebhookVerifier {
  public static final String HEADER = "creem-signature";

  private final List<SecretKeySpec> keys;

  public CreemWebhookVerifier(List<String> secrets) {
    this.keys = Hmac.keys(secrets);
  }

  /** From {@code CREEM_WEBHOOK_SECRET}: one secret or several separated by commas. */
  public static CreemWebhookVerifier fromConfig(String commaSeparatedSecrets) {
    return new CreemWebhookVerifier(Hmac.splitSecrets(commaSeparatedSecrets));
  }

  public void verify(byte[] rawBody, String signatureHeader) {
    Objects.requireNonNull(rawBody, "rawBody");
    if (signatureHeader == null || signatureHeader.isBlank()) {
      throw new WebhookVerificationException(Reason.MISSING_HEADER, "missing " + HEADER + " header");
    }
    byte[] presented = Hmac.parseHex(signatureHeader.strip());
    if (presented == null) {
      throw new WebhookVerificationException(Reason.MALFORMED_HEADER, "malformed " + HEADER + " header: not hex");
    }
    boolean matched = false;
    for (SecretKeySpec key : keys) matched |= Hmac.equal(Hmac.sha256(key, rawBody), presented);
    if (!matched) throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE, "no signature matches the payload");
  }
}
