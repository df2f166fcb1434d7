package io.genrtl.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.genrtl.core.auth.ExternalIdentity;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Bearer JWTs from an external identity provider (Supabase, Auth0, Keycloak), configured by issuer, JWKS URL and
 * the audience tokens must be meant for. A token is matched to its issuer by its (unverified) {@code iss}, then
 * verified like an ID token ({@link JwtVerifier}, no nonce); the identity is ({@code jwt:<name>}, {@code sub}) with
 * {@code email} and {@code email_verified}.
 */
public final class ExternalJwtAuthenticator {
  /** One trusted issuer. */
  public record Issuer(String name, String issuer, String jwksUrl, String audience) {
    public Issuer {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(jwksUrl, "jwksUrl");
      Objects.requireNonNull(audience, "audience");
    }
  }

  private record Trusted(Issuer issuer, JwksCache jwks) {}

  private final Map<String, Trusted> byIssuer = new LinkedHashMap<>();
  private final JwtVerifier verifier;

  public ExternalJwtAuthenticator(List<Issuer> issuers, OidcHttp http, Clock clock) {
    for (Issuer i : issuers) byIssuer.put(i.issuer(), new Trusted(i, JwksCache.of(i.jwksUrl(), http, clock)));
    this.verifier = new JwtVerifier(clock);
  }

  public boolean isEmpty() {
    return byIssuer.isEmpty();
  }

  /** Whether the token looks like a JWT (three dot-separated parts); says nothing about its validity. */
  public static boolean looksLikeJwt(String token) {
    return token != null && token.length() < 16_384 && token.chars().filter(c -> c == '.').count() == 2;
  }

  /**
   * The identity in a verified token from a configured issuer; empty when no configured issuer issued it. A token
   * from a configured issuer that fails verification is {@code sign_in_failed}.
   */
  public Optional<ExternalIdentity> authenticate(String token) {
    String iss;
    try {
      iss = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
    } catch (java.text.ParseException | RuntimeException e) {
      return Optional.empty();
    }
    Trusted t = iss == null ? null : byIssuer.get(iss);
    if (t == null) return Optional.empty();
    JWTClaimsSet c = verifier.verify(token, t.issuer().issuer(), t.issuer().audience(), t.jwks(), null);
    return Optional.of(new ExternalIdentity("jwt:" + t.issuer().name(), c.getSubject(), JwtVerifier.email(c),
        JwtVerifier.emailVerified(c)));
  }
}
