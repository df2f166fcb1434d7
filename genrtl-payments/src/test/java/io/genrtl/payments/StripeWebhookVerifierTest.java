package io.genrtl.payments;

import static io.genrtl.payments.Fixtures.stripeHeader;
import static io.genrtl.payments.Fixtures.stripeV1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.net.Webhook;
import io.genrtl.payments.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class StripeWebhookVerifierTest {
  static final String SECRET = "whsec_test_0123456789abcdefOLD";
  static final String NEW_SECRET = "whsec_test_fedcba9876543210NEW";
  static final long NOW = 1_767_225_700L;
  final Clock clock = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
  final byte[] body = Fixtures.read("stripe/invoice.paid.json");
  final StripeWebhookVerifier verifier = StripeWebhookVerifier.fromConfig(SECRET, clock);

  private Reason reasonOf(StripeWebhookVerifier v, byte[] b, String header) {
    try {
      v.verify(b, header);
      throw new AssertionError("verified");
    } catch (WebhookVerificationException e) {
      assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain(NEW_SECRET);
      if (header != null) {
        for (String part : header.split(",")) {
          if (part.startsWith("v1=") && part.length() > 8) assertThat(e.getMessage()).doesNotContain(part.substring(3));
        }
      }
      return e.reason();
    }
  }

  @Test
  void acceptsAValidSignature() {
    assertThatCode(() -> verifier.verify(body, stripeHeader(NOW - 10, body, SECRET))).doesNotThrowAnyException();
  }

  @Test
  void acceptsAHeaderStripeJavaGenerates() throws Exception {
    String header = Webhook.Signature.generateSignatureHeader(new String(body, StandardCharsets.UTF_8), SECRET, NOW - 5);
    assertThatCode(() -> verifier.verify(body, header)).doesNotThrowAnyException();
  }

  @Test
  void stripeJavaAcceptsOurSignature() throws Exception {
    String header = stripeHeader(NOW - 5, body, SECRET);
    assertThat(Webhook.Signature.verifyHeader(new String(body, StandardCharsets.UTF_8), header, SECRET, 300, clock))
        .isTrue();
  }

  @Test
  void rejectsATamperedBody() {
    String header = stripeHeader(NOW, body, SECRET);
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("\"amount_paid\": 2000", "\"amount_paid\": 9000")
        .getBytes(StandardCharsets.UTF_8);
    assertThat(tampered).isNotEqualTo(body);
    assertThat(reasonOf(verifier, tampered, header)).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void rejectsAStaleTimestamp() {
    assertThat(reasonOf(verifier, body, stripeHeader(NOW - 301, body, SECRET))).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
    assertThat(reasonOf(verifier, body, stripeHeader(NOW + 301, body, SECRET))).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
    assertThatCode(() -> verifier.verify(body, stripeHeader(NOW - 300, body, SECRET))).doesNotThrowAnyException();
  }

  @Test
  void honoursAConfiguredTolerance() {
    StripeWebhookVerifier strict = new StripeWebhookVerifier(List.of(SECRET), Duration.ofSeconds(30), clock);
    assertThat(reasonOf(strict, body, stripeHeader(NOW - 31, body, SECRET))).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Test
  void rejectsTheWrongSecret() {
    assertThat(reasonOf(verifier, body, stripeHeader(NOW, body, "whsec_someone_else"))).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void signatureIsCheckedBeforeTheTimestamp() {
    assertThat(reasonOf(verifier, body, stripeHeader(NOW - 10_000, body, "whsec_someone_else")))
        .isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void acceptsTheSecondV1DuringASecretRoll() {
    // Stripe signs with both the expiring and the new secret; we know only the new one
    StripeWebhookVerifier onlyNew = StripeWebhookVerifier.fromConfig(NEW_SECRET, clock);
    String header = stripeHeader(NOW, body, SECRET, NEW_SECRET);
    assertThat(header.split(",v1=")).hasSize(3);
    assertThatCode(() -> onlyNew.verify(body, header)).doesNotThrowAnyException();
  }

  @Test
  void acceptsEitherOfTwoConfiguredSecrets() {
    StripeWebhookVerifier both = StripeWebhookVerifier.fromConfig(SECRET + ", " + NEW_SECRET, clock);
    assertThatCode(() -> both.verify(body, stripeHeader(NOW, body, SECRET))).doesNotThrowAnyException();
    assertThatCode(() -> both.verify(body, stripeHeader(NOW, body, NEW_SECRET))).doesNotThrowAnyException();
    assertThat(reasonOf(both, body, stripeHeader(NOW, body, "whsec_third"))).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Test
  void ignoresOtherSchemesAndBadHexAmongSignatures() {
    String header = "t=" + NOW + ",v0=deadbeef,v1=not-hex,v1=" + stripeV1(SECRET, NOW, body);
    assertThatCode(() -> verifier.verify(body, header)).doesNotThrowAnyException();
  }

  @Test
  void distinguishesMissingAndMalformedHeaders() {
    assertThat(reasonOf(verifier, body, null)).isEqualTo(Reason.MISSING_HEADER);
    assertThat(reasonOf(verifier, body, "  ")).isEqualTo(Reason.MISSING_HEADER);
    assertThat(reasonOf(verifier, body, "v1=" + stripeV1(SECRET, NOW, body))).isEqualTo(Reason.MALFORMED_HEADER);
    assertThat(reasonOf(verifier, body, "t=yesterday,v1=" + stripeV1(SECRET, NOW, body))).isEqualTo(Reason.MALFORMED_HEADER);
    assertThat(reasonOf(verifier, body, "t=" + NOW)).isEqualTo(Reason.MALFORMED_HEADER);
    assertThat(reasonOf(verifier, body, "garbage")).isEqualTo(Reason.MALFORMED_HEADER);
  }

  @Test
  void refusesToStartWithoutASecret() {
    assertThatThrownBy(() -> StripeWebhookVerifier.fromConfig(" , ", clock)).isInstanceOf(IllegalArgumentException.class);
  }
}
