package io.genrtl.auth.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.genrtl.core.base.GenRtlException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * Verifies a signed JWT (an ID token or an external bearer token) against an issuer's {@link JwksCache}: only
 * RS256 and ES256 (never {@code none}, never HS* whatever key it names), the key found by {@code kid} and of the
 * algorithm's type, then {@code iss}, {@code aud} (and {@code azp} when there are several audiences), {@code exp},
 * {@code nbf} and {@code iat} with {@link #SKEW} of clock skew, and the {@code nonce} when one is expected.
 */
public final class JwtVerifier {
  public static final Duration SKEW = Duration.ofSeconds(60);
  static final Set<JWSAlgorithm> ALLOWED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);
  private final Clock clock;

  public JwtVerifier(Clock clock) {
    this.clock = clock;
  }

  /** The verified claims, or {@code sign_in_failed} with {@code reason} {@code token}, {@code signature}, {@code iss}, {@code aud}, {@code exp}, {@code iat} or {@code nonce}. */
  public JWTClaimsSet verify(String token, String issuer, String audience, JwksCache jwks, String expectedNonce) {
    if (token == null || token.length() > 16_384) throw OidcHttp.failed("token", "the token is missing or too large");
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      throw OidcHttp.failed("token", "the token is not a signed JWT");
    }
    JWSHeader header = jwt.getHeader();
    if (!ALLOWED.contains(header.getAlgorithm())) {
      throw OidcHttp.failed("alg", "the token's algorithm is not allowed (RS256 or ES256 only)");
    }
    JWK key = jwks.key(header.getKeyID()).orElseThrow(() -> OidcHttp.failed("kid", "the token was signed with an unknown key"));
    if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
      throw OidcHttp.failed("kid", "the token's key is not a signing key");
    }
    if (key.getAlgorithm() != null && !key.getAlgorithm().equals(header.getAlgorithm())) {
      throw OidcHttp.failed("alg", "the token's algorithm does not match its key");
    }
    try {
      JWSVerifier verifier;
      if (JWSAlgorithm.RS256.equals(header.getAlgorithm()) && key instanceof RSAKey rsa) {
        verifier = new RSASSAVerifier(rsa);
      } else if (JWSAlgorithm.ES256.equals(header.getAlgorithm()) && key instanceof ECKey ec) {
        verifier = new ECDSAVerifier(ec);
      } else {
        throw OidcHttp.failed("alg", "the token's algorithm does not match its key");
      }
      if (!jwt.verify(verifier)) throw OidcHttp.failed("signature", "the token's signature does not verify");
    } catch (JOSEException e) {
      throw OidcHttp.failed("signature", "the token's signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw OidcHttp.failed("token", "the token's claims are malformed");
    }
    checkClaims(claims, issuer, audience, expectedNonce);
    return claims;
  }

  private void checkClaims(JWTClaimsSet c, String issuer, String audience, String expectedNonce) {
    if (!issuer.equals(c.getIssuer())) throw OidcHttp.failed("iss", "the token comes from another issuer");
    List<String> aud = c.getAudience();
    if (aud == null || !aud.contains(audience)) throw OidcHttp.failed("aud", "the token is meant for another audience");
    if (aud.size() > 1) {
      Object azp = c.getClaim("azp");
      if (azp != null && !audience.equals(azp)) throw OidcHttp.failed("aud", "the token was issued to another party");
    }
    long now = clock.millis();
    long skew = SKEW.toMillis();
    Date exp = c.getExpirationTime();
    if (exp == null || now >= exp.getTime() + skew) throw OidcHttp.failed("exp", "the token has expired");
    Date nbf = c.getNotBeforeTime();
    if (nbf != null && now + skew < nbf.getTime()) throw OidcHttp.failed("iat", "the token is not valid yet");
    Date iat = c.getIssueTime();
    if (iat != null && now + skew < iat.getTime()) throw OidcHttp.failed("iat", "the token was issued in the future");
    if (c.getSubject() == null || c.getSubject().isBlank()) throw OidcHttp.failed("token", "the token has no subject");
    if (expectedNonce != null) {
      Object nonce = c.getClaim("nonce");
      if (!(nonce instanceof String n) || !io.genrtl.core.auth.Secrets.equal(n, expectedNonce)) {
        throw OidcHttp.failed("nonce", "the token's nonce does not match this sign-in");
      }
    }
  }

  /** {@code email_verified} as a boolean, accepting the string form some issuers send. */
  static boolean emailVerified(JWTClaimsSet c) {
    Object v = c.getClaim("email_verified");
    return Boolean.TRUE.equals(v) || "true".equals(v);
  }

  static String email(JWTClaimsSet c) {
    Object v = c.getClaim("email");
    return v instanceof String s && !s.isBlank() ? s : null;
  }

  /** A {@link GenRtlException} thrown here carries the refusal reason; used by callers to log it. */
  static String reason(GenRtlException e) {
    Object r = e.details().get("reason");
    return r == null ? e.code().code() : r.toString();
  }
}
