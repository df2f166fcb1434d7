package io.genrtl.client;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile packages, built here, served by a fake host (WireMock) with their correct size and SHA-256, so only the
 * unpacking can stop them: each is refused with its reason and nothing is installed, inside or outside the tree.
 */
class CbbInstallerHostileTest {
  @TempDir Path tmp;
  WireMockServer wm;
  GenRtlClient api;
  Path tree;

  @BeforeEach
  void start() throws IOException {
    wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
    wm.start();
    api = GenRtlClient.builder().baseUrl(wm.baseUrl()).apiKey("grtl_k_s").sleeper(d -> { }).build();
    tree = Files.createDirectories(tmp.resolve("work/tree"));
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  private void serve(String id, byte[] pkg) throws Exception {
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pkg));
    wm.stubFor(post("/api/cbb/deliver").willReturn(okJson("{\"receipt_id\":\"r1\",\"items\":[{\"cbb_id\":\"" + id
        + "\",\"version\":\"1.0.0\",\"url\":\"" + wm.baseUrl() + "/dl/tok\",\"sha256\":\"" + sha + "\",\"size\":" + pkg.length
        + ",\"expires_in\":300}]}")));
    wm.stubFor(get("/dl/tok").willReturn(aResponse().withStatus(200).withBody(pkg)));
  }

  private void assertRefused(String reason, CbbInstaller.Limits limits) {
    CbbInstaller installer = CbbInstaller.create(api, tree, limits);
    assertThatThrownBy(() -> installer.install("r1")).isInstanceOfSatisfying(CbbInstaller.InstallException.class,
        e -> assertThat(e.reason()).isEqualTo(reason));
    assertThat(tree.resolve("genrtl.lock")).doesNotExist();
    assertEmptyIfThere(tree.resolve("vendor/cbb"));
    assertEmptyIfThere(tree.resolve(".genrtl/tmp"));
    assertThat(tmp.resolve("work/evil")).doesNotExist();
    assertThat(tmp.resolve("evil")).doesNotExist();
  }

  private static void assertEmptyIfThere(Path dir) {
    if (Files.exists(dir)) assertThat(dir).isEmptyDirectory();
  }

  private void assertRefused(String reason) {
    assertRefused(reason, CbbInstaller.Limits.DEFAULTS);
  }

  interface ZipBody {
    void write(ZipArchiveOutputStream z) throws IOException;
  }

  static byte[] zip(ZipBody body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(b)) {
      body.write(z);
    }
    return b.toByteArray();
  }

  static void zipFile(ZipArchiveOutputStream z, String name, byte[] data) throws IOException {
    ZipArchiveEntry e = new ZipArchiveEntry(name);
    z.putArchiveEntry(e);
    z.write(data);
    z.closeArchiveEntry();
  }

  interface TarBody {
    void write(TarArchiveOutputStream t) throws IOException;
  }

  static byte[] tarGz(TarBody body) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(new GZIPOutputStream(b))) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      body.write(t);
    }
    return b.toByteArray();
  }

  static void tarFile(TarArchiveOutputStream t, String name, byte[] data) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(data.length);
    t.putArchiveEntry(e);
    t.write(data);
    t.closeArchiveEntry();
  }

  static void tarSpecial(TarArchiveOutputStream t, String name, byte flag, String link) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, flag);
    if (link != null) e.setLinkName(link);
    t.putArchiveEntry(e);
    t.closeArchiveEntry();
  }

  static final byte[] OK = "module ok; endmodule\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void aWellFormedPackageFromTheFakeHostInstalls() throws Exception {
    serve("good", tarGz(t -> {
      tarFile(t, "manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
      tarFile(t, "./rtl/ok.sv", OK);
    }));
    CbbLock lock = CbbInstaller.create(api, tree).install("r1");
    assertThat(lock.packages().get(0).files()).containsOnlyKeys("manifest.json", "rtl/ok.sv");
    assertThat(tree.resolve("vendor/cbb/good/1.0.0/rtl/ok.sv")).hasBinaryContent(OK);
    wm.verify(getRequestedFor(urlEqualTo("/dl/tok")).withoutHeader("Authorization")); // the key never goes to a download URL
  }

  @Test
  void zipEscapesAreRefused() throws Exception {
    serve("z", zip(z -> {
      zipFile(z, "rtl/ok.sv", OK);
      zipFile(z, "../../evil", OK);
    }));
    assertRefused("unsafe_path");
    serve("z", zip(z -> zipFile(z, "/tmp/evil", OK)));
    assertRefused("unsafe_path");
    serve("z", zip(z -> zipFile(z, "rtl/../../evil", OK)));
    assertRefused("unsafe_path");
    serve("z", zip(z -> zipFile(z, "rtl\\..\\..\\evil", OK)));
    assertRefused("unsafe_path");
    serve("z", zip(z -> zipFile(z, "C:/evil", OK)));
    assertRefused("unsafe_path");
    serve("z", zip(z -> {
      zipFile(z, "rtl/ok.sv", OK);
      zipFile(z, "rtl/ok.sv", "module evil; endmodule".getBytes(StandardCharsets.UTF_8));
    }));
    assertRefused("duplicate_entry");
  }

  @Test
  void zipSymlinksAndDevicesAreRefused() throws Exception {
    serve("z", zip(z -> {
      ZipArchiveEntry e = new ZipArchiveEntry("rtl/link.sv");
      e.setUnixMode(0120777); // a symbolic link to /etc/passwd
      z.putArchiveEntry(e);
      z.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
    }));
    assertRefused("link");
    serve("z", zip(z -> {
      ZipArchiveEntry e = new ZipArchiveEntry("dev/null");
      e.setUnixMode(0020666); // a character device
      z.putArchiveEntry(e);
      z.closeArchiveEntry();
    }));
    assertRefused("special_file");
  }

  @Test
  void tarLinksDevicesAndEscapesAreRefused() throws Exception {
    serve("t", tarGz(t -> {
      tarFile(t, "rtl/ok.sv", OK);
      tarSpecial(t, "rtl/passwd", TarArchiveEntry.LF_SYMLINK, "/etc/passwd");
    }));
    assertRefused("link");
    serve("t", tarGz(t -> tarSpecial(t, "rtl/hard", TarArchiveEntry.LF_LINK, "../../../etc/passwd")));
    assertRefused("link");
    serve("t", tarGz(t -> tarSpecial(t, "dev/tty", TarArchiveEntry.LF_CHR, null)));
    assertRefused("special_file");
    serve("t", tarGz(t -> tarSpecial(t, "dev/sda", TarArchiveEntry.LF_BLK, null)));
    assertRefused("special_file");
    serve("t", tarGz(t -> tarSpecial(t, "fifo", TarArchiveEntry.LF_FIFO, null)));
    assertRefused("special_file");
    serve("t", tarGz(t -> tarFile(t, "../evil", OK)));
    assertRefused("unsafe_path");
    serve("t", tarGz(t -> tarFile(t, "rtl/" + "d/".repeat(60) + "../".repeat(70) + "evil", OK))); // a PAX long name
    assertRefused("unsafe_path");
    serve("t", "not an archive".getBytes(StandardCharsets.UTF_8));
    assertRefused("unknown_format");
  }

  @Test
  void bombsAreStoppedByCountingWhatIsInflated() throws Exception {
    byte[] zeros = new byte[3 << 20]; // 3 MiB of zeros packs to a few KiB
    CbbInstaller.Limits small = new CbbInstaller.Limits(20, 4L << 20, 2L << 20);
    serve("b", zip(z -> zipFile(z, "bomb.bin", zeros)));
    assertRefused("too_large", small);
    serve("b", tarGz(t -> {
      tarFile(t, "a.bin", new byte[3 << 19]);
      tarFile(t, "b.bin", new byte[3 << 19]);
      tarFile(t, "c.bin", new byte[3 << 19]);
    }));
    assertRefused("too_large", small); // 4.5 MiB in all, each entry under its cap
    serve("b", tarGz(t -> {
      for (int i = 0; i < 21; i++) tarFile(t, "f" + i + ".sv", OK);
    }));
    assertRefused("too_many_entries", small);
    serve("b", zip(z -> {
      for (int i = 0; i < 21; i++) zipFile(z, "f" + i + ".sv", OK);
    }));
    assertRefused("too_many_entries", small);
  }

  @Test
  void aDeliveryNamingAnUnsafeIdIsRefusedBeforeAnyDownload() throws Exception {
    serve("../../evil", tarGz(t -> tarFile(t, "x.sv", OK)));
    assertRefused("bad_delivery");
    wm.verify(0, getRequestedFor(urlEqualTo("/dl/tok")));
  }
}
