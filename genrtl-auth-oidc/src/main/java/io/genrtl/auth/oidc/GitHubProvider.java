package io.genrtl.auth.oidc;

import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginStart;
import java.net.URI;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.Request;

/**
 * GitHub's web sign-in, plain OAuth 2.0 (no ID token): authorize at {@code <base>/login/oauth/authorize} with PKCE,
 * exchange at {@code <base>/login/oauth/access_token}, then the profile from {@code <api>/user} (its numeric
 * {@code id} is the subject) and the email from {@code <api>/user/emails}: the primary one if verified, else the
 * first verified one; none verified means no verified email.
 */
public final class GitHubProvider implements OAuthProvider {
  public static final String DEFAULT_BASE = "https://github.com";
  public static final String DEFAULT_API = "https://api.github.com";
  private final String clientId;
  private final String clientSecret;
  private final String base;
  private final String api;
  private final OidcHttp http;

  public GitHubProvider(String clientId, String clientSecret, String baseUrl, String apiUrl, OidcHttp http) {
    this.clientId = clientId;
    this.clientSecret = clientSecret;
    this.base = trim(baseUrl == null ? DEFAULT_BASE : baseUrl);
    this.api = trim(apiUrl == null ? DEFAULT_API : apiUrl);
    this.http = http;
  }

  static String trim(String u) {
    return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
  }

  @Override
  public String name() {
    return "github";
  }

  @Override
  public URI authorizationUrl(String redirectUri, LoginStart start) {
    return HttpUrl.parse(base + "/login/oauth/authorize").newBuilder()
        .addQueryParameter("client_id", clientId)
        .addQueryParameter("redirect_uri", redirectUri)
        .addQueryParameter("scope", "read:user user:email")
        .addQueryParameter("state", start.state())
        .addQueryParameter("code_challenge", start.codeChallenge())
        .addQueryParameter("code_challenge_method", "S256")
        .addQueryParameter("allow_signup", "true")
        .build().uri();
  }

  @Override
  @SuppressWarnings("unchecked")
  public ExternalIdentity complete(String code, String codeVerifier, String redirectUri, String expectedNonce) {
    String token = http.accessToken(base + "/login/oauth/access_token", clientId, clientSecret, code, redirectUri,
        codeVerifier, "GitHub");
    OidcHttp.JsonResponse user = http.send(get(api + "/user", token), "GitHub");
    String id = OidcHttp.string(user.body(), "id");
    if (!user.ok() || id == null) throw OidcHttp.failed("profile", "GitHub sent no usable profile");
    OidcHttp.JsonResponse emails = http.send(get(api + "/user/emails", token), "GitHub");
    String email = null;
    if (emails.ok() && emails.raw() instanceof List<?> list) {
      for (Object o : list) {
        if (!(o instanceof Map<?, ?> m) || !Boolean.TRUE.equals(m.get("verified")) || !(m.get("email") instanceof String e)) continue;
        if (Boolean.TRUE.equals(m.get("primary"))) {
          email = e;
          break;
        }
        if (email == null) email = e;
      }
    }
    return new ExternalIdentity(name(), id, email, email != null);
  }

  private static Request get(String url, String token) {
    return new Request.Builder().url(url).header("Authorization", "Bearer " + token)
        .header("X-GitHub-Api-Version", "2022-11-28").get().build();
  }
}
