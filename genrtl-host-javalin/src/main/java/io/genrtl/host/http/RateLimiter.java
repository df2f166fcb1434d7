package io.genrtl.host.http;

import io.genrtl.core.account.Principal;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Request rate limits, checked before every route except {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <p>An authenticated request takes one token from each of: its API key's bucket ({@code GENRTL_RATE_LIMIT_PER_MINUTE}),
 * its user's bucket (the plan's {@code requests_per_minute}), its tenant's bucket ({@code GENRTL_RATE_LIMIT_TENANT_PER_MINUTE})
 * and, for the endpoint classes {@code jobs-submit} and {@code tools-run}, the user's bucket of that class (the plan's
 * {@code job_submits_per_minute}). A request without a valid key (public routes, failed authentication, unknown paths)
 * takes one from its client IP's bucket of its class ({@code auth}, {@code /api/auth/**} and {@code /device}:
 * {@code GENRTL_RATE_LIMIT_AUTH_PER_MINUTE}; every other class {@code GENRTL_RATE_LIMIT_ANONYMOUS_PER_MINUTE}). The first empty bucket answers 429 {@code rate_limited};
 * tokens already taken from the buckets checked before it stay taken.
 *
 * <p>Every answer carries the IETF draft headers (draft-ietf-httpapi-ratelimit-headers-06): {@code RateLimit-Limit},
 * {@code RateLimit-Remaining}, {@code RateLimit-Reset} (delta-seconds until the bucket is full again) and
 * {@code RateLimit-Policy} ({@code <n>;w=60}), for the bucket with the fewest tokens left; a 429 also has
 * {@code Retry-After} (seconds until one token is back).
 */
public final class RateLimiter {
  /** Told of each rejection (metrics). */
  @FunctionalInterface
  public interface Listener {
    Listener NONE = (cls, scope) -> {};

    void rejected(String endpointClass, String scope);
  }

  /** What the limiter needs to know; built from {@code HostConfig.Limits} and the plans file. */
  public record Settings(int perKeyPerMinute, int anonymousPerMinute, int authPerMinute, int tenantPerMinute,
      boolean trustForwardedFor, Map<String, PlanLimits> plans) {
    public Settings {
      plans = Map.copyOf(plans);
    }

    public PlanLimits plan(String planId) {
      return plans.getOrDefault(planId, PlanLimits.DEFAULTS);
    }
  }

  static final String DONE = "genrtl.rate-limited";
  private static final long PLAN_CACHE_MILLIS = 30_000;

  private final Settings settings;
  private final RateBuckets buckets;
  private final Function<String, String> planOfUser;
  private final Clock clock;
  private final Listener listener;
  private final Map<String, long[]> planSeen = new ConcurrentHashMap<>();
  private final Map<String, String> planIds = new ConcurrentHashMap<>();

  public RateLimiter(Settings settings, RateBuckets buckets, Function<String, String> planOfUser, Clock clock, Listener listener) {
    this.settings = settings;
    this.buckets = buckets;
    this.planOfUser = planOfUser;
    this.clock = clock;
    this.listener = listener;
  }

  public Settings settings() {
    return settings;
  }

  /** The endpoint class of a request: {@code auth}, {@code jobs-submit}, {@code tools-run}, {@code cbb-download}, {@code webhooks} or {@code default}. */
  static String endpointClass(Context ctx) {
    String path = ctx.path();
    boolean post = "POST".equals(ctx.method().name());
    // sign-in and the device verification page, where user codes are typed (guessing them is limited like passwords)
    if (path.startsWith("/api/auth/") || path.equals(SignInRoutes.DEVICE_PAGE)) return "auth";
    if (post && (path.equals("/api/jobs/plan") || path.equals("/api/jobs/implement") || path.equals("/api/jobs/repair"))) {
      return "jobs-submit";
    }
    if (post && path.equals("/api/tools/run")) return "tools-run";
    if (path.startsWith(CbbRoutes.DOWNLOAD_PREFIX)) return "cbb-download";
    if (path.startsWith("/api/webhooks/")) return "webhooks";
    return "default";
  }

  /** Paths that are never limited. */
  static boolean exempt(Context ctx) {
    String p = ctx.path();
    return p.equals("/healthz") || p.equals("/readyz") || p.equals("/metrics") || "OPTIONS".equals(ctx.method().name());
  }

