package io.genrtl.core.auth;

import java.util.Objects;

/**
 * An RFC 8628 device authorization. The device code is stored only as SHA-256 hex; the user code is short, upper
 * case and unique. {@code userId} is who approved or denied it; {@code keyId} the API key it issued;
 * {@code failedAttempts} how many refused attempts named it (see {@link SignInService#MAX_DEVICE_ATTEMPTS}).
 */
public record DeviceAuthorization(
    String deviceId,
    String deviceCodeHash,
    String userCode,
    String clientId,
    DeviceStatus status,
    int intervalSeconds,
    Long lastPolledAt,
    String userId,
    String keyId,
    int failedAttempts,
    long createdAt,
    long expiresAt) {

  public DeviceAuthorization {
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(deviceCodeHash, "deviceCodeHash");
    Objects.requireNonNull(userCode, "userCode");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(status, "status");
  }
}
