package io.genrtl.auth.oidc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sign-in providers as an operator configures them: OIDC issuers ({@code GENRTL_OIDC_<NAME>_*}), GitHub and Facebook
 * OAuth apps ({@code GENRTL_GITHUB_*}, {@code GENRTL_FACEBOOK_*}; null when not configured; base URLs null: the public
 * ones), and trusted external JWT issuers ({@code GENRTL_JWT_<NAME>_*}).
 */
public record AuthSettings(List<Oidc> oidc, OAuthApp github, OAuthApp facebook, List<Jwt> jwt) {
  public AuthSettings {
    oidc = List.copyOf(oidc);
    jwt = List.copyOf(jwt);
  }

  public static AuthSettings none() {
    return new AuthSettings(List.of(), null, null, List.of());
  }

  /** An OIDC issuer; {@code name} is the lower-cased {@code <NAME>}, used in {@code /api/auth/login/{name}}. */
  public record Oidc(String name, String issuer, String clientId, String clientSecret, String scopes) {
    @Override
    public String toString() {
      return "Oidc[" + name + "]";
    }
  }

  /** A plain OAuth 2.0 app (GitHub, Facebook); {@code baseUrl} / {@code apiUrl} override the public endpoints. */
  public record OAuthApp(String clientId, String clientSecret, String baseUrl, String apiUrl) {
    @Override
    public String toString() {
      return "OAuthApp[clientId=" + clientId + "]";
    }
  }

  /** A trusted external JWT issuer. */
  public record Jwt(String name, String issuer, String jwksUrl, String audience) {}

  private static final List<String> OIDC_SUFFIXES = List.of("_ISSUER", "_CLIENT_ID", "_CLIENT_SECRET", "_SCOPES");
  private static final List<String> JWT_SUFFIXES = List.of("_ISSUER", "_JWKS_URL", "_AUDIENCE");
  static final List<String> KEYS = List.of("GENRTL_GITHUB_CLIENT_ID", "GENRTL_GITHUB_CLIENT_SECRET",
      "GENRTL_GITHUB_BASE_URL", "GENRTL_GITHUB_API_URL", "GENRTL_FACEBOOK_CLIENT_ID", "GENRTL_FACEBOOK_CLIENT_SECRET",
      "GENRTL_FACEBOOK_BASE_URL", "GENRTL_FACEBOOK_GRAPH_URL");

  /** Whether {@code key} (a {@code GENRTL_*} name) is one of these settings; a bad one is reported by {@link #parse}. */
  public static boolean claims(String key) {
    return KEYS.contains(key) || key.startsWith("GENRTL_OIDC_") || key.startsWith("GENRTL_JWT_");
  }

  /** Reads the settings from {@code values} (names as above); each problem found is added to {@code problems}. */
  public static AuthSettings parse(Map<String, String> values, List<String> problems) {
    TreeMap<String, Map<String, String>> oidc = new TreeMap<>();
    TreeMap<String, Map<String, String>> jwt = new TreeMap<>();
    for (String k : values.keySet()) {
      grouped(k, "GENRTL_OIDC_", OIDC_SUFFIXES, values, oidc, problems);
      grouped(k, "GENRTL_JWT_", JWT_SUFFIXES, values, jwt, problems);
    }
    List<Oidc> oidcs = new ArrayList<>();
    oidc.forEach((name, v) -> {
      String prefix = "GENRTL_OIDC_" + name.toUpperCase(Locale.ROOT);
      String issuer = v.get("_ISSUER");
      String id = v.get("_CLIENT_ID");
      if (issuer == null || id == null) problems.add(prefix + "_ISSUER and " + prefix + "_CLIENT_ID: both are required");
      else if (!issuer.matches("https?://[^@\\s]+")) problems.add(prefix + "_ISSUER: must be an http(s) URL");
      else if (name.equals("github") || name.equals("facebook")) problems.add(prefix + "_*: the name " + name + " is reserved");
      else oidcs.add(new Oidc(name, issuer, id, v.get("_CLIENT_SECRET"), v.get("_SCOPES")));
    });
    List<Jwt> jwts = new ArrayList<>();
    jwt.forEach((name, v) -> {
      String prefix = "GENRTL_JWT_" + name.toUpperCase(Locale.ROOT);
      String issuer = v.get("_ISSUER");
      String jwks = v.get("_JWKS_URL");
      String aud = v.get("_AUDIENCE");
      if (issuer == null || jwks == null || aud == null) {
        problems.add(prefix + "_ISSUER, " + prefix + "_JWKS_URL and " + prefix + "_AUDIENCE: all three are required");
      } else if (!jwks.matches("https?://[^@\\s]+")) {
        problems.add(prefix + "_JWKS_URL: must be an http(s) URL");
      } else {
        jwts.add(new Jwt(name, issuer, jwks, aud));
      }
    });
    return new AuthSettings(oidcs, oauthApp(values, "GENRTL_GITHUB", "_API_URL", problems),
        oauthApp(values, "GENRTL_FACEBOOK", "_GRAPH_URL", problems), jwts);
  }

  private static void grouped(String key, String prefix, List<String> suffixes, Map<String, String> values,
      Map<String, Map<String, String>> out, List<String> problems) {
    if (!key.startsWith(prefix)) return;
    for (String suffix : suffixes) {
      if (key.endsWith(suffix) && key.length() > prefix.length() + suffix.length()) {
        String name = key.substring(prefix.length(), key.length() - suffix.length());
        if (!name.matches("[A-Z0-9]{1,32}")) {
          problems.add(key + ": the provider name must be 1-32 letters or digits");
          return;
        }
        out.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new HashMap<>()).put(suffix, values.get(key));
        return;
      }
    }
    problems.add(key + ": unknown setting (see README.md, Sign-in)");
  }

  private static OAuthApp oauthApp(Map<String, String> values, String prefix, String apiSuffix, List<String> problems) {
    String id = values.get(prefix + "_CLIENT_ID");
    String secret = values.get(prefix + "_CLIENT_SECRET");
    if (id == null && secret == null) return null;
    if (id == null || secret == null) {
      problems.add(prefix + "_CLIENT_ID and " + prefix + "_CLIENT_SECRET: set both or neither");
      return null;
    }
    for (String k : new String[] {prefix + "_BASE_URL", prefix + apiSuffix}) {
      String u = values.get(k);
      if (u != null && !u.matches("https?://[^@\\s]+")) problems.add(k + ": must be an http(s) URL");
    }
    return new OAuthApp(id, secret, values.get(prefix + "_BASE_URL"), values.get(prefix + apiSuffix));
  }

  @Override
  public String toString() {
    List<String> names = new ArrayList<>();
    for (Oidc o : oidc) names.add(o.name());
    if (github != null) names.add("github");
    if (facebook != null) names.add("facebook");
    return "Auth[providers=" + names + ", jwtIssuers=" + jwt.size() + "]";
  }
}
