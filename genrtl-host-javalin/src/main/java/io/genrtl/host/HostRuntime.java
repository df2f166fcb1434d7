package io.genrtl.host;

import com.zaxxer.hikari.HikariDataSource;
import io.genrtl.blob.s3.S3BlobStore;
import io.genrtl.cbb.pkg.ArchiveInspector;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.cbb.BlobStore;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.llm.LlmClient;
import io.genrtl.blob.s3.S3Settings;
import io.genrtl.llm.http.LlmHttpSettings;
import io.genrtl.toolrunner.ToolSettings;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.jobs.GenRtlJobs;
import io.genrtl.toolrunner.ToolJob;
import io.genrtl.llm.http.AnthropicClient;
import io.genrtl.llm.http.LlmHttpConfig;
import io.genrtl.llm.http.OpenAiChatClient;
import io.genrtl.llm.http.OpenAiResponsesClient;
import io.genrtl.store.postgres.PostgresDataSources;
import io.genrtl.store.postgres.PostgresStores;
import io.genrtl.store.sqlite.SqliteDataSources;
import io.genrtl.store.sqlite.SqliteStores;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The database pool and the {@link GenRtl} built on it, from a {@link HostConfig}. Closing it closes the pool. */
public final class HostRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HostRuntime.class);
  private final HostConfig config;
  private final HikariDataSource dataSource;
  private final GenRtl genrtl;
  private final Payments payments;

  /**
   * The payment wiring: the Stripe gateway (null without {@code STRIPE_SECRET_KEY}), the credit packs on sale, the
   * spend-alert webhook (null when not configured) and the meter reporter (null without {@code GENRTL_STRIPE_METER_EVENT}).
   */
  public record Payments(io.genrtl.payments.StripeGateway stripeGateway, java.util.List<io.genrtl.core.billing.CreditPack> packs,
      AlertWebhooks alertWebhooks, io.genrtl.core.billing.MeterReporter meterReporter) {}

  /** Metrics, tracing and each plan's limits (after the operator's overrides). */
  public record Observability(io.genrtl.host.obs.Metrics metrics, io.genrtl.host.obs.Tracing tracing,
      Map<String, io.genrtl.host.http.PlanLimits> planLimits) {}

  /** The plans file's limits with the {@code GENRTL_PLAN_<ID>_*} overrides applied. */
  static Map<String, io.genrtl.host.http.PlanLimits> planLimits(HostConfig config) {
    Map<String, io.genrtl.host.http.PlanLimits> fromFile = config.plansFile() == null ? PlansFile.defaultLimits()
        : PlansFile.loadLimits(config.plansFile());
    Map<String, io.genrtl.host.http.PlanLimits> out = new HashMap<>();
    fromFile.forEach((id, l) -> out.put(id, l.with(config.limits().planOverrides().get(id))));
    for (String id : config.limits().planOverrides().keySet()) {
      if (!out.containsKey(id)) throw new IllegalArgumentException("GENRTL_PLAN_" + id.toUpperCase(java.util.Locale.ROOT)
          + "_*: there is no plan " + id + " in the plans file");
    }
    return Map.copyOf(out);
  }

  private final Observability observability;

  private final java.util.function.Supplier<io.genrtl.toolrunner.ToolRunner> tools;

  private HostRuntime(HostConfig config, HikariDataSource dataSource, GenRtl genrtl, Payments payments,
      Observability observability, java.util.function.Supplier<io.genrtl.toolrunner.ToolRunner> tools) {
    this.tools = tools;
    this.observability = observability;
    this.config = config;
    this.dataSource = dataSource;
    this.genrtl = genrtl;
    this.payments = payments;
  }

  /** Opens the pool, migrates the schema and wires the library. */
  public static HostRuntime open(HostConfig config, Clock clock) {
    HikariDataSource ds = dataSource(config);
    try {
      io.genrtl.host.obs.Metrics metrics = new io.genrtl.host.obs.Metrics();
      metrics.bindPool(ds);
      io.genrtl.host.obs.Tracing tracing = config.observability().otlpEndpoint() == null ? io.genrtl.host.obs.Tracing.off()
          : io.genrtl.host.obs.Tracing.otlp(config.observability().otlpEndpoint(), config.observability().serviceName());
      io.genrtl.host.obs.HostTelemetry telemetry = new io.genrtl.host.obs.HostTelemetry(metrics, tracing);
      Stores stores = io.genrtl.host.obs.TracedStores.wrap(
          config.isPostgres() ? PostgresStores.create(ds) : SqliteStores.create(ds), tracing);
      Map<String, io.genrtl.host.http.PlanLimits> planLimits = planLimits(config);
      PlanCatalog plans = config.plansFile() == null ? PlansFile.defaults() : PlansFile.load(config.plansFile());
      GenRtl.Builder builder = GenRtl.builder().stores(stores).clock(clock).plans(plans).telemetry(telemetry)
          .jobLimits(planId -> {
            int n = planLimits.getOrDefault(planId, io.genrtl.host.http.PlanLimits.DEFAULTS).concurrentJobs();
            return n == 0 ? Integer.MAX_VALUE : n;
          });
      java.util.List<io.genrtl.core.billing.CreditPack> packs = config.plansFile() == null ? PlansFile.defaultPacks()
          : PlansFile.loadPacks(config.plansFile());
      AlertWebhooks alerts = config.alerts().webhookUrl() == null ? null
          : AlertWebhooks.create(config.alerts().webhookUrl(), config.alerts().webhookSecret(), stores.pool().alertDeliveries(),
              GenRtlServer.workerId(), clock);
      builder.deliverAlerts(alerts != null); // a pending delivery commits with each alert: the webhook's durable outbox
      java.util.function.Supplier<io.genrtl.toolrunner.ToolRunner> tools = toolRunner(config.tools());
      GenRtl genrtl = GenRtlJobs.install(builder.ids(IdGenerator.ulid(clock)).llm(llmClients(config.llm(), clock)))
          .jobHandler(ToolJob.TYPE, ToolJob.factory(tools, config.tools().microsPerCpuSecond()))
          .blobStore(blobs(config))
          .packageInspector(new ArchiveInspector())
          .cbbSettings(new CbbService.Settings(config.publicUrl(), Duration.ofSeconds(config.deliveryTtlSeconds()),
              new PackageLimits(config.packageMaxEntries(), config.packageMaxUnpackedBytes(), config.packageMaxRatio())))
          .alertListener(alertListener(alerts))
          .build();
      io.genrtl.payments.StripeGateway stripe = config.stripe().secretKey() == null ? null
          : io.genrtl.payments.StripeGateway.create(config.stripe().secretKey(), config.stripe().apiBase());
      io.genrtl.core.billing.MeterReporter meter = null;
      if (stripe != null && config.meter().eventName() != null) {
        String event = config.meter().eventName();
        meter = new io.genrtl.core.billing.MeterReporter(stores.accounts(), stores.billing(), clock, io.genrtl.core.base.Sleeper.REAL,
            e -> stripe.reportMeterEvent(event, e.customerId(), e.value(), e.identifier(), e.timestampSeconds()),
            io.genrtl.core.billing.MeterReporter.Settings.defaults());
      }
      return new HostRuntime(config, ds, genrtl, new Payments(stripe, packs, alerts, meter),
          new Observability(metrics, tracing, planLimits), tools);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
  }

  /**
   * The ToolRunner, created (and its sandbox probed) on first use; {@code genrtl serve} creates it at start. When its
   * sandbox cannot contain runs (bubblewrap does not work under {@code auto}, or a protected path is readable from a
   * run) it is logged as an error once and every tool run is refused with 503 {@code tool_sandbox_unavailable}; the
   * rest of the host works.
   */
  static java.util.function.Supplier<io.genrtl.toolrunner.ToolRunner> toolRunner(ToolSettings t) {
    io.genrtl.toolrunner.ToolRunner.Settings s = toolSettings(t);
    AtomicReference<io.genrtl.toolrunner.ToolRunner> made = new AtomicReference<>();
    return () -> {
      io.genrtl.toolrunner.ToolRunner r = made.get();
      if (r == null) {
        synchronized (made) {
          r = made.get();
          if (r == null) {
            r = io.genrtl.toolrunner.ToolRunner.create(s);
            java.util.Optional<String> problem = r.sandboxProblem();
            if (problem.isPresent()) {
              LOG.error("\n***************************************************************************************\n"
                  + "*** TOOL RUNS ARE DISABLED: POST /api/tools/run answers 503 tool_sandbox_unavailable ***\n"
                  + "*** {}\n"
                  + "*** Fix: make bubblewrap work (docs/toolrunner.md), or for trusted designs only set\n"
                  + "*** GENRTL_TOOL_ISOLATION=unshare|none with GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true.\n"
                  + "***************************************************************************************", problem.get());
            } else if (r.isolation() != io.genrtl.toolrunner.Isolation.BWRAP) {
              LOG.warn("ToolRunner: isolation {} (weaker than bubblewrap, chosen by the operator: for trusted designs only)",
                  r.isolation().wire());
            }
            LOG.info("ToolRunner ready: isolation {}{}, {} concurrent runs", r.isolation().wire(),
                r.toolUid().isPresent() ? ", tools as uid " + r.toolUid().getAsInt() : "", s.maxConcurrent());
            made.set(r);
          }
        }
      }
      return r;
    };
  }

  static io.genrtl.toolrunner.ToolRunner.Settings toolSettings(ToolSettings t) {
    io.genrtl.toolrunner.ToolRunner.Settings d = io.genrtl.toolrunner.ToolRunner.Settings.defaults();
    io.genrtl.toolrunner.ToolRunner.Limits compile = new io.genrtl.toolrunner.ToolRunner.Limits(
        Duration.ofSeconds(t.compileTimeoutSeconds()), Duration.ofSeconds(t.compileTimeoutSeconds()), t.compileMemoryBytes(),
        t.maxOutputBytes(), d.compile().fileBytes(), t.maxProcesses());
    io.genrtl.toolrunner.ToolRunner.Limits run = new io.genrtl.toolrunner.ToolRunner.Limits(
        Duration.ofSeconds(t.runTimeoutSeconds()), Duration.ofSeconds(t.maxRunTimeoutSeconds()), t.runMemoryBytes(),
        t.maxOutputBytes(), d.run().fileBytes(), t.maxProcesses());
    return d.withWorkDir(t.workDir())
        .withIsolation(io.genrtl.toolrunner.Isolation.parse(t.isolation()).orElseThrow())
        .withMaxConcurrent(t.maxConcurrent()).withVerilatorJobs(t.verilatorJobs())
        .withLimits(compile, run, Duration.ofSeconds(t.maxRunTimeoutSeconds()))
        .withCache(t.cacheBytes() == 0 ? null : t.cacheDir(), t.cacheBytes())
        .withWrites(new io.genrtl.toolrunner.ToolRunner.WriteLimits(t.maxWriteBytes(), t.maxFiles(), t.tmpBytes()))
        .withSandboxUid(t.sandboxUid())
        .withProtectedPaths(t.protectedPaths());
  }

  /** Creates the ToolRunner now (probing its sandbox) and says why tool runs are refused, if they are. */
  public java.util.Optional<String> toolSandboxProblem() {
    return tools.get().sandboxProblem();
  }

  /** Logs every alert and, when configured, wakes the alert webhook's worker (after commit; never blocks). */
  static io.genrtl.core.pool.SpendAlertListener alertListener(AlertWebhooks webhooks) {
    return a -> {
      LOG.info("spend alert: user {} {} {}% ({} of {} micro-USD)", a.userId(), a.kind(), a.thresholdPercent(),
          a.amountMicros(), a.limitMicros());
      if (webhooks != null) webhooks.onAlert(a);
    };
  }

  /** The model connectors the configuration enables (none without keys). */
  static Map<String, LlmClient> llmClients(LlmHttpSettings llm, Clock clock) {
    Map<String, LlmClient> clients = new HashMap<>();
    if (llm.openaiKey() != null) {
      LlmHttpConfig.Builder b = LlmHttpConfig.builder(llm.openaiKey()).clock(clock);
      if (llm.openaiBaseUrl() != null) b.baseUrl(llm.openaiBaseUrl());
      clients.put("openai", "chat".equals(llm.openaiStyle()) ? new OpenAiChatClient(b.build()) : new OpenAiResponsesClient(b.build()));
    }
    if (llm.anthropicKey() != null) {
      LlmHttpConfig.Builder b = LlmHttpConfig.builder(llm.anthropicKey()).clock(clock);
      if (llm.anthropicBaseUrl() != null) b.baseUrl(llm.anthropicBaseUrl());
      clients.put("anthropic", new AnthropicClient(b.build()));
    }
    return clients;
  }

  static BlobStore blobs(HostConfig config) {
    S3Settings s3 = config.s3();
    if (s3 == null) return new FileSystemBlobStore(config.dataDir().resolve("blobs"));
    S3BlobStore.Builder b = S3BlobStore.builder().region(s3.region()).bucket(s3.bucket()).prefix(s3.prefix())
        .pathStyle(s3.pathStyle()).presign(true);
    if (s3.endpoint() != null) b.endpoint(java.net.URI.create(s3.endpoint()));
    if (s3.accessKeyId() != null) b.credentials(s3.accessKeyId(), s3.secretAccessKey());
    return b.build();
  }

  /** Only migrates; returns the number of migrations applied. */
  public static int migrate(HostConfig config) {
    try (HikariDataSource ds = dataSource(config)) {
      return config.isPostgres() ? PostgresStores.migrate(ds) : SqliteStores.migrate(ds);
    }
  }

  static HikariDataSource dataSource(HostConfig config) {
    if (config.isPostgres()) {
      return PostgresDataSources.create(config.dbUrl(), config.dbUser(), config.dbPassword(), null, config.dbPoolSize());
    }
    String file = config.dbUrl().substring("jdbc:sqlite:".length());
    if (!file.isEmpty() && !file.startsWith(":") && !file.startsWith("file:") && !file.contains("?")) {
      return SqliteDataSources.file(Path.of(file), config.dbPoolSize()); // creates the directory
    }
    return SqliteDataSources.url(config.dbUrl(), config.dbPoolSize());
  }

  public HostConfig config() {
    return config;
  }

  public GenRtl genrtl() {
    return genrtl;
  }

  public Payments payments() {
    return payments;
  }

  public Observability observability() {
    return observability;
  }

  /** The pool the rate-limit buckets share on PostgreSQL. */
  javax.sql.DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    observability.tracing().close();
    if (payments.alertWebhooks() != null) payments.alertWebhooks().close();
    try {
      if (genrtl.cbbs().blobs() instanceof AutoCloseable c) c.close();
    } catch (Exception ignored) {
      // closing the blob client releases sockets only
    } finally {
      dataSource.close();
    }
  }
}
