package io.genrtl.core.cbb;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.pool.PoolStores;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.User;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.LockWaitTimeoutException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.CbbPurchase;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.IdempotencyRecord;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.Money;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.UsageKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The CBB registry and its commerce: publish (admin), resolve (free), checkout (charged, idempotent, all or
 * nothing), deliver (short-lived signed download URLs) and download.
 */
public final class CbbService {
  public static final String OP_CHECKOUT = "checkout";
  public static final int MAX_ITEMS = 50;
  public static final int MAX_CANDIDATES = 10;
  static final String SIGNING_KEY = "download_signing_key";
  /** Ids that would clash with routes under {@code /api/cbb/}. */
  static final Set<String> RESERVED_IDS = Set.of("purchases", "resolve", "checkout", "deliver", "download");

  /** Settings of the registry. */
  public record Settings(String publicUrl, Duration deliveryTtl, PackageLimits limits, Duration inFlightWait) {
    public Settings {
      Objects.requireNonNull(publicUrl, "publicUrl");
      if (deliveryTtl.isNegative() || deliveryTtl.isZero()) throw new IllegalArgumentException("deliveryTtl must be positive");
      if (inFlightWait.isNegative()) throw new IllegalArgumentException("inFlightWait must not be negative");
    }

    /** A duplicate checkout waits up to 5 s for the first one with its key. */
    public Settings(String publicUrl, Duration deliveryTtl, PackageLimits limits) {
      this(publicUrl, deliveryTtl, limits, Duration.ofSeconds(5));
    }
  }

  private final Transactor tx;

  private final MetaStore meta;

  private final AccountStores accountStores;

  private final PoolStores poolStores;

  private final CbbStores cbbStores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PoolService pool;
  private final BlobStore blobs;
  private final PackageInspector inspector;
  private final Settings settings;
  private volatile byte[] signingKey;
  private final io.genrtl.core.audit.AuditService audit;

  public CbbService(Transactor tx, MetaStore meta, AccountStores accountStores, PoolStores poolStores, CbbStores cbbStores,
      Clock clock, IdGenerator ids, io.genrtl.core.audit.AuditService audit, PoolService pool, BlobStore blobs,
      PackageInspector inspector, Settings settings) {
    this.tx = tx;
    this.meta = meta;
    this.accountStores = accountStores;
    this.poolStores = poolStores;
    this.cbbStores = cbbStores;
    this.clock = clock;
    this.ids = ids;
    this.pool = pool;
    this.blobs = blobs;
    this.inspector = inspector;
    this.settings = settings;
    this.audit = audit;
  }

  // ------------------------------------------------------------------------------------------------ publish

  /** The outcome of a publish: the version, and whether it is new (false: the same content was already there). */
  public record Published(CbbVersion version, boolean created) {}

  /** Publishes a package as a super admin. */
  public Published publish(Principal principal, Path archive) {
    requireSuperAdmin(principal);
    return publish(archive, principal.userId());
  }

  /**
   * Inspects the archive (nothing is stored unless it passes), stores its bytes under its SHA-256, and records the
   * version. {@code id@version} is immutable: the same bytes again are a no-op, different bytes are a conflict.
   */
  public Published publish(Path archive, String publishedBy) {
    if (inspector == null) throw new IllegalStateException("no PackageInspector configured");
    CbbPackage pkg = inspector.inspect(archive, settings.limits());
    CbbManifest m = pkg.manifest();
    if (RESERVED_IDS.contains(m.id())) {
      throw new GenRtlException(ErrorCode.INVALID_PACKAGE, "the id '" + m.id() + "' is reserved",
          Map.of("entry", "manifest.json", "reason", "manifest_invalid", "field", "id"));
    }
    Optional<CbbVersion> existing = cbbStores.cbbs().find(m.id(), m.version());
    if (existing.isPresent()) return sameOrConflict(existing.get(), pkg);
    String key = "cbb/" + pkg.sha256() + "." + pkg.format().wire();
    try {
      blobs.put(key, archive);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store package", e);
    }
    CbbVersion v = new CbbVersion(m, pkg.sha256(), pkg.sizeBytes(), pkg.format(), key, false, clock.millis(), publishedBy);
    try {
      tx.inTransaction(() -> {
        cbbStores.cbbs().insert(v);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("version", v.version());
        d.put("sha256", v.sha256());
        d.put("published_by", publishedBy);
        audit.record(io.genrtl.core.audit.AuditActions.CBB_PUBLISH, "cbb", v.cbbId(), null, d);
      });
    } catch (DuplicateKeyException e) {
      return sameOrConflict(cbbStores.cbbs().find(m.id(), m.version()).orElseThrow(), pkg);
    }
    return new Published(v, true);
  }

