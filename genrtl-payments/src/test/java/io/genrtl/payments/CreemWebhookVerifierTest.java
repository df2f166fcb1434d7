package io.genrtl.payments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.genrtl.payments.WebhookVerificationException.Reason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CreemWebhookVerifierTest {
  static final String SECRET = "whsec_creem_test_123";
  final byte[] body = Fixtures.read("creem/subscription.paid.json");
  final CreemWebhookVerifier verifier = CreemWebhookVerifier.fromConfig(SECRET);

  private Reason reasonOf(CreemWebhookVerifier v, byte[] b, String header) {
    WebhookVerificationException e = catchThrowableOfType(WebhookVerificationException.class, () -> v.verify(b, header));
    assertThat(e).isNotNull();
    assertThat(e.getMessage()).doesNotContain(SECRET);
    if (header != null && header.length() > 8) assertThat(e.getMessage()).doesNotContain(header);
    return e.reason();
  }

  @Test
  void acceptsTheHexHmacOfTheRawBody() {
    assertThatCode(() -> verifier.verify(body, Fixtures.hmacHex(SECRET, body))).doesNotThrowAnyException();
    assertThatCode(() -> verifier.verify(body, Fixtures.hmacHex(SECRET, body).toUpperCase())).doesNotThrowAnyException();
  }

  @Test
  void rejectsTamperingWrongSecretAndBadHeaders() {
    byte[] tampered = Arrays.copyOf(body, body.length + 1);
    tampered[body.length] = ' ';
    assertThat(reasonOf(verifier, tampered, Fixtures.hmacHex(SECRET, body))).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    assertThat(reasonOf(verifier, body, Fixtures.hmacHex("other", body))).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    assertThat(reasonOf(verifier, body, null)).isEqualTo(Reason.MISSING_HEADER);
    assertThat(reasonOf(verifier, body, "sha256=zz")).isEqualTo(Reason.MALFORMED_HEADER);
  }

  @Test
  void acceptsEitherOfTwoSecretsWhileRolling() {
    CreemWebhookVerifier both = CreemWebhookVerifier.fromConfig("whsec_old," + SECRET);
    assertThatCode(() -> both.verify(body, Fixtures.hmacHex(SECRET, body))).doesNotThrowAnyException();
    assertThatCode(() -> both.verify(body, Fixtures.hmacHex("whsec_old", body))).doesNotThrowAnyException();
  }
}
