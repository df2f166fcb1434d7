package io.genrtl.auth.oidc.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

/**
 * A WireMock server playing an OpenID Connect issuer: discovery at {@code /.well-known/openid-configuration}, a
 * JWKS at {@code /jwks} with one RS256 and one ES256 key, and helpers that sign real tokens (and broken ones:
 * {@code alg: none}, HS256 keyed with the public key, unknown {@code kid}). Tests stub the token endpoint.
 */
public final class TestIdp implements AutoCloseable {
  public final WireMockServer server;
  public final RSAKey rsa;
  public final ECKey ec;
  public final RSAKey stranger; // not in the JWKS

  public TestIdp() {
    server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
    server.start();
    try {
      rsa = new RSAKeyGenerator(2048).keyID("rsa-1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
      ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
      stranger = new RSAKeyGenerator(2048).keyID("rsa-unknown").generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
    serveJwks(List.of(rsa, ec));
    server.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(aResponse()
        .withHeader("Content-Type", "application/json")
        .withBody("{\"issuer\":\"" + issuer() + "\",\"authorization_endpoint\":\"" + issuer() + "/authorize\","
            + "\"token_endpoint\":\"" + issuer() + "/token\",\"jwks_uri\":\"" + issuer() + "/jwks\","
            + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}")));
  }

  public String issuer() {
    return "http://127.0.0.1:" + server.port();
  }

  public String jwksUrl() {
    return issuer() + "/jwks";
  }

  /** Serves these keys (public parts) at {@code /jwks}. */
  public void serveJwks(List<JWK> keys) {
    List<JWK> pub = new ArrayList<>();
    for (JWK k : keys) pub.add(k.toPublicJWK());
    server.stubFor(get(urlPathEqualTo("/jwks")).willReturn(aResponse().withHeader("Content-Type", "application/json")
        .withBody(new JWKSet(pub).toString())));
  }

  /** Claims of a valid ID token for {@code aud}, issued now, valid for an hour. */
  public JWTClaimsSet.Builder claims(String aud, String sub, Instant now) {
    return new JWTClaimsSet.Builder().issuer(issuer()).audience(aud).subject(sub)
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)));
  }

  public String rs256(JWTClaimsSet claims) {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(rsa.getKeyID()).type(JOSEObjectType.JWT).build(), claims,
        signer(rsa));
  }

  public String es256(JWTClaimsSet claims) {
    return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(ec.getKeyID()).build(), claims, signer(ec));
  }

  /** Signed with a key the JWKS does not hold. */
  public String unknownKid(JWTClaimsSet claims) {
    return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(stranger.getKeyID()).build(), claims, signer(stranger));
  }

  /** The classic confusion attack: HS256 keyed with the RSA public key's bytes, naming the RSA key's kid. */
  public String hs256WithPublicKey(JWTClaimsSet claims) {
    try {
      byte[] secret = rsa.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
      return sign(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsa.getKeyID()).build(), claims, new MACSigner(secret));
    } catch (com.nimbusds.jose.KeyLengthException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An unsigned token: header {@code {"alg":"none"}}, the claims, and an empty signature. */
  public static String algNone(JWTClaimsSet claims) {
    Base64URL header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"rsa-1\"}");
    Base64URL payload = Base64URL.encode(claims.toString());
    return header + "." + payload + ".";
  }

  private static JWSSigner signer(JWK k) {
    try {
      return k instanceof RSAKey r ? new RSASSASigner(r) : new ECDSASigner((ECKey) k);
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(JWSHeader h, JWTClaimsSet c, JWSSigner s) {
    try {
      SignedJWT jwt = new SignedJWT(h, c);
      jwt.sign(s);
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** How many JWKS fetches the server has seen. */
  public int jwksFetches() {
    return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/jwks"))).size();
  }

  /** The parsed query of a URL. */
  public static Map<String, String> query(java.net.URI uri) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    String q = uri.getRawQuery();
    if (q == null) return out;
    for (String pair : q.split("&")) {
      int eq = pair.indexOf('=');
      String k = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  @Override
  public void close() {
    server.stop();
  }
}