  private static Published sameOrConflict(CbbVersion existing, CbbPackage pkg) {
    if (existing.sha256().equals(pkg.sha256())) return new Published(existing, false);
    throw new GenRtlException(ErrorCode.CONFLICT, pkg.manifest().id() + "@" + pkg.manifest().version()
        + " is already published with different content; publish a new version instead",
        Map.of("cbb_id", pkg.manifest().id(), "version", pkg.manifest().version(), "sha256", existing.sha256()));
  }

  public CbbVersion yank(Principal principal, String cbbId, String version) {
    requireSuperAdmin(principal);
    return tx.inTransaction(() -> {
      CbbVersion before = cbbStores.cbbs().find(cbbId, version).orElseThrow(() -> GenRtlException.notFound("CBB version"));
      cbbStores.cbbs().yank(cbbId, version);
      if (!before.yanked()) {
        audit.record(io.genrtl.core.audit.AuditActions.CBB_YANK, "cbb", cbbId, null, Map.of("version", version));
      }
      return cbbStores.cbbs().find(cbbId, version).orElseThrow();
    });
  }

  private static void requireSuperAdmin(Principal p) {
    if (p.role() != Role.SUPER_ADMIN) throw new GenRtlException(ErrorCode.FORBIDDEN, "only a super admin may do this");
  }

  // ------------------------------------------------------------------------------------------------ browse

  /** The newest non-yanked version of each CBB (the newest yanked one if all are yanked), filtered. */
  public List<CbbVersion> catalog(String tag, String text) {
    Map<String, List<CbbVersion>> byId = cbbStores.cbbs().all().stream().collect(Collectors.groupingBy(CbbVersion::cbbId));
    List<CbbVersion> out = new ArrayList<>();
    for (List<CbbVersion> vs : byId.values()) {
      CbbVersion latest = latest(vs);
      if (tag != null && latest.manifest().tags().stream().noneMatch(t -> t.equalsIgnoreCase(tag))) continue;
      if (text != null && textScore(latest, text) == 0) continue;
      out.add(latest);
    }
    out.sort(Comparator.comparing(CbbVersion::cbbId));
    return out;
  }

  private static CbbVersion latest(List<CbbVersion> vs) {
    return vs.stream().filter(v -> !v.yanked()).max(Comparator.comparing(CbbVersion::semver))
        .orElseGet(() -> vs.stream().max(Comparator.comparing(CbbVersion::semver)).orElseThrow());
  }

  /** Every version of a CBB, newest first; not found if there is none. */
  public List<CbbVersion> versions(String cbbId) {
    List<CbbVersion> vs = new ArrayList<>(cbbStores.cbbs().versions(cbbId));
    if (vs.isEmpty()) throw GenRtlException.notFound("CBB");
    vs.sort(Comparator.comparing(CbbVersion::semver).reversed());
    return vs;
  }

  public Map<String, String> owned(String userId) {
    return cbbStores.receipts().owned(userId);
  }

  public Page<Receipt> purchases(Principal principal, PageRequest page) {
    return cbbStores.receipts().list(principal.userId(), page);
  }

  // ------------------------------------------------------------------------------------------------ resolve

  /** One requirement of a plan: every present field must match. */
  public record Requirement(String cbbId, String version, List<String> tags, String simulator, String sv, String text) {}

  /** Candidates for one requirement, best first; {@code versions} are the matching non-yanked ones, newest first. */
  public record Candidate(CbbVersion recommended, List<String> versions, boolean owned) {}

