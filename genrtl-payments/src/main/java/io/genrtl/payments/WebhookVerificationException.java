package io.genrtl.payments;

/**
 * A webhook whose signature did not verify. The message names the reason only: it never contains a secret, the
 * signature header or an expected signature. The host answers 400 and logs {@link #reason()}.
 */
public final class WebhookVerificationException extends RuntimeException {
  public enum Reason { MISSING_HEADER, MALFORMED_HEADER, TIMESTAMP_OUTSIDE_TOLERANCE, NO_MATCHING_SIGNATURE }

  private final Reason reason;

  public WebhookVerificationException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
