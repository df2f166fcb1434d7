package io.genrtl.cbb.pkg;

import static io.genrtl.cbb.pkg.TestPackages.files;
import static io.genrtl.cbb.pkg.TestPackages.refused;
import static io.genrtl.cbb.pkg.TestPackages.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archives made by other tools pass (or fail) as they should; what the inspector reports is right. */
class InteropTest {
  private static final PackageLimits LIMITS = PackageLimits.DEFAULTS;

  @TempDir Path tmp;

  /** GNU tar: "./" entries, owner names, 10 KiB records. */
  @Test
  void seedPackedBySystemTarPasses() throws Exception {
    Path out = tmp.resolve("uart.tar.gz");
    Process p;
    try {
      p = new ProcessBuilder("tar", "-C", TestPackages.CATALOG.resolve("uart").toString(), "-czf", out.toString(), ".")
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("no tar on this machine");
      return;
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    CbbPackage pkg = new ArchiveInspector().inspect(out, LIMITS);
    assertThat(pkg.manifest().id()).isEqualTo("uart");
    assertThat(pkg.sha256()).isEqualTo(PackageBuilderTest.sha256(out));
    assertThat(pkg.entryCount()).isEqualTo(18); // 17 entries and "./"
  }

  /** java.util.zip writes data descriptors (sizes after the data): the tiling check follows them. */
  @Test
  void zipWithDataDescriptorsPasses() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(b)) {
      for (Map.Entry<String, String> e : files().entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeEntry();
      }
      z.putNextEntry(new ZipEntry("docs/empty.md"));
      z.closeEntry();
    }
    Path p = write(tmp, "jdk.zip", b.toByteArray());
    CbbPackage pkg = new ArchiveInspector().inspect(p, LIMITS);
    assertThat(pkg.entryCount()).isEqualTo(8);
    long contents = files().values().stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
    assertThat(pkg.unpackedBytes()).isEqualTo(contents);
    assertThat(pkg.sizeBytes()).isEqualTo(Files.size(p));
  }

  /** commons-compress with unix modes: files pass, a real symlink entry is refused. */
  @Test
  void commonsCompressZipPassesAndItsSymlinkIsRefused() throws IOException {
    Path ok = tmp.resolve("cc.zip");
    writeCommonsZip(ok, false);
    assertThat(new ArchiveInspector().inspect(ok, LIMITS).manifest().id()).isEqualTo("demo_cbb");
    Path link = tmp.resolve("cc-link.zip");
    writeCommonsZip(link, true);
    refused(tmp, link, LIMITS, "link", "rtl/passwd.sv");
  }

  /** Zip64 everywhere (extra fields in local and central headers, zip64 end records), seekable and streamed. */
  @Test
  void zip64ArchivesPass() throws IOException {
    Path seekable = tmp.resolve("z64.zip");
    writeCommonsZip(seekable, false, true);
    assertThat(new ArchiveInspector().inspect(seekable, LIMITS).manifest().id()).isEqualTo("demo_cbb");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(b)) {
      z.setUseZip64(org.apache.commons.compress.archivers.zip.Zip64Mode.Always);
      for (Map.Entry<String, String> e : files().entrySet()) {
        z.putArchiveEntry(new ZipArchiveEntry(e.getKey()));
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeArchiveEntry();
      }
    }
    Path streamed = write(tmp, "z64-streamed.zip", b.toByteArray());
    assertThat(new ArchiveInspector().inspect(streamed, LIMITS).manifest().id()).isEqualTo("demo_cbb");
  }

  private static void writeCommonsZip(Path out, boolean withLink) throws IOException {
    writeCommonsZip(out, withLink, false);
  }

  private static void writeCommonsZip(Path out, boolean withLink, boolean zip64) throws IOException {
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
      if (zip64) z.setUseZip64(org.apache.commons.compress.archivers.zip.Zip64Mode.Always);
      for (Map.Entry<String, String> e : files().entrySet()) {
        ZipArchiveEntry entry = new ZipArchiveEntry(e.getKey());
        entry.setUnixMode(0100644);
        z.putArchiveEntry(entry);
        z.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        z.closeArchiveEntry();
      }
      if (withLink) {
        ZipArchiveEntry entry = new ZipArchiveEntry("rtl/passwd.sv");
        entry.setUnixMode(0120777);
        z.putArchiveEntry(entry);
        z.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
        z.closeArchiveEntry();
      }
    }
  }

  /** Filelists with options, comments, nested lists and a name the first pass did not keep (read again). */
  @Test
  void richFilelistsPassInBothFormats() {
    Map<String, String> f = files();
    f.put("manifest.json", TestPackages.manifestWith("entrypoints", "{\"rtl_top\": \"demo\", \"tb_top\": \"tb_demo\","
        + " \"filelist_rtl\": \"scripts/rtl.list\", \"filelist_tb\": \"scripts/filelist_tb.f\"}"));
    f.remove("scripts/filelist_rtl.f");
    f.put("rtl/inc/defs.svh", "`define W 8\n");
    f.put("rtl/lib/cell.v", "module cell; endmodule\n");
    f.put("rtl/sub.f", "// nested, relative to the root\nrtl/lib/cell.v\n");
    f.put("rtl/lib/more.f", "# -F: relative to rtl/lib\ncell.v\n");
    f.put("scripts/rtl.list", "// RTL sources\n# and a hash comment\n\n+incdir+rtl/inc+rtl/\n-y rtl/lib +libext+.v+.sv\n"
        + "+define+WIDTH=8 -sv --timescale 1ns/1ps\n-Irtl/inc\n./rtl/demo.sv // trailing comment\n-v rtl/lib/cell.v\n"
        + "-f rtl/sub.f\n-F rtl/lib/more.f\r\n");
    f.put("docs/empty.md", "");
    for (byte[] archive : new byte[][] {TestPackages.tar(f).tarGz(), TestPackages.zip(f).bytes()}) {
      Path p = write(tmp, "rich.bin", archive);
      CbbPackage pkg = new ArchiveInspector().inspect(p, LIMITS);
      assertThat(pkg.manifest().entrypoints().filelistRtl()).isEqualTo("scripts/rtl.list");
    }
  }

  @Test
  void aNestedFilelistIsCheckedToo() {
    Map<String, String> f = files();
    f.put("scripts/filelist_rtl.f", "rtl/demo.sv\n-f scripts/more.f\n");
    f.put("scripts/more.f", "../outside.sv\n");
    refused(tmp, write(tmp, "nested.tar.gz", TestPackages.tar(f).tarGz()), LIMITS, "bad_filelist", "scripts/more.f");
  }

  @Test
  void tarWithRootEntryAndDotSlashNamesPasses() {
    RawTar t = new RawTar().dir("./").dir("./rtl/").dir("./tb/").dir("./scripts/");
    files().forEach((k, v) -> t.file("./" + k, v));
    CbbPackage pkg = new ArchiveInspector().inspect(write(tmp, "dot.tar.gz", t.tarGz()), LIMITS);
    assertThat(pkg.entryCount()).isEqualTo(11);
  }

  @Test
  void concatenatedGzipMembersAreReadLikeGunzipDoes() throws IOException {
    byte[] tar = TestPackages.tar(files()).tar();
    int half = tar.length / 2 / 512 * 512;
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(RawTar.gzip(java.util.Arrays.copyOf(tar, half)));
    b.writeBytes(RawTar.gzip(java.util.Arrays.copyOfRange(tar, half, tar.length)));
    Path p = write(tmp, "two-members.tar.gz", b.toByteArray());
    assertThat(new ArchiveInspector().inspect(p, LIMITS).sha256()).isEqualTo(PackageBuilderTest.sha256(p));
  }

  @Test
  void builderOutputIsReadableByOthers() throws IOException {
    Path out = PackageBuilder.build(TestPackages.CATALOG.resolve("crc32"), tmp.resolve("crc32.zip"), CbbPackage.Format.ZIP);
    if (Files.getFileStore(out).supportsFileAttributeView("posix")) {
      assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)))
          .isEqualTo("rw-r--r--");
    }
  }

}