  public List<List<Candidate>> resolve(Principal principal, List<Requirement> requirements) {
    Map<String, List<CbbVersion>> byId = cbbStores.cbbs().all().stream().collect(Collectors.groupingBy(CbbVersion::cbbId));
    Map<String, String> owned = cbbStores.receipts().owned(principal.userId());
    List<List<Candidate>> out = new ArrayList<>();
    for (int i = 0; i < requirements.size(); i++) {
      Requirement r = requirements.get(i);
      Semver.Range range = null;
      if (r.version() != null) {
        final int idx = i;
        range = Semver.Range.parse(r.version()).orElseThrow(() -> GenRtlException.invalid(
            "cbb_requirements[" + idx + "].version", "not a semver range: " + r.version()));
      }
      List<Map.Entry<Integer, Candidate>> scored = new ArrayList<>();
      for (Map.Entry<String, List<CbbVersion>> e : byId.entrySet()) {
        if (r.cbbId() != null && !r.cbbId().equals(e.getKey())) continue;
        final Semver.Range rg = range;
        List<CbbVersion> ok = e.getValue().stream()
            .filter(v -> !v.yanked())
            .filter(v -> rg == null || rg.matches(v.semver()))
            .filter(v -> r.tags() == null || r.tags().stream().allMatch(t -> v.manifest().tags().stream().anyMatch(x -> x.equalsIgnoreCase(t))))
            .filter(v -> r.simulator() == null || v.manifest().compat().simulators().stream().anyMatch(s -> s.equalsIgnoreCase(r.simulator())))
            .filter(v -> r.sv() == null || svCompatible(v.manifest().compat().sv(), r.sv()))
            .sorted(Comparator.comparing(CbbVersion::semver).reversed())
            .toList();
        if (ok.isEmpty()) continue;
        CbbVersion best = ok.get(0);
        int score = 1;
        if (r.text() != null) {
          score = textScore(best, r.text());
          if (score == 0) continue;
        }
        if (r.cbbId() != null) score += 100;
        scored.add(Map.entry(score, new Candidate(best, ok.stream().map(CbbVersion::version).toList(),
            owned.containsKey(best.cbbId() + "@" + best.version()))));
      }
      scored.sort(Comparator.<Map.Entry<Integer, Candidate>>comparingInt(Map.Entry::getKey).reversed()
          .thenComparing(e -> e.getValue().recommended().cbbId()));
      out.add(scored.stream().limit(MAX_CANDIDATES).map(Map.Entry::getValue).toList());
    }
    return out;
  }

  /** A package written for an older language standard works in a newer flow: "2012" satisfies "2017". */
  static boolean svCompatible(String pkg, String wanted) {
    try {
      return Integer.parseInt(pkg.trim()) <= Integer.parseInt(wanted.trim());
    } catch (NumberFormatException e) {
      return pkg.trim().equalsIgnoreCase(wanted.trim());
    }
  }

  static int textScore(CbbVersion v, String text) {
    String hay = (v.cbbId() + " " + v.manifest().name() + " " + v.manifest().description() + " "
        + String.join(" ", v.manifest().tags())).toLowerCase(Locale.ROOT).replace('_', ' ');
    int score = 0;
    for (String token : text.toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      if (token.length() < 2) continue;
      if (hay.contains(token)) score++;
    }
    return score;
  }

  // ------------------------------------------------------------------------------------------------ checkout

  public record CheckoutRequest(String userId, String workspaceId, String jobId, List<Item> items, String idempotencyKey) {
    public record Item(String cbbId, String version) {}
  }

  /** One bucket's share of one item's price. */
  public record Charged(String cbbId, String version, String bucket, long micros) {}

  public record AlreadyOwned(String cbbId, String version, String receiptId) {}

  public record CheckoutResult(Receipt receipt, List<Charged> charged, List<AlreadyOwned> alreadyOwned,
      ChargeResult.Snapshot balancesAfter, boolean replayed) {}

