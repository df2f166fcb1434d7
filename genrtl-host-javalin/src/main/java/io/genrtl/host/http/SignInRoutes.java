package io.genrtl.host.http;

import io.genrtl.auth.oidc.OAuthProvider;
import io.genrtl.core.GenRtl;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.core.account.User;
import io.genrtl.core.auth.DeviceAuthorization;
import io.genrtl.core.auth.DevicePoll;
import io.genrtl.core.auth.DeviceStart;
import io.genrtl.core.auth.ExternalIdentity;
import io.genrtl.core.auth.LoginRequest;
import io.genrtl.core.auth.LoginStart;
import io.genrtl.core.auth.LoginState;
import io.genrtl.core.auth.Secrets;
import io.genrtl.core.auth.SessionPrincipal;
import io.genrtl.core.auth.SessionTokens;
import io.genrtl.core.auth.SignInService;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sign-in over HTTP: the OAuth/OIDC login and callback, session refresh, the RFC 8628 device flow (device
 * authorization, the verification page at {@code /device}, the token endpoint) and the RFC 8252 loopback flow. The
 * OAuth endpoints ({@code /api/auth/device}, {@code /api/auth/token}) answer errors in RFC 6749 form
 * ({@code {"error": ...}}), everything else in problem+json; the verification page answers HTML.
 */
