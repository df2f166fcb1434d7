package io.genrtl.host;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.JobRunner;
import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.Stores;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.host.http.PlanLimits;
import io.genrtl.host.http.RateBuckets;
import io.genrtl.host.http.RateLimiter;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.jobs.PlanJob;
import io.genrtl.host.obs.HostTelemetry;
import io.genrtl.host.obs.Metrics;
import io.genrtl.host.obs.TracedStores;
import io.genrtl.host.obs.Tracing;
import io.javalin.Javalin;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * One host for limits and observability tests: the library on the given stores with telemetry and job limits, the
 * Javalin app with a rate limiter on the given buckets, optionally a job runner. Several may share one database.
 */
final class LimitsHost implements AutoCloseable {
  final GenRtl genrtl;
  final Javalin app;
  final TestHttp http;
  final Metrics metrics = new Metrics();
  final Tracing tracing;
  final RateLimiter limiter;
  JobRunner runner;

  /** A provider that must not be called (jobs stay queued without a runner). */
  static final LlmClient UNREACHABLE = new LlmClient() {
    @Override
    public String provider() {
      return "openai";
    }

    @Override
    public io.genrtl.core.llm.LlmResponse complete(io.genrtl.core.llm.LlmRequest r, io.genrtl.core.llm.LlmStreamListener l,
        java.util.function.BooleanSupplier cancel) {
      throw new AssertionError("no provider call expected");
    }
  };

  record Options(RateLimiter.Settings limits, Map<String, LlmClient> llm, Tracing tracing, String metricsKey) {}

  static RateLimiter.Settings limits(int perKey, int anonymous, Map<String, PlanLimits> plans) {
    return new RateLimiter.Settings(perKey, anonymous, 30, 0, false, plans);
  }

  LimitsHost(Stores rawStores, Clock clock, RateBuckets buckets, Options o) {
    this.tracing = o.tracing() == null ? Tracing.off() : o.tracing();
    Stores stores = TracedStores.wrap(rawStores, tracing);
    HostTelemetry telemetry = new HostTelemetry(metrics, tracing);
    IdGenerator ids = IdGenerator.ulid(clock);
    Map<String, PlanLimits> plans = o.limits() == null ? Map.of() : o.limits().plans();
    genrtl = GenRtl.builder().stores(stores).clock(clock).ids(ids).telemetry(telemetry)
        .jobLimits(plan -> {
          int n = plans.getOrDefault(plan, new PlanLimits(0, 0, 0)).concurrentJobs();
          return n == 0 ? Integer.MAX_VALUE : n;
        })
        .llm(o.llm() == null ? Map.of("openai", UNREACHABLE) : o.llm())
        .jobHandler(PlanJob.TYPE, GenRtlJobs.plan()).build();
    limiter = o.limits() == null ? null
        : new RateLimiter(o.limits(), buckets, genrtl.pool()::planIdOf, clock, metrics::rateLimited);
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://localhost"),
        new GenRtlApp.Extras(limiter, metrics, tracing, o.metricsKey()));
    app.start("127.0.0.1", 0);
    http = new TestHttp(app.port());
  }

  void startRunner(Clock clock) {
    runner = new JobRunner(genrtl.stores().transactor(), genrtl.stores().jobs(), clock, genrtl.jobs(),
        new JobRunner.Settings("host-" + app.port(), 1, Duration.ofSeconds(30), Duration.ofMillis(20), 3));
    runner.start();
  }

  /** A user (on {@code plan}, null: free) with a workspace and a key: {key, workspace id, user id}. */
  String[] user(String email, String plan) {
    CreatedUser u = genrtl.accounts().createUser(new NewUser(email, email.substring(email.indexOf('@') + 1), Role.USER, plan));
    String key = genrtl.apiKeys().issue(u.user().userId(), "t", null).apiKey();
    String ws = genrtl.accounts().createWorkspace(Principal.of(u.user(), null), "w").workspaceId();
    return new String[] {key, ws, u.user().userId()};
  }

  String superAdminKey() {
    CreatedUser u = genrtl.accounts().createUser(new NewUser("root@ops.test", "ops", Role.SUPER_ADMIN, null));
    return genrtl.apiKeys().issue(u.user().userId(), "ops", null).apiKey();
  }

  String anotherKey(String userId) {
    return genrtl.apiKeys().issue(userId, "second", null).apiKey();
  }

  @Override
  public void close() {
    app.stop();
    if (runner != null) runner.close();
    tracing.close();
  }
}
