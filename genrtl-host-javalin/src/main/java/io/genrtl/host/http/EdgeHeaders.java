package io.genrtl.host.http;

import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The headers every answer carries, set before any route runs (so a refusal carries them too):
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff} on every response;
 *   <li>{@code Cache-Control: no-store} on every {@code /api/} response (a route may set a stricter value of its own, as
 *       the download route's {@code private, no-store});
 *   <li>{@code Strict-Transport-Security} when the request came over TLS, or over a proxy that says so with
 *       {@code X-Forwarded-Proto: https} and the operator trusts it ({@code GENRTL_TRUST_FORWARDED_PROTO});
 *   <li>CORS, off by default: only for the exact origins in {@code GENRTL_CORS_ORIGINS}, never a wildcard and never
 *       credentials (cookies stay same-site; a cross-origin browser app sends a bearer token). A preflight
 *       ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) from a listed origin is answered
 *       here with 204; any other {@code OPTIONS} (CORS off, an unlisted origin, no preflight) is answered as before,
 *       405 {@code method_not_allowed} (404 on an unknown path), without {@code Access-Control-*} headers.
 * </ul>
 */
public final class EdgeHeaders {
  static final String HSTS = "max-age=31536000; includeSubDomains";
  static final String ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE";
  static final String ALLOW_HEADERS = "Authorization, Content-Type, Idempotency-Key, Prefer, Last-Event-ID, Range, If-Range, "
      + "X-Request-Id";
  static final String EXPOSE_HEADERS = "X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, "
      + "RateLimit-Policy, Retry-After, Location, Content-Disposition, Content-Range, Accept-Ranges, ETag, "
      + "X-Content-SHA256, Idempotent-Replayed, Preference-Applied, WWW-Authenticate";
  static final String MAX_AGE = "600";

  /**
   * What the operator configured: whether {@code X-Forwarded-Proto} is believed, and the origins CORS allows (empty:
   * CORS off), each as a browser sends it ({@code https://app.example.com}, {@code http://localhost:5173}).
   */
  public record Policy(boolean trustForwardedProto, List<String> corsOrigins) {
    public static final Policy DEFAULTS = new Policy(false, List.of());

    public Policy {
      corsOrigins = List.copyOf(corsOrigins);
    }
  }

  private final Policy policy;
  private final Set<String> origins;

  EdgeHeaders(Policy policy) {
    this.policy = policy;
    this.origins = Set.copyOf(policy.corsOrigins());
  }

  /** The before-handler: headers, and a preflight from a listed origin answered with 204. */
  void before(Context ctx) {
    ctx.header("X-Content-Type-Options", "nosniff");
    if (ctx.path().startsWith("/api/")) ctx.header("Cache-Control", "no-store");
    if (hsts(ctx.req().isSecure(), ctx.header("X-Forwarded-Proto"))) ctx.header("Strict-Transport-Security", HSTS);
    if (origins.isEmpty()) return;
    ctx.header("Vary", "Origin");
    String origin = ctx.header("Origin");
    if (origin == null || !origins.contains(origin)) return;
    ctx.header("Access-Control-Allow-Origin", origin);
    if ("OPTIONS".equals(ctx.method().name()) && ctx.header("Access-Control-Request-Method") != null) {
      ctx.header("Access-Control-Allow-Methods", ALLOW_METHODS);
      ctx.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
      ctx.header("Access-Control-Max-Age", MAX_AGE);
      ctx.status(204);
      ctx.attribute(Problems.WRITTEN, Boolean.TRUE);
      ctx.skipRemainingHandlers();
      return;
    }
    ctx.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  }

  /** Whether the answer gets HSTS: over TLS, or when a trusted proxy says the client used https. */
  boolean hsts(boolean secure, String forwardedProto) {
    if (secure) return true;
    if (!policy.trustForwardedProto() || forwardedProto == null) return false;
    // a chain of proxies appends: the first value is what the client used
    return forwardedProto.split(",", 2)[0].trim().toLowerCase(Locale.ROOT).equals("https");
  }
}
