package io.genrtl.core.auth;

/**
 * What a sign-in should do once the provider answers. All null: a browser sign-in answered with JSON tokens.
 * {@code returnTo}: a same-site path the browser is redirected to. {@code loopbackRedirect} with
 * {@code clientChallenge}: a native app's loopback redirect (RFC 8252) that receives a one-time code.
 */
public record LoginRequest(String provider, String returnTo, String loopbackRedirect, String clientChallenge,
    String clientState, String clientId) {
  public static LoginRequest browser(String provider, String returnTo) {
    return new LoginRequest(provider, returnTo, null, null, null, null);
  }
}