  /**
   * Buys the items for {@code request.userId()} in one transaction: every item or none. Versions the user already
   * owns are not charged again. The same key with the same body returns the original result; with a different body
   * it is refused; a duplicate arriving while the first is running waits for it (the key's row lock).
   */
  public CheckoutResult checkout(Principal principal, CheckoutRequest req) {
    if (req.idempotencyKey() == null || req.idempotencyKey().isBlank()) {
      throw GenRtlException.invalid("idempotency_key", "a checkout needs an idempotency key (body or Idempotency-Key header)");
    }
    if (req.items() == null || req.items().isEmpty()) throw GenRtlException.invalid("items", "items must not be empty");
    if (req.items().size() > MAX_ITEMS) throw GenRtlException.invalid("items", "at most " + MAX_ITEMS + " items per checkout");
    Set<String> seen = new HashSet<>();
    for (CheckoutRequest.Item it : req.items()) {
      if (!seen.add(it.cbbId() + "@" + it.version())) throw GenRtlException.invalid("items", "duplicate item " + it.cbbId() + "@" + it.version());
    }
    User buyer = actingFor(principal, req.userId());
    Workspace ws = accountStores.workspaces().find(req.workspaceId()).orElseThrow(() -> GenRtlException.notFound("workspace"));
    if (!ws.tenantId().equals(buyer.tenantId()) || !accountStores.workspaces().isMember(ws.workspaceId(), buyer.userId())) {
      throw GenRtlException.notFound("workspace");
    }
    String fp = fingerprint(req);
    try {
      return tx.inTransaction(() -> checkoutInTransaction(buyer, ws, req, fp));
    } catch (LockWaitTimeoutException e) {
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("field", "idempotency_key");
      details.put("retry_after_seconds", 1);
      throw new GenRtlException(ErrorCode.IDEMPOTENCY_IN_FLIGHT,
          "a checkout with this idempotency key is still running; retry shortly", details);
    }
  }

  private CheckoutResult checkoutInTransaction(User buyer, Workspace ws, CheckoutRequest req, String fp) {
    {
      long now = clock.millis();
      if (!poolStores.idempotency().claim(buyer.userId(), OP_CHECKOUT, req.idempotencyKey(), fp, now, settings.inFlightWait())) {
        return replay(buyer.userId(), req.idempotencyKey(), fp);
      }
      poolStores.accounts().lock(buyer.userId()); // one checkout per user at a time: ownership checks stay exact
      Map<String, String> owned = cbbStores.receipts().owned(buyer.userId());
      String receiptId = ids.newId();
      List<Receipt.Item> items = new ArrayList<>();
      List<Charged> charged = new ArrayList<>();
      List<AlreadyOwned> already = new ArrayList<>();
      ChargeResult.Snapshot after = null;
      for (int i = 0; i < req.items().size(); i++) {
        CheckoutRequest.Item it = req.items().get(i);
        final int idx = i;
        CbbVersion v = cbbStores.cbbs().find(it.cbbId(), it.version())
            .orElseThrow(() -> new GenRtlException(ErrorCode.NOT_FOUND, it.cbbId() + "@" + it.version() + " is not published",
                Map.of("field", "items[" + idx + "]")));
        String via = owned.get(v.cbbId() + "@" + v.version());
        if (via != null) {
          items.add(new Receipt.Item(i, v.cbbId(), v.version(), 0, true, via));
          already.add(new AlreadyOwned(v.cbbId(), v.version(), via));
          continue;
        }
        if (v.yanked()) {
          throw new GenRtlException(ErrorCode.UNPROCESSABLE, v.cbbId() + "@" + v.version() + " was yanked; choose another version",
              Map.of("field", "items[" + idx + "]"));
        }
        long price = v.manifest().priceMicros();
        ChargeResult r = pool.charge(new ChargeRequest(buyer.userId(), UsageKind.CBB, price, null, null,
            new Attribution(req.jobId(), null, ws.workspaceId()), null,
            new CbbPurchase(v.cbbId(), v.version(), price, receiptId), "checkout " + req.idempotencyKey()));
        for (LedgerEntry e : r.entries()) charged.add(new Charged(v.cbbId(), v.version(), e.bucket().wire(), e.usdMicros()));
        after = r.after();
        items.add(new Receipt.Item(i, v.cbbId(), v.version(), price, false, receiptId));
      }
      if (after == null) {
        var a = poolStores.accounts().find(buyer.userId()).orElseThrow();
        after = ChargeResult.Snapshot.of(a);
      }
      Receipt receipt = new Receipt(receiptId, buyer.userId(), buyer.tenantId(), ws.workspaceId(), req.jobId(),
          req.idempotencyKey(), now, items);
      cbbStores.receipts().insert(receipt);
      poolStores.idempotency().complete(buyer.userId(), OP_CHECKOUT, req.idempotencyKey(), receiptId, after.encode());
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("user_id", buyer.userId());
      d.put("workspace_id", ws.workspaceId());
      d.put("items", items.stream().map(i -> i.cbbId() + "@" + i.version()).toList());
      d.put("charged_usd", Money.toUsd(charged.stream().mapToLong(Charged::micros).sum()));
      audit.record(io.genrtl.core.audit.AuditActions.CBB_CHECKOUT, "receipt", receiptId, buyer.tenantId(), d);
      return new CheckoutResult(receipt, charged, already, after, false);
    }
  }

