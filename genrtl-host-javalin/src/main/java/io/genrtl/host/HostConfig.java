package io.genrtl.host;

import io.genrtl.auth.oidc.AuthSettings;
import io.genrtl.blob.s3.S3Settings;
import io.genrtl.llm.http.LlmHttpSettings;
import io.genrtl.payments.PaymentSettings;
import io.genrtl.toolrunner.ToolSettings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The host's whole configuration, read once from the environment and an optional properties file (same keys;
 * the environment wins) and validated before anything starts. Every variable is documented in README.md. The adapter
 * modules own their settings and parse them from the same map ({@link LlmHttpSettings}, {@link PaymentSettings},
 * {@link AuthSettings}, {@link ToolSettings}, {@link S3Settings}); this record composes them, checks for unknown
 * {@code GENRTL_*} names and collects every problem.
 */
public record HostConfig(
    String bindHost,
    int port,
    Path dataDir,
    String dbUrl,
    String dbUser,
    String dbPassword,
    int dbPoolSize,
    long maxBodyBytes,
    String publicUrl,
    String adminEmail,
    String logLevel,
    Path plansFile,
    int holdSweepSeconds,
    long maxPackageBytes,
    int deliveryTtlSeconds,
    int packageMaxEntries,
    long packageMaxUnpackedBytes,
    int packageMaxRatio,
    S3Settings s3,
    LlmHttpSettings llm,
    int jobWorkers,
    PaymentSettings.Stripe stripe,
    ToolSettings tools,
    PaymentSettings.Creem creem,
    Alerts alerts,
    Meter meter,
    AuthSettings auth,
    Limits limits,
    Observability observability,
    Edge edge) {

  // ------------------------------------------------------------------ the HTTP edge (GENRTL_TRUST_FORWARDED_PROTO, GENRTL_CORS_ORIGINS)

  /**
   * The HTTP edge: whether a proxy's {@code X-Forwarded-Proto} is believed (HSTS behind a TLS-terminating proxy), and
   * the exact origins CORS allows (empty: CORS off), lower-cased, as a browser sends them.
   */
  public record Edge(boolean trustForwardedProto, List<String> corsOrigins) {
    public Edge {
      corsOrigins = List.copyOf(corsOrigins);
    }

    @Override
    public String toString() {
      return "Edge[trustForwardedProto=" + trustForwardedProto + ", cors=" + (corsOrigins.isEmpty() ? "off" : corsOrigins) + "]";
    }
  }

  /** An origin as browsers send it: http(s), a host, an optional port; no path, no trailing slash, no wildcard. */
  private static final java.util.regex.Pattern ORIGIN =
      java.util.regex.Pattern.compile("https?://(\\[[0-9a-f:.]+\\]|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?)(:[1-9][0-9]{0,4})?");

  static Edge edge(Map<String, String> v, List<String> problems) {
    String fwd = v.getOrDefault("GENRTL_TRUST_FORWARDED_PROTO", "false");
    if (!fwd.equals("true") && !fwd.equals("false")) problems.add("GENRTL_TRUST_FORWARDED_PROTO: true or false");
    List<String> origins = new ArrayList<>();
    String cors = v.get("GENRTL_CORS_ORIGINS");
    if (cors != null) {
      for (String o : cors.split(",")) {
        String origin = o.trim().toLowerCase(Locale.ROOT);
        if (origin.isEmpty()) continue;
        java.util.regex.Matcher m = ORIGIN.matcher(origin);
        if (!m.matches() || (m.group(3) != null && Integer.parseInt(m.group(3).substring(1)) > 65535)) {
          problems.add("GENRTL_CORS_ORIGINS: '" + o.trim() + "' is not an origin such as https://app.example.com"
              + " (scheme, host and optional port; no path, no trailing slash, no wildcard)");
        } else if (!origins.contains(origin)) {
          origins.add(origin);
        }
      }
    }
    return new Edge(fwd.equals("true"), origins);
  }

  // ------------------------------------------------------------------ the rest

  /**
   * Rate limits ({@code GENRTL_RATE_LIMIT_*}, requests per minute; 0 turns one off) and per-plan overrides of the plans
   * file's {@code limits} ({@code GENRTL_PLAN_<ID>_REQUESTS_PER_MINUTE}, {@code _JOB_SUBMITS_PER_MINUTE},
   * {@code _CONCURRENT_JOBS}). {@code store}: {@code memory} or {@code postgres} (the default on PostgreSQL).
   */
  public record Limits(boolean enabled, int perKeyPerMinute, int anonymousPerMinute, int authPerMinute,
      int tenantPerMinute, String store, boolean trustForwardedFor, Map<String, Map<String, Integer>> planOverrides) {
    public Limits {
      planOverrides = Map.copyOf(planOverrides);
    }
  }

  /**
   * Metrics, traces and logs: the bearer key {@code GET /metrics} wants (null: open), the log format ({@code text} or
   * {@code json}), and the OTLP/HTTP endpoint traces go to (null: tracing off) with the service name.
   */
  public record Observability(String metricsKey, String logFormat, String otlpEndpoint, String serviceName) {
    @Override
    public String toString() {
      return "Observability[metrics=" + (metricsKey == null ? "open" : "key") + ", logs=" + logFormat + ", traces="
          + (otlpEndpoint == null ? "off" : "otlp") + "]";
    }
  }

  /** Where spend alerts are POSTed (null: nowhere) and the HMAC secret that signs them. */
  public record Alerts(String webhookUrl, String webhookSecret) {
    @Override
    public String toString() {
      return "Alerts[webhook=" + (webhookUrl == null ? "off" : "on") + "]";
    }
  }

  /** On-demand metering: the Stripe Billing Meter's event name (null: off) and how often the outbox is drained. */
  public record Meter(String eventName, int reportSeconds) {}


  public static final String CONFIG_FILE_VAR = "GENRTL_CONFIG_FILE";

  /** Thrown with every problem found, one per line, so an operator can fix them all at once. */
  public static final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidConfigException(List<String> problems) {
      super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    }
  }

  public boolean isPostgres() {
    return dbUrl.startsWith("jdbc:postgresql:");
  }

  /** Loads from the process environment (and {@code GENRTL_CONFIG_FILE} if set). */
  public static HostConfig fromEnvironment() {
    return load(System.getenv());
  }

  public static HostConfig load(Map<String, String> env) {
    Map<String, String> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    String file = env.get(CONFIG_FILE_VAR);
    if (file != null && !file.isBlank()) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
        p.load(r);
        for (String k : p.stringPropertyNames()) values.put(k, p.getProperty(k).trim());
      } catch (IOException e) {
        problems.add(CONFIG_FILE_VAR + ": cannot read " + file + ": " + e.getMessage());
      }
    }
    env.forEach((k, v) -> {
      boolean ours = k.startsWith("GENRTL_") || k.startsWith("OPENAI_") || k.startsWith("ANTHROPIC_") || k.startsWith("STRIPE_")
          || k.startsWith("CREEM_") || k.equals("OTEL_EXPORTER_OTLP_ENDPOINT") || k.equals("OTEL_SERVICE_NAME");
      if (ours && v != null && !v.isBlank()) values.put(k, v.trim());
    });
    for (String k : values.keySet()) {
      if (k.startsWith("GENRTL_") && !known(k)) problems.add(k + ": unknown setting (see README.md, Configuration)");
    }

    String bindHost = values.getOrDefault("GENRTL_BIND", "0.0.0.0");
    int port = intValue(values, "GENRTL_PORT", 8080, 0, 65535, problems);
    Path dataDir = Path.of(values.getOrDefault("GENRTL_DATA_DIR", "./genrtl-data")).toAbsolutePath().normalize();
    String dbUrl = values.getOrDefault("GENRTL_DB_URL", "jdbc:sqlite:" + dataDir.resolve("genrtl.db"));
    if (!dbUrl.startsWith("jdbc:sqlite:") && !dbUrl.startsWith("jdbc:postgresql:")) {
      problems.add("GENRTL_DB_URL: must start with jdbc:sqlite: or jdbc:postgresql:");
    }
    boolean pg = dbUrl.startsWith("jdbc:postgresql:");
    int pool = intValue(values, "GENRTL_DB_POOL_SIZE", pg ? 10 : 4, 1, 200, problems);
    long maxBody = longValue(values, "GENRTL_MAX_BODY_BYTES", 1L << 20, 1024, 64L << 20, problems);
    String publicUrl = values.getOrDefault("GENRTL_PUBLIC_URL", "http://localhost:" + port);
    try {
      URI u = new URI(publicUrl);
      if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
        problems.add("GENRTL_PUBLIC_URL: must be an absolute http(s) URL");
      }
    } catch (Exception e) {
      problems.add("GENRTL_PUBLIC_URL: not a URL: " + e.getMessage());
    }
    if (publicUrl.endsWith("/")) publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
    String adminEmail = values.getOrDefault("GENRTL_ADMIN_EMAIL", "admin@localhost");
    String logLevel = values.getOrDefault("GENRTL_LOG_LEVEL", "info").toLowerCase(Locale.ROOT);
    if (!List.of("trace", "debug", "info", "warn", "error", "off").contains(logLevel)) {
      problems.add("GENRTL_LOG_LEVEL: one of trace, debug, info, warn, error, off");
    }
    Path plansFile = null;
    String plans = values.get("GENRTL_PLANS_FILE");
    if (plans != null) {
      plansFile = Path.of(plans).toAbsolutePath().normalize();
      if (!Files.isReadable(plansFile)) problems.add("GENRTL_PLANS_FILE: cannot read " + plansFile);
    }
    int sweep = intValue(values, "GENRTL_HOLD_SWEEP_SECONDS", 30, 1, 3600, problems);
    long maxPackageMb = longValue(values, "GENRTL_MAX_PACKAGE_MB", 64, 1, 4096, problems);
    int ttl = intValue(values, "GENRTL_DELIVERY_TTL_S", 300, 10, 86_400, problems);
    int maxEntries = intValue(values, "GENRTL_PACKAGE_MAX_ENTRIES", 10_000, 10, 1_000_000, problems);
    long maxUnpackedMb = longValue(values, "GENRTL_PACKAGE_MAX_UNPACKED_MB", 256, 1, 65_536, problems);
    int maxRatio = intValue(values, "GENRTL_PACKAGE_MAX_RATIO", 100, 2, 100_000, problems);
    S3Settings s3 = null;
    String blobStore = values.getOrDefault("GENRTL_BLOB_STORE", "filesystem");
    if (blobStore.equals("s3")) {
      s3 = S3Settings.parse(values, problems);
    } else if (!blobStore.equals("filesystem")) {
      problems.add("GENRTL_BLOB_STORE: filesystem or s3");
    }
    LlmHttpSettings llm = LlmHttpSettings.parse(values, problems);
    int workers = intValue(values, "GENRTL_JOB_WORKERS", 2, 1, 64, problems);
    PaymentSettings payments = PaymentSettings.parse(values, problems);
    PaymentSettings.Stripe stripe = payments.stripe();
    PaymentSettings.Creem creem = payments.creem();
    String alertUrl = values.get("GENRTL_ALERT_WEBHOOK_URL");
    String alertSecret = values.get("GENRTL_ALERT_WEBHOOK_SECRET");
    if (alertUrl != null) {
      if (!alertUrl.matches("https://[^@\\s]+") && !alertUrl.matches("http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:\\d+)?(/[^@\\s]*)?")) {
        problems.add("GENRTL_ALERT_WEBHOOK_URL: must be an https:// URL (http:// only on loopback)");
      }
      if (alertSecret == null || alertSecret.length() < 16) {
        problems.add("GENRTL_ALERT_WEBHOOK_SECRET: required with GENRTL_ALERT_WEBHOOK_URL, at least 16 characters");
      }
    }
    Alerts alerts = new Alerts(alertUrl, alertSecret);
    Meter meter = new Meter(values.get("GENRTL_STRIPE_METER_EVENT"),
        intValue(values, "GENRTL_METER_REPORT_SECONDS", 60, 1, 86_400, problems));
    if (meter.eventName() != null && values.get("STRIPE_SECRET_KEY") == null) {
      problems.add("GENRTL_STRIPE_METER_EVENT: needs STRIPE_SECRET_KEY");
    }
    ToolSettings tools = ToolSettings.parse(values, dataDir, protectedPaths(values, dataDir), problems);
    AuthSettings auth = AuthSettings.parse(values, problems);
    Limits limits = limits(values, pg, problems);
    Observability obs = observability(values, problems);
    Edge edge = edge(values, problems);
    if (!problems.isEmpty()) throw new InvalidConfigException(problems);
    return new HostConfig(bindHost, port, dataDir, dbUrl, values.get("GENRTL_DB_USER"),
        values.get("GENRTL_DB_PASSWORD"), pool, maxBody, publicUrl, adminEmail, logLevel, plansFile, sweep,
        maxPackageMb << 20, ttl, maxEntries, maxUnpackedMb << 20, maxRatio, s3, llm, workers, stripe, tools, creem,
        alerts, meter, auth, limits, obs, edge);
  }

  private static Limits limits(Map<String, String> v, boolean pg, List<String> problems) {
    String enabled = v.getOrDefault("GENRTL_RATE_LIMITS", "on");
    if (!enabled.equals("on") && !enabled.equals("off")) problems.add("GENRTL_RATE_LIMITS: on or off");
    int perKey = intValue(v, "GENRTL_RATE_LIMIT_PER_MINUTE", 600, 0, 1_000_000, problems);
    int anon = intValue(v, "GENRTL_RATE_LIMIT_ANONYMOUS_PER_MINUTE", 300, 0, 1_000_000, problems);
    int auth = intValue(v, "GENRTL_RATE_LIMIT_AUTH_PER_MINUTE", 30, 0, 1_000_000, problems);
    int tenant = intValue(v, "GENRTL_RATE_LIMIT_TENANT_PER_MINUTE", 6000, 0, 10_000_000, problems);
    String store = v.getOrDefault("GENRTL_RATE_LIMIT_STORE", pg ? "postgres" : "memory");
    if (!store.equals("memory") && !store.equals("postgres")) problems.add("GENRTL_RATE_LIMIT_STORE: memory or postgres");
    else if (store.equals("postgres") && !pg) problems.add("GENRTL_RATE_LIMIT_STORE: postgres needs a jdbc:postgresql: GENRTL_DB_URL");
    String fwd = v.getOrDefault("GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR", "false");
    if (!fwd.equals("true") && !fwd.equals("false")) problems.add("GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR: true or false");
    Map<String, Map<String, Integer>> overrides = new java.util.TreeMap<>();
    for (String k : v.keySet()) {
      if (!k.startsWith("GENRTL_PLAN_")) continue;
      String rest = k.substring("GENRTL_PLAN_".length());
      String field = null;
      for (String f : List.of("REQUESTS_PER_MINUTE", "JOB_SUBMITS_PER_MINUTE", "CONCURRENT_JOBS")) {
        if (rest.endsWith("_" + f) && rest.length() > f.length() + 1) field = f;
      }
      if (field == null) {
        problems.add(k + ": unknown setting (GENRTL_PLAN_<ID>_REQUESTS_PER_MINUTE, _JOB_SUBMITS_PER_MINUTE or _CONCURRENT_JOBS)");
        continue;
      }
      String plan = rest.substring(0, rest.length() - field.length() - 1).toLowerCase(Locale.ROOT);
      int n = intValue(v, k, 0, 0, 10_000_000, problems);
      overrides.computeIfAbsent(plan, x -> new java.util.TreeMap<>()).put(field.toLowerCase(Locale.ROOT), n);
    }
    return new Limits(enabled.equals("on"), perKey, anon, auth, tenant, store, fwd.equals("true"), overrides);
  }

  private static Observability observability(Map<String, String> v, List<String> problems) {
    String key = v.get("GENRTL_METRICS_KEY");
    if (key != null && (key.length() < 16 || !key.matches("[\\x21-\\x7e]+"))) {
      problems.add("GENRTL_METRICS_KEY: at least 16 printable characters without spaces");
    }
    String format = v.getOrDefault("GENRTL_LOG_FORMAT", "text");
    if (!format.equals("text") && !format.equals("json")) problems.add("GENRTL_LOG_FORMAT: text or json");
    String otlp = v.get("OTEL_EXPORTER_OTLP_ENDPOINT");
    if (otlp != null && !otlp.matches("https?://[^@\\s]+")) problems.add("OTEL_EXPORTER_OTLP_ENDPOINT: must be an http(s) URL");
    return new Observability(key, format, otlp, v.getOrDefault("OTEL_SERVICE_NAME", "genrtl"));
  }

  /** What no tool run may read: the data directory and the key in it, the database file, the configuration file. */
  private static List<Path> protectedPaths(Map<String, String> v, Path dataDir) {
    // what no run may read: the data directory and the key in it, the database file, the configuration file
    List<Path> guarded = new ArrayList<>(List.of(dataDir, dataDir.resolve(GenRtlServer.ADMIN_KEY_FILE)));
    String db = v.getOrDefault("GENRTL_DB_URL", "jdbc:sqlite:" + dataDir.resolve("genrtl.db"));
    if (db.startsWith("jdbc:sqlite:")) {
      String f = db.substring("jdbc:sqlite:".length());
      if (f.startsWith("file:")) f = f.substring(5);
      int q = f.indexOf('?');
      if (q >= 0) f = f.substring(0, q);
      if (!f.isEmpty() && !f.startsWith(":")) guarded.add(Path.of(f).toAbsolutePath().normalize());
    }
    String file = v.get(CONFIG_FILE_VAR);
    if (file != null && !file.isBlank()) guarded.add(Path.of(file).toAbsolutePath().normalize());
    return guarded;
  }

  /** The host's own settings; the adapters' are claimed by their settings records (see {@link #known}). */
  static final List<String> KNOWN = List.of("GENRTL_BIND", "GENRTL_PORT", "GENRTL_DATA_DIR", "GENRTL_DB_URL",
      "GENRTL_DB_USER", "GENRTL_DB_PASSWORD", "GENRTL_DB_POOL_SIZE", "GENRTL_MAX_BODY_BYTES", "GENRTL_PUBLIC_URL",
      "GENRTL_ADMIN_EMAIL", "GENRTL_LOG_LEVEL", "GENRTL_PLANS_FILE", "GENRTL_HOLD_SWEEP_SECONDS", "GENRTL_MAX_PACKAGE_MB",
      "GENRTL_DELIVERY_TTL_S", "GENRTL_PACKAGE_MAX_ENTRIES", "GENRTL_PACKAGE_MAX_UNPACKED_MB", "GENRTL_PACKAGE_MAX_RATIO",
      "GENRTL_BLOB_STORE", "GENRTL_JOB_WORKERS",
      "GENRTL_ALERT_WEBHOOK_URL", "GENRTL_ALERT_WEBHOOK_SECRET", "GENRTL_STRIPE_METER_EVENT", "GENRTL_METER_REPORT_SECONDS",
      "GENRTL_RATE_LIMITS", "GENRTL_RATE_LIMIT_PER_MINUTE", "GENRTL_RATE_LIMIT_ANONYMOUS_PER_MINUTE",
      "GENRTL_RATE_LIMIT_AUTH_PER_MINUTE", "GENRTL_RATE_LIMIT_TENANT_PER_MINUTE", "GENRTL_RATE_LIMIT_STORE",
      "GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR", "GENRTL_METRICS_KEY", "GENRTL_LOG_FORMAT",
      "GENRTL_TRUST_FORWARDED_PROTO", "GENRTL_CORS_ORIGINS", CONFIG_FILE_VAR);

  /**
   * {@code GENRTL_*} variables that are not settings of the server, so that a shell set up to build and test (README.md,
   * Tests) can run {@code ./genrtl} unchanged: the launcher's {@code GENRTL_JAVA_OPTS}, and what the build's tests read
   * ({@code GENRTL_PG_URL}, {@code GENRTL_REQUIRE_PG}, {@code GENRTL_SIM_FULL}, {@code GENRTL_REQUIRE_SIMULATORS}).
   * The server never reads them; exact names, no prefixes.
   */
  static final List<String> NOT_SETTINGS = List.of("GENRTL_JAVA_OPTS", "GENRTL_PG_URL", "GENRTL_REQUIRE_PG",
      "GENRTL_SIM_FULL", "GENRTL_REQUIRE_SIMULATORS");

  /** Whether a {@code GENRTL_*} name is a setting someone reads: the host's, an adapter's, or a plan's limit override. */
  static boolean known(String k) {
    return KNOWN.contains(k) || NOT_SETTINGS.contains(k) || k.startsWith("GENRTL_PLAN_") || ToolSettings.claims(k)
        || S3Settings.claims(k) || PaymentSettings.claims(k) || AuthSettings.claims(k);
  }

  private static int intValue(Map<String, String> v, String key, int def, int min, int max, List<String> problems) {
    return (int) longValue(v, key, def, min, max, problems);
  }

  private static long longValue(Map<String, String> v, String key, long def, long min, long max, List<String> problems) {
    String s = v.get(key);
    if (s == null) return def;
    try {
      long n = Long.parseLong(s);
      if (n < min || n > max) {
        problems.add(key + ": must be between " + min + " and " + max + " (got " + s + ")");
        return def;
      }
      return n;
    } catch (NumberFormatException e) {
      problems.add(key + ": not a whole number: '" + s + "'");
      return def;
    }
  }

  /** Never prints the database password. */
  @Override
  public String toString() {
    return "HostConfig[bind=" + bindHost + ":" + port + ", dataDir=" + dataDir + ", db=" + (isPostgres() ? "postgresql" : "sqlite")
        + ", pool=" + dbPoolSize + ", maxBodyBytes=" + maxBodyBytes + ", publicUrl=" + publicUrl
        + ", blobs=" + (s3 == null ? "filesystem" : s3.toString()) + ", " + llm + ", " + stripe + ", " + creem + ", " + alerts + ", meter=" + (meter.eventName() == null ? "off" : "on")
        + ", rateLimits=" + (limits.enabled() ? limits.store() : "off") + ", " + observability + ", " + auth + ", " + edge + "]";
  }
}
