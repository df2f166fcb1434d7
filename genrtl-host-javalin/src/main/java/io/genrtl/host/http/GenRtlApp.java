package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the Javalin app serving genRTL's REST contract on a {@link GenRtl}. */
public final class GenRtlApp {
  private static final Logger LOG = LoggerFactory.getLogger(GenRtlApp.class);
  static final String PRINCIPAL = "genrtl.principal";
  /** Set when the caller authenticated with a session (token or cookie): the session id, for logout. */
  static final String SESSION = "genrtl.session";

  /** Paths under {@code /api/} that authenticate another way (signatures, device flow, signed URLs). */
  static final List<String> PUBLIC_API_PREFIXES = List.of(CbbRoutes.DOWNLOAD_PREFIX, "/api/webhooks/",
      "/api/auth/login/", "/api/auth/callback/", "/api/auth/refresh", "/api/auth/device", "/api/auth/token");

  /** Settings the HTTP layer needs. */
  public record Settings(long maxBodyBytes, String publicUrl, long maxPackageBytes, String manifestSchema,
      StripeWebhooks stripe, CreemBilling creem, java.util.List<io.genrtl.core.billing.CreditPack> packs) {
    public Settings {
      packs = packs == null ? java.util.List.of() : java.util.List.copyOf(packs);
    }

    public Settings(long maxBodyBytes, String publicUrl) {
      this(maxBodyBytes, publicUrl, 64L << 20, null, null);
    }

    public Settings(long maxBodyBytes, String publicUrl, long maxPackageBytes, String manifestSchema) {
      this(maxBodyBytes, publicUrl, maxPackageBytes, manifestSchema, null);
    }

    public Settings(long maxBodyBytes, String publicUrl, long maxPackageBytes, String manifestSchema, StripeWebhooks stripe) {
      this(maxBodyBytes, publicUrl, maxPackageBytes, manifestSchema, stripe, null, java.util.List.of());
    }
  }

  /**
   * Limits and observability: the rate limiter (null: no limits), the metrics registry (null: no {@code /metrics}),
   * tracing, and the bearer key {@code /metrics} wants (null: open).
   */
  public record Extras(RateLimiter limiter, io.genrtl.host.obs.Metrics metrics, io.genrtl.host.obs.Tracing tracing,
      String metricsKey) {
    public static final Extras NONE = new Extras(null, null, io.genrtl.host.obs.Tracing.off(), null);

    public Extras {
      if (tracing == null) tracing = io.genrtl.host.obs.Tracing.off();
    }
  }

  private GenRtlApp() {}

  public static Javalin create(GenRtl genrtl, Settings settings) {
    return create(genrtl, settings, SignInProviders.none(), Extras.NONE);
  }

  /** The app with sign-in providers and trusted external JWT issuers (sessions and the device flow work without). */
  public static Javalin create(GenRtl genrtl, Settings settings, SignInProviders signIn) {
    return create(genrtl, settings, signIn, Extras.NONE);
  }

  /** The app with rate limits, metrics and tracing ({@link Extras}). */
  public static Javalin create(GenRtl genrtl, Settings settings, Extras extras) {
    return create(genrtl, settings, SignInProviders.none(), extras);
  }

  public static Javalin create(GenRtl genrtl, Settings settings, SignInProviders signIn, Extras extras) {
    return create(genrtl, settings, signIn, extras, EdgeHeaders.Policy.DEFAULTS);
  }

