package io.genrtl.core.auth;

/** A session's tokens as handed to the client once; only their hashes are stored. */
public record SessionTokens(String sessionId, String userId, String accessToken, long accessExpiresAt,
    String refreshToken, long refreshExpiresAt) {
  @Override
  public String toString() {
    return "SessionTokens[sessionId=" + sessionId + ", userId=" + userId + "]";
  }
}
