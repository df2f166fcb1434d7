package io.genrtl.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.GenRtl;
import io.genrtl.core.Stores;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Workspace;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbService.CheckoutRequest;
import io.genrtl.core.cbb.CbbService.CheckoutResult;
import io.genrtl.core.cbb.CbbService.Requirement;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.cbb.FileSystemBlobStore;
import io.genrtl.core.cbb.PackageLimits;
import io.genrtl.core.cbb.Receipt;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CBB registry and its commerce, on every store adapter. */
public abstract class CbbContractTest {
  static final long USD = 1_000_000L;
  @TempDir Path tmp;
  protected MutableClock clock;
  protected Stores stores;
  protected GenRtl genrtl;
  protected CbbService cbb;
  protected TestPackages packages;
  protected Principal root;
  protected CreatedUser ann;
  protected Principal annP;
  protected Workspace annWs;

  protected abstract Stores createStores();

  protected void closeStores(Stores stores) {}

  @BeforeEach
  void setUpRegistry() throws Exception {
    clock = MutableClock.at("2026-02-01T00:00:00Z");
    stores = createStores();
    packages = new TestPackages(Files.createDirectories(tmp.resolve("pkgs")));
    genrtl = GenRtl.builder().stores(stores).clock(clock)
        .blobStore(new FileSystemBlobStore(tmp.resolve("blobs")))
        .packageInspector(packages)
        .cbbSettings(new CbbService.Settings("https://rtl.example", Duration.ofSeconds(300), PackageLimits.DEFAULTS))
        .build();
    cbb = genrtl.cbbs();
    root = Principal.of(genrtl.accounts().createUser(new NewUser("root@x.test", "ops", Role.SUPER_ADMIN, null)).user(), null);
    ann = genrtl.accounts().createUser(new NewUser("ann@x.test", "acme", Role.USER, "pro"));
    annP = Principal.of(ann.user(), null);
    annWs = genrtl.accounts().createWorkspace(annP, "soc");
    cbb.publish(root, packages.make("sync_fifo", "1.0.0", 0.5, "fifo", "memory"));
    cbb.publish(root, packages.make("sync_fifo", "1.2.0", 0.75, "fifo", "memory"));
    cbb.publish(root, packages.make("sync_fifo", "2.0.0", 1.0, "fifo", "memory"));
    cbb.publish(root, packages.make("uart", "1.0.0", 1.0, "uart", "serial"));
    cbb.publish(root, packages.make("crc32", "1.0.0", 0.25, "crc", "checksum"));
  }

  @AfterEach
  void tearDownRegistry() {
    closeStores(stores);
  }

