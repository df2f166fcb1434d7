package io.genrtl.auth.oidc;

import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginStart;
import java.net.URI;

/**
 * One sign-in provider: where to send the browser, and how to turn the callback's code into an identity. Failures
 * are {@code GenRtlException}s: {@code sign_in_failed} (with a {@code reason}) when the provider's answer is refused,
 * {@code unavailable} when the provider cannot be reached.
 */
public interface OAuthProvider {
  /** The path segment in {@code /api/auth/login/{provider}}: {@code google}, {@code github}, {@code facebook}, ... */
  String name();

  /** The authorization request URL carrying state, nonce (OIDC), the S256 code challenge and our redirect URI. */
  URI authorizationUrl(String redirectUri, LoginStart start);

  /** Exchanges the code (with the PKCE verifier) and returns who signed in; OIDC checks the ID token's nonce. */
  ExternalIdentity complete(String code, String codeVerifier, String redirectUri, String expectedNonce);
}
