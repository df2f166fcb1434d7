package io.genrtl.core.account;

import java.util.Objects;

/**
 * A stored API key: only the SHA-256 of its secret is kept. Times are epoch milliseconds; {@code expiresAt},
 * {@code revokedAt} and {@code lastUsedAt} are null when not set.
 */
public record ApiKey(
    String keyId,
    String userId,
    String name,
    byte[] secretHash,
    long createdAt,
    Long expiresAt,
    Long revokedAt,
    Long lastUsedAt) {

  public ApiKey {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(secretHash, "secretHash");
    secretHash = secretHash.clone();
  }

  @Override
  public byte[] secretHash() {
    return secretHash.clone();
  }

  public boolean isActiveAt(long nowMillis) {
    return revokedAt == null && (expiresAt == null || nowMillis < expiresAt);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ApiKey k && k.keyId.equals(keyId);
  }

  @Override
  public int hashCode() {
    return keyId.hashCode();
  }

  @Override
  public String toString() {
    return "ApiKey[keyId=" + keyId + ", userId=" + userId + ", name=" + name + "]";
  }
}
