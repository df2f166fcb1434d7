package io.genrtl.host;

import io.genrtl.auth.oidc.AuthSettings;
import io.genrtl.core.account.IssuedKey;
import io.genrtl.host.http.GenRtlApp;
import io.genrtl.payments.PaymentSettings;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import io.genrtl.core.jobs.JobRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running host: runtime (database + library) and the HTTP server. */
public final class GenRtlServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenRtlServer.class);
  public static final String ADMIN_KEY_FILE = "admin.key";

  private final HostRuntime runtime;
  private final Javalin app;
  private final ScheduledExecutorService background;

  private GenRtlServer(HostRuntime runtime, Javalin app, ScheduledExecutorService background) {
    this.runtime = runtime;
    this.app = app;
    this.background = background;
  }

  /**
   * Opens the database (migrating it), creates the first super admin if there is none (printing
   * {@code GENRTL_ADMIN_KEY=<key>} once on {@code out} and writing it to {@code admin.key}, mode 0600, in the data
   * dir), and starts serving.
   */
  public static GenRtlServer start(HostConfig config, Clock clock, PrintStream out) {
    createDataDir(config.dataDir());
    HostRuntime runtime = HostRuntime.open(config, clock);
    try {
      runtime.toolSandboxProblem(); // probe the tool sandbox now: a refusal is logged loudly at start, not at the first run
      Optional<IssuedKey> admin = runtime.genrtl().accounts().bootstrapSuperAdmin(config.adminEmail());
      admin.ifPresent(k -> {
        Path file = writeAdminKey(config.dataDir(), k.apiKey());
        out.println("GENRTL_ADMIN_KEY=" + k.apiKey());
        out.flush();
        LOG.info("created the first super admin ({}); its key was printed once and saved to {}", config.adminEmail(), file);
      });
      SeedCatalog.publish(runtime.genrtl());
      HostRuntime.Payments pay = runtime.payments();
      io.genrtl.host.http.RateBuckets buckets = rateBuckets(runtime, clock);
      Javalin app = GenRtlApp.create(runtime.genrtl(), new GenRtlApp.Settings(config.maxBodyBytes(), config.publicUrl(),
          config.maxPackageBytes(), ManifestSchema.text(), stripeWebhooks(config.stripe(), pay.stripeGateway(), clock),
          creem(config.creem()), pay.packs()),
          signInProviders(config.auth(), clock), extras(runtime, buckets, clock),
          new io.genrtl.host.http.EdgeHeaders.Policy(config.edge().trustForwardedProto(), config.edge().corsOrigins()));
      app.start(config.bindHost(), config.port());
      LOG.info("genRTL listening on {}:{} ({})", config.bindHost(), app.port(), config);
      ScheduledExecutorService bg = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "genrtl-host-chores");
        t.setDaemon(true);
        return t;
      });
      if (buckets != null && config.limits().store().equals("postgres")) {
        bg.scheduleWithFixedDelay(() -> {
          try {
            buckets.removeExpired();
          } catch (RuntimeException e) {
            LOG.warn("rate-limit bucket cleanup failed: {}", e.toString());
          }
        }, 60, 60, TimeUnit.SECONDS);
      }
      if (pay.meterReporter() != null) {
        bg.scheduleWithFixedDelay(() -> {
          try {
            io.genrtl.core.billing.MeterReporter.Report r = pay.meterReporter().reportDue();
            if (r.reported() + r.failed() > 0) LOG.info("meter: {} reported, {} to retry", r.reported(), r.failed());
          } catch (RuntimeException e) {
            LOG.warn("meter reporting failed: {}", e.toString());
          }
        }, config.meter().reportSeconds(), config.meter().reportSeconds(), TimeUnit.SECONDS);
      }
      if (pay.alertWebhooks() != null) pay.alertWebhooks().start();
      // the library runs the jobs and its sweeps (expired holds, sign-in records); the host adds its own chores above
      runtime.genrtl().start(new io.genrtl.core.GenRtl.Background(new JobRunner.Settings(workerId(), config.jobWorkers(),
          Duration.ofSeconds(60), Duration.ofMillis(250), 3), Duration.ofSeconds(config.holdSweepSeconds())));
      return new GenRtlServer(runtime, app, bg);
    } catch (RuntimeException e) {
      runtime.close();
      throw e;
    }
  }

  /** The buckets rate limits draw from (null when limits are off): PostgreSQL's table, or this host's memory. */
  static io.genrtl.host.http.RateBuckets rateBuckets(HostRuntime runtime, Clock clock) {
    HostConfig.Limits l = runtime.config().limits();
    if (!l.enabled()) return null;
    return l.store().equals("postgres") ? io.genrtl.host.http.RateBuckets.postgres(runtime.dataSource(), clock)
        : io.genrtl.host.http.RateBuckets.inMemory(clock);
  }

  static GenRtlApp.Extras extras(HostRuntime runtime, io.genrtl.host.http.RateBuckets buckets, Clock clock) {
    HostConfig.Limits l = runtime.config().limits();
    HostRuntime.Observability obs = runtime.observability();
    io.genrtl.host.http.RateLimiter limiter = buckets == null ? null : new io.genrtl.host.http.RateLimiter(
        new io.genrtl.host.http.RateLimiter.Settings(l.perKeyPerMinute(), l.anonymousPerMinute(), l.authPerMinute(),
            l.tenantPerMinute(), l.trustForwardedFor(), obs.planLimits()),
        buckets, runtime.genrtl().pool()::planIdOf, clock, obs.metrics()::rateLimited);
    return new GenRtlApp.Extras(limiter, obs.metrics(), obs.tracing(), runtime.config().observability().metricsKey());
  }

  public int port() {
    return app.port();
  }

  public HostRuntime runtime() {
    return runtime;
  }

  @Override
  public void close() {
    background.shutdownNow();
    runtime.genrtl().close();
    try {
      app.stop();
    } finally {
      runtime.close();
    }
  }

  static io.genrtl.host.http.CreemBilling creem(PaymentSettings.Creem c) {
    if (c.webhookSecrets() == null && c.apiKey() == null) return null;
    return new io.genrtl.host.http.CreemBilling(
        c.webhookSecrets() == null ? null : io.genrtl.payments.CreemWebhookVerifier.fromConfig(c.webhookSecrets()),
        new io.genrtl.payments.CreemEventParser(),
        c.apiKey() == null ? null : new io.genrtl.payments.CreemGateway(new okhttp3.OkHttpClient(), c.apiBase(), c.apiKey()),
        c.productById());
  }

  /** The sign-in providers and external JWT issuers the configuration names (none when unset). */
  static io.genrtl.host.http.SignInProviders signInProviders(AuthSettings auth, Clock clock) {
    io.genrtl.auth.oidc.OidcHttp http = io.genrtl.auth.oidc.OidcHttp.defaults();
    java.util.List<io.genrtl.auth.oidc.OAuthProvider> providers = new java.util.ArrayList<>();
    for (AuthSettings.Oidc o : auth.oidc()) {
      providers.add(new io.genrtl.auth.oidc.OidcProvider(new io.genrtl.auth.oidc.OidcProvider.Config(o.name(), o.issuer(),
          o.clientId(), o.clientSecret(), o.scopes()), http, clock));
    }
    if (auth.github() != null) {
      providers.add(new io.genrtl.auth.oidc.GitHubProvider(auth.github().clientId(), auth.github().clientSecret(),
          auth.github().baseUrl(), auth.github().apiUrl(), http));
    }
    if (auth.facebook() != null) {
      providers.add(new io.genrtl.auth.oidc.FacebookProvider(auth.facebook().clientId(), auth.facebook().clientSecret(),
          auth.facebook().baseUrl(), auth.facebook().apiUrl(), http));
    }
    java.util.List<io.genrtl.auth.oidc.ExternalJwtAuthenticator.Issuer> issuers = new java.util.ArrayList<>();
    for (AuthSettings.Jwt j : auth.jwt()) {
      issuers.add(new io.genrtl.auth.oidc.ExternalJwtAuthenticator.Issuer(j.name(), j.issuer(), j.jwksUrl(), j.audience()));
    }
    return new io.genrtl.host.http.SignInProviders(providers,
        issuers.isEmpty() ? null : new io.genrtl.auth.oidc.ExternalJwtAuthenticator(issuers, http, clock));
  }

  static io.genrtl.host.http.StripeWebhooks stripeWebhooks(PaymentSettings.Stripe s, io.genrtl.payments.StripeGateway gateway,
      Clock clock) {
    if (s.webhookSecrets() == null && gateway == null) return null;
    return new io.genrtl.host.http.StripeWebhooks(
        s.webhookSecrets() == null ? null : io.genrtl.payments.StripeWebhookVerifier.fromConfig(s.webhookSecrets(), clock),
        new io.genrtl.payments.StripeEventParser(), s.planByPrice(), gateway);
  }

  /** Unique per running host: host name, process id and start time. */
  static String workerId() {
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "host";
    }
    return host + ":" + ProcessHandle.current().pid() + ":" + Long.toString(System.currentTimeMillis(), 36);
  }

  /**
   * Creates the data directory readable by the host's user only (mode 0700: it holds {@code admin.key} and the
   * database), so a tool run as another uid (the sandbox uid, when the host runs as root) cannot read it even without
   * namespaces. An existing directory's mode is left alone (it may be shared); a warning says when others can read it.
   */
  static void createDataDir(Path dir) {
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir);
        try {
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException e) {
          LOG.warn("could not make the data directory {} private (mode 0700): {}", dir, e.toString());
        }
      } else {
        try {
          java.util.Set<java.nio.file.attribute.PosixFilePermission> p = Files.getPosixFilePermissions(dir);
          if (p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
              || p.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
            LOG.warn("the data directory {} can be entered by other users (mode {}); it holds admin.key and the database:"
                + " chmod 700 it", dir, PosixFilePermissions.toString(p));
          }
        } catch (UnsupportedOperationException | IOException e) {
          // not a POSIX file system
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the data directory " + dir, e);
    }
  }

  static Path writeAdminKey(Path dataDir, String key) {
    Path file = dataDir.resolve(ADMIN_KEY_FILE);
    try {
      Files.deleteIfExists(file);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        Files.createFile(file); // not a POSIX file system
      }
      Files.writeString(file, key + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
