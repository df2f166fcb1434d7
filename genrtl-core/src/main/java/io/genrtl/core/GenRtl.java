package io.genrtl.core;

import io.genrtl.core.account.AccountService;
import io.genrtl.core.account.ApiKeyService;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.cbb.BlobStore;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.PackageInspector;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.billing.BillingService;
import io.genrtl.core.jobs.JobEnvironment;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.jobs.JobService;
import io.genrtl.core.llm.PriceTable;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.SpendAlertListener;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The embeddable genRTL facade. Every adapter is passed in explicitly:
 *
 * <pre>{@code
 * GenRtl genrtl = GenRtl.builder()
 *     .stores(SqliteStores.create(dataSource))
 *     .clock(Clock.systemUTC())
 *     .build();
 * }</pre>
 */
public final class GenRtl implements AutoCloseable {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(GenRtl.class.getName());
  private final Stores stores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PlanCatalog plans;
  private final ApiKeyService apiKeys;
  private final AccountService accounts;
  private final PoolService pool;
  private final CbbService cbbs;
  private final PriceTable prices;
  private final LlmGateway llm;
  private final JobService jobs;
  private final BillingService billing;
  private final io.genrtl.core.auth.SignInService signIn;
  private final io.genrtl.core.audit.AuditService audit;
  private final io.genrtl.core.admin.AdminService admin;
  private final Telemetry telemetry;

  private GenRtl(Builder b) {
    this.stores = Objects.requireNonNull(b.stores, "stores must be set: GenRtl.builder().stores(...)");
    this.clock = b.clock;
    this.ids = b.ids != null ? b.ids : IdGenerator.ulid(clock);
    this.plans = b.plans;
    Stores s = stores;
    var tx = s.transactor();
    this.audit = new io.genrtl.core.audit.AuditService(s.audit(), clock, ids);
    this.apiKeys = new ApiKeyService(tx, s.accounts(), clock, ids, audit::record);
    this.telemetry = b.telemetry;
    this.pool = new PoolService(tx, s.accounts(), s.pool(), clock, ids, audit, plans, b.alertListener, b.telemetry,
        b.deliverAlerts, new io.genrtl.core.billing.MeterOutboxListener(s.billing()),
        (userId, p) -> s.cbb().receipts().revoke(userId, p.cbbId(), p.version(), p.receiptId()));
    this.accounts = new AccountService(tx, s.meta(), s.accounts(), clock, ids, plans, apiKeys, pool::openAccount,
        audit::record);
    this.cbbs = new CbbService(tx, s.meta(), s.accounts(), s.pool(), s.cbb(), clock, ids, audit, pool, b.blobs,
        b.inspector, b.cbbSettings);
    this.prices = b.prices;
    this.llm = new LlmGateway(pool, plans, prices, b.llmPolicy, b.llmClients, b.telemetry);
    JobEnvironment env = new JobEnvironment(clock, ids, pool, cbbs, llm, b.telemetry);
    java.util.Map<String, JobHandler> handlers = new java.util.LinkedHashMap<>();
    b.jobHandlers.forEach((type, factory) -> handlers.put(type,
        Objects.requireNonNull(factory.create(env), () -> "the factory of job type " + type + " returned null")));
    this.jobs = new JobService(tx, s.pool(), s.jobs(), clock, ids, pool, accounts, handlers, b.jobLimits,
        b.telemetry);
    this.billing = new BillingService(tx, s.meta(), s.accounts(), s.billing(), clock, audit, pool, b.sleeper);
    this.signIn = new io.genrtl.core.auth.SignInService(tx, s.accounts(), s.auth(), clock, ids, accounts, apiKeys,
        b.signInSettings);
    this.admin = new io.genrtl.core.admin.AdminService(tx, s.accounts(), s.pool(), clock, ids, plans, pool, jobs, audit,
        accounts);
  }

  /**
   * What {@link #start} runs in the background: the job runner (its worker id, threads, lease, poll, attempts) and, every
   * {@code sweepEvery}, the sweeps (expired holds freed, expired sign-in records purged).
   */
  public record Background(io.genrtl.core.jobs.JobRunner.Settings jobs, Duration sweepEvery) {
    public Background {
      Objects.requireNonNull(jobs, "jobs");
      if (sweepEvery == null || sweepEvery.isNegative() || sweepEvery.isZero()) {
        throw new IllegalArgumentException("sweepEvery must be positive");
      }
    }

    /** {@code threads} workers named {@code workerId}, 60 s leases, a 250 ms poll, 3 attempts; sweeps every minute. */
    public static Background defaults(String workerId, int threads) {
      return new Background(new io.genrtl.core.jobs.JobRunner.Settings(workerId, threads, Duration.ofSeconds(60),
          Duration.ofMillis(250), 3), Duration.ofSeconds(60));
    }
  }

  private io.genrtl.core.jobs.JobRunner runner;
  private java.util.concurrent.ScheduledExecutorService sweeper;

