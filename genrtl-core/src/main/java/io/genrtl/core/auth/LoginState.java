package io.genrtl.core.auth;

import java.util.Objects;

/**
 * One sign-in in progress, between {@code GET /api/auth/login/{provider}} and its callback. Looked up by the SHA-256
 * hex of the {@code state} parameter and consumed once. {@code nonce} and {@code codeVerifier} are what this server
 * sends to / proves to the provider. For a native app's loopback sign-in (RFC 8252), {@code loopbackRedirect},
 * {@code clientChallenge} (the app's own S256 PKCE challenge), {@code clientState} and {@code clientId} are set;
 * otherwise {@code returnTo} may hold a same-site path to send the browser to afterwards.
 */
public record LoginState(
    String stateHash,
    String provider,
    String nonce,
    String codeVerifier,
    String returnTo,
    String loopbackRedirect,
    String clientChallenge,
    String clientState,
    String clientId,
    long createdAt,
    long expiresAt) {

  public LoginState {
    Objects.requireNonNull(stateHash, "stateHash");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(codeVerifier, "codeVerifier");
  }

  public boolean isLoopback() {
    return loopbackRedirect != null;
  }

  @Override
  public String toString() {
    return "LoginState[provider=" + provider + ", loopback=" + isLoopback() + "]";
  }
}
