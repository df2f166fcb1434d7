package io.genrtl.auth.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import io.genrtl.auth.oidc.testing.TestIdp;
import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ID-token and external-JWT verification against a WireMock JWKS, with real RS256/ES256 signatures. */
class JwtVerifierTest {
  private static final String AUD = "client-123";
  private TestIdp idp;
  private MutableClock clock;
  private JwksCache jwks;
  private JwtVerifier verifier;
  private Instant now;

  @BeforeEach
  void setUp() {
    idp = new TestIdp();
    clock = MutableClock.at("2026-06-01T12:00:00Z");
    now = clock.instant();
    jwks = JwksCache.of(idp.jwksUrl(), OidcHttp.defaults(), clock);
    verifier = new JwtVerifier(clock);
  }

  @AfterEach
  void tearDown() {
    idp.close();
  }

  private JWTClaimsSet.Builder claims() {
    return idp.claims(AUD, "user-1", now).claim("nonce", "n-1").claim("email", "ann@example.com").claim("email_verified", true);
  }

  private JWTClaimsSet verify(String token) {
    return verifier.verify(token, idp.issuer(), AUD, jwks, "n-1");
  }

  private void assertRefused(String token, String reason) {
    assertThatThrownBy(() -> verify(token)).isInstanceOfSatisfying(GenRtlException.class, e -> {
      assertThat(e.code()).isEqualTo(ErrorCode.SIGN_IN_FAILED);
      assertThat(e.details()).containsEntry("reason", reason);
    });
  }

  @Test
  void rs256AndEs256TokensVerify() {
    assertThat(verify(idp.rs256(claims().build())).getSubject()).isEqualTo("user-1");
    JWTClaimsSet c = verify(idp.es256(claims().build()));
    assertThat(JwtVerifier.email(c)).isEqualTo("ann@example.com");
    assertThat(JwtVerifier.emailVerified(c)).isTrue();
    assertThat(idp.jwksFetches()).isEqualTo(1); // cached
  }

  @Test
  void wrongAudienceIssuerNonceAndAzpAreRefused() {
    assertRefused(idp.rs256(claims().audience("someone-else").build()), "aud");
    assertRefused(idp.rs256(claims().audience(List.of(AUD, "other")).claim("azp", "other").build()), "aud");
    assertThat(verify(idp.rs256(claims().audience(List.of(AUD, "other")).claim("azp", AUD).build()))).isNotNull();
    assertRefused(idp.rs256(claims().issuer("https://evil.example").build()), "iss");
    assertRefused(idp.rs256(claims().claim("nonce", "other").build()), "nonce");
    assertRefused(idp.rs256(claims().claim("nonce", null).build()), "nonce");
    assertRefused(idp.rs256(claims().subject(null).build()), "token");
  }

  @Test
  void expiryAndIssueTimeAllowOnlySmallSkew() {
    JWTClaimsSet.Builder b = claims().expirationTime(Date.from(now.minusSeconds(30)));
    assertThat(verify(idp.rs256(b.build()))).isNotNull(); // within the 60 s skew
    assertRefused(idp.rs256(claims().expirationTime(Date.from(now.minusSeconds(61))).build()), "exp");
    assertRefused(idp.rs256(claims().expirationTime(null).build()), "exp");
    assertRefused(idp.rs256(claims().issueTime(Date.from(now.plusSeconds(120))).build()), "iat");
    assertRefused(idp.rs256(claims().notBeforeTime(Date.from(now.plusSeconds(120))).build()), "iat");
    String valid = idp.rs256(claims().build());
    clock.advance(Duration.ofHours(1).plusSeconds(60));
    assertRefused(valid, "exp");
  }

  @Test
  void algNoneAndHs256WithThePublicKeyAreRefused() {
    assertRefused(TestIdp.algNone(claims().build()), "token");
    assertRefused(idp.hs256WithPublicKey(claims().build()), "alg");
    assertRefused("not.a.jwt", "token");
    assertRefused("", "token");
    String good = idp.rs256(claims().build());
    String[] parts = good.split("\\.");
    String tampered = parts[0] + "." + TestIdp.algNone(claims().subject("admin").build()).split("\\.")[1] + "." + parts[2];
    assertRefused(tampered, "signature");
  }

  @Test
  void anUnknownKidRefreshesTheJwksOnceThenIsRateLimited() {
    verify(idp.rs256(claims().build()));
    assertThat(idp.jwksFetches()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2));
    assertRefused(idp.unknownKid(claims().build()), "kid");
    assertThat(idp.jwksFetches()).isEqualTo(2); // one refresh
    assertRefused(idp.unknownKid(claims().build()), "kid");
    assertRefused(idp.unknownKid(claims().build()), "kid");
    assertThat(idp.jwksFetches()).isEqualTo(2); // rate limited: no more fetches within the interval

    // the issuer rotates to the new key: after the interval, one refresh finds it
    idp.serveJwks(List.of(idp.rsa, idp.ec, idp.stranger));
    clock.advance(Duration.ofSeconds(61));
    assertThat(verify(idp.unknownKid(claims().build())).getSubject()).isEqualTo("user-1");
    assertThat(idp.jwksFetches()).isEqualTo(3);
  }

  @Test
  void externalJwtsMapToAnIdentityOnlyFromConfiguredIssuers() {
    ExternalJwtAuthenticator ext = new ExternalJwtAuthenticator(
        List.of(new ExternalJwtAuthenticator.Issuer("auth0", idp.issuer(), idp.jwksUrl(), AUD)), OidcHttp.defaults(), clock);
    ExternalIdentity id = ext.authenticate(idp.es256(claims().build())).orElseThrow();
    assertThat(id).isEqualTo(new ExternalIdentity("jwt:auth0", "user-1", "ann@example.com", true));
    assertThat(ext.authenticate(idp.rs256(claims().issuer("https://other.example").build()))).isEmpty();
    assertThat(ext.authenticate("garbage")).isEmpty();
    assertThatThrownBy(() -> ext.authenticate(idp.rs256(claims().audience("x").build())))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.details()).containsEntry("reason", "aud"));
    assertThatThrownBy(() -> ext.authenticate(TestIdp.algNone(claims().build())))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SIGN_IN_FAILED));
    assertThat(ExternalJwtAuthenticator.looksLikeJwt("a.b.c")).isTrue();
    assertThat(ExternalJwtAuthenticator.looksLikeJwt("grtl_x_y")).isFalse();
  }
}
