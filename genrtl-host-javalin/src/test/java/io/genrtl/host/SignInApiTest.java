package io.genrtl.host;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.requestMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.nimbusds.jwt.JWTClaimsSet;
import io.genrtl.auth.oidc.ExternalJwtAuthenticator;
import io.genrtl.auth.oidc.FacebookProvider;
import io.genrtl.auth.oidc.GitHubProvider;
import io.genrtl.auth.oidc.OidcHttp;
import io.genrtl.auth.oidc.OidcProvider;
import io.genrtl.auth.oidc.testing.TestIdp;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.auth.Secrets;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.SignInProviders;
import io.javalin.Javalin;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sign-in over real HTTP with WireMock as the identity provider (real RS256/ES256 ID tokens, a served JWKS), GitHub
 * and Facebook APIs stubbed on the same server; the device flow and the loopback flow end to end.
 */
class SignInApiTest {
  private static final String CLIENT = "client-123";
  private static final String FORM = "application/x-www-form-urlencoded";
  private TestIdp idp;
  private MutableClock clock;
  private GenRtl genrtl;
  private Javalin app;
  private TestHttp http;
  private String base;

  @BeforeEach
  void start() throws Exception {
    idp = new TestIdp();
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    clock = MutableClock.at("2026-06-01T12:00:00Z");
    genrtl = GenRtl.builder().stores(InMemoryStores.create()).clock(clock).build();
    OidcHttp h = OidcHttp.defaults();
    SignInProviders providers = new SignInProviders(List.of(
        new OidcProvider(new OidcProvider.Config("google", idp.issuer(), CLIENT, "s3cret", null), h, clock),
        new GitHubProvider("gh-id", "gh-secret", idp.issuer() + "/gh", idp.issuer() + "/gh-api", h),
        new FacebookProvider("fb-id", "fb-secret", idp.issuer() + "/fb", idp.issuer() + "/graph", h)),
        new ExternalJwtAuthenticator(List.of(new ExternalJwtAuthenticator.Issuer("auth0", idp.issuer(), idp.jwksUrl(), "api://genrtl")),
            h, clock));
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, base), providers);
    app.start("127.0.0.1", port);
    http = new TestHttp(port);
    // the IdP refuses every code it was not told about
    idp.server.stubFor(post(urlPathEqualTo("/token")).atPriority(10)
        .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop();
    idp.close();
  }

  // ------------------------------------------------------------------ helpers

  record Login(String state, String nonce, String challenge, Map<String, String> query) {}

  private Login login(String provider, String query) {
    TestHttp.Response r = http.get("/api/auth/login/" + provider + query, null);
    assertThat(r.status()).as(r.body()).isEqualTo(302);
    Map<String, String> q = TestIdp.query(URI.create(r.header("Location")));
    return new Login(q.get("state"), q.get("nonce"), q.get("code_challenge"), q);
  }

  private static Map<String, String> form(String body) {
    return TestIdp.query(URI.create("http://x/?" + body));
  }

  /** The IdP answers {@code code} with this ID token, but only to a request carrying the verifier of {@code challenge}. */
  private void issueCode(String code, String challenge, String idToken) {
    idp.server.stubFor(requestMatching(req -> {
      if (!req.getUrl().equals("/token") || !req.getMethod().getName().equals("POST")) return MatchResult.noMatch();
      Map<String, String> f = form(req.getBodyAsString());
      String v = f.get("code_verifier");
      return MatchResult.of(code.equals(f.get("code")) && v != null && Secrets.s256(v).equals(challenge)
          && CLIENT.equals(f.get("client_id")) && "s3cret".equals(f.get("client_secret")));
    }).atPriority(1).willReturn(okJson("{\"access_token\":\"idp-at\",\"token_type\":\"Bearer\",\"id_token\":\"" + idToken + "\"}")));
  }

  private JWTClaimsSet.Builder claims(Login l, String sub, String email) {
    return idp.claims(CLIENT, sub, clock.instant()).claim("nonce", l.nonce()).claim("email", email).claim("email_verified", true);
  }

  private TestHttp.Response callback(String provider, String code, String state) {
    return http.get("/api/auth/callback/" + provider + "?code=" + enc(code) + "&state=" + enc(state), null);
  }

  /** A complete Google-like sign-in; returns the callback's answer. */
  private TestHttp.Response googleSignIn(String sub, String email, UnaryOperator<JWTClaimsSet.Builder> tweak) {
    Login l = login("google", "");
    String code = "code-" + Secrets.random(8);
    issueCode(code, l.challenge(), idp.rs256(tweak.apply(claims(l, sub, email)).build()));
    return callback("google", code, l.state());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static void assertSignInFailed(TestHttp.Response r, String reason) {
    assertProblem(r, 401, "sign_in_failed");
    assertThat(r.json()).containsEntry("reason", reason);
  }

  private static void assertOAuthError(TestHttp.Response r, int status, String error) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.json()).containsEntry("error", error);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
  }

  private static String cookie(TestHttp.Response r, String name) {
    for (String c : r.headers().getOrDefault("set-cookie", List.of())) {
      if (c.startsWith(name + "=")) return c;
    }
    throw new AssertionError("no cookie " + name + " in " + r.headers());
  }

  private static String cookieValue(TestHttp.Response r, String name) {
    String c = cookie(r, name);
    return c.substring(name.length() + 1, c.indexOf(';'));
  }

  private TestHttp.Response postForm(String path, String body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = FORM;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return http.send("POST", path, null, body, all);
  }

  // ------------------------------------------------------------------ OIDC

  @Test
  void googleLikeOidcSignInCreatesAFreeUserAndASessionThatAuthenticates() {
    Login l = login("google", "");
    assertThat(l.query()).containsEntry("client_id", CLIENT).containsEntry("response_type", "code")
        .containsEntry("code_challenge_method", "S256").containsEntry("redirect_uri", base + "/api/auth/callback/google")
        .containsEntry("scope", "openid email profile");
    assertThat(l.state()).hasSize(43);
    assertThat(l.nonce()).hasSize(43);
    issueCode("code-1", l.challenge(), idp.rs256(claims(l, "g-sub-1", "Ann@Example.com").build()));
    TestHttp.Response r = callback("google", "code-1", l.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    Map<String, Object> t = r.json();
    assertThat(t).containsEntry("token_type", "Bearer").containsEntry("email", "ann@example.com");
    assertThat(((Number) t.get("expires_in")).intValue()).isEqualTo(900);
    String access = (String) t.get("access_token");
    assertThat(cookie(r, "genrtl_session")).contains("HttpOnly").contains("Secure").contains("SameSite=Lax").contains("Path=/;");
    assertThat(cookie(r, "genrtl_refresh")).contains("HttpOnly").contains("Secure").contains("SameSite=Strict");
    assertThat(cookieValue(r, "genrtl_session")).isEqualTo(access);
    // the verifier our server sent matches the challenge it put in the redirect
    String sent = form(idp.server.findAll(postRequestedFor(urlPathEqualTo("/token"))).get(0).getBodyAsString()).get("code_verifier");
    assertThat(Secrets.s256(sent)).isEqualTo(l.challenge());

    TestHttp.Response me = http.get("/api/me", access);
    assertThat(me.status()).as(me.body()).isEqualTo(200);
    assertThat(me.body()).contains("ann@example.com").contains("\"free\"");
    TestHttp.Response byCookie = http.send("GET", "/api/me", null, null, "Cookie", "genrtl_session=" + access);
    assertThat(byCookie.status()).isEqualTo(200);
    // an ES256 ID token works too, and the same subject is the same user
    Login l2 = login("google", "");
    issueCode("code-2", l2.challenge(), idp.es256(claims(l2, "g-sub-1", "ann@example.com").build()));
    assertThat(callback("google", "code-2", l2.state()).json()).containsEntry("user_id", t.get("user_id"));
    // each sign-in is in the audit log, as the user, with where it came from
    var entries = genrtl.stores().audit().list(new io.genrtl.core.audit.AuditQuery(null, io.genrtl.core.audit.AuditActions.SIGN_IN,
        null, null, null, null, null), io.genrtl.core.base.PageRequest.first(10)).items();
    assertThat(entries).hasSize(2).allSatisfy(e -> {
      assertThat(e.actorUserId()).isEqualTo(t.get("user_id"));
      assertThat(e.targetId()).isEqualTo(t.get("user_id"));
      assertThat(e.detailsJson()).contains("google").contains("browser");
      assertThat(e.ip()).isNotBlank();
    });
  }

  @Test
  void badStatesAreRefused() {
    Login l = login("google", "");
    issueCode("c", l.challenge(), idp.rs256(claims(l, "s", "a@example.com").build()));
    assertSignInFailed(http.get("/api/auth/callback/google?code=c", null), "state");
    assertSignInFailed(callback("google", "c", "wrong-state"), "state");
    assertThat(callback("google", "c", l.state()).status()).isEqualTo(200);
    assertSignInFailed(callback("google", "c", l.state()), "state"); // reused
    Login late = login("google", "");
    clock.advance(Duration.ofMinutes(10));
    assertSignInFailed(callback("google", "c", late.state()), "state"); // expired
    Login other = login("google", "");
    assertSignInFailed(callback("github", "c", other.state()), "state"); // another provider's callback
    Login denied = login("google", "");
    assertSignInFailed(http.get("/api/auth/callback/google?error=access_denied&state=" + enc(denied.state()), null), "denied");
  }

  @Test
  void aCodeRedeemedWithTheWrongVerifierIsRefusedByTheProvider() {
    Login a = login("google", "");
    Login b = login("google", "");
    issueCode("code-for-a", a.challenge(), idp.rs256(claims(a, "s", "a@example.com").build()));
    // an attacker injects A's code into B's callback: our server sends B's verifier, which does not match
    assertSignInFailed(callback("google", "code-for-a", b.state()), "code");
    assertThat(callback("google", "code-for-a", a.state()).status()).isEqualTo(200);
  }

  @Test
  void badIdTokensAreRefused() {
    assertSignInFailed(googleSignIn("s", "a@example.com", c -> c.audience("someone-else")), "aud");
    assertSignInFailed(googleSignIn("s", "a@example.com", c -> c.issuer("https://accounts.evil.example")), "iss");
    assertSignInFailed(googleSignIn("s", "a@example.com",
        c -> c.expirationTime(Date.from(clock.instant().minusSeconds(120)))), "exp");
    assertSignInFailed(googleSignIn("s", "a@example.com", c -> c.claim("nonce", "replayed")), "nonce");
    assertThat(idp.jwksFetches()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2)); // past the JWKS refresh rate limit
    for (String kind : List.of("none", "hs256", "kid")) {
      Login l = login("google", "");
      JWTClaimsSet c = claims(l, "s", "a@example.com").build();
      String token = switch (kind) {
        case "none" -> TestIdp.algNone(c);
        case "hs256" -> idp.hs256WithPublicKey(c);
        default -> idp.unknownKid(c);
      };
      issueCode("code-" + kind, l.challenge(), token);
      assertSignInFailed(callback("google", "code-" + kind, l.state()), kind.equals("none") ? "token" : kind.equals("hs256") ? "alg" : "kid");
    }
    assertThat(idp.jwksFetches()).isEqualTo(2); // the unknown kid cost exactly one refresh
    assertThat(genrtl.stores().accounts().users().findByEmail("a@example.com")).isEmpty();
  }

  // ------------------------------------------------------------------ GitHub and Facebook

  private void stubGitHub(String code, String challenge, String id, String emailsJson) {
    idp.server.stubFor(requestMatching(req -> {
      if (!req.getUrl().equals("/gh/login/oauth/access_token")) return MatchResult.noMatch();
      Map<String, String> f = form(req.getBodyAsString());
      String v = f.get("code_verifier");
      return MatchResult.of(code.equals(f.get("code")) && v != null && Secrets.s256(v).equals(challenge));
    }).willReturn(okJson("{\"access_token\":\"gh-token-" + id + "\",\"token_type\":\"bearer\"}")));
    idp.server.stubFor(get(urlPathEqualTo("/gh-api/user")).withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer gh-token-" + id))
        .willReturn(okJson("{\"id\":" + id + ",\"login\":\"octo\"}")));
    idp.server.stubFor(get(urlPathEqualTo("/gh-api/user/emails")).withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer gh-token-" + id))
        .willReturn(okJson(emailsJson)));
  }

  @Test
  void gitHubUsesItsVerifiedEmailAndAnUnverifiedOneNeverJoins() {
    TestHttp.Response viaGoogle = googleSignIn("g-1", "ann@example.com", c -> c);
    String annId = (String) viaGoogle.json().get("user_id");

    Login l = login("github", "");
    assertThat(l.query()).containsEntry("client_id", "gh-id").containsEntry("code_challenge_method", "S256");
    stubGitHub("gh-code", l.challenge(), "4242", "[{\"email\":\"old@example.com\",\"verified\":true,\"primary\":false},"
        + "{\"email\":\"ANN@example.com\",\"verified\":true,\"primary\":true}]");
    TestHttp.Response r = callback("github", "gh-code", l.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("user_id", annId); // same verified email: same user

    Login l2 = login("github", "");
    stubGitHub("gh-code-2", l2.challenge(), "777", "[{\"email\":\"ann@example.com\",\"verified\":false,\"primary\":true}]");
    TestHttp.Response refused = callback("github", "gh-code-2", l2.state());
    assertProblem(refused, 403, "email_not_verified");
    assertThat(genrtl.stores().auth().findIdentity("github", "777")).isEmpty();

    Login l3 = login("github", "");
    stubGitHub("gh-code-3", "not-the-challenge", "4242", "[]");
    assertSignInFailed(callback("github", "gh-code-3", l3.state()), "code");
  }

  @Test
  void facebookSignInCreatesAUserFromTheGraphProfile() {
    Login l = login("facebook", "");
    assertThat(l.query()).containsEntry("client_id", "fb-id").containsEntry("scope", "public_profile,email");
    idp.server.stubFor(requestMatching(req -> {
      if (!req.getUrl().equals("/graph/oauth/access_token")) return MatchResult.noMatch();
      String v = form(req.getBodyAsString()).get("code_verifier");
      return MatchResult.of(v != null && Secrets.s256(v).equals(l.challenge()));
    }).willReturn(okJson("{\"access_token\":\"fb-token\",\"token_type\":\"bearer\",\"expires_in\":5000}")));
    idp.server.stubFor(get(urlPathEqualTo("/graph/me")).withQueryParam("fields", com.github.tomakehurst.wiremock.client.WireMock.equalTo("id,name,email"))
        .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer fb-token"))
        .willReturn(okJson("{\"id\":\"10001\",\"name\":\"Fay\",\"email\":\"fay@example.com\"}")));
    TestHttp.Response r = callback("facebook", "fb-code", l.state());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).containsEntry("email", "fay@example.com");
    assertThat(genrtl.stores().auth().findIdentity("facebook", "10001")).isPresent();
  }

  // ------------------------------------------------------------------ sessions

  @Test
  void refreshRotatesLogoutEndsAndTheClockExpires() {
    Map<String, Object> t = googleSignIn("g-1", "ann@example.com", c -> c).json();
    String access = (String) t.get("access_token");
    String refresh = (String) t.get("refresh_token");
    clock.advance(Duration.ofMinutes(16));
    assertProblem(http.get("/api/me", access), 401, "unauthenticated");

    TestHttp.Response r = http.post("/api/auth/refresh", null, "{\"refresh_token\":\"" + refresh + "\"}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    String access2 = (String) r.json().get("access_token");
    String refresh2 = (String) r.json().get("refresh_token");
    assertThat(http.get("/api/me", access2).status()).isEqualTo(200);
    // by cookie too
    TestHttp.Response byCookie = http.send("POST", "/api/auth/refresh", null, null, "Cookie", "genrtl_refresh=" + refresh2);
    assertThat(byCookie.status()).as(byCookie.body()).isEqualTo(200);
    String access3 = (String) byCookie.json().get("access_token");
    assertThat(cookieValue(byCookie, "genrtl_session")).isEqualTo(access3);
    // the rotated-out refresh token is refused, and its reuse ends the session
    assertProblem(http.post("/api/auth/refresh", null, "{\"refresh_token\":\"" + refresh2 + "\"}"), 401, "unauthenticated");
    assertProblem(http.get("/api/me", access3), 401, "unauthenticated");

    Map<String, Object> s = googleSignIn("g-1", "ann@example.com", c -> c).json();
    String a = (String) s.get("access_token");
    TestHttp.Response out = http.post("/api/auth/logout", a, null);
    assertThat(out.status()).isEqualTo(204);
    assertThat(cookie(out, "genrtl_session")).contains("Max-Age=0");
    assertProblem(http.get("/api/me", a), 401, "unauthenticated");
    assertProblem(http.post("/api/auth/refresh", null, "{\"refresh_token\":\"" + s.get("refresh_token") + "\"}"), 401, "unauthenticated");
  }

  @Test
  void cookieSessionsRefuseCrossSiteWrites() {
    String access = (String) googleSignIn("g-1", "ann@example.com", c -> c).json().get("access_token");
    String c = "genrtl_session=" + access;
    assertProblem(http.send("POST", "/api/keys", null, "{}", "Cookie", c, "Origin", "https://evil.example"), 403, "forbidden");
    assertProblem(http.send("POST", "/api/keys", null, "{}", "Cookie", c, "Sec-Fetch-Site", "cross-site"), 403, "forbidden");
    assertThat(http.send("POST", "/api/keys", null, "{\"name\":\"web\"}", "Cookie", c, "Origin", base).status()).isEqualTo(201);
  }

  // ------------------------------------------------------------------ device flow

  private Map<String, Object> startDevice() {
    TestHttp.Response r = postForm("/api/auth/device", "client_id=genrtl-vscode");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private TestHttp.Response poll(String deviceCode) {
    return postForm("/api/auth/token", "grant_type=" + enc("urn:ietf:params:oauth:grant-type:device_code")
        + "&device_code=" + enc(deviceCode) + "&client_id=genrtl-vscode");
  }

  private String csrfFrom(String page) {
    int i = page.indexOf("name=\"csrf\" value=\"");
    assertThat(i).as(page).isPositive();
    return page.substring(i + 19, page.indexOf('"', i + 19));
  }

  @Test
  void deviceFlowPendingSlowDownApprovedKeyIssuedOnceListedAndRevocable() {
    Map<String, Object> d = startDevice();
    String deviceCode = (String) d.get("device_code");
    String userCode = (String) d.get("user_code");
    assertThat(userCode).matches("[A-Z]{4}-[A-Z]{4}");
    assertThat(d).containsEntry("verification_uri", base + "/device")
        .containsEntry("verification_uri_complete", base + "/device?user_code=" + userCode);
    assertThat(((Number) d.get("interval")).intValue()).isEqualTo(5);
    assertThat(((Number) d.get("expires_in")).intValue()).isEqualTo(600);

    assertOAuthError(poll(deviceCode), 400, "authorization_pending");
    TestHttp.Response slow = poll(deviceCode);
    assertOAuthError(slow, 400, "slow_down");
    assertThat(((Number) slow.json().get("interval")).intValue()).isEqualTo(10);

    // the page: signed out it offers sign-in; signed in it shows the form with a CSRF token
    TestHttp.Response signedOut = http.get("/device?user_code=" + userCode, null);
    assertThat(signedOut.status()).isEqualTo(200);
    assertThat(signedOut.body()).contains("/api/auth/login/google?return_to=");
    String access = (String) googleSignIn("g-1", "ann@example.com", c -> c).json().get("access_token");
    String cookie = "genrtl_session=" + access;
    TestHttp.Response pageR = http.send("GET", "/device?user_code=" + userCode, null, null, "Cookie", cookie);
    assertThat(pageR.contentType()).startsWith("text/html");
    assertThat(pageR.body()).contains("value=\"" + userCode + "\"");
    String csrf = csrfFrom(pageR.body());

    // CSRF: missing, wrong, foreign origin
    assertThat(postForm("/device", "user_code=" + userCode + "&action=approve", "Cookie", cookie).status()).isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + userCode + "&action=approve&csrf=" + "0".repeat(64), "Cookie", cookie).status())
        .isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + userCode + "&action=approve&csrf=" + csrf, "Cookie", cookie,
        "Origin", "https://evil.example").status()).isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + userCode + "&action=approve&csrf=" + csrf).status()).isEqualTo(401);
    assertOAuthError(poll(deviceCode), 400, "slow_down"); // still pending (and still too fast)

    TestHttp.Response ok = postForm("/device", "user_code=" + userCode.toLowerCase() + "&action=approve&csrf=" + csrf,
        "Cookie", cookie, "Origin", base);
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.body()).contains("Device approved");

    clock.advance(Duration.ofSeconds(30));
    TestHttp.Response issued = poll(deviceCode);
    assertThat(issued.status()).as(issued.body()).isEqualTo(200);
    assertThat(issued.header("Cache-Control")).isEqualTo("no-store");
    String key = (String) issued.json().get("access_token");
    String keyId = (String) issued.json().get("key_id");
    assertThat(issued.json()).containsEntry("token_type", "Bearer").containsEntry("name", "device: genrtl-vscode (device sign-in)");
    clock.advance(Duration.ofSeconds(30));
    assertOAuthError(poll(deviceCode), 400, "invalid_grant");

    assertThat(http.get("/api/me", key).body()).contains("ann@example.com");
    TestHttp.Response keys = http.get("/api/keys", access);
    assertThat(keys.body()).contains(keyId).contains("device: genrtl-vscode");
    assertThat(http.delete("/api/keys/" + keyId, access).status()).isEqualTo(204);
    assertProblem(http.get("/api/me", key), 401, "unauthenticated");
  }

  @Test
  void deviceFlowDeniedExpiredAndUnknownCodes() {
    String access = (String) googleSignIn("g-1", "ann@example.com", c -> c).json().get("access_token");
    String cookie = "genrtl_session=" + access;
    String csrf = csrfFrom(http.send("GET", "/device", null, null, "Cookie", cookie).body());
    Map<String, Object> d = startDevice();
    TestHttp.Response denied = postForm("/device", "user_code=" + d.get("user_code") + "&action=deny&csrf=" + csrf, "Cookie", cookie);
    assertThat(denied.status()).isEqualTo(200);
    assertOAuthError(poll((String) d.get("device_code")), 400, "access_denied");

    assertThat(postForm("/device", "user_code=BBBB-BBBB&action=approve&csrf=" + csrf, "Cookie", cookie).status()).isEqualTo(404);
    assertThat(postForm("/device", "user_code=x&action=launch&csrf=" + csrf, "Cookie", cookie).status()).isEqualTo(400);
    assertThat(http.send("POST", "/device", null, "{}", "Cookie", cookie).status()).isEqualTo(400);

    Map<String, Object> late = startDevice();
    clock.advance(Duration.ofMinutes(10));
    assertOAuthError(poll((String) late.get("device_code")), 400, "expired_token");
    String csrf2 = csrfFrom(http.send("GET", "/device", null, null, "Cookie", cookie).body());
    assertThat(postForm("/device", "user_code=" + late.get("user_code") + "&action=approve&csrf=" + csrf2, "Cookie", cookie).status())
        .isEqualTo(404); // an expired code cannot be approved any more
    clock.advance(Duration.ofMinutes(6)); // the 15-minute session has expired: the page asks to sign in again
    assertThat(postForm("/device", "user_code=" + late.get("user_code") + "&action=approve&csrf=" + csrf2, "Cookie", cookie).status())
        .isEqualTo(401);
    assertOAuthError(poll("unknown-device-code"), 400, "invalid_grant");
  }

  /**
   * Issue "Security findings from a hostile review", Low: refused decisions naming a device's user code are capped
   * per device code ({@code SignInService.MAX_DEVICE_ATTEMPTS}); at the cap the authorization expires.
   */
  @Test
  void low_deviceCodeAttemptCap() {
    String access = (String) googleSignIn("g-1", "ann@example.com", c -> c).json().get("access_token");
    String cookie = "genrtl_session=" + access;
    String csrf = csrfFrom(http.send("GET", "/device", null, null, "Cookie", cookie).body());
    Map<String, Object> d = startDevice();
    Map<String, Object> other = startDevice();
    String code = (String) d.get("user_code");
    // five refusals of different kinds, all naming this code
    assertThat(postForm("/device", "user_code=" + code + "&action=approve&csrf=" + "0".repeat(64), "Cookie", cookie).status())
        .isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + code + "&action=approve", "Cookie", cookie).status()).isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + code + "&action=approve&csrf=" + csrf, "Cookie", cookie,
        "Origin", "https://evil.example").status()).isEqualTo(403);
    assertThat(postForm("/device", "user_code=" + code + "&action=launch&csrf=" + csrf, "Cookie", cookie).status()).isEqualTo(400);
    assertThat(postForm("/device", "user_code=" + code.toLowerCase() + "&action=approve&csrf=" + csrf).status()).isEqualTo(401);
    // the right form now finds nothing, and the device is told its code expired
    TestHttp.Response late = postForm("/device", "user_code=" + code + "&action=approve&csrf=" + csrf, "Cookie", cookie,
        "Origin", base);
    assertThat(late.status()).isEqualTo(404);
    assertThat(late.body()).contains("Unknown code");
    assertOAuthError(poll((String) d.get("device_code")), 400, "expired_token");
    // another device's code is untouched
    assertThat(postForm("/device", "user_code=" + other.get("user_code") + "&action=approve&csrf=" + csrf, "Cookie", cookie,
        "Origin", base).status()).isEqualTo(200);
  }

  // ------------------------------------------------------------------ loopback (RFC 8252)

  @Test
  void loopbackSignInEndsInADeviceBoundKeyAndNeedsTheVerifier() {
    String verifier = Secrets.random(64);
    String redirect = "http://127.0.0.1:53682/callback";
    String q = "?redirect_uri=" + enc(redirect) + "&code_challenge=" + Secrets.s256(verifier)
        + "&code_challenge_method=S256&state=app-xyz&client_id=genrtl-cli";
    Login l = login("google", q);
    assertThat(l.challenge()).isNotEqualTo(Secrets.s256(verifier)); // the server's own PKCE pair towards the IdP
    issueCode("lb-code", l.challenge(), idp.rs256(claims(l, "g-1", "ann@example.com").build()));
    TestHttp.Response cb = callback("google", "lb-code", l.state());
    assertThat(cb.status()).as(cb.body()).isEqualTo(302);
    assertThat(cb.headers()).doesNotContainKey("set-cookie");
    URI back = URI.create(cb.header("Location"));
    assertThat(back.getHost() + ":" + back.getPort() + back.getPath()).isEqualTo("127.0.0.1:53682/callback");
    Map<String, String> got = TestIdp.query(back);
    assertThat(got).containsEntry("state", "app-xyz");
    String code = got.get("code");

    String wrong = "grant_type=authorization_code&code=" + enc(code) + "&code_verifier=" + Secrets.random(64)
        + "&redirect_uri=" + enc(redirect) + "&client_id=genrtl-cli";
    assertOAuthError(postForm("/api/auth/token", wrong), 400, "invalid_grant");
    // the code is burnt by the wrong attempt
    String right = "grant_type=authorization_code&code=" + enc(code) + "&code_verifier=" + verifier
        + "&redirect_uri=" + enc(redirect) + "&client_id=genrtl-cli";
    assertOAuthError(postForm("/api/auth/token", right), 400, "invalid_grant");

    Login l2 = login("google", q);
    issueCode("lb-code-2", l2.challenge(), idp.rs256(claims(l2, "g-1", "ann@example.com").build()));
    String code2 = TestIdp.query(URI.create(callback("google", "lb-code-2", l2.state()).header("Location"))).get("code");
    assertOAuthError(postForm("/api/auth/token", "grant_type=authorization_code&code=" + enc(code2)
        + "&redirect_uri=" + enc(redirect) + "&client_id=genrtl-cli"), 400, "invalid_grant"); // missing verifier
    Login l3 = login("google", q);
    issueCode("lb-code-3", l3.challenge(), idp.rs256(claims(l3, "g-1", "ann@example.com").build()));
    String code3 = TestIdp.query(URI.create(callback("google", "lb-code-3", l3.state()).header("Location"))).get("code");
    TestHttp.Response ok = postForm("/api/auth/token", right.replace(enc(code), enc(code3)));
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(ok.json()).containsEntry("name", "device: genrtl-cli (loopback sign-in)");
    assertThat(http.get("/api/me", (String) ok.json().get("access_token")).body()).contains("ann@example.com");
  }

  @Test
  void nonLoopbackRedirectsAndPlainChallengesAreRefused() {
    String ch = Secrets.s256(Secrets.random(64));
    for (String r : List.of("https://127.0.0.1:5000/cb", "http://evil.example:5000/cb", "http://127.0.0.1.evil.example/cb",
        "http://user@localhost:5/cb", "myapp://cb", "not a uri")) {
      assertProblem(http.get("/api/auth/login/google?redirect_uri=" + enc(r) + "&code_challenge=" + ch, null), 400, "validation_failed");
    }
    assertProblem(http.get("/api/auth/login/google?redirect_uri=" + enc("http://127.0.0.1:5/cb"), null), 400, "validation_failed");
    assertProblem(http.get("/api/auth/login/google?redirect_uri=" + enc("http://127.0.0.1:5/cb") + "&code_challenge=" + ch
        + "&code_challenge_method=plain", null), 400, "validation_failed");
    assertProblem(http.get("/api/auth/login/google?redirect_uri=" + enc("http://[::1]:5/cb") + "&code_challenge=short", null),
        400, "validation_failed");
    assertThat(http.get("/api/auth/login/google?redirect_uri=" + enc("http://[::1]:5/cb") + "&code_challenge=" + ch, null).status())
        .isEqualTo(302);
  }

  /** Issue "Security findings from a hostile review", Low: ports must be 1-65535. */
  @Test
  void low_loopbackPortOutOfRange() {
    String ch = Secrets.s256(Secrets.random(64));
    for (String r : List.of("http://127.0.0.1:99999/cb", "http://localhost:65536/cb", "http://[::1]:0/cb")) {
      TestHttp.Response res = http.get("/api/auth/login/google?redirect_uri=" + enc(r) + "&code_challenge=" + ch, null);
      assertProblem(res, 400, "validation_failed");
      assertThat(res.json()).containsEntry("field", "redirect_uri");
    }
    assertThat(http.get("/api/auth/login/google?redirect_uri=" + enc("http://127.0.0.1:65535/cb") + "&code_challenge=" + ch,
        null).status()).isEqualTo(302);
  }

  // ------------------------------------------------------------------ external JWTs

  @Test
  void externalBearerJwtsFromAConfiguredIssuerAuthenticate() {
    JWTClaimsSet c = idp.claims("api://genrtl", "auth0|abc", clock.instant()).claim("email", "zed@example.com")
        .claim("email_verified", true).build();
    TestHttp.Response me = http.get("/api/me", idp.rs256(c));
    assertThat(me.status()).as(me.body()).isEqualTo(200);
    assertThat(me.body()).contains("zed@example.com");
    assertThat(genrtl.stores().auth().findIdentity("jwt:auth0", "auth0|abc")).isPresent();
    assertProblem(http.get("/api/me", idp.rs256(idp.claims("other-aud", "auth0|abc", clock.instant()).build())), 401, "unauthenticated");
    assertProblem(http.get("/api/me", TestIdp.algNone(c)), 401, "unauthenticated");
    assertProblem(http.get("/api/me", idp.hs256WithPublicKey(c)), 401, "unauthenticated");
    assertProblem(http.get("/api/me", idp.rs256(idp.claims("api://genrtl", "x", clock.instant()).issuer("https://nope.example").build())),
        401, "unauthenticated");
    JWTClaimsSet unverified = idp.claims("api://genrtl", "auth0|new", clock.instant()).claim("email", "zed@example.com").build();
    assertProblem(http.get("/api/me", idp.es256(unverified)), 403, "email_not_verified");
  }

  // ------------------------------------------------------------------ bad input on every route

  @Test
  void loginAndCallbackRefuseUnknownProvidersAndBadQueries() {
    assertProblem(http.get("/api/auth/login/myspace", null), 404, "not_found");
    assertProblem(http.get("/api/auth/callback/myspace?code=x&state=y", null), 404, "not_found");
    assertProblem(http.get("/api/auth/login/google?return_to=" + enc("https://evil.example/"), null), 400, "validation_failed");
    assertProblem(http.get("/api/auth/login/google?return_to=" + enc("//evil.example/"), null), 400, "validation_failed");
    assertProblem(http.get("/api/auth/login/google?return_to=/" + "a".repeat(600), null), 400, "validation_failed");
    assertProblem(http.get("/api/auth/callback/google?state=" + "s".repeat(300) + "&code=c", null), 400, "validation_failed");
    assertProblem(http.post("/api/auth/login/google", null, "{}"), 405, "method_not_allowed");
    Login l = login("google", "?return_to=/device");
    issueCode("rt", l.challenge(), idp.rs256(claims(l, "g-1", "ann@example.com").build()));
    TestHttp.Response r = callback("google", "rt", l.state());
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.header("Location")).isEqualTo("/device");
    Login noCode = login("google", "");
    assertSignInFailed(http.get("/api/auth/callback/google?state=" + enc(noCode.state()), null), "code");
  }

  @Test
  void refreshRefusesBadBodies() {
    assertProblem(http.post("/api/auth/refresh", null, "{\"refresh_token\":"), 400, "malformed_json");
    assertProblem(http.post("/api/auth/refresh", null, "{\"refresh_token\":42}"), 400, "validation_failed");
    assertProblem(http.post("/api/auth/refresh", null, "[]"), 400, "validation_failed");
    assertProblem(http.post("/api/auth/refresh", null, "{}"), 401, "unauthenticated");
    assertProblem(http.post("/api/auth/refresh", null, null), 401, "unauthenticated");
    assertProblem(http.post("/api/auth/refresh", null, "{\"refresh_token\":\"grr_nope\"}"), 401, "unauthenticated");
    assertProblem(http.send("POST", "/api/auth/refresh", null, "refresh_token=x", "Content-Type", FORM), 415, "unsupported_media_type");
    assertProblem(http.post("/api/auth/refresh", null, "{\"x\":\"" + "a".repeat(70_000) + "\"}"), 413, "payload_too_large");
  }

  @Test
  void oauthEndpointsAnswerBadInputInRfc6749Form() {
    assertOAuthError(http.post("/api/auth/token", null, "{\"grant_type\":\"x\"}"), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/token", ""), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/token", "grant_type=password&username=a"), 400, "unsupported_grant_type");
    assertOAuthError(postForm("/api/auth/token", "grant_type=a&grant_type=b"), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/token", "grant_type=%zz"), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/token", "grant_type=" + enc(io.genrtl.host.http.GenRtlApp.class.getSimpleName())), 400,
        "unsupported_grant_type");
    assertOAuthError(postForm("/api/auth/token", "grant_type=" + enc("urn:ietf:params:oauth:grant-type:device_code")), 400,
        "invalid_request");
    assertOAuthError(postForm("/api/auth/token", "grant_type=authorization_code"), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/token", "grant_type=authorization_code&code=nope&code_verifier=" + Secrets.random(50)), 400,
        "invalid_grant");
    assertOAuthError(postForm("/api/auth/token", "grant_type=x&pad=" + "a".repeat(70_000)), 413, "invalid_request");
    assertOAuthError(postForm("/api/auth/device", "client_id=" + enc("bad id!")), 400, "invalid_client");
    assertOAuthError(http.post("/api/auth/device", null, "{\"client_id\":\"x\"}"), 400, "invalid_request");
    assertOAuthError(postForm("/api/auth/device", "client_id=a&client_id=b"), 400, "invalid_request");
    TestHttp.Response empty = http.send("POST", "/api/auth/device", null, null);
    assertThat(empty.status()).isEqualTo(200);
    assertProblem(http.get("/api/auth/token", null), 405, "method_not_allowed");
    // sign-in routes never need a key, and the API keys keep working beside sessions
    String key = genrtl.apiKeys().issue(genrtl.accounts().createUser(NewUser.of("k@example.com")).user().userId(), "k", null).apiKey();
    assertThat(http.get("/api/me", key).status()).isEqualTo(200);
    assertProblem(http.get("/api/me", "grs_" + "A".repeat(26) + "_" + "b".repeat(43)), 401, "unauthenticated");
    assertProblem(http.get("/api/me", "a.b.c"), 401, "unauthenticated");
  }
}
