package io.genrtl.auth.oidc;

import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginStart;
import java.net.URI;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * Facebook Login, plain OAuth 2.0: authorize at {@code <base>/dialog/oauth} with PKCE, exchange at
 * {@code <graph>/oauth/access_token}, profile from {@code <graph>/me?fields=id,name,email}. The Graph API returns
 * {@code email} only for an address the person has confirmed with Facebook, so a returned email counts as verified;
 * no email means no verified email.
 */
public final class FacebookProvider implements OAuthProvider {
  public static final String DEFAULT_BASE = "https://www.facebook.com/v19.0";
  public static final String DEFAULT_GRAPH = "https://graph.facebook.com/v19.0";
  private final String clientId;
  private final String clientSecret;
  private final String base;
  private final String graph;
  private final OidcHttp http;

  public FacebookProvider(String clientId, String clientSecret, String baseUrl, String graphUrl, OidcHttp http) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.base = GitHubProvider.trim(baseUrl == null ? DEFAULT_BASE : baseUrl);
    this.graph = GitHubProvider.trim(graphUrl == null ? DEFAULT_GRAPH : graphUrl);
    this.http = http;
  }

  @Override
  public String name() {
    return "facebook";
  }

  @Override
  public URI authorizationUrl(String redirectUri, LoginStart start) {
    return HttpUrl.parse(base + "/dialog/oauth").newBuilder()
        .addQueryParameter("client_id", clientId)
        .addQueryParameter("redirect_uri", redirectUri)
        .addQueryParameter("response_type", "code")
        .addQueryParameter("scope", "public_profile,email")
        .addQueryParameter("state", start.state())
        .addQueryParameter("code_challenge", start.codeChallenge())
        .addQueryParameter("code_challenge_method", "S256")
        .build().uri();
  }

  @Override
  public ExternalIdentity complete(String code, String codeVerifier, String redirectUri, String expectedNonce) {
    String token = http.accessToken(graph + "/oauth/access_token", clientId, clientSecret, code, redirectUri,
        codeVerifier, "Facebook");
    HttpUrl me = HttpUrl.parse(graph + "/me").newBuilder().addQueryParameter("fields", "id,name,email").build();
    OidcHttp.JsonResponse user = http.send(new Request.Builder().url(me).header("Authorization", "Bearer " + token).get().build(),
        "Facebook");
    String id = OidcHttp.string(user.body(), "id");
    if (!user.ok() || id == null) throw OidcHttp.failed("profile", "Facebook sent no usable profile");
    String email = OidcHttp.string(user.body(), "email");
    return new ExternalIdentity(name(), id, email, email != null && !email.isBlank());
  }
}
