package io.genrtl.host;

import static io.genrtl.host.ApiContractTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.cbb.pkg.ArchiveInspector;
import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.testing.MutableClock;
import io.genrtl.core.testing.StoreContractTest;
import io.genrtl.host.http.GenRtlApp;
import io.javalin.Javalin;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CBB contract over HTTP with real packages built from the seed catalog. Subclasses pick the database. */
abstract class CbbApiTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  @TempDir Path tmp;
  protected MutableClock clock;
  protected GenRtl genrtl;
  private Javalin app;
  protected TestHttp http;
  protected int port;
  protected String rootKey;
  protected CreatedUser ann;
  protected String annKey;
  protected String annWs;
  protected String eveKey;
  protected Path fifo;
  protected Path uart;

  protected abstract Stores openStores();

  protected void closeStores() {}

  @BeforeEach
  void start() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    clock = MutableClock.at("2026-06-01T00:00:00Z");
    genrtl = GenRtl.builder().stores(openStores()).clock(clock)
        .blobStore(new FileSystemBlobStore(tmp.resolve("blobs")))
        .packageInspector(new ArchiveInspector())
        .cbbSettings(new CbbService.Settings("http://127.0.0.1:" + port, Duration.ofSeconds(300), PackageLimits.DEFAULTS))
        .build();
    app = GenRtlApp.create(genrtl, new GenRtlApp.Settings(64 * 1024, "http://127.0.0.1:" + port, 2L << 20, ManifestSchema.text()));
    app.start("127.0.0.1", port);
    http = new TestHttp(port);
    CreatedUser root = genrtl.accounts().createUser(new NewUser("root@x.test", "ops", Role.SUPER_ADMIN, null));
    rootKey = genrtl.apiKeys().issue(root.user().userId(), "t", null).apiKey();
    ann = genrtl.accounts().createUser(new NewUser("ann@acme.test", "acme", Role.USER, "pro"));
    annKey = genrtl.apiKeys().issue(ann.user().userId(), "t", null).apiKey();
    annWs = genrtl.accounts().createWorkspace(Principal.of(ann.user(), null), "soc").workspaceId();
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@evil.test", "evil", Role.USER, "pro"));
    eveKey = genrtl.apiKeys().issue(eve.user().userId(), "t", null).apiKey();
    Path out = Files.createDirectories(tmp.resolve("pkgs"));
    fifo = PackageBuilder.build(CATALOG.resolve("sync_fifo"), out.resolve("sync_fifo.tar.gz"), CbbPackage.Format.TAR_GZ);
    uart = PackageBuilder.build(CATALOG.resolve("uart"), out.resolve("uart.zip"), CbbPackage.Format.ZIP);
  }

  @AfterEach
  void stop() {
    if (app != null) app.stop(); // null when PostgreSQL is not configured and the test was skipped
    closeStores();
  }

  private TestHttp.Response upload(String key, byte[] body) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/admin/cbb"))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    HttpResponse<String> res = HttpClient.newHttpClient().send(r, HttpResponse.BodyHandlers.ofString());
    return new TestHttp.Response(res.statusCode(), res.headers().map(), res.body());
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private void publishSeeds() throws Exception {
    assertThat(upload(rootKey, Files.readAllBytes(fifo)).status()).isEqualTo(201);
    assertThat(upload(rootKey, Files.readAllBytes(uart)).status()).isEqualTo(201);
  }

  @Test
  void publishValidatesBeforeStoringAndVersionsAreImmutable() throws Exception {
    byte[] bytes = Files.readAllBytes(fifo);
    TestHttp.Response first = upload(rootKey, bytes);
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.json()).containsEntry("cbb_id", "sync_fifo").containsEntry("sha256", sha256(bytes))
        .containsEntry("created", true).containsEntry("format", "tar.gz");
    TestHttp.Response again = upload(rootKey, bytes);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json()).containsEntry("created", false);
    assertProblem(upload(annKey, bytes), 403, "forbidden");
    assertProblem(upload(rootKey, "not an archive at all".getBytes()), 422, "invalid_package");

    ByteArrayOutputStream evil = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(evil)) {
      z.putNextEntry(new ZipEntry("../../etc/cron.d/evil"));
      z.write("* * * * * root rm -rf /".getBytes());
      z.closeEntry();
    }
    TestHttp.Response hostile = upload(rootKey, evil.toByteArray());
    assertProblem(hostile, 422, "invalid_package");
    assertThat(hostile.json()).containsEntry("entry", "../../etc/cron.d/evil").containsKey("reason");
    assertProblem(upload(rootKey, new byte[3 << 20]), 413, "payload_too_large");

    Map<String, Object> list = ApiContractTest.ok(http.get("/api/cbb", annKey));
    assertThat((List<?>) list.get("items")).hasSize(1);
    Map<String, Object> detail = ApiContractTest.ok(http.get("/api/cbb/sync_fifo", annKey));
    @SuppressWarnings("unchecked") List<Map<String, Object>> versions = (List<Map<String, Object>>) detail.get("versions");
    assertThat(versions).singleElement().satisfies(v -> assertThat(((Map<?, ?>) v.get("manifest")).get("id")).isEqualTo("sync_fifo"));
    assertProblem(http.get("/api/cbb/no_such_cbb", annKey), 404, "not_found");
    TestHttp.Response schema = http.get("/api/schemas/cbb-manifest", annKey);
    assertThat(schema.status()).isEqualTo(200);
    assertThat(schema.body()).contains("\"price_usd\"").contains("\"entrypoints\"");

    String version = versions.get(0).get("version").toString();
    assertProblem(http.post("/api/admin/cbb/sync_fifo/versions/" + version + "/yank", annKey, null), 403, "forbidden");
    TestHttp.Response yank = http.post("/api/admin/cbb/sync_fifo/versions/" + version + "/yank", rootKey, null);
    assertThat(yank.json()).containsEntry("yanked", true);
    // both recorded in the audit log with the super admin as the actor; a second yank records nothing new
    http.post("/api/admin/cbb/sync_fifo/versions/" + version + "/yank", rootKey, null);
    @SuppressWarnings("unchecked") List<Map<String, Object>> audit = (List<Map<String, Object>>) ApiContractTest.ok(
        http.get("/api/admin/audit?target_type=cbb&target_id=sync_fifo", rootKey)).get("items");
    assertThat(audit).extracting(e -> e.get("action")).containsExactly("cbb.yank", "cbb.publish");
    assertThat(audit).allSatisfy(e -> assertThat(((Map<?, ?>) e.get("actor")).get("role")).isEqualTo("super_admin"));
  }

  @Test
  void resolveCheckoutDeliverDownload() throws Exception {
    publishSeeds();
    TestHttp.Response res = http.post("/api/cbb/resolve", annKey, "{\"cbb_requirements\":[{\"cbb_id\":null,\"tags\":[\"FIFO\"],"
        + "\"version\":\"^1\",\"simulator\":\"iverilog\",\"sv\":null,\"text\":null},{\"text\":\"uart serial\"},{\"cbb_id\":\"nope\"}]}");
    Map<String, Object> resolved = ApiContractTest.ok(res);
    @SuppressWarnings("unchecked") List<Map<String, Object>> results = (List<Map<String, Object>>) resolved.get("results");
    @SuppressWarnings("unchecked") Map<String, Object> best = ((List<Map<String, Object>>) results.get(0).get("candidates")).get(0);
    assertThat(best).containsEntry("cbb_id", "sync_fifo").containsEntry("owned", false).containsKeys("entrypoints", "compat",
        "sha256", "size_bytes", "versions", "price_usd");
    assertThat((List<?>) results.get(2).get("candidates")).isEmpty();
    assertProblem(http.post("/api/cbb/resolve", annKey, "{\"cbb_requirements\":[{\"version\":\"not a range!\"}]}"), 400, "validation_failed");
    assertProblem(http.post("/api/cbb/resolve", annKey, "{\"cbb_requirements\":[{\"tags\":\"fifo\"}]}"), 400, "validation_failed");
    assertProblem(http.post("/api/cbb/resolve", annKey, "{}"), 400, "validation_failed");

    String body = "{\"user_id\":\"" + ann.user().userId() + "\",\"workspace_id\":\"" + annWs + "\",\"job_id\":\"job-9\","
        + "\"items\":[{\"cbb_id\":\"sync_fifo\",\"version\":\"" + best.get("version") + "\"},{\"cbb_id\":\"uart\",\"version\":\"1.0.0\"}]}";
    assertProblem(http.post("/api/cbb/checkout", annKey, body), 400, "validation_failed");
    TestHttp.Response co = http.send("POST", "/api/cbb/checkout", annKey, body, "Idempotency-Key", "order-1");
    assertThat(co.status()).as(co.body()).isEqualTo(201);
    TestHttp.Response replay = http.send("POST", "/api/cbb/checkout", annKey, body, "Idempotency-Key", "order-1");
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.body()).isEqualTo(co.body());
    assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
    // one audit entry for the checkout, none for its replay
    @SuppressWarnings("unchecked") List<Map<String, Object>> checkouts = (List<Map<String, Object>>) ApiContractTest.ok(
        http.get("/api/admin/audit?action=cbb.checkout", rootKey)).get("items");
    assertThat(checkouts).singleElement().satisfies(e -> assertThat(e.get("target_id")).isEqualTo(co.json().get("receipt_id")));
    assertProblem(http.send("POST", "/api/cbb/checkout", annKey, body.replace("job-9", "job-10"), "Idempotency-Key", "order-1"),
        422, "idempotency_key_reused");
    Map<String, Object> receipt = co.json();
    assertThat(receipt).containsKeys("receipt_id", "charged", "already_owned", "balances_after");
    @SuppressWarnings("unchecked") Map<String, Object> after = (Map<String, Object>) receipt.get("balances_after");
    assertThat(after.get("included_usd_balance")).isEqualTo(18.5); // 20 - 0.50 (sync_fifo) - 1.00 (uart)
    String receiptId = receipt.get("receipt_id").toString();

    assertProblem(http.post("/api/cbb/checkout", eveKey, body.replace("}]}", "}],\"idempotency_key\":\"e\"}")), 403, "forbidden");
    assertProblem(http.post("/api/cbb/deliver", eveKey, "{\"receipt_id\":\"" + receiptId + "\"}"), 404, "not_found");
    TestHttp.Response del = http.post("/api/cbb/deliver", annKey, "{\"receipt_id\":\"" + receiptId + "\"}");
    Map<String, Object> delivered = ApiContractTest.ok(del);
    @SuppressWarnings("unchecked") List<Map<String, Object>> items = (List<Map<String, Object>>) delivered.get("items");
    assertThat(items).hasSize(2);
    Map<String, Object> fifoItem = items.get(0);
    String url = fifoItem.get("url").toString();
    assertThat(url).startsWith("http://127.0.0.1:" + port + "/api/cbb/download/");
    assertThat(((Number) fifoItem.get("expires_in")).intValue()).isEqualTo(300);

    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<byte[]> got = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(sha256(got.body())).isEqualTo(fifoItem.get("sha256"));
    assertThat(got.body().length).isEqualTo(((Number) fifoItem.get("size")).intValue());
    assertThat(got.headers().firstValue("ETag")).contains("\"" + fifoItem.get("sha256") + "\"");
    assertThat(got.headers().firstValue("Cache-Control")).contains("private, no-store");
    assertThat(got.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(got.body().length);
    HttpResponse<byte[]> part = client.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=10-19").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(part.statusCode()).isEqualTo(206);
    assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(got.body(), 10, 20));
    assertThat(part.headers().firstValue("Content-Range")).contains("bytes 10-19/" + got.body().length);
    HttpResponse<byte[]> tail = client.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=-5").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(got.body(), got.body().length - 5, got.body().length));
    HttpResponse<byte[]> beyond = client.send(HttpRequest.newBuilder(URI.create(url)).header("Range", "bytes=999999999-").build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(beyond.statusCode()).isEqualTo(416);

    String token = url.substring(url.lastIndexOf('/') + 1);
    String tampered = url.substring(0, url.lastIndexOf('/') + 1) + token.replaceFirst("\\.0\\.", ".1.");
    TestHttp.Response bad = http.get(tampered.substring(tampered.indexOf("/api/")), null);
    assertProblem(bad, 403, "forbidden");
    assertThat(bad.body()).doesNotContain(token);
    clock.advance(Duration.ofSeconds(301));
    assertProblem(http.get(url.substring(url.indexOf("/api/")), null), 403, "forbidden");
    Map<String, Object> purchases = ApiContractTest.ok(http.get("/api/cbb/purchases", annKey));
    assertThat((List<?>) purchases.get("items")).hasSize(1);
    assertThat((List<?>) ApiContractTest.ok(http.get("/api/cbb/purchases", eveKey)).get("items")).isEmpty();
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
  }

  /** A zip of a seed package's directory with {@code extra} added (name → content). */
  private static byte[] zipOf(Path dir, Map<String, String> extra) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(out); java.util.stream.Stream<Path> walk = Files.walk(dir)) {
      for (Path f : walk.sorted().toList()) {
        String name = dir.relativize(f).toString().replace('\\', '/');
        if (name.isEmpty()) continue;
        z.putNextEntry(new ZipEntry(Files.isDirectory(f) ? name + "/" : name));
        if (Files.isRegularFile(f)) z.write(Files.readAllBytes(f));
        z.closeEntry();
      }
      for (Map.Entry<String, String> e : extra.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        z.closeEntry();
      }
    }
    return out.toByteArray();
  }

  /**
   * Finding M2: a package with a path segment over 255 bytes was published and sold, and every run with it failed.
   * It is refused at publish (422 invalid_package naming the entry, reason path_too_long); nothing is listed.
   */
  @Test
  void m2_longSegmentRefusedByRegistry() throws Exception {
    String seg256 = "f".repeat(253) + ".sv";
    for (String name : List.of("rtl/" + seg256, "rtl/" + "d/".repeat(510) + "x.sv")) {
      TestHttp.Response r = upload(rootKey, zipOf(CATALOG.resolve("sync_fifo"), Map.of(name, "module f; endmodule\n")));
      assertProblem(r, 422, "invalid_package");
      assertThat(r.json()).as(r.body()).containsEntry("entry", name).containsEntry("reason", "path_too_long");
    }
    assertThat((List<?>) ApiContractTest.ok(http.get("/api/cbb", annKey)).get("items")).as("nothing published").isEmpty();
    // 255 bytes is the limit, not over it
    TestHttp.Response ok = upload(rootKey, zipOf(CATALOG.resolve("sync_fifo"), Map.of("rtl/" + "f".repeat(252) + ".sv",
        "module f; endmodule\n")));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
  }

  /**
   * Finding "Low: huge Range": a range number past a long answered 500. Per RFC 9110 a last-byte-pos past the end is
   * clamped (206), a suffix longer than the body is the whole body (206), a first-byte-pos past the end is 416, and a
   * Range that does not parse (or is invalid, like 5-3) is ignored (200 with the whole body).
   */
  @Test
  void low_hugeRangeHeader() throws Exception {
    publishSeeds();
    String body = "{\"user_id\":\"" + ann.user().userId() + "\",\"workspace_id\":\"" + annWs + "\",\"items\":[{\"cbb_id\":"
        + "\"sync_fifo\",\"version\":\"1.0.0\"}],\"idempotency_key\":\"range-1\"}";
    TestHttp.Response co = http.post("/api/cbb/checkout", annKey, body);
    assertThat(co.status()).as(co.body()).isEqualTo(201);
    Map<String, Object> delivered = ApiContractTest.ok(http.post("/api/cbb/deliver", annKey,
        "{\"receipt_id\":\"" + co.json().get("receipt_id") + "\"}"));
    @SuppressWarnings("unchecked") String url = ((List<Map<String, Object>>) delivered.get("items")).get(0).get("url")
        .toString();
    HttpClient client = HttpClient.newHttpClient();
    byte[] whole = client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray())
        .body();
    int n = whole.length;
    String huge = "99999999999999999999";
    Object[][] cases = {
        {"bytes=0-" + huge, 206, "bytes 0-" + (n - 1) + "/" + n, 0, n},
        {"bytes=10-" + huge, 206, "bytes 10-" + (n - 1) + "/" + n, 10, n},
        {"bytes=0-9223372036854775807", 206, "bytes 0-" + (n - 1) + "/" + n, 0, n},
        {"bytes=-" + huge, 206, "bytes 0-" + (n - 1) + "/" + n, 0, n},
        {"bytes=" + huge + "-", 416, "bytes */" + n, 0, 0},
        {"bytes=" + huge + "-" + huge, 416, "bytes */" + n, 0, 0},
        {"bytes=" + n + "-", 416, "bytes */" + n, 0, 0},
        {"bytes=-0", 416, "bytes */" + n, 0, 0},
        {"bytes=5-3", 200, null, 0, n},
        {"bytes=abc", 200, null, 0, n},
        {"bytes=-", 200, null, 0, n},
        {"items=0-5", 200, null, 0, n},
        {"bytes=0-1,5-6", 200, null, 0, n}};
    for (Object[] c : cases) {
      HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(url)).header("Range", (String) c[0]).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(r.statusCode()).as((String) c[0]).isEqualTo(c[1]);
      assertThat(r.headers().firstValue("Content-Range").orElse(null)).as((String) c[0]).isEqualTo(c[2]);
      if ((int) c[1] != 416) {
        assertThat(r.body()).as((String) c[0]).isEqualTo(java.util.Arrays.copyOfRange(whole, (int) c[3], (int) c[4]));
      }
    }
  }

  private String checkoutBody(String userId, String ws, String... idAtVersion) {
    StringBuilder items = new StringBuilder();
    for (String s : idAtVersion) {
      if (items.length() > 0) items.append(',');
      items.append("{\"cbb_id\":\"").append(s.split("@")[0]).append("\",\"version\":\"").append(s.split("@")[1]).append("\"}");
    }
    return "{\"user_id\":\"" + userId + "\",\"workspace_id\":\"" + ws + "\",\"items\":[" + items + "]}";
  }

  /**
   * H1: a refund used to leave the package deliverable. Refunding the cbb row revokes the purchase: deliver is 403
   * {@code purchase_refunded}, the download link issued before stops working, a partial refund is 422 and changes
   * nothing; a tenant admin cannot refund at all.
   */
  @Test
  void h1_refundRevokesDeliveryAndIssuedDownloadLinks() throws Exception {
    publishSeeds();
    TestHttp.Response co = http.send("POST", "/api/cbb/checkout", annKey, checkoutBody(ann.user().userId(), annWs, "uart@1.0.0"),
        "Idempotency-Key", "buy-r");
    assertThat(co.status()).as(co.body()).isEqualTo(201);
    String receiptId = co.json().get("receipt_id").toString();
    @SuppressWarnings("unchecked") List<Map<String, Object>> items = (List<Map<String, Object>>) ApiContractTest.ok(
        http.post("/api/cbb/deliver", annKey, "{\"receipt_id\":\"" + receiptId + "\"}")).get("items");
    String url = items.get(0).get("url").toString();
    String download = url.substring(url.indexOf("/api/"));
    assertThat(http.get(download, null).status()).isEqualTo(200);
    String row = genrtl.cbbs().receiptRows(genrtl.stores().cbb().receipts().find(receiptId).orElseThrow()).get(0).entryId();
    CreatedUser adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null));
    String admKey = genrtl.apiKeys().issue(adm.user().userId(), "t", null).apiKey();
    String refund = "/api/admin/ledger/" + row + "/refund";
    assertProblem(http.send("POST", refund, admKey, "{\"reason\":\"x\"}", "Idempotency-Key", "rf-0"), 403, "forbidden");
    TestHttp.Response partial = http.send("POST", refund, rootKey, "{\"amount_usd\":0.5,\"reason\":\"half\"}", "Idempotency-Key", "rf-1");
    assertProblem(partial, 422, "partial_refund_not_allowed");
    assertThat(partial.json()).containsEntry("field", "amount_usd");
    assertThat(http.get(download, null).status()).as("nothing changed").isEqualTo(200);

    TestHttp.Response whole = http.send("POST", refund, rootKey, "{\"reason\":\"broken\"}", "Idempotency-Key", "rf-2");
    assertThat(whole.status()).as(whole.body()).isEqualTo(201);
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).isEqualTo(20_000_000L);
    assertProblem(http.post("/api/cbb/deliver", annKey, "{\"receipt_id\":\"" + receiptId + "\"}"), 403, "purchase_refunded");
    assertProblem(http.get(download, null), 403, "purchase_refunded");
    assertThat(http.send("HEAD", download, null, null).status()).isEqualTo(403);
    @SuppressWarnings("unchecked") List<Map<String, Object>> owned = (List<Map<String, Object>>) ApiContractTest.ok(
        http.get("/api/cbb/purchases", annKey)).get("items");
    assertThat(owned).hasSize(1); // the receipt stays: the ledger and the receipts are history
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
  }

  /** Low finding: a tenant admin checked out on a member's behalf (201, the member charged); now 403 for everyone. */
  @Test
  void low_checkoutForAnotherUserIs403() throws Exception {
    publishSeeds();
    CreatedUser adm = genrtl.accounts().createUser(new NewUser("adm@acme.test", "acme", Role.TENANT_ADMIN, null));
    String admKey = genrtl.apiKeys().issue(adm.user().userId(), "t", null).apiKey();
    String body = checkoutBody(ann.user().userId(), annWs, "uart@1.0.0");
    TestHttp.Response r = http.send("POST", "/api/cbb/checkout", admKey, body, "Idempotency-Key", "behalf");
    assertProblem(r, 403, "forbidden");
    assertThat(r.json()).containsEntry("field", "user_id");
    assertProblem(http.send("POST", "/api/cbb/checkout", rootKey, body, "Idempotency-Key", "behalf-root"), 403, "forbidden");
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).isEqualTo(20_000_000L);
    assertThat(genrtl.cbbs().owned(ann.user().userId())).isEmpty();
  }

  /** 200 concurrent checkouts over HTTP with 50 distinct keys: 50 receipts, 50 × price charged, identical answers per key. */
  @Test
  void concurrentCheckoutsOverHttp() throws Exception {
    publishSeeds();
    int keys = 50;
    List<String[]> buyers = new ArrayList<>(); // user id, key, workspace
    for (int i = 0; i < keys; i++) {
      CreatedUser u = genrtl.accounts().createUser(new NewUser("buyer" + i + "@x.test", "acme", Role.USER, "pro"));
      String ws = genrtl.accounts().createWorkspace(Principal.of(u.user(), null), "w").workspaceId();
      buyers.add(new String[] {u.user().userId(), genrtl.apiKeys().issue(u.user().userId(), "t", null).apiKey(), ws});
    }
    Map<Integer, List<String>> bodies = new ConcurrentHashMap<>();
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    AtomicInteger next = new AtomicInteger();
    StoreContractTest.hammer(16, () -> {
      int n;
      while ((n = next.getAndIncrement()) < keys * 4) {
        int b = n % keys;
        String[] u = buyers.get(b);
        TestHttp.Response r = http.send("POST", "/api/cbb/checkout", u[1], "{\"user_id\":\"" + u[0] + "\",\"workspace_id\":\""
            + u[2] + "\",\"items\":[{\"cbb_id\":\"uart\",\"version\":\"1.0.0\"}]}", "Idempotency-Key", "buy-" + b);
        statuses.add(r.status());
        bodies.computeIfAbsent(b, k -> new CopyOnWriteArrayList<>()).add(r.body());
      }
      return null;
    });
    assertThat(statuses).hasSize(200).containsOnly(201);
    assertThat(bodies).hasSize(keys);
    bodies.values().forEach(l -> assertThat(l).hasSize(4).containsOnly(l.get(0)));
    long charged = 0;
    for (String[] u : buyers) {
      assertThat(genrtl.pool().verify(u[0]).problems()).isEmpty();
      charged += 20_000_000L - genrtl.pool().balance(u[0]).includedMicros();
    }
    assertThat(charged).isEqualTo(keys * 1_000_000L);
  }
}