  private static ErrorCode codeOf(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e.code();
    }
    throw new AssertionError("expected a GenRtlException");
  }

  private CheckoutRequest req(String key, String... idAtVersion) {
    List<CheckoutRequest.Item> items = new ArrayList<>();
    for (String s : idAtVersion) items.add(new CheckoutRequest.Item(s.split("@")[0], s.split("@")[1]));
    return new CheckoutRequest(ann.user().userId(), annWs.workspaceId(), "job-1", items, key);
  }

  @Test
  void versionsAreImmutableAndOnlySuperAdminsPublish() {
    Path same = packages.make("sync_fifo", "1.0.0", 0.5, List.of("fifo", "memory"), "2012", List.of("iverilog", "verilator"), "a");
    assertThat(cbb.publish(root, same).created()).as("same bytes again: no-op").isFalse();
    Path other = packages.make("sync_fifo", "1.0.0", 0.5, List.of("fifo"), "2012", List.of("iverilog"), "different");
    assertThat(codeOf(() -> cbb.publish(root, other))).isEqualTo(ErrorCode.CONFLICT);
    assertThat(codeOf(() -> cbb.publish(annP, packages.make("evil", "1.0.0", 0.1, "x")))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(stores.cbb().cbbs().find("evil", "1.0.0")).isEmpty();
    assertThat(cbb.versions("sync_fifo")).extracting(v -> v.version()).containsExactly("2.0.0", "1.2.0", "1.0.0");
    assertThat(codeOf(() -> cbb.versions("nope"))).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void resolveRecommendsTheHighestNonYankedMatch() {
    cbb.yank(root, "sync_fifo", "2.0.0");
    assertThat(codeOf(() -> cbb.yank(annP, "sync_fifo", "1.2.0"))).isEqualTo(ErrorCode.FORBIDDEN);
    List<List<CbbService.Candidate>> r = cbb.resolve(annP, List.of(
        new Requirement("sync_fifo", "^1.0", null, null, null, null),
        new Requirement(null, null, List.of("FIFO"), "verilator", "2017", null),
        new Requirement(null, null, null, null, null, "uart serial transmitter"),
        new Requirement("sync_fifo", ">=3", null, null, null, null),
        new Requirement(null, null, null, null, "2005", null)));
    assertThat(r.get(0)).singleElement().satisfies(c -> {
      assertThat(c.recommended().version()).isEqualTo("1.2.0");
      assertThat(c.versions()).containsExactly("1.2.0", "1.0.0");
      assertThat(c.owned()).isFalse();
    });
    assertThat(r.get(1)).extracting(c -> c.recommended().cbbId()).containsExactly("sync_fifo");
    assertThat(r.get(2).get(0).recommended().cbbId()).isEqualTo("uart");
    assertThat(r.get(3)).isEmpty();
    assertThat(r.get(4)).as("a 2012 package does not fit a 2005 flow").isEmpty();
    assertThat(cbb.catalog(null, null)).extracting(v -> v.cbbId() + "@" + v.version())
        .containsExactly("crc32@1.0.0", "sync_fifo@1.2.0", "uart@1.0.0");
    assertThat(codeOf(() -> cbb.resolve(annP, List.of(new Requirement(null, "not a range!", null, null, null, null)))))
        .isEqualTo(ErrorCode.VALIDATION_FAILED);
  }

  @Test
  void checkoutChargesEachItemOncePerBucketAndReplays() {
    genrtl.pool().setOnDemandLimit(ann.user().userId(), 10 * USD);
    genrtl.pool().charge(io.genrtl.core.pool.ChargeRequest.of(ann.user().userId(), io.genrtl.core.pool.UsageKind.LLM, 19_600_000L, "pre"));
    CheckoutResult r = cbb.checkout(annP, req("co-1", "sync_fifo@1.2.0", "crc32@1.0.0"));
    assertThat(r.replayed()).isFalse();
    // 0.40 left of included: the fifo (0.75) straddles included and on-demand; the crc (0.25) is on-demand
    assertThat(r.charged()).extracting(c -> c.cbbId() + ":" + c.bucket() + ":" + c.micros())
        .containsExactly("sync_fifo:included:400000", "sync_fifo:on_demand:350000", "crc32:on_demand:250000");
    assertThat(r.alreadyOwned()).isEmpty();
    assertThat(r.balancesAfter().onDemandSpentMicros()).isEqualTo(600_000);
    assertThat(cbb.receiptRows(r.receipt())).hasSize(3).allSatisfy(e -> {
      assertThat(e.cbb().receiptId()).isEqualTo(r.receipt().receiptId());
      assertThat(e.attribution().workspaceId()).isEqualTo(annWs.workspaceId());
      assertThat(e.attribution().jobId()).isEqualTo("job-1");
    });

    CheckoutResult again = cbb.checkout(annP, req("co-1", "sync_fifo@1.2.0", "crc32@1.0.0"));
    assertThat(again.replayed()).isTrue();
    assertThat(again.receipt().receiptId()).isEqualTo(r.receipt().receiptId());
    assertThat(again.charged()).isEqualTo(r.charged());
    assertThat(again.balancesAfter()).isEqualTo(r.balancesAfter());
    assertThat(codeOf(() -> cbb.checkout(annP, req("co-1", "sync_fifo@1.2.0")))).isEqualTo(ErrorCode.IDEMPOTENCY_KEY_REUSED);

    CheckoutResult owned = cbb.checkout(annP, req("co-2", "crc32@1.0.0", "uart@1.0.0"));
    assertThat(owned.alreadyOwned()).singleElement().satisfies(o -> {
      assertThat(o.cbbId()).isEqualTo("crc32");
      assertThat(o.receiptId()).isEqualTo(r.receipt().receiptId());
    });
    assertThat(owned.charged()).extracting(c -> c.cbbId()).containsOnly("uart");
    assertThat(owned.receipt().items()).hasSize(2);
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
    assertThat(cbb.purchases(annP, io.genrtl.core.base.PageRequest.firstDefault()).items()).hasSize(2);
  }

  @Test
  void checkoutIsAllOrNothingAndChecksWhoAndWhere() {
    // Pro: $20 included, on-demand off. Two fifos of $1 + ... make the second item unaffordable
    genrtl.pool().charge(io.genrtl.core.pool.ChargeRequest.of(ann.user().userId(), io.genrtl.core.pool.UsageKind.LLM, 19_500_000L, "pre"));
    assertThat(codeOf(() -> cbb.checkout(annP, req("co", "crc32@1.0.0", "uart@1.0.0")))).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).as("nothing charged").isEqualTo(500_000);
    assertThat(cbb.owned(ann.user().userId())).isEmpty();
    assertThat(cbb.checkout(annP, req("co", "crc32@1.0.0")).receipt().items()).as("the key is free again").hasSize(1);

    assertThat(codeOf(() -> cbb.checkout(annP, req(null, "uart@1.0.0")))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> cbb.checkout(annP, req("k")))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> cbb.checkout(annP, req("k", "uart@1.0.0", "uart@1.0.0")))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> cbb.checkout(annP, req("k", "uart@9.9.9")))).isEqualTo(ErrorCode.NOT_FOUND);

    CreatedUser bob = genrtl.accounts().createUser(new NewUser("bob@x.test", "acme", Role.USER, "pro"));
    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro"));
    Principal eveP = Principal.of(eve.user(), null);
    Workspace eveWs = genrtl.accounts().createWorkspace(eveP, "theirs");
    // another user as the buyer: 403
    assertThat(codeOf(() -> cbb.checkout(eveP, req("k2", "uart@1.0.0")))).isEqualTo(ErrorCode.FORBIDDEN);
    // another tenant's workspace, or one the buyer is not a member of: 404
    assertThat(codeOf(() -> cbb.checkout(annP, new CheckoutRequest(ann.user().userId(), eveWs.workspaceId(), null,
        List.of(new CheckoutRequest.Item("uart", "1.0.0")), "k3")))).isEqualTo(ErrorCode.NOT_FOUND);
    Workspace bobWs = genrtl.accounts().createWorkspace(Principal.of(bob.user(), null), "bobs");
    assertThat(codeOf(() -> cbb.checkout(annP, new CheckoutRequest(ann.user().userId(), bobWs.workspaceId(), null,
        List.of(new CheckoutRequest.Item("uart", "1.0.0")), "k4")))).isEqualTo(ErrorCode.NOT_FOUND);
    genrtl.pool().grantCredits(ann.user().userId(), 5 * USD, "pack", "credit_pack", null, null);
    assertThat(cbb.checkout(annP, req("k5", "uart@1.0.0")).receipt().userId()).isEqualTo(ann.user().userId());
    // a yanked version cannot be bought, but owners keep it
    cbb.yank(root, "uart", "1.0.0");
    assertThat(cbb.checkout(annP, req("k6", "uart@1.0.0")).alreadyOwned()).hasSize(1);
    assertThat(codeOf(() -> cbb.checkout(Principal.of(bob.user(), null), new CheckoutRequest(bob.user().userId(),
        bobWs.workspaceId(), null, List.of(new CheckoutRequest.Item("uart", "1.0.0")), "k7")))).isEqualTo(ErrorCode.UNPROCESSABLE);
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
  }

  @Test
  void deliverSignsShortLivedUrlsForTheOwnerOnly() throws Exception {
    CheckoutResult r = cbb.checkout(annP, req("co", "sync_fifo@1.0.0", "uart@1.0.0"));
    List<CbbService.DeliveredItem> items = cbb.deliver(annP, r.receipt().receiptId());
    assertThat(items).hasSize(2).allSatisfy(i -> {
      assertThat(i.url().toString()).startsWith("https://rtl.example/api/cbb/download/");
      assertThat(i.expiresInSeconds()).isEqualTo(300);
      assertThat(i.sha256()).hasSize(64);
    });
    String token = token(items.get(0).url());
    CbbService.Download d = cbb.download(token);
    assertThat(d.version().cbbId()).isEqualTo("sync_fifo");
    try (InputStream in = cbb.blobs().open(d.version().blobKey(), 0, Long.MAX_VALUE)) {
      assertThat(in.readAllBytes()).hasSize((int) items.get(0).size());
    }
    String tampered = token.substring(0, token.indexOf('.')) + ".1" + token.substring(token.indexOf('.') + 2);
    assertThat(codeOf(() -> cbb.download(tampered))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> cbb.download(token + "x"))).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(codeOf(() -> cbb.download("garbage"))).isEqualTo(ErrorCode.FORBIDDEN);

    CreatedUser eve = genrtl.accounts().createUser(new NewUser("eve@y.test", "evil", Role.USER, "pro"));
    assertThat(codeOf(() -> cbb.deliver(Principal.of(eve.user(), null), r.receipt().receiptId()))).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(codeOf(() -> cbb.deliver(annP, "NOPE"))).isEqualTo(ErrorCode.NOT_FOUND);

    clock.advance(Duration.ofSeconds(300));
    assertThat(codeOf(() -> cbb.download(token))).isEqualTo(ErrorCode.FORBIDDEN);
    String fresh = token(cbb.deliver(annP, r.receipt().receiptId()).get(0).url());
    assertThat(fresh).isNotEqualTo(token);
    assertThat(cbb.download(fresh).version().cbbId()).isEqualTo("sync_fifo");
    // yanked versions stay deliverable to their owners
    cbb.yank(root, "sync_fifo", "1.0.0");
    assertThat(cbb.download(token(cbb.deliver(annP, r.receipt().receiptId()).get(0).url())).version().yanked()).isTrue();
  }

  /** Low finding: an admin checking out with another user as the buyer was charged to that user; now 403 for every role. */
  @Test
  void low_checkoutForAnotherUserIs403() {
    Principal adm = Principal.of(genrtl.accounts().createUser(new NewUser("adm@x.test", "acme", Role.TENANT_ADMIN, null)).user(), null);
    long before = genrtl.pool().balance(ann.user().userId()).includedMicros();
    GenRtlException e = thrown(() -> cbb.checkout(adm, req("behalf-1", "uart@1.0.0")));
    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(e.details()).containsEntry("field", "user_id");
    assertThat(codeOf(() -> cbb.checkout(root, req("behalf-2", "uart@1.0.0")))).as("super admins too").isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).as("the member was not charged").isEqualTo(before);
    assertThat(cbb.owned(ann.user().userId())).isEmpty();
    assertThat(stores.pool().idempotency().find(ann.user().userId(), CbbService.OP_CHECKOUT, "behalf-1")).isEmpty();
  }

  /**
   * H1: a refund of a {@code cbb} row refunds the whole item (every bucket's row) and revokes the buyer's ownership:
   * deliver leaves it out (403 {@code purchase_refunded} when nothing is left), a download token issued before stops
   * working, a tool run cannot name it, and buying it again charges again.
   */
  @Test
  void h1_refundOfACbbPurchaseRevokesOwnershipDeliveryAndDownloads() {
    genrtl.pool().setOnDemandLimit(ann.user().userId(), 10 * USD);
    genrtl.pool().charge(io.genrtl.core.pool.ChargeRequest.of(ann.user().userId(), io.genrtl.core.pool.UsageKind.LLM, 19_600_000L, "pre"));
    CheckoutResult r = cbb.checkout(annP, req("co-r", "sync_fifo@1.2.0"));
    String receiptId = r.receipt().receiptId();
    List<io.genrtl.core.pool.LedgerEntry> rows = cbb.receiptRows(r.receipt());
    assertThat(rows).as("0.40 included + 0.35 on-demand").hasSize(2);
    String token = token(cbb.deliver(annP, receiptId).get(0).url());
    assertThat(cbb.download(token).version().version()).isEqualTo("1.2.0");
    long includedBefore = genrtl.pool().balance(ann.user().userId()).includedMicros();

    io.genrtl.core.pool.ChargeResult refund = genrtl.admin().refund(root, rows.get(1).entryId(), null, "broken package", "rf-1");
    assertThat(refund.entries()).as("one refund row per bucket of the item").hasSize(2)
        .extracting(e -> e.refundOf()).containsExactlyInAnyOrder(rows.get(0).entryId(), rows.get(1).entryId());
    assertThat(refund.entries()).extracting(e -> e.usdMicros()).containsExactlyInAnyOrder(-400_000L, -350_000L);
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).isEqualTo(includedBefore + 400_000);
    assertThat(cbb.owned(ann.user().userId())).doesNotContainKey("sync_fifo@1.2.0");
    assertThat(codeOf(() -> cbb.deliver(annP, receiptId))).isEqualTo(ErrorCode.PURCHASE_REFUNDED);
    assertThat(codeOf(() -> cbb.download(token))).as("a token issued before the refund").isEqualTo(ErrorCode.PURCHASE_REFUNDED);
    assertThat(codeOf(() -> cbb.ownedVersion(ann.user().userId(), receiptId, "sync_fifo", "1.2.0", "cbbs[0]")))
        .isEqualTo(ErrorCode.PURCHASE_REFUNDED);
    // the same key replays; the other row of the item has nothing left; the refund rows cannot be refunded
    assertThat(genrtl.admin().refund(root, rows.get(1).entryId(), null, "broken package", "rf-1").replayed()).isTrue();
    assertThat(codeOf(() -> genrtl.admin().refund(root, rows.get(0).entryId(), null, "again", "rf-2"))).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(codeOf(() -> genrtl.admin().refund(root, refund.entries().get(0).entryId(), null, "x", "rf-3")))
        .isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();

    // bought again: charged again, delivered again (the old receipt's token too, since the version is owned again)
    CheckoutResult again = cbb.checkout(annP, req("co-r2", "sync_fifo@1.2.0"));
    assertThat(again.alreadyOwned()).isEmpty();
    assertThat(again.charged().stream().mapToLong(c -> c.micros()).sum()).isEqualTo(750_000L);
    assertThat(cbb.deliver(annP, again.receipt().receiptId())).hasSize(1);
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
  }

  /** H1: a partial refund of a cbb row would leave the package delivered for less: 422, nothing changes. */
  @Test
  void h1_partialRefundOfACbbPurchaseIsRefused() {
    CheckoutResult r = cbb.checkout(annP, req("co-p", "sync_fifo@1.2.0", "uart@1.0.0"));
    io.genrtl.core.pool.LedgerEntry fifo = cbb.receiptRows(r.receipt()).stream()
        .filter(e -> e.cbb().cbbId().equals("sync_fifo")).findFirst().orElseThrow();
    long before = genrtl.pool().balance(ann.user().userId()).includedMicros();
    GenRtlException e = thrown(() -> genrtl.admin().refund(root, fifo.entryId(), 100_000L, "half", "p-1"));
    assertThat(e.code()).isEqualTo(ErrorCode.PARTIAL_REFUND_NOT_ALLOWED);
    assertThat(e.details()).containsEntry("field", "amount_usd");
    assertThat(genrtl.pool().balance(ann.user().userId()).includedMicros()).isEqualTo(before);
    assertThat(stores.pool().ledger().refundedAgainst(fifo.entryId())).isZero();
    assertThat(cbb.owned(ann.user().userId())).containsKeys("sync_fifo@1.2.0", "uart@1.0.0");
    // the whole item, named as an amount, is accepted; the receipt's other item stays delivered
    assertThat(genrtl.admin().refund(root, fifo.entryId(), 750_000L, "whole", "p-2").entries()).hasSize(1);
    assertThat(cbb.deliver(annP, r.receipt().receiptId())).extracting(i -> i.cbbId()).containsExactly("uart");
    assertThat(genrtl.pool().verify(ann.user().userId()).problems()).isEmpty();
  }

  /** The store's side of a revocation: only the receipt the version was bought through, once. */
  @Test
  void receiptStoreRevokesOwnershipOnceAndOnlyThroughItsReceipt() {
    CheckoutResult r = cbb.checkout(annP, req("co-s", "crc32@1.0.0"));
    String id = ann.user().userId();
    assertThat(stores.transactor().inTransaction(() -> stores.cbb().receipts().revoke(id, "crc32", "1.0.0", "OTHER"))).isFalse();
    assertThat(stores.cbb().receipts().owned(id)).containsEntry("crc32@1.0.0", r.receipt().receiptId());
    assertThat(stores.transactor().inTransaction(() -> stores.cbb().receipts().revoke(id, "crc32", "1.0.0", r.receipt().receiptId()))).isTrue();
    assertThat(stores.transactor().inTransaction(() -> stores.cbb().receipts().revoke(id, "crc32", "1.0.0", r.receipt().receiptId()))).isFalse();
    assertThat(stores.cbb().receipts().owned(id)).isEmpty();
    assertThat(stores.cbb().receipts().find(r.receipt().receiptId())).as("the receipt itself stays").isPresent();
    // a revoked version can be owned again through a new receipt
    CheckoutResult again = cbb.checkout(annP, req("co-s2", "crc32@1.0.0"));
    assertThat(stores.cbb().receipts().owned(id)).containsEntry("crc32@1.0.0", again.receipt().receiptId());
  }

  private static GenRtlException thrown(Runnable r) {
    try {
      r.run();
    } catch (GenRtlException e) {
      return e;
    }
    throw new AssertionError("expected a GenRtlException");
  }

  private static String token(URI url) {
    String s = url.toString();
    return s.substring(s.lastIndexOf('/') + 1);
  }

  /** 50 buyers, 4 concurrent requests each with the buyer's key: 50 receipts, each price charged once. */
  @Test
  void concurrentDuplicateCheckoutsMakeOneReceiptPerKey() throws Exception {
    int buyers = 50;
    List<CreatedUser> users = new ArrayList<>();
    List<Workspace> spaces = new ArrayList<>();
    for (int i = 0; i < buyers; i++) {
      CreatedUser u = genrtl.accounts().createUser(new NewUser("b" + i + "@x.test", "acme", Role.USER, "pro"));
      users.add(u);
      spaces.add(genrtl.accounts().createWorkspace(Principal.of(u.user(), null), "w"));
    }
    Map<Integer, List<String>> receiptsByBuyer = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    StoreContractTest.hammer(16, () -> {
      int n;
      while ((n = next.getAndIncrement()) < buyers * 4) {
        int b = n % buyers;
        CreatedUser u = users.get(b);
        CheckoutResult r = cbb.checkout(Principal.of(u.user(), null), new CheckoutRequest(u.user().userId(),
            spaces.get(b).workspaceId(), null, List.of(new CheckoutRequest.Item("uart", "1.0.0")), "key-" + b));
        receiptsByBuyer.computeIfAbsent(b, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(r.receipt().receiptId());
      }
      return null;
    });
    assertThat(receiptsByBuyer).hasSize(buyers);
    receiptsByBuyer.values().forEach(l -> assertThat(l).hasSize(4).containsOnly(l.get(0)));
    long total = 0;
    for (CreatedUser u : users) {
      assertThat(genrtl.pool().verify(u.user().userId()).problems()).isEmpty();
      assertThat(cbb.purchases(Principal.of(u.user(), null), io.genrtl.core.base.PageRequest.firstDefault()).items()).hasSize(1);
      total += 20 * USD - genrtl.pool().balance(u.user().userId()).includedMicros();
    }
    assertThat(total).isEqualTo(buyers * USD);
    Receipt any = stores.cbb().receipts().find(receiptsByBuyer.get(0).get(0)).orElseThrow();
    assertThat(any.items()).singleElement().satisfies(i -> assertThat(i.priceMicros()).isEqualTo(USD));
  }
}