final class SignInRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(SignInRoutes.class);
  static final String ACCESS_COOKIE = "genrtl_session";
  static final String REFRESH_COOKIE = "genrtl_refresh";
  static final String DEVICE_PAGE = "/device";
  static final String DEFAULT_CLIENT_ID = "genrtl-client";
  static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;
  private final SignInProviders providers;

  SignInRoutes(GenRtl genrtl, GenRtlApp.Settings settings, SignInProviders providers) {
    this.genrtl = genrtl;
    this.settings = settings;
    this.providers = providers;
  }

  void register(RoutesConfig r) {
    r.get("/api/auth/login/{provider}", this::login);
    r.get("/api/auth/callback/{provider}", this::callback);
    r.post("/api/auth/refresh", this::refresh);
    r.post("/api/auth/device", this::deviceAuthorization);
    r.post("/api/auth/token", this::token);
    r.get(DEVICE_PAGE, this::devicePage);
    r.post(DEVICE_PAGE, this::deviceDecision);
  }

  private SignInService signIn() {
    return genrtl.signIn();
  }

  private OAuthProvider provider(Context ctx) {
    String name = ctx.pathParam("provider");
    return providers.find(name).orElseThrow(() -> GenRtlException.notFound("sign-in provider"));
  }

  private String callbackUrl(String provider) {
    return settings.publicUrl() + "/api/auth/callback/" + provider;
  }

  private static Optional<String> query(Context ctx, String name, int max) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return Optional.empty();
    if (v.length() > max) throw GenRtlException.invalid(name, name + " must be at most " + max + " characters");
    return Optional.of(v);
  }

  // ------------------------------------------------------------------ login and callback

  private void login(Context ctx) {
    OAuthProvider p = provider(ctx);
    String redirect = query(ctx, "redirect_uri", 512).orElse(null);
    String challenge = query(ctx, "code_challenge", 128).orElse(null);
    String method = query(ctx, "code_challenge_method", 16).orElse(null);
    String clientState = query(ctx, "state", 512).orElse(null);
    String clientId = query(ctx, "client_id", 64).orElse(redirect == null ? null : DEFAULT_CLIENT_ID);
    String returnTo = query(ctx, "return_to", 512).orElse(null);
    if (redirect != null && challenge == null) {
      throw GenRtlException.invalid("code_challenge", "a loopback sign-in needs code_challenge (PKCE, S256)");
    }
    if (method != null && !method.equals("S256")) {
      throw GenRtlException.invalid("code_challenge_method", "code_challenge_method must be S256");
    }
    if (redirect != null && returnTo != null) throw GenRtlException.invalid("return_to", "return_to cannot go with redirect_uri");
    LoginStart start = signIn().beginLogin(new LoginRequest(p.name(), returnTo, redirect, challenge, clientState, clientId));
    URI url = p.authorizationUrl(callbackUrl(p.name()), start);
    ctx.header("Cache-Control", "no-store").header("Location", url.toString()).status(302);
  }

  private void callback(Context ctx) {
    OAuthProvider p = provider(ctx);
    String state = query(ctx, "state", 200).orElse(null);
    Optional<String> error = query(ctx, "error", 200);
    try {
      LoginState login = signIn().finishLogin(p.name(), state);
      if (error.isPresent()) {
        String e = error.get().matches("[a-z_]{1,64}") ? error.get() : "error";
        throw new GenRtlException(ErrorCode.SIGN_IN_FAILED, "the provider reported " + e, Map.of("reason", "denied"));
      }
      String code = query(ctx, "code", 2048).orElseThrow(() -> new GenRtlException(ErrorCode.SIGN_IN_FAILED,
          "the provider sent no code", Map.of("reason", "code")));
      ExternalIdentity ext = p.complete(code, login.codeVerifier(), callbackUrl(p.name()), login.nonce());
      User user = signIn().signIn(ext);
      LOG.info("sign-in: user {} via {}{}", user.userId(), p.name(), login.isLoopback() ? " (loopback)" : "");
      genrtl.audit().signIn(io.genrtl.core.account.Principal.of(user, null), p.name(),
          Map.of("flow", login.isLoopback() ? "loopback" : "browser"));
      ctx.header("Cache-Control", "no-store");
      if (login.isLoopback()) {
        String oneTime = signIn().issueLoopbackCode(user.userId(), login);
        String target = login.loopbackRedirect() + (login.loopbackRedirect().contains("?") ? "&" : "?") + "code=" + enc(oneTime)
            + (login.clientState() == null ? "" : "&state=" + enc(login.clientState()));
        ctx.header("Location", target).status(302);
        return;
      }
      SessionTokens t = signIn().startSession(user.userId(), p.name());
      setCookies(ctx, t);
      if (login.returnTo() != null) {
        ctx.header("Location", login.returnTo()).status(302);
      } else {
        ctx.json(tokens(t, user));
      }
    } catch (GenRtlException e) {
      LOG.info("sign-in via {} refused: {} ({})", p.name(), e.code().code(), e.details().getOrDefault("reason", "-"));
      throw e;
    }
  }

  private Map<String, Object> tokens(SessionTokens t, User user) {
    long now = genrtl.clock().millis();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("token_type", "Bearer");
    out.put("access_token", t.accessToken());
    out.put("expires_in", Math.max(0, (t.accessExpiresAt() - now) / 1000));
    out.put("refresh_token", t.refreshToken());
    out.put("refresh_expires_in", Math.max(0, (t.refreshExpiresAt() - now) / 1000));
    if (user != null) {
      out.put("user_id", user.userId());
      out.put("email", user.email());
    }
    return out;
  }

  private void setCookies(Context ctx, SessionTokens t) {
    long now = genrtl.clock().millis();
    ctx.res().addHeader("Set-Cookie", ACCESS_COOKIE + "=" + t.accessToken() + "; Path=/; Max-Age="
        + Math.max(0, (t.accessExpiresAt() - now) / 1000) + "; HttpOnly; Secure; SameSite=Lax");
    ctx.res().addHeader("Set-Cookie", REFRESH_COOKIE + "=" + t.refreshToken() + "; Path=/api/auth/; Max-Age="
        + Math.max(0, (t.refreshExpiresAt() - now) / 1000) + "; HttpOnly; Secure; SameSite=Strict");
  }

  static void clearCookies(Context ctx) {
    ctx.res().addHeader("Set-Cookie", ACCESS_COOKIE + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax");
    ctx.res().addHeader("Set-Cookie", REFRESH_COOKIE + "=; Path=/api/auth/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
  }

  // ------------------------------------------------------------------ refresh

  private void refresh(Context ctx) {
    String token;
    if (ctx.req().getContentLengthLong() != 0 && ctx.header("Content-Type") != null) {
      token = Bodies.json(ctx, settings.maxBodyBytes()).optString("refresh_token", 200).orElse(null);
    } else {
      token = ctx.cookie(REFRESH_COOKIE);
      if (token != null) GenRtlApp.checkCookieOrigin(ctx, settings.publicUrl());
    }
    if (token == null || token.isEmpty()) {
      throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "send {\"refresh_token\": ...} or the refresh cookie");
    }
    SessionTokens t = signIn().refresh(token);
    setCookies(ctx, t);
    ctx.header("Cache-Control", "no-store").json(tokens(t, null));
  }

  // ------------------------------------------------------------------ OAuth endpoints (RFC 6749 / 8628 errors)

  private static void oauthError(Context ctx, int status, String error, String description, Integer interval) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    if (description != null) body.put("error_description", description);
    if (interval != null) body.put("interval", interval);
    ctx.status(status).header("Cache-Control", "no-store").header("Pragma", "no-cache").json(body);
    ctx.attribute(Problems.WRITTEN, Boolean.TRUE); // not replaced by the 400 problem page
  }

  /** The form parameters, or null after answering {@code invalid_request}. */
  private Map<String, String> form(Context ctx, boolean emptyAllowed) {
    String type = ctx.header("Content-Type");
    byte[] body;
    try {
      body = Bodies.read(ctx, settings.maxBodyBytes());
    } catch (GenRtlException e) {
      if (e.code() == ErrorCode.PAYLOAD_TOO_LARGE) {
        oauthError(ctx, 413, "invalid_request", "the request body is too large", null);
        return null;
      }
      throw e;
    }
    if (body.length == 0 && emptyAllowed) return Map.of();
    if (!Forms.isForm(type)) {
      oauthError(ctx, 400, "invalid_request", "send application/x-www-form-urlencoded parameters", null);
      return null;
    }
    Optional<Map<String, String>> f = Forms.parse(body);
    if (f.isEmpty()) oauthError(ctx, 400, "invalid_request", "the form is malformed or repeats a parameter", null);
    return f.orElse(null);
  }

  private void deviceAuthorization(Context ctx) {
    Map<String, String> form = form(ctx, true);
    if (form == null) return;
    String clientId = form.getOrDefault("client_id", DEFAULT_CLIENT_ID);
    if (!clientId.matches("[A-Za-z0-9._-]{1,64}")) {
      oauthError(ctx, 400, "invalid_client", "client_id must be 1-64 characters of letters, digits, '.', '_' or '-'", null);
      return;
    }
    DeviceStart d = signIn().startDevice(clientId);
    String display = SignInService.displayUserCode(d.userCode());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("device_code", d.deviceCode());
    out.put("user_code", display);
    out.put("verification_uri", settings.publicUrl() + DEVICE_PAGE);
    out.put("verification_uri_complete", settings.publicUrl() + DEVICE_PAGE + "?user_code=" + display);
    out.put("expires_in", d.expiresInSeconds());
    out.put("interval", d.intervalSeconds());
    ctx.header("Cache-Control", "no-store").json(out);
  }

  private void token(Context ctx) {
    Map<String, String> form = form(ctx, false);
    if (form == null) return;
    String grant = form.get("grant_type");
    if (grant == null || grant.isEmpty()) {
      oauthError(ctx, 400, "invalid_request", "grant_type is required", null);
    } else if (grant.equals(DEVICE_GRANT)) {
      String deviceCode = form.get("device_code");
      String clientId = form.getOrDefault("client_id", DEFAULT_CLIENT_ID);
      if (deviceCode == null || deviceCode.isEmpty()) {
        oauthError(ctx, 400, "invalid_request", "device_code is required", null);
        return;
      }
      DevicePoll poll = signIn().pollDevice(deviceCode, clientId);
      if (!poll.issued()) {
        oauthError(ctx, 400, poll.error(), null, poll.error().equals(DevicePoll.SLOW_DOWN) ? poll.intervalSeconds() : null);
        return;
      }
      LOG.info("device sign-in: key {} issued to user {}", poll.key().key().keyId(), poll.key().key().userId());
      issued(ctx, poll.key());
    } else if (grant.equals("authorization_code")) {
      String code = form.get("code");
      if (code == null || code.isEmpty()) {
        oauthError(ctx, 400, "invalid_request", "code is required", null);
        return;
      }
      Optional<IssuedKey> key = signIn().redeemLoopbackCode(code, form.get("code_verifier"), form.get("redirect_uri"),
          form.getOrDefault("client_id", DEFAULT_CLIENT_ID));
      if (key.isEmpty()) {
        oauthError(ctx, 400, "invalid_grant", "the code is unknown, used, expired, or does not match its verifier, redirect_uri or client_id", null);
        return;
      }
      LOG.info("loopback sign-in: key {} issued to user {}", key.get().key().keyId(), key.get().key().userId());
      issued(ctx, key.get());
    } else {
      oauthError(ctx, 400, "unsupported_grant_type", "use " + DEVICE_GRANT + " or authorization_code", null);
    }
  }

  private void issued(Context ctx, IssuedKey k) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("access_token", k.apiKey());
    out.put("token_type", "Bearer");
    out.put("key_id", k.key().keyId());
    out.put("name", k.key().name());
    ctx.header("Cache-Control", "no-store").header("Pragma", "no-cache").json(out);
  }

  // ------------------------------------------------------------------ verification page

  /** The browser's session from its cookie, if it is valid. */
  private Optional<SessionPrincipal> browserSession(Context ctx) {
    String cookie = ctx.cookie(ACCESS_COOKIE);
    if (cookie == null || cookie.isEmpty()) return Optional.empty();
    try {
      return Optional.of(signIn().authenticate(cookie));
    } catch (GenRtlException e) {
      return Optional.empty();
    }
  }

  /** The CSRF token of the verification form: bound to the session's access token, which a cross-site page cannot read. */
  static String csrf(String accessToken) {
    return Secrets.sha256Hex("genrtl-device-csrf", accessToken);
  }

  private void devicePage(Context ctx) {
    String typed = ctx.queryParam("user_code");
    if (typed != null && typed.length() > 32) typed = null;
    Optional<SessionPrincipal> session = browserSession(ctx);
    if (session.isEmpty()) {
      StringBuilder links = new StringBuilder();
      String back = DEVICE_PAGE + (typed == null ? "" : "?user_code=" + typed);
      for (String name : providers.names()) {
        links.append("<li><a href=\"/api/auth/login/").append(enc(name)).append("?return_to=").append(enc(back)).append("\">")
            .append(html(name)).append("</a></li>");
      }
      page(ctx, 200, "Sign in to connect your device",
          "<p>Sign in first, then enter the code your device shows.</p>"
              + (links.length() == 0 ? "<p>No sign-in provider is configured.</p>" : "<ul>" + links + "</ul>"));
      return;
    }
    String token = ctx.cookie(ACCESS_COOKIE);
    page(ctx, 200, "Connect a device",
        "<form method=\"post\" action=\"" + DEVICE_PAGE + "\">"
            + "<input type=\"hidden\" name=\"csrf\" value=\"" + csrf(token) + "\">"
            + "<label>Code shown on your device <input name=\"user_code\" autocomplete=\"off\" value=\""
            + html(typed == null ? "" : typed) + "\"></label> "
            + "<button name=\"action\" value=\"approve\">Approve</button> "
            + "<button name=\"action\" value=\"deny\">Deny</button></form>"
            + "<p>Approving gives that device an API key of its own; you can revoke it under your keys.</p>");
  }

  /**
   * Approve or deny. A decision that names a pending authorization's user code but is refused (not signed in, from
   * another site, a wrong CSRF token, neither approve nor deny) counts a failed attempt on that authorization, which
   * expires at {@link SignInService#MAX_DEVICE_ATTEMPTS}; the page answers the same either way.
   */
  private void deviceDecision(Context ctx) {
    byte[] body = Bodies.read(ctx, 16 * 1024);
    Optional<Map<String, String>> form = Forms.isForm(ctx.header("Content-Type")) ? Forms.parse(body) : Optional.empty();
    String typed = form.map(f -> f.get("user_code")).orElse(null);
    Optional<SessionPrincipal> session = browserSession(ctx);
    if (session.isEmpty()) {
      refused(typed);
      page(ctx, 401, "Not signed in", "<p>Sign in again, then enter the code.</p>");
      return;
    }
    if (!GenRtlApp.sameOrigin(ctx, settings.publicUrl())) {
      refused(typed);
      page(ctx, 403, "Refused", "<p>This form can only be sent from this site.</p>");
      return;
    }
    if (form.isEmpty()) {
      page(ctx, 400, "Bad request", "<p>Send the form from the page.</p>");
      return;
    }
    Map<String, String> f = form.get();
    if (!Secrets.equal(f.get("csrf"), csrf(ctx.cookie(ACCESS_COOKIE)))) {
      refused(typed);
      page(ctx, 403, "Refused", "<p>The form expired or did not come from this site. Reload the page and try again.</p>");
      return;
    }
    String action = f.get("action");
    if (!"approve".equals(action) && !"deny".equals(action)) {
      refused(typed);
      page(ctx, 400, "Bad request", "<p>Choose approve or deny.</p>");
      return;
    }
    try {
      DeviceAuthorization d = signIn().decideDevice(session.get().principal(), f.get("user_code"), action.equals("approve"));
      LOG.info("device authorization {} {} by user {}", d.deviceId(), d.status().wire(), session.get().principal().userId());
      page(ctx, 200, action.equals("approve") ? "Device approved" : "Device denied",
          action.equals("approve") ? "<p>Done. Return to your device (" + html(d.clientId()) + "); it will finish signing in.</p>"
              : "<p>The device was refused.</p>");
    } catch (GenRtlException e) {
      if (e.code() != ErrorCode.NOT_FOUND) throw e;
      page(ctx, 404, "Unknown code", "<p>That code is unknown, expired or already used. Check it and try again.</p>");
    }
  }

  /** Counts a refused decision against the authorization its user code names, if any (never the code in the log). */
  private void refused(String typedUserCode) {
    if (typedUserCode != null && signIn().refuseDeviceAttempt(typedUserCode)) {
      LOG.info("device authorization: a refused decision named a pending user code");
    }
  }

  private static void page(Context ctx, int status, String title, String body) {
    ctx.attribute(Problems.WRITTEN, Boolean.TRUE);
    ctx.status(status).header("Cache-Control", "no-store").header("X-Frame-Options", "DENY")
        .header("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'")
        .contentType("text/html; charset=utf-8")
        .result("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html(title) + " - genRTL</title></head>"
            + "<body><h1>" + html(title) + "</h1>" + body + "</body></html>");
  }

  static String html(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