  /** A request without a (valid) API key: its client IP's bucket of its class. */
  void checkAnonymous(Context ctx) {
    if (exempt(ctx) || ctx.attribute(DONE) != null) return;
    ctx.attribute(DONE, Boolean.TRUE);
    String cls = endpointClass(ctx);
    int limit = cls.equals("auth") ? settings.authPerMinute() : settings.anonymousPerMinute();
    List<Check> checks = new ArrayList<>();
    if (limit > 0) checks.add(new Check("ip", "ip:" + clientIp(ctx) + ":" + cls, limit));
    apply(ctx, cls, checks);
  }

  /** An authenticated request: key, user, tenant, and the user's bucket of the endpoint class. */
  void checkAuthenticated(Context ctx, Principal p) {
    if (exempt(ctx) || ctx.attribute(DONE) != null) return;
    ctx.attribute(DONE, Boolean.TRUE);
    String cls = endpointClass(ctx);
    PlanLimits plan = settings.plan(planOf(p.userId()));
    List<Check> checks = new ArrayList<>();
    if (cls.equals("auth") && settings.authPerMinute() > 0) {
      checks.add(new Check("ip", "ip:" + clientIp(ctx) + ":auth", settings.authPerMinute()));
    }
    if (p.keyId() != null && settings.perKeyPerMinute() > 0) checks.add(new Check("key", "key:" + p.keyId(), settings.perKeyPerMinute()));
    if (plan.requestsPerMinute() > 0) checks.add(new Check("user", "user:" + p.userId(), plan.requestsPerMinute()));
    if (settings.tenantPerMinute() > 0) checks.add(new Check("tenant", "tenant:" + p.tenantId(), settings.tenantPerMinute()));
    if ((cls.equals("jobs-submit") || cls.equals("tools-run")) && plan.jobSubmitsPerMinute() > 0) {
      checks.add(new Check("user", "user:" + p.userId() + ":" + cls, plan.jobSubmitsPerMinute()));
    }
    apply(ctx, cls, checks);
  }

  private record Check(String scope, String key, int perMinute) {}

  private void apply(Context ctx, String cls, List<Check> checks) {
    RateBuckets.Probe tightest = null;
    for (Check c : checks) {
      RateBuckets.Probe probe = buckets.consume(c.key(), c.perMinute());
      if (!probe.consumed()) {
        headers(ctx, probe);
        listener.rejected(cls, c.scope());
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("limit", probe.limit());
        details.put("scope", c.scope());
        details.put("endpoint_class", cls);
        details.put("retry_after_seconds", probe.retryAfterSeconds());
        throw new GenRtlException(ErrorCode.RATE_LIMITED, "too many requests (" + c.scope() + " limit: " + probe.limit()
            + " per minute); retry after " + probe.retryAfterSeconds() + " s", details);
      }
      if (tightest == null || probe.remaining() < tightest.remaining()
          || (probe.remaining() == tightest.remaining() && probe.limit() < tightest.limit())) {
        tightest = probe;
      }
    }
    if (tightest != null) headers(ctx, tightest);
  }

  private static void headers(Context ctx, RateBuckets.Probe p) {
    ctx.header("RateLimit-Limit", Long.toString(p.limit()));
    ctx.header("RateLimit-Remaining", Long.toString(p.consumed() ? p.remaining() : 0));
    ctx.header("RateLimit-Reset", Long.toString(p.resetSeconds()));
    ctx.header("RateLimit-Policy", p.limit() + ";w=60");
  }

  /** The user's plan id, read at most every 30 s per user (a plan change applies within that). */
  private String planOf(String userId) {
    long now = clock.millis();
    long[] seen = planSeen.get(userId);
    String id = planIds.get(userId);
    if (seen != null && id != null && now - seen[0] < PLAN_CACHE_MILLIS) return id;
    id = planOfUser.apply(userId);
    if (planIds.size() > 100_000) {
      planIds.clear();
      planSeen.clear();
    }
    planIds.put(userId, id);
    planSeen.put(userId, new long[] {now});
    return id;
  }

  /** The peer address; the first {@code X-Forwarded-For} hop only when the operator says a proxy sets it. */
  String clientIp(Context ctx) {
    if (settings.trustForwardedFor()) {
      String fwd = ctx.header("X-Forwarded-For");
      if (fwd != null) {
        String first = fwd.split(",", 2)[0].trim();
        if (first.matches("[0-9A-Fa-f:.]{2,45}")) return first;
      }
    }
    return ctx.ip();
  }
}
