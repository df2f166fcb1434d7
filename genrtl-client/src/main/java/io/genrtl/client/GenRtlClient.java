package io.genrtl.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A typed client for genRTL's REST contract.
 *
 * <pre>{@code
 * GenRtlClient api = GenRtlClient.builder().baseUrl("http://localhost:8080").apiKey(key).build();
 * Accounts.Workspace ws = api.createWorkspace("uart-bringup");
 * Jobs.Job plan = api.awaitDone(api.submitPlan(new Jobs.PlanRequest(ws.workspaceId(), spec, null), "plan-1").jobId(),
 *     Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Error answers become {@link GenRtlApiException} (status, stable code, detail, request id). GETs and POSTs that
 * carry an idempotency key are retried on connection failures and on 429/503 with {@code Retry-After}; other POSTs
 * are sent once. The client logs nothing; its {@code toString} and its exceptions never show the API key, and signed
 * download URLs are never put into messages. Thread-safe.
 */
public final class GenRtlClient {
  private final Transport t;
  private final Duration pollInterval;
  private volatile String userId;

  private GenRtlClient(Transport t, Duration pollInterval) {
    this.t = t;
    this.pollInterval = pollInterval;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings; only {@code baseUrl} and {@code apiKey} are required. */
  public static final class Builder {
    private URI baseUrl;
    private String apiKey;
    private HttpClient httpClient;
    private Sleeper sleeper = Sleeper.system();
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = 3;
    private Duration requestTimeout = Duration.ofSeconds(60);
    private Duration pollInterval = Duration.ofMillis(500);
    private String userAgent = "genrtl-client/0.1";

    private Builder() {}

    /** The host's base URL, e.g. {@code http://localhost:8080} (without {@code /api}). */
    public Builder baseUrl(String url) {
      return baseUrl(URI.create(url));
    }

    public Builder baseUrl(URI url) {
      this.baseUrl = Objects.requireNonNull(url, "url");
      return this;
    }

    /** The API key ({@code grtl_…}), sent as {@code Authorization: Bearer}. */
    public Builder apiKey(String key) {
      this.apiKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /** The JDK client to use (its redirect policy should be {@code NEVER}, so the key never follows a redirect). */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** How retries and polls wait (tests: a sleeper that takes no real time). */
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    /** The clock deadlines ({@link #awaitDone}) and HTTP-date {@code Retry-After}s are measured with. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Attempts of an idempotent request, the first included (default 3; 1 turns retries off). */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
      this.maxAttempts = attempts;
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** Interval between polls of {@link #awaitDone} (default 500 ms). */
    public Builder pollInterval(Duration interval) {
      this.pollInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    public GenRtlClient build() {
      if (baseUrl == null) throw new IllegalStateException("baseUrl is required");
      if (apiKey == null) throw new IllegalStateException("apiKey is required");
      String scheme = baseUrl.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) throw new IllegalStateException("baseUrl must be http(s)");
      HttpClient http = httpClient != null ? httpClient : HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
      return new GenRtlClient(new Transport(baseUrl, apiKey, http, sleeper, clock, maxAttempts, requestTimeout, userAgent),
          pollInterval);
    }
  }

  @Override
  public String toString() {
    return "GenRtlClient[" + t.base + ", apiKey=<hidden>]";
  }

  // ------------------------------------------------------------------ helpers

  private Map<String, Object> get(String path, Map<String, String> query) {
    return t.send("GET", path, query, null, true, null).json();
  }

  private static Map<String, String> page(String cursor, Integer limit) {
    Map<String, String> q = new LinkedHashMap<>();
    if (cursor != null) q.put("cursor", cursor);
    if (limit != null) q.put("limit", limit.toString());
    return q;
  }

  private static <T> Page<T> pageOf(Map<String, Object> m, Function<Map<String, Object>, T> item) {
    return new Page<>(Json.objects(m, "items").stream().map(item).toList(), Json.str(m, "next_cursor"));
  }

  private static Map<String, String> keyHeader(String idempotencyKey) {
    return idempotencyKey == null ? null : Map.of("Idempotency-Key", idempotencyKey);
  }

  // ------------------------------------------------------------------ accounts

  /** {@code GET /api/me}. */
  public Accounts.Me me() {
    Accounts.Me me = Accounts.Me.from(get("/api/me", null));
    userId = me.userId();
    return me;
  }

  /** {@code POST /api/workspaces}. Not retried (no idempotency key on this route). */
  public Accounts.Workspace createWorkspace(String name) {
    return Accounts.Workspace.from(t.send("POST", "/api/workspaces", null, Map.of("name", name), false, null).json());
  }

  /** {@code GET /api/workspaces}; {@code cursor} and {@code limit} may be null. */
  public Page<Accounts.Workspace> workspaces(String cursor, Integer limit) {
    return pageOf(get("/api/workspaces", page(cursor, limit)), Accounts.Workspace::from);
  }

  public Accounts.Workspace workspace(String workspaceId) {
    return Accounts.Workspace.from(get("/api/workspaces/" + Transport.seg(workspaceId), null));
  }

  /** {@code POST /api/keys}: a new key for yourself; its secret is in the answer only. */
  public Accounts.IssuedKey createKey(String name, Instant expiresAt) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (name != null) body.put("name", name);
    if (expiresAt != null) body.put("expires_at", expiresAt.toString());
    return Accounts.IssuedKey.from(t.send("POST", "/api/keys", null, body, false, null).json());
  }

  public Page<Accounts.ApiKeyInfo> keys(String cursor, Integer limit) {
    return pageOf(get("/api/keys", page(cursor, limit)), Accounts.ApiKeyInfo::from);
  }

  /** {@code DELETE /api/keys/{id}}: revoked at once. */
  public void revokeKey(String keyId) {
    t.send("DELETE", "/api/keys/" + Transport.seg(keyId), null, null, true, null);
  }

  // ------------------------------------------------------------------ billing

  public Billing.Balance balance() {
    return Billing.Balance.from(get("/api/billing/balance", null));
  }

  /** {@code GET /api/usage}: the itemised statement, newest first. */
  public Page<Billing.UsageEntry> usage(Billing.UsageQuery query, String cursor, Integer limit) {
    Map<String, String> q = new LinkedHashMap<>(query == null ? Map.of() : query.params());
    q.putAll(page(cursor, limit));
    return pageOf(get("/api/usage", q), Billing.UsageEntry::from);
  }

  /** {@code GET /api/usage/summary}; {@code groupBy} is {@code day}, {@code model}, {@code kind} or {@code job}. */
  public Billing.UsageSummary usageSummary(Billing.UsageQuery query, String groupBy) {
    Map<String, String> q = new LinkedHashMap<>(query == null ? Map.of() : query.params());
    if (groupBy != null) q.put("group_by", groupBy);
    return Billing.UsageSummary.from(get("/api/usage/summary", q));
  }

  /** {@code GET /api/models}. */
  public List<Billing.Model> models() {
    return Json.objects(get("/api/models", null), "items").stream().map(Billing.Model::from).toList();
  }

  // ------------------------------------------------------------------ CBBs

  /** {@code GET /api/cbb}; every argument may be null. */
  public Page<Cbb.Summary> catalog(String tag, String q, String cursor, Integer limit) {
    Map<String, String> query = page(cursor, limit);
    if (tag != null) query.put("tag", tag);
    if (q != null) query.put("q", q);
    return pageOf(get("/api/cbb", query), Cbb.Summary::from);
  }

  /** {@code GET /api/cbb/{id}}. */
  public Cbb.Detail cbb(String cbbId) {
    return Cbb.Detail.from(get("/api/cbb/" + Transport.seg(cbbId), null));
  }

  /** {@code POST /api/cbb/resolve} (free): candidates per requirement, best first. Sent once. */
  public List<Cbb.Resolution> resolve(List<Cbb.Requirement> requirements) {
    Map<String, Object> body = Map.of("cbb_requirements", requirements.stream().map(Cbb.Requirement::toJson).toList());
    return Json.objects(t.send("POST", "/api/cbb/resolve", null, body, false, null).json(), "results").stream()
        .map(Cbb.Resolution::from).toList();
  }

  /**
   * {@code POST /api/cbb/checkout}: charged, all or nothing. The key makes it idempotent (the same key and body
   * answer the stored receipt, marked {@link Cbb.Checkout#replayed()}), so it is retried like a GET.
   */
  public Cbb.Checkout checkout(Cbb.CheckoutRequest request, String idempotencyKey) {
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    String uid = userId != null ? userId : me().userId();
    Transport.Answer a = t.send("POST", "/api/cbb/checkout", null, request.toJson(uid, idempotencyKey), true,
        keyHeader(idempotencyKey));
    return Cbb.Checkout.from(a.json(), "true".equals(a.header("Idempotent-Replayed")));
  }

  /** {@code POST /api/cbb/deliver}: fresh signed download URLs (each call signs new ones). Sent once. */
  public Cbb.Delivery deliver(String receiptId) {
    return Cbb.Delivery.from(t.send("POST", "/api/cbb/deliver", null, Map.of("receipt_id", receiptId), false, null).json());
  }

  /** {@code GET /api/cbb/purchases}: what you own, as receipts (JSON trees). */
  public Page<Map<String, Object>> purchases(String cursor, Integer limit) {
    return pageOf(get("/api/cbb/purchases", page(cursor, limit)), m -> m);
  }

  /** Thrown when downloaded bytes do not match the size or SHA-256 the delivery announced. */
  public static final class IntegrityException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    IntegrityException(String message) {
      super(message);
    }
  }

  /**
   * Downloads a delivered package to {@code out} (no API key is sent: the signed URL is the credential) and checks
   * its size and SHA-256 against the delivery; returns the byte count. On a mismatch it throws {@link
   * IntegrityException} after writing what it read, so download to a temporary file and discard it on error. An
   * expired or tampered URL is a {@link GenRtlApiException} (403 {@code forbidden}); a retry happens only when the
   * connection failed before any byte was written.
   */
  public long download(Cbb.DeliveryItem item, OutputStream out) {
    String what = item.cbbId() + "@" + item.version();
    MessageDigest sha = sha256();
    long written = 0;
    for (int attempt = 1; ; attempt++) {
      HttpRequest req = HttpRequest.newBuilder(item.url()).timeout(t.requestTimeout).header("User-Agent", "genrtl-client/0.1")
          .GET().build();
      HttpResponse<InputStream> res;
      try {
        res = t.open(req);
      } catch (IOException e) {
        if (attempt < t.maxAttempts) {
          t.pause(Transport.backoff(attempt));
          continue;
        }
        // the exception's message may quote the URL, which is a credential: only its type is kept
        throw new UncheckedIOException(new IOException("download of " + what + " failed: " + e.getClass().getSimpleName()));
      }
      try (InputStream in = res.body()) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          written += n;
          if (item.size() >= 0 && written > item.size()) {
            throw new IntegrityException("download of " + what + " is larger than the announced " + item.size() + " bytes");
          }
          sha.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(new IOException("download of " + what + " broke off after " + written + " bytes: "
            + e.getClass().getSimpleName()));
      }
      break;
    }
    if (item.size() >= 0 && written != item.size()) {
      throw new IntegrityException("download of " + what + " has " + written + " bytes, the delivery announced " + item.size());
    }
    String got = HexFormat.of().formatHex(sha.digest());
    if (!got.equalsIgnoreCase(item.sha256())) {
      throw new IntegrityException("download of " + what + " has SHA-256 " + got + ", the delivery announced " + item.sha256());
    }
    return written;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code POST /api/admin/cbb} (super admins): publishes a package file ({@code .zip} or {@code .tar.gz}); the same
   * bytes again answer {@code created=false}, different bytes for a published version 409 {@code conflict}.
   */
  public Cbb.Published publish(Path packageFile) {
    try {
      byte[] bytes = Files.readAllBytes(packageFile);
      Transport.Answer a = t.sendRaw("POST", t.uri("/api/admin/cbb", null), bytes, "application/octet-stream", true, null);
      return Cbb.Published.from(a.json());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ------------------------------------------------------------------ jobs

  private Jobs.Job submit(String path, Map<String, Object> body, String idempotencyKey, Duration wait) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (idempotencyKey != null) headers.put("Idempotency-Key", idempotencyKey);
    if (wait != null && !wait.isZero()) headers.put("Prefer", "wait=" + Math.max(1, wait.toSeconds()));
    return Jobs.Job.from(t.send("POST", path, null, body, idempotencyKey != null, headers).json());
  }

  /**
   * {@code POST /api/jobs/plan}: 402 when the first step cannot be paid for (no job is created). With an idempotency
   * key the same key returns the same job and the call is retried; without one it is sent once.
   */
  public Jobs.Job submitPlan(Jobs.PlanRequest request, String idempotencyKey) {
    return submit("/api/jobs/plan", request.toJson(), idempotencyKey, null);
  }

  /** {@link #submitPlan} with {@code Prefer: wait=N}: the finished job if it ends within {@code wait}. */
  public Jobs.Job submitPlan(Jobs.PlanRequest request, String idempotencyKey, Duration wait) {
    return submit("/api/jobs/plan", request.toJson(), idempotencyKey, wait);
  }

  /** {@code POST /api/jobs/implement}: the answer's result is {@code {patch, files, stats}}. */
  public Jobs.Job submitImplement(Jobs.ImplementRequest request, String idempotencyKey) {
    return submit("/api/jobs/implement", request.toJson(), idempotencyKey, null);
  }

  /** {@code POST /api/jobs/repair}: the answer's result is {@code {patch, files, stats}}. */
  public Jobs.Job submitRepair(Jobs.RepairRequest request, String idempotencyKey) {
    return submit("/api/jobs/repair", request.toJson(), idempotencyKey, null);
  }

  /** {@code POST /api/tools/run}: a job of type {@code tool} whose result is the EvidenceBundle. */
  public Jobs.Job runTool(Jobs.ToolRunRequest request, String idempotencyKey) {
    return submit("/api/tools/run", request.toJson(), idempotencyKey, null);
  }

  /** {@code GET /api/jobs/{id}}. */
  public Jobs.Job job(String jobId) {
    return Jobs.Job.from(get("/api/jobs/" + Transport.seg(jobId), null));
  }

  /** {@code GET /api/jobs?workspace_id=}. */
  public Page<Jobs.Job> jobs(String workspaceId, String cursor, Integer limit) {
    Map<String, String> q = page(cursor, limit);
    q.put("workspace_id", Objects.requireNonNull(workspaceId, "workspaceId"));
    return pageOf(get("/api/jobs", q), Jobs.Job::from);
  }

  /** {@code POST /api/jobs/{id}/cancel} (cancelling twice is harmless, so it is retried). */
  public Jobs.Job cancel(String jobId) {
    return Jobs.Job.from(t.send("POST", "/api/jobs/" + Transport.seg(jobId) + "/cancel", null, null, true, null).json());
  }

  /** Thrown by {@link #awaitDone} when the job is not finished by the deadline; carries the last state seen. */
  public static final class AwaitTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Jobs.Job last;

    AwaitTimeoutException(Jobs.Job last, Duration timeout) {
      super("job " + last.jobId() + " is still " + last.status() + " after " + timeout);
      this.last = last;
    }

    public Jobs.Job last() {
      return last;
    }
  }

  /**
   * Polls {@code GET /api/jobs/{id}} until the job is succeeded, failed or canceled (returned as it is; a failed job
   * is not an exception: look at {@link Jobs.Job#error()}). Waits with the injected sleeper, measures the deadline
   * with the injected clock.
   */
  public Jobs.Job awaitDone(String jobId, Duration timeout) {
    Instant deadline = t.clock.instant().plus(timeout);
    while (true) {
      Jobs.Job j = job(jobId);
      if (j.isFinal()) return j;
      if (!t.clock.instant().isBefore(deadline)) throw new AwaitTimeoutException(j, timeout);
      t.pause(pollInterval);
    }
  }

  /** {@code GET /api/jobs/{id}/events}: the job's events from the start, ending with {@code done}. */
  public EventStream events(String jobId) {
    return events(jobId, null);
  }

  /** The events after {@code lastEventId} ({@code Last-Event-ID}); null for all. */
  public EventStream events(String jobId, String lastEventId) {
    return new EventStream(t, "/api/jobs/" + Transport.seg(jobId) + "/events", lastEventId);
  }
}
