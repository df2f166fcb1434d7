package io.genrtl.payments;

/**
 * A provider API call failed. {@code httpStatus} is 0 when no response arrived. The message carries the provider's
 * error code and message (providers redact keys in them) and never our API key.
 */
public final class PaymentProviderException extends RuntimeException {
  private final String provider;
  private final int httpStatus;
  private final String code;

  public PaymentProviderException(String provider, int httpStatus, String code, String message, Throwable cause) {
    super(provider + " API error" + (httpStatus > 0 ? " (HTTP " + httpStatus + ")" : "") + (code != null ? " " + code : "")
        + (message != null ? ": " + message : ""), cause);
    this.provider = provider;
    this.httpStatus = httpStatus;
    this.code = code;
  }

  public String provider() {
    return provider;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String code() {
    return code;
  }

  /** Worth retrying later: no response, 429 or a 5xx. */
  public boolean retryable() {
    return httpStatus == 0 || httpStatus == 429 || httpStatus >= 500;
  }
}
