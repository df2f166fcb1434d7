package io.genrtl.host.http;

import io.genrtl.core.account.Principal;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.host.obs.Metrics;
import io.genrtl.host.obs.RequestContext;
import io.genrtl.host.obs.Tracing;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The per-request hooks of limits and observability: start (ids, span, clock), limit, finish (metrics, span end), /metrics. */
final class Observe {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger("io.genrtl.host.access");
  private static final String START = "genrtl.start-nanos";
  private static final String SPAN = "genrtl.span";

  private Observe() {}

  static void start(Context ctx, GenRtlApp.Extras extras) {
    ctx.attribute(START, System.nanoTime());
    RequestContext.setRequest(ctx.attribute(RequestIds.ATTRIBUTE));
    if (extras.tracing().enabled()) {
      Tracing.Active span = extras.tracing().startServer(ctx.method().name());
      span.attribute("http.request.method", ctx.method().name());
      ctx.attribute(SPAN, span);
    }
  }

  static void limit(Context ctx, RateLimiter limiter) {
    Principal p = ctx.attribute(GenRtlApp.PRINCIPAL);
    if (p != null) limiter.checkAuthenticated(ctx, p);
    else limiter.checkAnonymous(ctx);
  }

  static void finish(Context ctx, GenRtlApp.Extras extras) {
    try {
      String route = route(ctx);
      int status = ctx.statusCode();
      Long start = ctx.attribute(START);
      long nanos = start == null ? 0 : System.nanoTime() - start;
      if (extras.metrics() != null && start != null) extras.metrics().httpRequest(ctx.method().name(), route, status, nanos);
      // the route template, never the raw path (a download path carries its token)
      if (LOG.isDebugEnabled()) LOG.debug("{} {} {} {} ms", ctx.method().name(), route, status, nanos / 1_000_000);
      Tracing.Active span = ctx.attribute(SPAN);
      if (span != null) {
        ctx.attribute(SPAN, null);
        span.name(ctx.method().name() + " " + route);
        span.attribute("http.route", route);
        span.attribute("http.response.status_code", status);
        span.end(status >= 500, null);
      }
    } finally {
      RequestContext.setRequest(null);
    }
  }

  /**
   * The matched route template ({@code /api/jobs/{job_id}}), never the raw path (bounded label values). A request
   * answered before its route ran (401 from authentication, 429 from a limit) is labelled by its endpoint class
   * ({@code class:default}, {@code class:jobs-submit}, ...); a path no route serves is {@code unmatched}.
   */
  static String route(Context ctx) {
    Endpoint e = null;
    try {
      e = ctx.endpoints().matchedHttpEndpoint();
    } catch (RuntimeException ignored) {
      // no endpoint matched
    }
    if (e != null) return e.path;
    int status = ctx.statusCode();
    return status == 404 || status == 405 ? "unmatched" : "class:" + RateLimiter.endpointClass(ctx);
  }

  /** {@code GET /metrics}: Prometheus text; with a metrics key configured, only for {@code Authorization: Bearer <key>}. */
  /**
   * Open without a metrics key; with one, the caller sends it, or a super admin's API key, as a bearer token (a
   * scraper gets a key of its own, an operator can look with theirs).
   */
  static void metrics(Context ctx, GenRtlApp.Extras extras, io.genrtl.core.account.ApiKeyService apiKeys) {
    if (extras.metricsKey() != null) {
      String h = ctx.header("Authorization");
      if (h == null || h.length() < 8 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "send the metrics key as Authorization: Bearer <key>");
      }
      String token = h.substring(7).trim();
      byte[] given = token.getBytes(StandardCharsets.UTF_8);
      if (!MessageDigest.isEqual(given, extras.metricsKey().getBytes(StandardCharsets.UTF_8))) {
        io.genrtl.core.account.Principal p;
        try {
          p = apiKeys.authenticate(token);
        } catch (GenRtlException e) {
          throw new GenRtlException(ErrorCode.UNAUTHENTICATED, "wrong metrics key");
        }
        if (p.role() != io.genrtl.core.account.Role.SUPER_ADMIN) {
          throw new GenRtlException(ErrorCode.FORBIDDEN, "metrics need the metrics key or a super admin's API key");
        }
      }
    }
    Metrics m = extras.metrics();
    ctx.contentType(Metrics.CONTENT_TYPE).result(m.scrape());
  }
}