  /** The app with the HTTP edge's policy: trusted {@code X-Forwarded-Proto} (HSTS) and CORS origins ({@link EdgeHeaders}). */
  public static Javalin create(GenRtl genrtl, Settings settings, SignInProviders signIn, Extras extras,
      EdgeHeaders.Policy edgePolicy) {
    EdgeHeaders edge = new EdgeHeaders(edgePolicy);
    SignInRoutes signInRoutes = new SignInRoutes(genrtl, settings, signIn);
    AccountRoutes accounts = new AccountRoutes(genrtl, settings);
    BillingRoutes billing = new BillingRoutes(genrtl, settings);
    CbbRoutes cbb = new CbbRoutes(genrtl, settings);
    JobRoutes jobs = new JobRoutes(genrtl, settings);
    ToolRoutes tools = new ToolRoutes(genrtl, settings, jobs);
    WebhookRoutes webhooks = new WebhookRoutes(genrtl, settings);
    PaymentRoutes payments = new PaymentRoutes(genrtl, settings);
    AdminRoutes admin = new AdminRoutes(genrtl, settings, jobs);
    return Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.prefer405over404 = true;
      // the JSON routes enforce settings.maxBodyBytes themselves; this is only Jetty's outer bound
      cfg.http.maxRequestSize = Math.max(Math.max(settings.maxBodyBytes(), settings.maxPackageBytes()),
          Math.max(1L << 20, io.genrtl.core.jobs.JobUploads.MAX_BODY_BYTES));
      cfg.jsonMapper(new Json());
      // Jetty's parser caches header fields per connection and matches them case-insensitively by default: a key that
      // differs from the previous request's only in the case of a letter was read as that previous key (a valid key
      // refused, or a wrong one accepted). Keys are case-sensitive, so the cache is off (KeepAliveAuthTest).
      cfg.jetty.modifyHttpConfiguration(http -> http.setHeaderCacheSize(0));
      // what Jetty refuses before any route (431, a malformed request, a bad URI) answers problem+json too
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler(edge)));

      cfg.routes.before(RequestIds::assign);
      // nosniff, no-store on /api/, HSTS, CORS (a listed origin's preflight is answered here, before authentication)
      cfg.routes.before(edge::before);
      cfg.routes.before(ctx -> Observe.start(ctx, extras));
      cfg.routes.before("/api/*", ctx -> authenticate(genrtl, settings, signIn, ctx, extras.limiter()));
      // the audit log's "from where" (and "who" once authenticated) for this request's thread
      cfg.routes.after("/api/*", ctx -> io.genrtl.core.audit.AuditService.unbind());
      if (extras.limiter() != null) cfg.routes.before(ctx -> Observe.limit(ctx, extras.limiter()));
      cfg.requestLogger.http((ctx, ms) -> Observe.finish(ctx, extras));
      if (extras.metrics() != null) cfg.routes.get("/metrics", ctx -> Observe.metrics(ctx, extras, genrtl.apiKeys()));

      cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
      cfg.routes.get("/readyz", ctx -> {
        if (!genrtl.databaseReady()) throw new GenRtlException(ErrorCode.UNAVAILABLE, "the database does not answer");
        ctx.json(Map.of("status", "ready", "database", "ok"));
      });
      accounts.register(cfg.routes);
      signInRoutes.register(cfg.routes);
      billing.register(cfg.routes);
      cbb.register(cfg.routes);
      jobs.register(cfg.routes);
      tools.register(cfg.routes);
      webhooks.register(cfg.routes);
      payments.register(cfg.routes);
      admin.register(cfg.routes);
      // sign-in routes (/api/auth/*, branch auth) register here; every route must be in docs/openapi.yaml
      // (OpenApiContractTest) with its x-genrtl-auth, which RouteRoleMatrixTest enforces

      cfg.routes.exception(GenRtlException.class, (e, ctx) -> Problems.write(ctx, e));
      cfg.routes.exception(io.genrtl.core.base.LockWaitTimeoutException.class, (e, ctx) -> Problems.write(ctx, 503,
          ErrorCode.UNAVAILABLE.code(), "the service is busy; retry shortly", Map.of("retry_after_seconds", 1)));
      cfg.routes.exception(HttpResponseException.class, (e, ctx) -> writeHttpError(ctx, e.getStatus(), e.getMessage()));
      cfg.routes.exception(Exception.class, (e, ctx) -> {
        LOG.error("unhandled error on {} {} (request {})", ctx.method(), safePath(ctx), ctx.attribute(RequestIds.ATTRIBUTE), e);
        Problems.write(ctx, 500, ErrorCode.INTERNAL.code(),
            "an unexpected error occurred; quote the request id when reporting it", Map.of());
      });
      for (int status : new int[] {400, 404, 405, 413, 500}) {
        cfg.routes.error(status, "*", ctx -> {
          if (ctx.attribute(Problems.WRITTEN) == null) writeHttpError(ctx, status, null);
        });
      }
    });
  }

  private static void writeHttpError(Context ctx, int status, String message) {
    switch (status) {
      case 404 -> Problems.write(ctx, 404, ErrorCode.NOT_FOUND.code(), "no such route: " + ctx.method() + " " + safePath(ctx), Map.of());
      case 405 -> Problems.write(ctx, 405, ErrorCode.METHOD_NOT_ALLOWED.code(), ctx.method() + " is not allowed on " + safePath(ctx), Map.of());
      case 413 -> Problems.write(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE.code(), "the request body is too large", Map.of());
      case 400 -> Problems.write(ctx, 400, ErrorCode.VALIDATION_FAILED.code(), message == null ? "bad request" : message, Map.of());
      default -> Problems.write(ctx, status, status >= 500 ? ErrorCode.INTERNAL.code() : "http_" + status,
          status >= 500 ? "an unexpected error occurred" : (message == null ? "error" : message), Map.of());
    }
  }

  /** Authenticates; a failed attempt also counts against the client IP's limit (key guessing is limited too). */
  private static void authenticate(GenRtl genrtl, Settings settings, SignInProviders signIn, Context ctx, RateLimiter limiter) {
    try {
      authenticate(genrtl, settings, signIn, ctx);
    } catch (GenRtlException e) {
      if (limiter != null && e.code().category() == ErrorCode.Category.UNAUTHENTICATED) limiter.checkAnonymous(ctx);
      throw e;
    }
  }

  private static void authenticate(GenRtl genrtl, Settings settings, SignInProviders signIn, Context ctx) {
    // the audit log's "from where" for this request's thread, and "who" once the caller is known
    io.genrtl.core.audit.AuditOrigin origin = new io.genrtl.core.audit.AuditOrigin(ctx.ip(), ctx.header("User-Agent"),
        ctx.attribute(RequestIds.ATTRIBUTE));
    io.genrtl.core.audit.AuditService.bind(null, origin);
    identify(genrtl, settings, signIn, ctx);
    Principal p = ctx.attribute(PRINCIPAL);
    if (p != null) io.genrtl.core.audit.AuditService.bind(p, origin);
  }

  private static void identify(GenRtl genrtl, Settings settings, SignInProviders signIn, Context ctx) {
    String path = ctx.path();
    for (String p : PUBLIC_API_PREFIXES) if (path.startsWith(p)) return;
    if ("OPTIONS".equals(ctx.method().name())) return;
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      String cookie = ctx.cookie(SignInRoutes.ACCESS_COOKIE);
      if (cookie != null && !cookie.isEmpty()) { // a signed-in browser
        checkCookieOrigin(ctx, settings.publicUrl());
        session(genrtl, ctx, cookie);
        return;
      }
      throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "send your API key as Authorization: Bearer <api key>");
    }
    if (header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "the Authorization header must be 'Bearer <api key>'");
    }
    String token = header.substring(7).trim();
    if (io.genrtl.core.auth.SignInService.isAccessToken(token)) {
      session(genrtl, ctx, token);
      return;
    }
    var jwt = signIn.jwt();
    if (jwt.isPresent() && io.genrtl.auth.oidc.ExternalJwtAuthenticator.looksLikeJwt(token)) {
      io.genrtl.core.auth.ExternalIdentity ext;
      try {
        ext = jwt.get().authenticate(token).orElseThrow(() ->
            new GenRtlException(ErrorCode.UNAUTHENTICATED, "the token's issuer is not trusted here"));
      } catch (GenRtlException e) {
        if (e.code() != ErrorCode.SIGN_IN_FAILED) throw e;
        throw new GenRtlException(ErrorCode.UNAUTHENTICATED, e.getMessage(), e.details());
      }
      ctx.attribute(PRINCIPAL, Principal.of(genrtl.signIn().signIn(ext), null));
      return;
    }
    ctx.attribute(PRINCIPAL, genrtl.apiKeys().authenticate(token));
  }

  private static void session(GenRtl genrtl, Context ctx, String accessToken) {
    io.genrtl.core.auth.SessionPrincipal sp = genrtl.signIn().authenticate(accessToken);
    ctx.attribute(PRINCIPAL, sp.principal());
    ctx.attribute(SESSION, sp.sessionId());
  }

  /**
   * A cookie-authenticated request that changes something must come from this site: a foreign {@code Origin} or
   * {@code Sec-Fetch-Site: cross-site} is refused (403) on top of the cookie's SameSite=Lax.
   */
  static void checkCookieOrigin(Context ctx, String publicUrl) {
    String m = ctx.method().name();
    if (m.equals("GET") || m.equals("HEAD")) return;
    if (!sameOrigin(ctx, publicUrl)) {
      throw new GenRtlException(ErrorCode.FORBIDDEN, "a cookie-authenticated request must come from this site");
    }
  }

  static boolean sameOrigin(Context ctx, String publicUrl) {
    if ("cross-site".equalsIgnoreCase(ctx.header("Sec-Fetch-Site"))) return false;
    String origin = ctx.header("Origin");
    if (origin == null) return true;
    try {
      java.net.URI u = java.net.URI.create(publicUrl);
      String expected = u.getScheme() + "://" + u.getRawAuthority();
      return origin.equalsIgnoreCase(expected);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The request path with secrets (download tokens) masked, for logs and problem documents. */
  static String safePath(Context ctx) {
    String path = ctx.path();
    return path.startsWith(CbbRoutes.DOWNLOAD_PREFIX) ? CbbRoutes.DOWNLOAD_PREFIX + "{token}" : path;
  }

  static Principal principal(Context ctx) {
    Principal p = ctx.attribute(PRINCIPAL);
    if (p == null) throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "not authenticated");
    return p;
  }
}
