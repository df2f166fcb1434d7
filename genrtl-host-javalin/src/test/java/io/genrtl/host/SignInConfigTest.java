package io.genrtl.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.auth.oidc.AuthSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sign-in settings: GENRTL_OIDC_<NAME>_*, GENRTL_GITHUB_*, GENRTL_FACEBOOK_*, GENRTL_JWT_<NAME>_*. */
class SignInConfigTest {
  private static Map<String, String> env(String... kv) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  @Test
  void noSignInSettingsMeansNoProviders() {
    AuthSettings a = HostConfig.load(Map.of()).auth();
    assertThat(a.oidc()).isEmpty();
    assertThat(a.github()).isNull();
    assertThat(a.facebook()).isNull();
    assertThat(a.jwt()).isEmpty();
  }

  @Test
  void providersAndIssuersAreReadAndSecretsNeverPrinted() {
    HostConfig c = HostConfig.load(env(
        "GENRTL_OIDC_GOOGLE_ISSUER", "https://accounts.google.com",
        "GENRTL_OIDC_GOOGLE_CLIENT_ID", "g-id",
        "GENRTL_OIDC_GOOGLE_CLIENT_SECRET", "g-secret-value",
        "GENRTL_OIDC_KEYCLOAK_ISSUER", "https://kc.example/realms/x",
        "GENRTL_OIDC_KEYCLOAK_CLIENT_ID", "kc",
        "GENRTL_GITHUB_CLIENT_ID", "gh-id",
        "GENRTL_GITHUB_CLIENT_SECRET", "gh-secret-value",
        "GENRTL_GITHUB_API_URL", "http://127.0.0.1:9999/api",
        "GENRTL_JWT_SUPABASE_ISSUER", "https://p.supabase.co/auth/v1",
        "GENRTL_JWT_SUPABASE_JWKS_URL", "https://p.supabase.co/auth/v1/.well-known/jwks.json",
        "GENRTL_JWT_SUPABASE_AUDIENCE", "authenticated"));
    AuthSettings a = c.auth();
    assertThat(a.oidc()).extracting(AuthSettings.Oidc::name).containsExactly("google", "keycloak");
    assertThat(a.oidc().get(0).clientSecret()).isEqualTo("g-secret-value");
    assertThat(a.github().apiUrl()).isEqualTo("http://127.0.0.1:9999/api");
    assertThat(a.facebook()).isNull();
    assertThat(a.jwt()).singleElement().satisfies(j -> assertThat(j.audience()).isEqualTo("authenticated"));
    assertThat(c.toString()).contains("google").contains("github").doesNotContain("secret-value");
    assertThat(GenRtlServer.signInProviders(a, java.time.Clock.systemUTC())).isNotNull();
  }

  @Test
  void incompleteOrUnknownSignInSettingsAreRefusedTogether() {
    assertThatThrownBy(() -> HostConfig.load(env(
        "GENRTL_OIDC_GOOGLE_ISSUER", "https://accounts.google.com",
        "GENRTL_OIDC_OKTA_CLIENT_ID", "x",
        "GENRTL_OIDC_GOOGLE_COLOUR", "blue",
        "GENRTL_OIDC_BAD-NAME_ISSUER", "https://x",
        "GENRTL_GITHUB_CLIENT_ID", "only-id",
        "GENRTL_FACEBOOK_CLIENT_ID", "f", "GENRTL_FACEBOOK_CLIENT_SECRET", "s", "GENRTL_FACEBOOK_GRAPH_URL", "ftp://x",
        "GENRTL_JWT_AUTH0_ISSUER", "https://a.example/",
        "GENRTL_OIDC_GITHUB_ISSUER", "https://x", "GENRTL_OIDC_GITHUB_CLIENT_ID", "y")))
        .isInstanceOf(HostConfig.InvalidConfigException.class)
        .hasMessageContaining("GENRTL_OIDC_GOOGLE_ISSUER and GENRTL_OIDC_GOOGLE_CLIENT_ID: both are required")
        .hasMessageContaining("GENRTL_OIDC_OKTA_ISSUER and")
        .hasMessageContaining("GENRTL_OIDC_GOOGLE_COLOUR: unknown setting")
        .hasMessageContaining("GENRTL_OIDC_BAD-NAME_ISSUER: the provider name")
        .hasMessageContaining("GENRTL_GITHUB_CLIENT_ID and GENRTL_GITHUB_CLIENT_SECRET: set both or neither")
        .hasMessageContaining("GENRTL_FACEBOOK_GRAPH_URL: must be an http(s) URL")
        .hasMessageContaining("GENRTL_JWT_AUTH0_ISSUER, GENRTL_JWT_AUTH0_JWKS_URL and GENRTL_JWT_AUTH0_AUDIENCE")
        .hasMessageContaining("the name github is reserved");
  }
}
