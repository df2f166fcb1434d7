package io.genrtl.core.auth;

/** The values a login redirect to the provider carries: state, nonce and the S256 PKCE challenge. */
public record LoginStart(String state, String nonce, String codeChallenge) {
  @Override
  public String toString() {
    return "LoginStart[...]";
  }
}
