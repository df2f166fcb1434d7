package io.genrtl.core.account;

/** A freshly created key. {@link #apiKey()} is the only time the full secret exists outside the client. */
public record IssuedKey(ApiKey key, String apiKey) {
  @Override
  public String toString() {
    return "IssuedKey[keyId=" + key.keyId() + "]";
  }
}
