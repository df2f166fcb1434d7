package io.genrtl.core.auth;

import java.util.Objects;

/**
 * A one-time code handed to a native app's loopback redirect (RFC 8252), stored as SHA-256 hex, redeemed once with
 * the app's PKCE verifier for an API key bound to that app.
 */
public record LoopbackCode(String codeHash, String userId, String clientId, String redirectUri, String codeChallenge,
    long createdAt, long expiresAt) {
  public LoopbackCode {
    Objects.requireNonNull(codeHash, "codeHash");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(redirectUri, "redirectUri");
    Objects.requireNonNull(codeChallenge, "codeChallenge");
  }
}
