package io.genrtl.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** resolve → checkout → deliver → install against a real host on SQLite with the seed catalog; verify; expiry; tamper. */
class CbbInstallerHostTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();

  @TempDir Path tmp;
  HostFixture host;
  GenRtlClient ann;
  String annWs;

  @BeforeEach
  void start() {
    host = new HostFixture(tmp.resolve("data"), Map.of());
    ann = host.client(host.user("ann@acme.test", "pro")[1]);
    annWs = ann.createWorkspace("soc").workspaceId();
  }

  @AfterEach
  void stop() {
    host.close();
  }

  private String buy(String key, String... ids) {
    List<Cbb.Resolution> res = ann.resolve(Stream.of(ids).map(id -> Cbb.Requirement.id(id, "^1")).toList());
    List<Cbb.Item> items = res.stream().map(r -> {
      Cbb.Candidate c = r.candidates().get(0);
      return new Cbb.Item(c.cbbId(), c.version());
    }).toList();
    return ann.checkout(new Cbb.CheckoutRequest(annWs, null, items), key).receiptId();
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void resolveCheckoutDeliverInstallAndTheLockIsByteStable() throws Exception {
    List<Cbb.Resolution> res = ann.resolve(List.of(new Cbb.Requirement("sync_fifo", "^1", List.of("fifo"), "iverilog", "2012", null)));
    Cbb.Candidate fifo = res.get(0).candidates().get(0);
    assertThat(fifo.cbbId()).isEqualTo("sync_fifo");
    assertThat(fifo.priceMicros()).isEqualTo(500_000);
    assertThat(fifo.entrypoints().filelistRtl()).isEqualTo("scripts/filelist_rtl.f");
    assertThat(fifo.owned()).isFalse();

    Cbb.CheckoutRequest order = new Cbb.CheckoutRequest(annWs, null,
        List.of(new Cbb.Item("sync_fifo", fifo.version()), new Cbb.Item("uart", "1.0.0")));
    Cbb.Checkout first = ann.checkout(order, "order-1");
    assertThat(first.replayed()).isFalse();
    assertThat(first.charged()).extracting(Cbb.Charged::priceMicros).containsExactly(500_000L, 1_000_000L);
    assertThat(first.includedMicrosAfter()).isEqualTo(18_500_000);
    Cbb.Checkout again = ann.checkout(order, "order-1");
    assertThat(again.replayed()).isTrue();
    assertThat(again.receiptId()).isEqualTo(first.receiptId());
    assertThat(ann.balance().includedMicros()).isEqualTo(18_500_000);

    Path tree = Files.createDirectories(tmp.resolve("tree"));
    CbbInstaller installer = CbbInstaller.create(ann, tree);
    CbbLock lock = installer.install(first.receiptId());
    assertThat(lock.packages()).extracting(CbbLock.Entry::id).containsExactly("sync_fifo", "uart");
    Path rtl = tree.resolve("vendor/cbb/sync_fifo/" + fifo.version() + "/rtl/sync_fifo.sv");
    assertThat(rtl).hasSameBinaryContentAs(CATALOG.resolve("sync_fifo/rtl/sync_fifo.sv"));
    // (the mode, not Files.isWritable: tests may run as root, who can write anything)
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(rtl))).isEqualTo("r--r--r--");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(
        tree.resolve("vendor/cbb/uart/1.0.0/scripts/run_iverilog.sh")))).isEqualTo("r-xr-xr-x");
    assertThat(tree.resolve("vendor/cbb/uart/1.0.0/manifest.json")).exists();
    assertThat(tree.resolve(".genrtl/tmp")).isEmptyDirectory();

    byte[] lockBytes = Files.readAllBytes(tree.resolve("genrtl.lock"));
    String text = new String(lockBytes, StandardCharsets.UTF_8);
    Cbb.DeliveryItem fifoItem = ann.deliver(first.receiptId()).items().get(0);
    assertThat(text).startsWith("{\n  \"lock_version\": 1,\n  \"packages\": [\n    {\n      \"id\": \"sync_fifo\",\n")
        .contains("\"sha256\": \"" + fifoItem.sha256() + "\"").contains("\"size\": " + fifoItem.size() + ",")
        .contains("\"receipt_id\": \"" + first.receiptId() + "\"")
        .contains("\"rtl/sync_fifo.sv\": \"" + sha256(Files.readAllBytes(CATALOG.resolve("sync_fifo/rtl/sync_fifo.sv"))) + "\"")
        .endsWith("}\n");
    assertThat(text.indexOf("\"id\": \"sync_fifo\"")).isLessThan(text.indexOf("\"id\": \"uart\""));
    assertThat(CbbLock.read(tree).text()).isEqualTo(text);
    assertThat(installer.verify().ok()).isTrue();

    // the same install again, and into a fresh tree: byte-identical lock
    installer.install(first.receiptId());
    assertThat(Files.readAllBytes(tree.resolve("genrtl.lock"))).isEqualTo(lockBytes);
    Path other = Files.createDirectories(tmp.resolve("other"));
    CbbInstaller.create(ann, other).install(first.receiptId());
    assertThat(Files.readAllBytes(other.resolve("genrtl.lock"))).isEqualTo(lockBytes);
    assertThat(other.resolve("vendor/cbb/sync_fifo/" + fifo.version() + "/rtl/sync_fifo.sv")).hasSameBinaryContentAs(rtl);
  }

  @Test
  void verifyReportsEditedMissingAndExtraFiles() throws Exception {
    String receipt = buy("v-1", "uart");
    Path tree = Files.createDirectories(tmp.resolve("tree"));
    CbbInstaller installer = CbbInstaller.create(ann, tree);
    installer.install(receipt);
    assertThat(installer.verify().findings()).isEmpty();

    Path dir = tree.resolve("vendor/cbb/uart/1.0.0");
    Path tx = dir.resolve("rtl/uart_tx.sv");
    tx.toFile().setWritable(true);
    Files.writeString(tx, "// patched by hand\n", java.nio.file.StandardOpenOption.APPEND);
    Files.delete(dir.resolve("rtl/uart_rx.sv"));
    Files.writeString(dir.resolve("rtl/extra.sv"), "module extra; endmodule\n");
    Files.createDirectories(tree.resolve("vendor/cbb/stray/0.1.0"));
    Files.createSymbolicLink(tree.resolve("vendor/cbb/stray/0.1.0/link.sv"), Path.of("/etc/hostname"));

    assertThat(installer.verify().findings()).containsExactly(
        new CbbInstaller.Finding(CbbInstaller.Kind.EXTRA, "vendor/cbb/stray/0.1.0/link.sv"),
        new CbbInstaller.Finding(CbbInstaller.Kind.EXTRA, "vendor/cbb/uart/1.0.0/rtl/extra.sv"),
        new CbbInstaller.Finding(CbbInstaller.Kind.MISSING, "vendor/cbb/uart/1.0.0/rtl/uart_rx.sv"),
        new CbbInstaller.Finding(CbbInstaller.Kind.EDITED, "vendor/cbb/uart/1.0.0/rtl/uart_tx.sv"));

    // reinstalling repairs the package (the edited copy is replaced; files outside the package are left alone)
    installer.install(receipt);
    assertThat(installer.verify().findings()).containsExactly(
        new CbbInstaller.Finding(CbbInstaller.Kind.EXTRA, "vendor/cbb/stray/0.1.0/link.sv"));
    assertThat(tx).hasSameBinaryContentAs(CATALOG.resolve("uart/rtl/uart_tx.sv"));
    Files.delete(tree.resolve("vendor/cbb/stray/0.1.0/link.sv"));
  }

  @Test
  void anExpiredDownloadUrlIsRefreshedByOneMoreDeliver() {
    String receipt = buy("e-1", "sync_fifo");
    Cbb.Delivery old = ann.deliver(receipt);
    host.clock.advance(Duration.ofSeconds(301)); // the URLs live 300 s
    GenRtlApiException expired = org.junit.jupiter.api.Assertions.assertThrows(GenRtlApiException.class,
        () -> ann.download(old.items().get(0), new ByteArrayOutputStream()));
    assertThat(expired.status()).isEqualTo(403);
    assertThat(expired.code()).isEqualTo("forbidden");
    assertThat(expired.getMessage()).doesNotContain(old.items().get(0).url().getPath().substring(20));

    Path tree = tmp.resolve("tree");
    CbbLock lock = CbbInstaller.create(ann, tree).install(old);
    assertThat(lock.packages()).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo("sync_fifo"));
    assertThat(CbbInstaller.create(ann, tree).verify().ok()).isTrue();
  }

  @Test
  void aTamperedDownloadIsRefusedAndNothingIsInstalled() throws Exception {
    String receipt = buy("t-1", "sync_fifo");
    Cbb.DeliveryItem item = ann.deliver(receipt).items().get(0);
    // flip one byte of the stored package, keeping its size: the host serves it, the client must refuse it
    Path blob;
    try (Stream<Path> s = Files.walk(tmp.resolve("data/blobs"))) {
      blob = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).filter(p -> {
        try {
          return sha256(Files.readAllBytes(p)).equals(item.sha256());
        } catch (Exception e) {
          return false;
        }
      }).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 0x55;
    blob.toFile().setWritable(true);
    Files.write(blob, bytes);

    Path tree = Files.createDirectories(tmp.resolve("tree"));
    CbbInstaller installer = CbbInstaller.create(ann, tree);
    assertThatThrownBy(() -> installer.install(receipt)).isInstanceOf(GenRtlClient.IntegrityException.class)
        .hasMessageContaining("SHA-256").hasMessageContaining("sync_fifo@");
    assertThat(tree.resolve("genrtl.lock")).doesNotExist();
    assertThat(tree.resolve("vendor/cbb")).isEmptyDirectory();
    assertThat(tree.resolve(".genrtl/tmp")).isEmptyDirectory();
  }
}
