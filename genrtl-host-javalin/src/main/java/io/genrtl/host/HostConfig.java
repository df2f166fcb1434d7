package io.genrtl.host;

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
 * the environment wins) and validated before anything starts. Every variable is documented in README.md.
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
    S3 s3,
    Llm llm,
    int jobWorkers,
    Stripe stripe,
    Tools tools,
    Creem creem,
    Alerts alerts,
    Meter meter,
    Auth auth,
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

  static final List<String> EDGE_SETTINGS = List.of("GENRTL_TRUST_FORWARDED_PROTO", "GENRTL_CORS_ORIGINS");

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

  /**
   * The ToolRunner ({@code GENRTL_TOOL_*}): price per CPU second in micro-USD, isolation level (a level weaker than
   * bubblewrap, {@code unshare} or {@code none}, only with {@code GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true}: for trusted
   * designs), concurrency, where runs and the Verilator build cache live (cache bound 0: no cache), Verilator's
   * {@code -j}, the limits (time, memory, output, processes, bytes and entries a run writes, its /tmp), the uid the
   * tools run as when the host runs as root, and the paths no run may read (the data directory, {@code admin.key},
   * the SQLite database, the configuration file): the runner proves at start that none is readable from a run and
   * refuses every run otherwise.
   */
  public record Tools(long microsPerCpuSecond, String isolation, int maxConcurrent, Path workDir, Path cacheDir,
      long cacheBytes, int verilatorJobs, int compileTimeoutSeconds, int runTimeoutSeconds, int maxRunTimeoutSeconds,
      long compileMemoryBytes, long runMemoryBytes, long maxOutputBytes, boolean allowWeakIsolation, int maxProcesses,
      long maxWriteBytes, long maxFiles, long tmpBytes, int sandboxUid, List<Path> protectedPaths) {
    public Tools {
      protectedPaths = List.copyOf(protectedPaths);
    }
  }

  /** Creem: API key and base, webhook secrets (comma-separated while rolling), product id per plan or pack id. */
  public record Creem(String apiKey, String webhookSecrets, String apiBase, java.util.Map<String, String> productById) {
    public Creem {
      productById = java.util.Map.copyOf(productById);
    }

    @Override
    public String toString() {
      return "Creem[webhooks=" + (webhookSecrets == null ? "off" : "on") + ", api=" + (apiKey == null ? "off" : "on")
          + ", products=" + productById.size() + "]";
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


  /**
   * Sign-in providers: OIDC issuers ({@code GENRTL_OIDC_<NAME>_*}), GitHub and Facebook OAuth apps (null when not
   * configured; base URLs null: the public ones), and trusted external JWT issuers ({@code GENRTL_JWT_<NAME>_*}).
   */
  public record Auth(List<Oidc> oidc, OAuthApp github, OAuthApp facebook, List<Jwt> jwt) {
    public Auth {
      oidc = List.copyOf(oidc);
      jwt = List.copyOf(jwt);
    }

    public static Auth none() {
      return new Auth(List.of(), null, null, List.of());
    }

    @Override
    public String toString() {
      List<String> names = new ArrayList<>();
      for (Oidc o : oidc) names.add(o.name());
      if (github != null) names.add("github");
      if (facebook != null) names.add("facebook");
      return "Auth[providers=" + names + ", jwtIssuers=" + jwt.size() + "]";
    }
  }

  /** An OIDC issuer; {@code name} is the lower-cased {@code <NAME>}, used in {@code /api/auth/login/{name}}. */
  public record Oidc(String name, String issuer, String clientId, String clientSecret, String scopes) {
    @Override
    public String toString() {
      return "Oidc[" + name + "]";
    }
  }

  /** A plain OAuth 2.0 app (GitHub, Facebook); {@code baseUrl} / {@code apiUrl} override the public endpoints. */
  public record OAuthApp(String clientId, String clientSecret, String baseUrl, String apiUrl) {
    @Override
    public String toString() {
      return "OAuthApp[clientId=" + clientId + "]";
    }
  }

  /** A trusted external JWT issuer. */
  public record Jwt(String name, String issuer, String jwksUrl, String audience) {}

  /** Stripe: webhook secrets (comma-separated while rolling), API key and base, and the price id of each plan. */
  public record Stripe(String webhookSecrets, String secretKey, String apiBase, java.util.Map<String, String> planByPrice) {
    public Stripe {
      planByPrice = java.util.Map.copyOf(planByPrice);
    }

    @Override
    public String toString() {
      return "Stripe[webhooks=" + (webhookSecrets == null ? "off" : "on") + ", api=" + (secretKey == null ? "off" : "on")
          + ", prices=" + planByPrice.size() + "]";
    }
  }

  /** Model providers: keys (never printed), base URLs (null: the public APIs) and the OpenAI API style. */
  public record Llm(String openaiKey, String openaiBaseUrl, String openaiStyle, String anthropicKey, String anthropicBaseUrl) {
    @Override
    public String toString() {
      return "Llm[openai=" + (openaiKey == null ? "off" : openaiStyle + (openaiBaseUrl == null ? "" : "@" + openaiBaseUrl))
          + ", anthropic=" + (anthropicKey == null ? "off" : anthropicBaseUrl == null ? "on" : "@" + anthropicBaseUrl) + "]";
    }
  }

  /** Where packages go when {@code GENRTL_BLOB_STORE=s3}; null keeps them on the filesystem. */
  public record S3(String endpoint, String region, String bucket, String prefix, String accessKeyId, String secretAccessKey,
      boolean pathStyle) {
    @Override
    public String toString() {
      return "S3[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
          + ", pathStyle=" + pathStyle + ", credentials=" + (accessKeyId == null ? "default chain" : "static") + "]";
    }
  }

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
      if (k.startsWith("GENRTL_") && !KNOWN.contains(k) && !EDGE_SETTINGS.contains(k) && !k.startsWith("GENRTL_PG_") && !k.equals("GENRTL_REQUIRE_PG")
          && !k.startsWith("GENRTL_STRIPE_PRICE_") && !k.startsWith("GENRTL_CREEM_PRODUCT_") && !k.startsWith("GENRTL_PLAN_") && !k.startsWith("GENRTL_SIM")
          && !k.startsWith("GENRTL_OIDC_") && !k.startsWith("GENRTL_JWT_") && !k.equals("GENRTL_REQUIRE_SIMULATORS")
          && !k.equals("GENRTL_JAVA_OPTS")) { // read by the ./genrtl launcher, not by the server
        problems.add(k + ": unknown setting (see README.md, Configuration)");
      }
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
    S3 s3 = null;
    String blobStore = values.getOrDefault("GENRTL_BLOB_STORE", "filesystem");
    if (blobStore.equals("s3")) {
      String region = values.get("GENRTL_S3_REGION");
      String bucket = values.get("GENRTL_S3_BUCKET");
      if (region == null) problems.add("GENRTL_S3_REGION: required with GENRTL_BLOB_STORE=s3");
      if (bucket == null) problems.add("GENRTL_S3_BUCKET: required with GENRTL_BLOB_STORE=s3");
      else if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) problems.add("GENRTL_S3_BUCKET: not a valid bucket name");
      String endpoint = values.get("GENRTL_S3_ENDPOINT");
      if (endpoint != null && !endpoint.matches("https?://[^@/]+(/.*)?")) {
        problems.add("GENRTL_S3_ENDPOINT: must be an http(s) URL without credentials");
      }
      String id = values.get("GENRTL_S3_ACCESS_KEY_ID");
      String secret = values.get("GENRTL_S3_SECRET_ACCESS_KEY");
      if ((id == null) != (secret == null)) {
        problems.add("GENRTL_S3_ACCESS_KEY_ID and GENRTL_S3_SECRET_ACCESS_KEY: set both or neither");
      }
      String pathStyle = values.getOrDefault("GENRTL_S3_PATH_STYLE", "false");
      if (!pathStyle.equals("true") && !pathStyle.equals("false")) problems.add("GENRTL_S3_PATH_STYLE: true or false");
      s3 = new S3(endpoint, region, bucket, values.getOrDefault("GENRTL_S3_PREFIX", ""), id, secret, pathStyle.equals("true"));
    } else if (!blobStore.equals("filesystem")) {
      problems.add("GENRTL_BLOB_STORE: filesystem or s3");
    }
    String style = values.getOrDefault("OPENAI_API_STYLE", "responses");
    if (!style.equals("responses") && !style.equals("chat")) problems.add("OPENAI_API_STYLE: responses or chat");
    for (String k : new String[] {"OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"}) {
      String u = values.get(k);
      if (u != null && !u.matches("https?://[^@\\s]+")) problems.add(k + ": must be an http(s) URL");
    }
    Llm llm = new Llm(values.get("OPENAI_API_KEY"), values.get("OPENAI_BASE_URL"), style, values.get("ANTHROPIC_API_KEY"),
        values.get("ANTHROPIC_BASE_URL"));
    int workers = intValue(values, "GENRTL_JOB_WORKERS", 2, 1, 64, problems);
    java.util.Map<String, String> planByPrice = new java.util.HashMap<>();
    for (String k : values.keySet()) {
      if (k.startsWith("GENRTL_STRIPE_PRICE_")) {
        planByPrice.put(values.get(k), k.substring("GENRTL_STRIPE_PRICE_".length()).toLowerCase(Locale.ROOT));
      }
    }
    Stripe stripe = new Stripe(values.get("STRIPE_WEBHOOK_SECRET"), values.get("STRIPE_SECRET_KEY"), values.get("STRIPE_API_BASE"),
        planByPrice);
    java.util.Map<String, String> creemProducts = new java.util.HashMap<>();
    for (String k : values.keySet()) {
      if (k.startsWith("GENRTL_CREEM_PRODUCT_")) {
        creemProducts.put(k.substring("GENRTL_CREEM_PRODUCT_".length()).toLowerCase(Locale.ROOT), values.get(k));
      }
    }
    String creemBase = values.get("CREEM_API_BASE");
    if (creemBase != null && !creemBase.matches("https?://[^@\\s]+")) problems.add("CREEM_API_BASE: must be an http(s) URL");
    Creem creem = new Creem(values.get("CREEM_API_KEY"), values.get("CREEM_WEBHOOK_SECRET"), creemBase, creemProducts);
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
    Tools tools = tools(values, dataDir, problems);
    Auth auth = auth(values, problems);
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

  private static Tools tools(Map<String, String> v, Path dataDir, List<String> problems) {
    long micros = 0;
    String price = v.get("GENRTL_TOOL_USD_PER_CPU_SECOND");
    if (price != null) {
      try {
        java.math.BigDecimal usd = new java.math.BigDecimal(price);
        if (usd.signum() < 0 || usd.compareTo(java.math.BigDecimal.valueOf(1000)) > 0 || usd.stripTrailingZeros().scale() > 6) {
          problems.add("GENRTL_TOOL_USD_PER_CPU_SECOND: a dollar amount from 0 to 1000 with at most 6 decimals (got " + price + ")");
        } else {
          micros = usd.movePointRight(6).longValueExact();
        }
      } catch (NumberFormatException | ArithmeticException e) {
        problems.add("GENRTL_TOOL_USD_PER_CPU_SECOND: not a number: '" + price + "'");
      }
    }
    String isolation = v.getOrDefault("GENRTL_TOOL_ISOLATION", "auto");
    if (!List.of("auto", "bwrap", "unshare", "none").contains(isolation)) {
      problems.add("GENRTL_TOOL_ISOLATION: one of auto, bwrap, unshare, none");
    }
    String weak = v.getOrDefault("GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "false");
    if (!weak.equals("true") && !weak.equals("false")) {
      problems.add("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: true or false");
    } else if ((isolation.equals("unshare") || isolation.equals("none")) && !weak.equals("true")) {
      problems.add("GENRTL_TOOL_ISOLATION=" + isolation + " runs designs without bubblewrap, for trusted designs only:"
          + " set GENRTL_TOOL_ALLOW_WEAK_ISOLATION=true to confirm (see docs/security.md)");
    } else if (weak.equals("true") && !(isolation.equals("unshare") || isolation.equals("none"))) {
      problems.add("GENRTL_TOOL_ALLOW_WEAK_ISOLATION: only with GENRTL_TOOL_ISOLATION=unshare or none (auto never falls"
          + " back to a weaker level)");
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int concurrent = intValue(v, "GENRTL_TOOL_MAX_CONCURRENT", cores, 1, 256, problems);
    Path work = v.containsKey("GENRTL_TOOL_WORK_DIR") ? Path.of(v.get("GENRTL_TOOL_WORK_DIR")).toAbsolutePath().normalize() : null;
    Path cache = Path.of(v.getOrDefault("GENRTL_TOOL_CACHE_DIR", dataDir.resolve("verilator-cache").toString()))
        .toAbsolutePath().normalize();
    long cacheMb = longValue(v, "GENRTL_TOOL_CACHE_MB", 1024, 0, 1L << 20, problems);
    int jobs = intValue(v, "GENRTL_TOOL_VERILATOR_JOBS", 1, 1, 64, problems);
    int compile = intValue(v, "GENRTL_TOOL_COMPILE_TIMEOUT_S", 300, 5, 7200, problems);
    int maxRun = intValue(v, "GENRTL_TOOL_MAX_RUN_TIMEOUT_S", 600, 1, 86_400, problems);
    int run = intValue(v, "GENRTL_TOOL_RUN_TIMEOUT_S", Math.min(30, maxRun), 1, 86_400, problems);
    if (run > maxRun) problems.add("GENRTL_TOOL_RUN_TIMEOUT_S: must not exceed GENRTL_TOOL_MAX_RUN_TIMEOUT_S (" + maxRun + ")");
    long compileMem = longValue(v, "GENRTL_TOOL_COMPILE_MEMORY_MB", 4096, 64, 1L << 20, problems);
    long runMem = longValue(v, "GENRTL_TOOL_RUN_MEMORY_MB", 2048, 64, 1L << 20, problems);
    long outKb = longValue(v, "GENRTL_TOOL_MAX_OUTPUT_KB", 4096, 16, 1L << 20, problems);
    int procs = intValue(v, "GENRTL_TOOL_MAX_PROCESSES", Math.max(128, 3 * jobs + 16), 16, 65_536, problems);
    if (procs < 3 * jobs + 16) {
      problems.add("GENRTL_TOOL_MAX_PROCESSES: at least 3 per Verilator job plus 16 (" + (3 * jobs + 16) + " with"
          + " GENRTL_TOOL_VERILATOR_JOBS=" + jobs + ")");
    }
    long writeMb = longValue(v, "GENRTL_TOOL_MAX_WRITE_MB", 1024, 1, 1L << 20, problems);
    long files = longValue(v, "GENRTL_TOOL_MAX_FILES", 10_000, 16, 10_000_000, problems);
    long tmpMb = longValue(v, "GENRTL_TOOL_TMP_MB", 256, 1, 1L << 20, problems);
    int uid = intValue(v, "GENRTL_TOOL_SANDBOX_UID", 65534, 1, Integer.MAX_VALUE, problems);
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
    return new Tools(micros, isolation, concurrent, work, cache, cacheMb << 20, jobs, compile, run, maxRun, compileMem << 20,
        runMem << 20, outKb << 10, weak.equals("true"), procs, writeMb << 20, files, tmpMb << 20, uid, guarded);
  }

  private static final List<String> OIDC_SUFFIXES = List.of("_ISSUER", "_CLIENT_ID", "_CLIENT_SECRET", "_SCOPES");
  private static final List<String> JWT_SUFFIXES = List.of("_ISSUER", "_JWKS_URL", "_AUDIENCE");

  /** {@code GENRTL_OIDC_<NAME>_*}, {@code GENRTL_GITHUB_*}, {@code GENRTL_FACEBOOK_*}, {@code GENRTL_JWT_<NAME>_*}. */
  static Auth auth(Map<String, String> values, List<String> problems) {
    java.util.TreeMap<String, Map<String, String>> oidc = new java.util.TreeMap<>();
    java.util.TreeMap<String, Map<String, String>> jwt = new java.util.TreeMap<>();
    for (String k : values.keySet()) {
      grouped(k, "GENRTL_OIDC_", OIDC_SUFFIXES, values, oidc, problems);
      grouped(k, "GENRTL_JWT_", JWT_SUFFIXES, values, jwt, problems);
    }
    List<Oidc> oidcs = new ArrayList<>();
    oidc.forEach((name, v) -> {
      String prefix = "GENRTL_OIDC_" + name.toUpperCase(Locale.ROOT);
      String issuer = v.get("_ISSUER");
      String id = v.get("_CLIENT_ID");
      if (issuer == null || id == null) problems.add(prefix + "_ISSUER and " + prefix + "_CLIENT_ID: both are required");
      else if (!issuer.matches("https?://[^@\\s]+")) problems.add(prefix + "_ISSUER: must be an http(s) URL");
      else if (name.equals("github") || name.equals("facebook")) problems.add(prefix + "_*: the name " + name + " is reserved");
      else oidcs.add(new Oidc(name, issuer, id, v.get("_CLIENT_SECRET"), v.get("_SCOPES")));
    });
    List<Jwt> jwts = new ArrayList<>();
    jwt.forEach((name, v) -> {
      String prefix = "GENRTL_JWT_" + name.toUpperCase(Locale.ROOT);
      String issuer = v.get("_ISSUER");
      String jwks = v.get("_JWKS_URL");
      String aud = v.get("_AUDIENCE");
      if (issuer == null || jwks == null || aud == null) {
        problems.add(prefix + "_ISSUER, " + prefix + "_JWKS_URL and " + prefix + "_AUDIENCE: all three are required");
      } else if (!jwks.matches("https?://[^@\\s]+")) {
        problems.add(prefix + "_JWKS_URL: must be an http(s) URL");
      } else {
        jwts.add(new Jwt(name, issuer, jwks, aud));
      }
    });
    return new Auth(oidcs, oauthApp(values, "GENRTL_GITHUB", "_API_URL", problems),
        oauthApp(values, "GENRTL_FACEBOOK", "_GRAPH_URL", problems), jwts);
  }

  private static void grouped(String key, String prefix, List<String> suffixes, Map<String, String> values,
      Map<String, Map<String, String>> out, List<String> problems) {
    if (!key.startsWith(prefix)) return;
    for (String suffix : suffixes) {
      if (key.endsWith(suffix) && key.length() > prefix.length() + suffix.length()) {
        String name = key.substring(prefix.length(), key.length() - suffix.length());
        if (!name.matches("[A-Z0-9]{1,32}")) {
          problems.add(key + ": the provider name must be 1-32 letters or digits");
          return;
        }
        out.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new java.util.HashMap<>()).put(suffix, values.get(key));
        return;
      }
    }
    problems.add(key + ": unknown setting (see README.md, Sign-in)");
  }

  private static OAuthApp oauthApp(Map<String, String> values, String prefix, String apiSuffix, List<String> problems) {
    String id = values.get(prefix + "_CLIENT_ID");
    String secret = values.get(prefix + "_CLIENT_SECRET");
    if (id == null && secret == null) return null;
    if (id == null || secret == null) {
      problems.add(prefix + "_CLIENT_ID and " + prefix + "_CLIENT_SECRET: set both or neither");
      return null;
    }
    for (String k : new String[] {prefix + "_BASE_URL", prefix + apiSuffix}) {
      String u = values.get(k);
      if (u != null && !u.matches("https?://[^@\\s]+")) problems.add(k + ": must be an http(s) URL");
    }
    return new OAuthApp(id, secret, values.get(prefix + "_BASE_URL"), values.get(prefix + apiSuffix));
  }

  static final List<String> KNOWN = List.of("GENRTL_BIND", "GENRTL_PORT", "GENRTL_DATA_DIR", "GENRTL_DB_URL",
      "GENRTL_DB_USER", "GENRTL_DB_PASSWORD", "GENRTL_DB_POOL_SIZE", "GENRTL_MAX_BODY_BYTES", "GENRTL_PUBLIC_URL",
      "GENRTL_ADMIN_EMAIL", "GENRTL_LOG_LEVEL", "GENRTL_PLANS_FILE", "GENRTL_HOLD_SWEEP_SECONDS", "GENRTL_MAX_PACKAGE_MB",
      "GENRTL_DELIVERY_TTL_S", "GENRTL_PACKAGE_MAX_ENTRIES", "GENRTL_PACKAGE_MAX_UNPACKED_MB", "GENRTL_PACKAGE_MAX_RATIO",
      "GENRTL_BLOB_STORE", "GENRTL_S3_ENDPOINT", "GENRTL_S3_REGION", "GENRTL_S3_BUCKET", "GENRTL_S3_PREFIX",
      "GENRTL_S3_ACCESS_KEY_ID", "GENRTL_S3_SECRET_ACCESS_KEY", "GENRTL_S3_PATH_STYLE", "GENRTL_JOB_WORKERS",
      "GENRTL_TOOL_USD_PER_CPU_SECOND", "GENRTL_TOOL_ISOLATION", "GENRTL_TOOL_MAX_CONCURRENT", "GENRTL_TOOL_WORK_DIR",
      "GENRTL_TOOL_CACHE_DIR", "GENRTL_TOOL_CACHE_MB", "GENRTL_TOOL_VERILATOR_JOBS", "GENRTL_TOOL_COMPILE_TIMEOUT_S",
      "GENRTL_TOOL_RUN_TIMEOUT_S", "GENRTL_TOOL_MAX_RUN_TIMEOUT_S", "GENRTL_TOOL_COMPILE_MEMORY_MB",
      "GENRTL_TOOL_RUN_MEMORY_MB", "GENRTL_TOOL_MAX_OUTPUT_KB", "GENRTL_TOOL_ALLOW_WEAK_ISOLATION", "GENRTL_TOOL_MAX_PROCESSES",
      "GENRTL_TOOL_MAX_WRITE_MB", "GENRTL_TOOL_MAX_FILES", "GENRTL_TOOL_TMP_MB", "GENRTL_TOOL_SANDBOX_UID",
      "GENRTL_ALERT_WEBHOOK_URL", "GENRTL_ALERT_WEBHOOK_SECRET", "GENRTL_STRIPE_METER_EVENT", "GENRTL_METER_REPORT_SECONDS",
      "GENRTL_GITHUB_CLIENT_ID", "GENRTL_GITHUB_CLIENT_SECRET", "GENRTL_GITHUB_BASE_URL", "GENRTL_GITHUB_API_URL",
      "GENRTL_FACEBOOK_CLIENT_ID", "GENRTL_FACEBOOK_CLIENT_SECRET", "GENRTL_FACEBOOK_BASE_URL", "GENRTL_FACEBOOK_GRAPH_URL",
      "GENRTL_RATE_LIMITS", "GENRTL_RATE_LIMIT_PER_MINUTE", "GENRTL_RATE_LIMIT_ANONYMOUS_PER_MINUTE",
      "GENRTL_RATE_LIMIT_AUTH_PER_MINUTE", "GENRTL_RATE_LIMIT_TENANT_PER_MINUTE", "GENRTL_RATE_LIMIT_STORE",
      "GENRTL_RATE_LIMIT_TRUST_FORWARDED_FOR", "GENRTL_METRICS_KEY", "GENRTL_LOG_FORMAT",
      CONFIG_FILE_VAR);

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
