package io.genrtl.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginStart;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import okhttp3.FormBody;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * An OpenID Connect provider (Google or any issuer): discovery from {@code <issuer>/.well-known/openid-configuration}
 * (cached; its {@code issuer} must equal the configured one), authorization code flow with PKCE S256 and a nonce,
 * code exchange at the token endpoint ({@code client_secret_post}), and the ID token verified against the issuer's
 * JWKS by {@link JwtVerifier}. The identity is (name, {@code sub}) with {@code email} and {@code email_verified}.
 */
public final class OidcProvider implements OAuthProvider {
  /** The provider's settings; {@code scopes} space-separated (default {@code openid email profile}). */
  public record Config(String name, String issuer, String clientId, String clientSecret, String scopes) {
    public Config {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(issuer, "issuer");
      Objects.requireNonNull(clientId, "clientId");
      if (scopes == null || scopes.isBlank()) scopes = "openid email profile";
    }

    @Override
    public String toString() {
      return "OidcProvider.Config[name=" + name + ", issuer=" + issuer + ", clientId=" + clientId + "]";
    }
  }

  private record Discovery(String authorizationEndpoint, String tokenEndpoint, JwksCache jwks) {}

  private final Config config;
  private final OidcHttp http;
  private final Clock clock;
  private final JwtVerifier verifier;
  private volatile Discovery discovery;

  public OidcProvider(Config config, OidcHttp http, Clock clock) {
    this.config = config;
    this.http = http;
    this.clock = clock;
    this.verifier = new JwtVerifier(clock);
  }

  @Override
  public String name() {
    return config.name();
  }

  public String issuer() {
    return config.issuer();
  }

  private Discovery discovery() {
    Discovery d = discovery;
    if (d != null) return d;
    synchronized (this) {
      if (discovery != null) return discovery;
      String base = config.issuer().endsWith("/") ? config.issuer().substring(0, config.issuer().length() - 1) : config.issuer();
      OidcHttp.JsonResponse r = http.send(new Request.Builder().url(base + "/.well-known/openid-configuration").get().build(),
          "the identity provider's discovery document");
      Map<String, Object> b = r.body();
      String issuer = OidcHttp.string(b, "issuer");
      String auth = OidcHttp.string(b, "authorization_endpoint");
      String token = OidcHttp.string(b, "token_endpoint");
      String jwks = OidcHttp.string(b, "jwks_uri");
      if (!r.ok() || auth == null || token == null || jwks == null || HttpUrl.parse(auth) == null
          || HttpUrl.parse(token) == null || HttpUrl.parse(jwks) == null) {
        throw new GenRtlException(ErrorCode.UNAVAILABLE, "the identity provider's discovery document could not be used",
            Map.of("reason", "discovery"));
      }
      if (!config.issuer().equals(issuer)) {
        throw new GenRtlException(ErrorCode.UNAVAILABLE, "the discovery document names another issuer",
            Map.of("reason", "discovery"));
      }
      discovery = new Discovery(auth, token, JwksCache.of(jwks, http, clock));
      return discovery;
    }
  }

  @Override
  public URI authorizationUrl(String redirectUri, LoginStart start) {
    HttpUrl url = HttpUrl.parse(discovery().authorizationEndpoint()).newBuilder()
        .addQueryParameter("response_type", "code")
        .addQueryParameter("client_id", config.clientId())
        .addQueryParameter("redirect_uri", redirectUri)
        .addQueryParameter("scope", config.scopes())
        .addQueryParameter("state", start.state())
        .addQueryParameter("nonce", start.nonce())
        .addQueryParameter("code_challenge", start.codeChallenge())
        .addQueryParameter("code_challenge_method", "S256")
        .build();
    return url.uri();
  }

  @Override
  public ExternalIdentity complete(String code, String codeVerifier, String redirectUri, String expectedNonce) {
    Discovery d = discovery();
    FormBody.Builder form = new FormBody.Builder().add("grant_type", "authorization_code").add("code", code)
        .add("redirect_uri", redirectUri).add("client_id", config.clientId()).add("code_verifier", codeVerifier);
    if (config.clientSecret() != null) form.add("client_secret", config.clientSecret());
    OidcHttp.JsonResponse r = http.send(new Request.Builder().url(d.tokenEndpoint()).post(form.build()).build(),
        "the identity provider's token endpoint");
    if (r.status() >= 500) {
      throw new GenRtlException(ErrorCode.UNAVAILABLE, "the identity provider's token endpoint failed", Map.of("reason", "token_endpoint"));
    }
    if (!r.ok()) throw OidcHttp.failed("code", "the identity provider refused the code (wrong, reused or without its verifier)");
    String idToken = OidcHttp.string(r.body(), "id_token");
    if (idToken == null) throw OidcHttp.failed("token", "the identity provider sent no ID token");
    JWTClaimsSet c = verifier.verify(idToken, config.issuer(), config.clientId(), d.jwks(), expectedNonce);
    return new ExternalIdentity(config.name(), c.getSubject(), JwtVerifier.email(c), JwtVerifier.emailVerified(c));
  }
}
