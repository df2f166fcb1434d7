package io.genrtl.core.auth;

/** The answer to a device authorization request: the codes (the device code is never stored in clear), lifetime, interval. */
public record DeviceStart(String deviceCode, String userCode, long expiresInSeconds, int intervalSeconds) {
  @Override
  public String toString() {
    return "DeviceStart[userCode=" + userCode + "]";
  }
}
