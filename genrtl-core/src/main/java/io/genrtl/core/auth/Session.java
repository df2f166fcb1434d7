package io.genrtl.core.auth;

import java.util.Objects;

/**
 * A browser or app session: a short-lived access token and a longer-lived refresh token, stored only as SHA-256
 * hex of (session id, secret). {@code previousRefreshHash} is the refresh token the last rotation replaced, kept to
 * detect its reuse. Times are epoch milliseconds; {@code revokedAt} is null while the session is live.
 */
public record Session(
    String sessionId,
    String userId,
    String provider,
    String accessHash,
    long accessExpiresAt,
    String refreshHash,
    String previousRefreshHash,
    long refreshExpiresAt,
    long createdAt,
    Long revokedAt) {

  public Session {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(accessHash, "accessHash");
    Objects.requireNonNull(refreshHash, "refreshHash");
  }

  @Override
  public String toString() {
    return "Session[sessionId=" + sessionId + ", userId=" + userId + ", provider=" + provider + "]";
  }
}