  /**
   * Starts the library's background work: the job runner (queued jobs run, lost leases are recovered) and the sweeps.
   * An embedder calls it once and {@link #close()} at the end; without it nothing runs jobs. Returns this.
   */
  public synchronized GenRtl start(Background background) {
    if (runner != null) throw new IllegalStateException("already started");
    Objects.requireNonNull(background, "background");
    io.genrtl.core.jobs.JobRunner r = new io.genrtl.core.jobs.JobRunner(stores.transactor(), stores.jobs(), clock, jobs,
        background.jobs());
    java.util.concurrent.ScheduledExecutorService bg = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(x -> {
      Thread t = new Thread(x, "genrtl-sweeper");
      t.setDaemon(true);
      return t;
    });
    long every = background.sweepEvery().toMillis();
    bg.scheduleWithFixedDelay(this::sweep, every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    r.start();
    runner = r;
    sweeper = bg;
    return this;
  }

  /** One round of the sweeps {@link #start} schedules (each guarded: a failing sweep is logged and retried next round). */
  public void sweep() {
    try {
      int n = pool.sweepExpiredHolds();
      if (n > 0) LOG.info("freed " + n + " expired holds");
    } catch (RuntimeException e) {
      LOG.warning("hold sweep failed: " + e);
    }
    try {
      signIn.purgeExpired();
    } catch (RuntimeException e) {
      LOG.warning("sign-in purge failed: " + e);
    }
  }

  /** Stops what {@link #start} started (jobs in flight get their lease back after it expires); a no-op otherwise. */
  @Override
  public synchronized void close() {
    if (sweeper != null) sweeper.shutdownNow();
    if (runner != null) runner.close();
    sweeper = null;
    runner = null;
  }

  public static Builder builder() {
    return new Builder();
  }

  public AccountService accounts() {
    return accounts;
  }

  public ApiKeyService apiKeys() {
    return apiKeys;
  }

  public PoolService pool() {
    return pool;
  }

  /** The CBB registry; publishing needs {@link Builder#packageInspector}, delivery a {@link Builder#blobStore}. */
  public CbbService cbbs() {
    return cbbs;
  }

  public PlanCatalog plans() {
    return plans;
  }

  /** Jobs: submit, read, cancel; run them with a {@link io.genrtl.core.jobs.JobRunner}. */
  public JobService jobs() {
    return jobs;
  }

  /** Payment providers' effects on subscriptions and balances (webhooks). */
  public BillingService billing() {
    return billing;
  }

  /** Sign-in: provider identities to users, sessions, device authorizations (RFC 8628), loopback codes (RFC 8252). */
  public io.genrtl.core.auth.SignInService signIn() {
    return signIn;
  }

  /** Model prices per million tokens (published at {@code GET /api/models}). */
  public PriceTable prices() {
    return prices;
  }

  /**
   * The model gateway built from {@link Builder#llm} connectors, the price table and {@link Builder#llmPolicy}: routes,
   * reserves, calls and charges every model call (with no connectors every call is refused: {@code model_not_allowed}, no model available).
   */
  public LlmGateway llm() {
    return llm;
  }

  /** The append-only audit log: record actions, query it. */
  public io.genrtl.core.audit.AuditService audit() {
    return audit;
  }

  /** The admin API's operations (tenant admins on their tenant, super admins on all). */
  public io.genrtl.core.admin.AdminService admin() {
    return admin;
  }

  /** The observer of jobs, provider calls and charges ({@link Telemetry#NONE} by default). */
  public Telemetry telemetry() {
    return telemetry;
  }

  /** Whether the database answers (a readiness probe). */
  public boolean databaseReady() {
    return stores.ping();
  }

  public Stores stores() {
    return stores;
  }

  public Clock clock() {
    return clock;
  }

  public IdGenerator ids() {
    return ids;
  }

  public static final class Builder {
    private Stores stores;
    private Clock clock = Clock.systemUTC();
    private IdGenerator ids;
    private PlanCatalog plans = PlanCatalog.defaults();
    private PriceTable prices = PriceTable.defaults();
    private final java.util.Map<String, JobHandler.Factory> jobHandlers = new java.util.LinkedHashMap<>();
    private final java.util.Map<String, LlmClient> llmClients = new java.util.LinkedHashMap<>();
    private LlmGateway.Policy llmPolicy = LlmGateway.Policy.defaults();
    private SpendAlertListener alertListener = SpendAlertListener.NONE;
    private boolean deliverAlerts;
    private io.genrtl.core.base.Sleeper sleeper = io.genrtl.core.base.Sleeper.REAL;
    private io.genrtl.core.auth.SignInService.Settings signInSettings = io.genrtl.core.auth.SignInService.Settings.defaults();
    private Telemetry telemetry = Telemetry.NONE;
    private io.genrtl.core.jobs.JobLimits jobLimits = io.genrtl.core.jobs.JobLimits.UNLIMITED;
    private BlobStore blobs;
    private PackageInspector inspector;
    private CbbService.Settings cbbSettings = new CbbService.Settings("http://localhost:8080", Duration.ofSeconds(300),
        PackageLimits.DEFAULTS);

    private Builder() {}

    /** The stores adapter (required): {@code InMemoryStores.create()}, {@code SqliteStores.create(…)} or {@code PostgresStores.create(…)}. */
    public Builder stores(Stores stores) {
      this.stores = Objects.requireNonNull(stores, "stores");
      return this;
    }

    /** The clock every expiry, period and timestamp is computed from (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The id generator (default: monotonic ULIDs from the clock). */
    public Builder ids(IdGenerator ids) {
      this.ids = Objects.requireNonNull(ids, "ids");
      return this;
    }

    /** The plans on offer (default: {@link PlanCatalog#defaults()}). */
    public Builder plans(PlanCatalog plans) {
      this.plans = Objects.requireNonNull(plans, "plans");
      return this;
    }

    /** Registers the handler of one job type ({@code plan}, {@code implement}, {@code repair}, {@code tool}). */
    public Builder jobHandler(String type, JobHandler handler) {
      Objects.requireNonNull(handler, "handler");
      return jobHandler(type, env -> handler);
    }

    /**
     * Registers the handler of one job type, built when the library is: the factory gets the services a job needs
     * (the model gateway, pool, CBB registry…; see {@link JobEnvironment}). {@code GenRtlJobs.install(builder)} in
     * genrtl-jobs registers the plan, implement and repair jobs this way.
     */
    public Builder jobHandler(String type, JobHandler.Factory factory) {
      jobHandlers.put(Objects.requireNonNull(type, "type"), Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /**
     * The model connectors (e.g. genrtl-llm-http's {@code OpenAiResponsesClient}, {@code AnthropicClient}), keyed by
     * their {@link LlmClient#provider()}; the library builds the {@link LlmGateway} from them, the price table and
     * the routing policy. Adds to the connectors given before.
     */
    public Builder llm(LlmClient... connectors) {
      for (LlmClient c : connectors) llm(Objects.requireNonNull(c, "connector").provider(), c);
      return this;
    }

    /** The model connectors by provider ({@code openai}, {@code anthropic}); adds to the ones given before. */
    public Builder llm(java.util.Map<String, ? extends LlmClient> connectorsByProvider) {
      connectorsByProvider.forEach(this::llm);
      return this;
    }

    /** One model connector under a provider name ({@code openai}, {@code anthropic}). */
    public Builder llm(String provider, LlmClient connector) {
      llmClients.put(Objects.requireNonNull(provider, "provider"), Objects.requireNonNull(connector, "connector"));
      return this;
    }

    /** Which models each step tries, in order, per plan (default: {@link LlmGateway.Policy#defaults()}). */
    public Builder llmPolicy(LlmGateway.Policy policy) {
      this.llmPolicy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Model prices (default: {@link PriceTable#defaults()}). */
    public Builder prices(PriceTable prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    /** Told of spend alerts (50/80/100 % of included or of the on-demand limit, overruns) after they commit. */
    public Builder alertListener(SpendAlertListener listener) {
      this.alertListener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /**
     * Whether each spend alert also gets a pending delivery ({@link Stores#alertDeliveries()}) in the transaction that
     * records it, for a deliverer that drains them (the host's alert webhook). Default off: nothing would drain them.
     */
    public Builder deliverAlerts(boolean deliver) {
      this.deliverAlerts = deliver;
      return this;
    }

    /** Where CBB packages are stored (e.g. {@code new FileSystemBlobStore(dataDir.resolve("blobs"))}). */
    public Builder blobStore(BlobStore blobs) {
      this.blobs = Objects.requireNonNull(blobs, "blobs");
      return this;
    }

    /** Validates CBB packages before they are published ({@code ArchiveInspector} in genrtl-cbb-package). */
    public Builder packageInspector(PackageInspector inspector) {
      this.inspector = Objects.requireNonNull(inspector, "inspector");
      return this;
    }

    /** The public base URL download links are built on, their lifetime, and package caps. */
    public Builder cbbSettings(CbbService.Settings settings) {
      this.cbbSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** How services wait when they poll or back off (default: {@link Thread#sleep}); tests inject their own. */
    public Builder sleeper(io.genrtl.core.base.Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** Session, login, device-flow and loopback-code lifetimes (default: {@code SignInService.Settings.defaults()}). */
    public Builder signInSettings(io.genrtl.core.auth.SignInService.Settings settings) {
      this.signInSettings = Objects.requireNonNull(settings, "settings");
      return this;
    }

    /** Told of jobs, provider calls, charges and refusals (metrics, traces); default: {@link Telemetry#NONE}. */
    public Builder telemetry(Telemetry telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** How many jobs a user may have queued or running at once, by plan (default: unlimited). */
    public Builder jobLimits(io.genrtl.core.jobs.JobLimits limits) {
      this.jobLimits = Objects.requireNonNull(limits, "limits");
      return this;
    }

    public GenRtl build() {
      return new GenRtl(this);
    }
  }
}
