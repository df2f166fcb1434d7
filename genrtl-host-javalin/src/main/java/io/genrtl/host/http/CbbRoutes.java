package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.cbb.CbbManifest;
import io.genrtl.core.cbb.CbbService.CheckoutRequest;
import io.genrtl.core.cbb.CbbService.CheckoutResult;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.CbbVersion;
import io.genrtl.core.cbb.Receipt;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The CBB registry's routes: browse, resolve, checkout, deliver, download, and the admin publish and yank. */
final class CbbRoutes {
  static final String DOWNLOAD_PREFIX = "/api/cbb/download/";
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;

  CbbRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
  }

  void register(RoutesConfig r) {
    r.get("/api/schemas/cbb-manifest", this::schema);
    r.post("/api/admin/cbb", this::publish);
    r.post("/api/admin/cbb/{cbb_id}/versions/{version}/yank", this::yank);
    r.post("/api/cbb/resolve", this::resolve);
    r.post("/api/cbb/checkout", this::checkout);
    r.post("/api/cbb/deliver", this::deliver);
    r.get(DOWNLOAD_PREFIX + "{token}", this::download);
    r.head(DOWNLOAD_PREFIX + "{token}", this::download);
    r.get("/api/cbb/purchases", this::purchases);
    r.get("/api/cbb", this::list);
    r.get("/api/cbb/{cbb_id}", this::get);
  }

  private void schema(Context ctx) {
    if (settings.manifestSchema() == null) throw GenRtlException.notFound("schema");
    ctx.contentType("application/schema+json").result(settings.manifestSchema());
  }

  // ------------------------------------------------------------------ admin

  private void publish(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    Path tmp = null;
    try {
      tmp = Files.createTempFile("genrtl-upload-", ".pkg");
      Bodies.copyToFile(ctx, tmp, settings.maxPackageBytes());
      CbbService.Published pub = genrtl.cbbs().publish(p, tmp);
      Map<String, Object> out = versionView(pub.version(), false);
      out.put("created", pub.created());
      ctx.status(pub.created() ? 201 : 200).json(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // temp files are cleaned by the OS eventually
        }
      }
    }
  }

  private void yank(Context ctx) {
    CbbVersion v = genrtl.cbbs().yank(GenRtlApp.principal(ctx), ctx.pathParam("cbb_id"), ctx.pathParam("version"));
    ctx.json(versionView(v, false));
  }

  // ------------------------------------------------------------------ browse

  static Map<String, Object> compat(CbbManifest m) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("sv", m.compat().sv());
    c.put("simulators", m.compat().simulators());
    return c;
  }

  static Map<String, Object> entrypoints(CbbManifest m) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("rtl_top", m.entrypoints().rtlTop());
    e.put("tb_top", m.entrypoints().tbTop());
    e.put("filelist_rtl", m.entrypoints().filelistRtl());
    e.put("filelist_tb", m.entrypoints().filelistTb());
    return e;
  }

  static Map<String, Object> versionView(CbbVersion v, boolean withManifest) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cbb_id", v.cbbId());
    m.put("version", v.version());
    m.put("name", v.manifest().name());
    m.put("price_usd", BillingRoutes.usd(v.manifest().priceMicros()));
    m.put("sha256", v.sha256());
    m.put("size_bytes", v.sizeBytes());
    m.put("format", v.format().wire());
    m.put("yanked", v.yanked());
    m.put("published_at", Views.time(v.publishedAt()));
    if (withManifest) m.put("manifest", Json.parse(v.manifest().json().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return m;
  }

  private void list(Context ctx) {
    String tag = ctx.queryParam("tag");
    String q = ctx.queryParam("q");
    PageRequest page = Paging.request(ctx);
    List<CbbVersion> all = genrtl.cbbs().catalog(blankToNull(tag), blankToNull(q));
    List<CbbVersion> rows = all.stream().filter(v -> page.after() == null || v.cbbId().compareTo(page.after()) > 0)
        .limit(page.limit() + 1L).toList();
    ctx.json(Paging.response(Page.fromOverfetch(rows, page, CbbVersion::cbbId), v -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cbb_id", v.cbbId());
      m.put("name", v.manifest().name());
      m.put("description", v.manifest().description());
      m.put("latest_version", v.version());
      m.put("price_usd", BillingRoutes.usd(v.manifest().priceMicros()));
      m.put("tags", v.manifest().tags());
      m.put("compat", compat(v.manifest()));
      return m;
    }));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private void get(Context ctx) {
    List<CbbVersion> versions = genrtl.cbbs().versions(ctx.pathParam("cbb_id"));
    CbbVersion latest = versions.stream().filter(v -> !v.yanked()).findFirst().orElse(versions.get(0));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cbb_id", latest.cbbId());
    m.put("name", latest.manifest().name());
    m.put("description", latest.manifest().description());
    m.put("latest_version", latest.version());
    m.put("tags", latest.manifest().tags());
    m.put("versions", versions.stream().map(v -> versionView(v, true)).toList());
    ctx.json(m);
  }

  private void purchases(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    ctx.json(Paging.response(genrtl.cbbs().purchases(p, Paging.request(ctx)), CbbRoutes::receiptView));
  }

  static Map<String, Object> receiptView(Receipt r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("receipt_id", r.receiptId());
    m.put("created_at", Views.time(r.createdAt()));
    m.put("workspace_id", r.workspaceId());
    m.put("job_id", r.jobId());
    List<Map<String, Object>> items = new ArrayList<>();
    for (Receipt.Item i : r.items()) {
      Map<String, Object> it = new LinkedHashMap<>();
      it.put("cbb_id", i.cbbId());
      it.put("version", i.version());
      it.put("price_usd", BillingRoutes.usd(i.priceMicros()));
      it.put("already_owned", i.alreadyOwned());
      items.add(it);
    }
    m.put("items", items);
    return m;
  }

  // ------------------------------------------------------------------ resolve, checkout, deliver

  private void resolve(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    List<Object> raw = body.optList("cbb_requirements", 100);
    if (!body.has("cbb_requirements")) throw GenRtlException.invalid("cbb_requirements", "cbb_requirements is required");
    List<CbbService.Requirement> reqs = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      JsonBody r = JsonBody.element("cbb_requirements", i, raw.get(i));
      reqs.add(new CbbService.Requirement(r.optString("cbb_id", 64).orElse(null), r.optString("version", 256).orElse(null),
          r.optStrings("tags", 32, 64), r.optString("simulator", 64).orElse(null), r.optString("sv", 16).orElse(null),
          r.optString("text", 1000).orElse(null)));
    }
    List<List<CbbService.Candidate>> results = genrtl.cbbs().resolve(p, reqs);
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      Map<String, Object> res = new LinkedHashMap<>();
      res.put("requirement_index", i);
      List<Map<String, Object>> cands = new ArrayList<>();
      for (CbbService.Candidate c : results.get(i)) {
        CbbVersion v = c.recommended();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cbb_id", v.cbbId());
        m.put("name", v.manifest().name());
        m.put("version", v.version());
        m.put("versions", c.versions());
        m.put("price_usd", BillingRoutes.usd(v.manifest().priceMicros()));
        m.put("tags", v.manifest().tags());
        m.put("compat", compat(v.manifest()));
        m.put("entrypoints", entrypoints(v.manifest()));
        m.put("sha256", v.sha256());
        m.put("size_bytes", v.sizeBytes());
        m.put("owned", c.owned());
        cands.add(m);
      }
      res.put("candidates", cands);
      out.add(res);
    }
    ctx.json(Map.of("results", out));
  }

  private void checkout(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    String header = ctx.header("Idempotency-Key");
    String inBody = body.optString("idempotency_key", 255).orElse(null);
    if (header != null && header.length() > 255) throw GenRtlException.invalid("Idempotency-Key", "Idempotency-Key is too long");
    if (header != null && inBody != null && !header.equals(inBody)) {
      throw GenRtlException.invalid("idempotency_key", "the Idempotency-Key header and idempotency_key differ");
    }
    String key = inBody != null ? inBody : header;
    List<Object> rawItems = body.optList("items", CbbService.MAX_ITEMS);
    List<CheckoutRequest.Item> items = new ArrayList<>();
    for (int i = 0; i < rawItems.size(); i++) {
      JsonBody it = JsonBody.element("items", i, rawItems.get(i));
      items.add(new CheckoutRequest.Item(it.string("cbb_id", 64), it.string("version", 128)));
    }
    CheckoutResult r = genrtl.cbbs().checkout(p, new CheckoutRequest(body.string("user_id", 64),
        body.string("workspace_id", 64), body.optString("job_id", 64).orElse(null), items, key));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("receipt_id", r.receipt().receiptId());
    out.put("charged", r.charged().stream().map(c -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cbb_id", c.cbbId());
      m.put("version", c.version());
      m.put("bucket", c.bucket());
      m.put("price_usd", BillingRoutes.usd(c.micros()));
      return m;
    }).toList());
    out.put("already_owned", r.alreadyOwned().stream().map(a -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cbb_id", a.cbbId());
      m.put("version", a.version());
      m.put("receipt_id", a.receiptId());
      return m;
    }).toList());
    Map<String, Object> bal = new LinkedHashMap<>();
    bal.put("included_usd_balance", BillingRoutes.usd(r.balancesAfter().includedMicros()));
    bal.put("credits_usd_balance", BillingRoutes.usd(r.balancesAfter().creditsMicros()));
    bal.put("on_demand_usd", BillingRoutes.usd(r.balancesAfter().onDemandSpentMicros()));
    bal.put("on_demand_limit_usd", BillingRoutes.usd(r.balancesAfter().onDemandLimitMicros()));
    out.put("balances_after", bal);
    if (r.replayed()) ctx.header("Idempotent-Replayed", "true");
    ctx.status(201).json(out);
  }

  private void deliver(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    String receiptId = body.string("receipt_id", 64);
    List<Map<String, Object>> items = genrtl.cbbs().deliver(p, receiptId).stream().map(d -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("cbb_id", d.cbbId());
      m.put("version", d.version());
      m.put("url", d.url().toString());
      m.put("sha256", d.sha256());
      m.put("size", d.size());
      m.put("expires_in", d.expiresInSeconds());
      return m;
    }).toList();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("receipt_id", receiptId);
    out.put("items", items);
    ctx.header("Cache-Control", "no-store").json(out);
  }

  private static final long[] UNSATISFIABLE = new long[0];

  /**
   * The one byte range a {@code Range} header asks of a body of {@code size} bytes, per RFC 9110 §14: null to send
   * the whole body (no header, a header that does not parse, another unit, several ranges, or an invalid range such
   * as {@code 5-3}: all ignored), {@link #UNSATISFIABLE} for 416 (the first byte is past the end, or a suffix of 0),
   * else {@code {first, last}}. A last-byte-pos past the end is clamped to the end and a suffix longer than the body
   * is the whole body, however many digits they have: numbers are never parsed beyond what a {@code long} holds.
   */
  static long[] byteRange(String header, long size) {
    if (header == null) return null;
    Matcher m = RANGE.matcher(header.trim());
    if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) return null;
    if (m.group(1).isEmpty()) {
      long suffix = digits(m.group(2));
      if (suffix == 0 || size == 0) return UNSATISFIABLE;
      return new long[] {Math.max(0, size - suffix), size - 1};
    }
    long first = digits(m.group(1));
    long last = m.group(2).isEmpty() ? Long.MAX_VALUE : digits(m.group(2));
    if (last < first) return null; // an invalid range: ignored
    if (first >= size) return UNSATISFIABLE;
    return new long[] {first, Math.min(last, size - 1)};
  }

  /** Decimal digits as a long, saturating at {@code Long.MAX_VALUE} (a size or offset no body reaches). */
  private static long digits(String s) {
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      int d = s.charAt(i) - '0';
      if (v > (Long.MAX_VALUE - d) / 10) return Long.MAX_VALUE;
      v = v * 10 + d;
    }
    return v;
  }

  private void download(Context ctx) {
    CbbService.Download d = genrtl.cbbs().download(ctx.pathParam("token"));
    CbbVersion v = d.version();
    long size = v.sizeBytes();
    String etag = "\"" + v.sha256() + "\"";
    ctx.header("ETag", etag);
    ctx.header("Accept-Ranges", "bytes");
    ctx.header("Cache-Control", "private, no-store");
    ctx.header("Content-Disposition", "attachment; filename=\"" + d.fileName() + "\"");
    ctx.header("X-Content-SHA256", v.sha256());
    ctx.contentType(v.format() == io.genrtl.core.cbb.CbbPackage.Format.ZIP ? "application/zip" : "application/gzip");
    long start = 0;
    long end = size - 1;
    String ifRange = ctx.header("If-Range");
    boolean partial = false;
    if (ifRange == null || ifRange.equals(etag)) {
      long[] r = byteRange(ctx.header("Range"), size);
      if (r == UNSATISFIABLE) {
        ctx.header("Content-Range", "bytes */" + size);
        ctx.status(416);
        return;
      }
      if (r != null) {
        start = r[0];
        end = r[1];
        partial = true;
      }
    }
    long length = end - start + 1;
    if (partial) {
      ctx.status(206);
      ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
    }
    ctx.res().setContentLengthLong(length);
    if (ctx.method().name().equals("HEAD")) return;
    try {
      OutputStream out = ctx.res().getOutputStream();
      java.util.Optional<java.nio.file.Path> file = genrtl.cbbs().blobs().localFile(v.blobKey());
      if (file.isPresent() && out instanceof org.eclipse.jetty.ee10.servlet.HttpOutput jetty) {
        sendMapped(file.get(), start, length, jetty);
      } else {
        try (InputStream in = genrtl.cbbs().blobs().open(v.blobKey(), start, length)) {
          byte[] buf = new byte[COPY_BUFFER_BYTES];
          for (int n; (n = in.read(buf)) > 0; ) out.write(buf, 0, n);
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Buffer of the copying path (remote blob stores): large writes, few syscalls. */
  static final int COPY_BUFFER_BYTES = 256 * 1024;
  /** A file is sent in memory-mapped windows of at most this size (the kernel copies page cache to the socket). */
  static final long MAP_WINDOW_BYTES = 64L << 20;

  /** Writes {@code length} bytes of {@code file} from {@code start} straight from its mapped pages. */
  private static void sendMapped(java.nio.file.Path file, long start, long length,
      org.eclipse.jetty.ee10.servlet.HttpOutput out) throws IOException {
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
      if (ch.size() < start + length) throw new IOException("blob is shorter than its recorded size");
      for (long at = start, left = length; left > 0; ) {
        long n = Math.min(left, MAP_WINDOW_BYTES);
        out.write(ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, at, n));
        at += n;
        left -= n;
      }
    }
  }
}
