package io.genrtl.core.auth;

import io.genrtl.core.account.IssuedKey;

/**
 * The result of polling a device code, in RFC 8628 terms: {@code error} is the OAuth error code
 * ({@code authorization_pending}, {@code slow_down}, {@code expired_token}, {@code access_denied},
 * {@code invalid_grant}), or null when {@code key} was issued.
 */
public record DevicePoll(String error, int intervalSeconds, IssuedKey key) {
  public static final String AUTHORIZATION_PENDING = "authorization_pending";
  public static final String SLOW_DOWN = "slow_down";
  public static final String EXPIRED_TOKEN = "expired_token";
  public static final String ACCESS_DENIED = "access_denied";
  public static final String INVALID_GRANT = "invalid_grant";

  static DevicePoll error(String error, int interval) {
    return new DevicePoll(error, interval, null);
  }

  public boolean issued() {
    return key != null;
  }
}