  private CheckoutResult replay(String userId, String key, String fp) {
    IdempotencyRecord rec = poolStores.idempotency().find(userId, OP_CHECKOUT, key).orElseThrow();
    if (!rec.fingerprint().equals(fp)) {
      throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this idempotency key was used for a different checkout",
          Map.of("field", "idempotency_key"));
    }
    Receipt receipt = cbbStores.receipts().find(rec.resultRef()).orElseThrow();
    List<Charged> charged = new ArrayList<>();
    List<LedgerEntry> rows = receiptRows(receipt);
    for (Receipt.Item it : receipt.items()) {
      for (LedgerEntry e : rows) {
        if (e.cbb().cbbId().equals(it.cbbId()) && e.cbb().version().equals(it.version())) {
          charged.add(new Charged(it.cbbId(), it.version(), e.bucket().wire(), e.usdMicros()));
        }
      }
    }
    List<AlreadyOwned> already = receipt.items().stream().filter(Receipt.Item::alreadyOwned)
        .map(i -> new AlreadyOwned(i.cbbId(), i.version(), i.ownedVia())).toList();
    return new CheckoutResult(receipt, charged, already, ChargeResult.Snapshot.decode(rec.resultData()), true);
  }

  /**
   * The buyer named in the body: only the caller. A body naming another user as the actor is 403 for every role
   * (admins included): money is spent only by its owner.
   */
  private User actingFor(Principal p, String userId) {
    if (userId == null || userId.isBlank()) throw GenRtlException.invalid("user_id", "user_id is required");
    if (!userId.equals(p.userId())) {
      throw new GenRtlException(ErrorCode.FORBIDDEN, "you can only check out for yourself", Map.of("field", "user_id"));
    }
    return accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
  }

  private static String fingerprint(CheckoutRequest r) {
    StringBuilder sb = new StringBuilder().append(r.userId()).append('\0').append(r.workspaceId()).append('\0')
        .append(r.jobId()).append('\0');
    for (CheckoutRequest.Item it : r.items()) sb.append(it.cbbId()).append('@').append(it.version()).append('\0');
    return sha256Hex(sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------------------------------------ deliver

  public record DeliveredItem(String cbbId, String version, URI url, String sha256, long size, long expiresInSeconds) {}

  /**
   * Fresh download URLs for the items of a receipt that its owner still owns; only its owner (or an admin of its
   * tenant) may ask. Items whose purchase was refunded are left out; when none is left the answer is 403
   * {@code purchase_refunded}.
   */
  public List<DeliveredItem> deliver(Principal principal, String receiptId) {
    Receipt r = cbbStores.receipts().find(receiptId).orElseThrow(() -> GenRtlException.notFound("receipt"));
    if (!principal.canAccess(r.userId(), r.tenantId())) throw GenRtlException.notFound("receipt");
    long ttl = settings.deliveryTtl().toSeconds();
    long exp = clock.millis() / 1000 + ttl;
    Map<String, String> owned = cbbStores.receipts().owned(r.userId());
    List<DeliveredItem> out = new ArrayList<>();
    for (Receipt.Item it : r.items()) {
      if (!owned.containsKey(it.cbbId() + "@" + it.version())) continue;
      CbbVersion v = cbbStores.cbbs().find(it.cbbId(), it.version()).orElseThrow();
      URI url = blobs.presignedGet(v.blobKey(), settings.deliveryTtl())
          .orElseGet(() -> URI.create(settings.publicUrl() + "/api/cbb/download/" + sign(r.receiptId(), it.index(), exp)));
      out.add(new DeliveredItem(v.cbbId(), v.version(), url, v.sha256(), v.sizeBytes(), ttl));
    }
    if (out.isEmpty() && !r.items().isEmpty()) throw refunded(receiptId);
    return out;
  }

  /** What a valid download token points at. */
  public record Download(CbbVersion version, String fileName) {}

  /**
   * Verifies a download token (HMAC over receipt, item and expiry); a bad or expired token is forbidden, and so is
   * the token of a purchase refunded since it was issued ({@code purchase_refunded}: ownership is checked at download).
   */
  public Download download(String token) {
    String[] p = token == null ? new String[0] : token.split("\\.");
    if (p.length != 4 || p[0].length() > 64 || !p[1].matches("\\d{1,3}") || !p[2].matches("\\d{1,12}")) throw badToken();
    String expected = sign(p[0], Integer.parseInt(p[1]), Long.parseLong(p[2]));
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), token.getBytes(StandardCharsets.US_ASCII))) {
      throw badToken();
    }
    if (Long.parseLong(p[2]) * 1000 <= clock.millis()) {
      throw new GenRtlException(ErrorCode.FORBIDDEN, "this download link has expired; call /api/cbb/deliver again");
    }
    Receipt r = cbbStores.receipts().find(p[0]).orElseThrow(CbbService::badToken);
    int idx = Integer.parseInt(p[1]);
    Receipt.Item it = r.items().stream().filter(i -> i.index() == idx).findFirst().orElseThrow(CbbService::badToken);
    if (!cbbStores.receipts().owned(r.userId()).containsKey(it.cbbId() + "@" + it.version())) throw refunded(r.receiptId());
    CbbVersion v = cbbStores.cbbs().find(it.cbbId(), it.version()).orElseThrow(CbbService::badToken);
    return new Download(v, v.cbbId() + "-" + v.version() + "." + v.format().wire());
  }

  /**
   * The CBB version a receipt of {@code userId} covers and the user still owns (a tool run's package): someone else's
   * receipt, an unknown one, or a receipt that does not list {@code cbbId@version} all answer 404 ({@code field}
   * names the entry); a refunded purchase answers 403 {@code purchase_refunded}.
   */
  public CbbVersion ownedVersion(String userId, String receiptId, String cbbId, String version, String field) {
    Receipt r = cbbStores.receipts().find(receiptId).orElse(null);
    if (r == null || !r.userId().equals(userId)) {
      throw new GenRtlException(ErrorCode.NOT_FOUND, "receipt not found", Map.of("field", field));
    }
    boolean listed = r.items().stream().anyMatch(i -> i.cbbId().equals(cbbId) && i.version().equals(version));
    if (!listed) {
      throw new GenRtlException(ErrorCode.NOT_FOUND, "receipt " + receiptId + " does not include " + cbbId + "@" + version,
          Map.of("field", field));
    }
    if (!cbbStores.receipts().owned(userId).containsKey(cbbId + "@" + version)) {
      throw new GenRtlException(ErrorCode.PURCHASE_REFUNDED, cbbId + "@" + version + " was refunded; buy it again to use it",
          Map.of("field", field, "receipt_id", receiptId));
    }
    return cbbStores.cbbs().find(cbbId, version).orElseThrow(() -> GenRtlException.notFound("CBB version"));
  }

  private static GenRtlException refunded(String receiptId) {
    return new GenRtlException(ErrorCode.PURCHASE_REFUNDED, "this purchase was refunded: its packages are no longer "
        + "delivered; buy them again to download them", Map.of("receipt_id", receiptId));
  }

  public BlobStore blobs() {
    return blobs;
  }

  private static GenRtlException badToken() {
    return new GenRtlException(ErrorCode.FORBIDDEN, "this download link is not valid");
  }

  private String sign(String receiptId, int index, long expSeconds) {
    String payload = receiptId + "." + index + "." + expSeconds;
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(), "HmacSHA256"));
      byte[] sig = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
      return payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  private byte[] key() {
    byte[] k = signingKey;
    if (k == null) {
      byte[] fresh = new byte[32];
      new SecureRandom().nextBytes(fresh);
      String stored = tx.inTransaction(
          () -> meta.getOrCreate(SIGNING_KEY, HexFormat.of().formatHex(fresh), clock.millis()));
      k = HexFormat.of().parseHex(stored);
      signingKey = k;
    }
    return k;
  }

  static String sha256Hex(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The ledger rows of a receipt, oldest first (its charges are attributed to its job and workspace). */
  public List<LedgerEntry> receiptRows(Receipt r) {
    List<LedgerEntry> rows = new ArrayList<>();
    poolStores.ledger().forEach(new LedgerQuery(r.userId(), null, null, UsageKind.CBB, r.jobId(), r.workspaceId()), e -> {
      if (e.cbb() != null && r.receiptId().equals(e.cbb().receiptId())) rows.add(e);
    });
    rows.sort(Comparator.comparing(LedgerEntry::entryId));
    return rows;
  }
}
