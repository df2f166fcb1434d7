package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PackageBuilderTest {
  private static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  @TempDir Path tmp;

  static List<String> seeds() throws IOException {
    List<String> ids = new ArrayList<>();
    try (Stream<Path> s = Files.list(TestPackages.CATALOG)) {
      s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).forEach(p -> ids.add(p.getFileName().toString()));
    }
    ids.sort(null);
    assertThat(ids).hasSize(8);
    return ids;
  }

  static Stream<Arguments> seedsInBothFormats() throws IOException {
    return seeds().stream().flatMap(id -> Stream.of(CbbPackage.Format.values()).map(f -> Arguments.of(id, f)));
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("seedsInBothFormats")
  void everySeedBuildsReproduciblyAndPassesInspection(String id, CbbPackage.Format format) throws Exception {
    Path dir = TestPackages.CATALOG.resolve(id);
    Path first = PackageBuilder.build(dir, tmp.resolve("a").resolve(id + "." + format.wire()), format);
    Path second = PackageBuilder.build(dir, tmp.resolve("b").resolve(id + "." + format.wire()), format);
    assertThat(sha256(second)).isEqualTo(sha256(first));
    assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(first));

    CbbPackage pkg = new ArchiveInspector().inspect(first, PackageLimits.DEFAULTS);
    assertThat(pkg.manifest().id()).isEqualTo(id);
    assertThat(pkg.manifest().json()).isEqualTo(Files.readString(dir.resolve("manifest.json")));
    assertThat(pkg.format()).isEqualTo(format);
    assertThat(pkg.sha256()).isEqualTo(sha256(first));
    assertThat(pkg.sizeBytes()).isEqualTo(Files.size(first));
    Map<String, byte[]> source = sourceTree(dir);
    assertThat(pkg.entryCount()).isEqualTo(source.size());
    assertThat(format == CbbPackage.Format.TAR_GZ ? readTarGz(first) : readZip(first))
        .as("what an independent reader sees").containsOnlyKeys(source.keySet())
        .allSatisfy((name, bytes) -> assertThat(bytes).as(name).isEqualTo(source.get(name)));
  }

  @Test
  void tarEntriesHaveFixedTimesModesAndOwners() throws IOException {
    Path out = PackageBuilder.build(TestPackages.CATALOG.resolve("uart"), tmp.resolve("uart.tar.gz"), CbbPackage.Format.TAR_GZ);
    byte[] head = Arrays.copyOf(Files.readAllBytes(out), 10);
    assertThat(head).as("gzip header: deflate, no flags, mtime 0, OS 255").containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(out)))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
        assertThat(e.getModTime().toInstant()).isEqualTo(EPOCH);
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getGroupName()).isEmpty();
        int expected = e.isDirectory() || e.getName().endsWith(".sh") ? 0755 : 0644;
        assertThat(e.getMode() & 07777).as(e.getName()).isEqualTo(expected);
      }
    }
    assertThat(names).isSorted().contains("rtl/", "scripts/run_iverilog.sh", "manifest.json");
  }

  @Test
  void zipEntriesHaveFixedTimesAndUnixModes() throws IOException {
    Path out = PackageBuilder.build(TestPackages.CATALOG.resolve("uart"), tmp.resolve("uart.zip"), CbbPackage.Format.ZIP);
    try (org.apache.commons.compress.archivers.zip.ZipFile z =
        org.apache.commons.compress.archivers.zip.ZipFile.builder().setPath(out).get()) {
      List<String> names = new ArrayList<>();
      for (var e : java.util.Collections.list(z.getEntries())) {
        names.add(e.getName());
        assertThat(e.getTime()).isEqualTo(java.time.LocalDateTime.of(2000, 1, 1, 0, 0)
            .atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli());
        int expected = e.isDirectory() ? 040755 : e.getName().endsWith(".sh") ? 0100755 : 0100644;
        assertThat(e.getUnixMode()).as(e.getName()).isEqualTo(expected);
      }
      assertThat(names).isSorted();
    }
  }

  /** Other times, permissions and clutter in the source give the same bytes. */
  @Test
  void aCopyWithOtherTimesPermissionsAndClutterGivesTheSameArchive() throws IOException {
    Path src = TestPackages.CATALOG.resolve("sync_fifo");
    Path copy = copyTree(src, tmp.resolve("copy/sync_fifo"));
    try (Stream<Path> s = Files.walk(copy)) {
      for (Path p : s.toList()) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.parse("2031-05-06T07:08:09Z")));
        if (Files.isRegularFile(p)) Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxrwx---"));
      }
    }
    Files.writeString(copy.resolve(".DS_Store"), "junk");
    Files.createDirectories(copy.resolve(".git"));
    Files.writeString(copy.resolve(".git/HEAD"), "ref: x");
    Files.createDirectories(copy.resolve("obj_dir"));
    Files.writeString(copy.resolve("obj_dir/Vtop.cpp"), "// generated");
    Files.createDirectories(copy.resolve("scripts/build"));
    Files.writeString(copy.resolve("scripts/build/a.out"), "binary");
    Files.writeString(copy.resolve("rtl/.sync_fifo.sv.swp"), "vim");
    for (CbbPackage.Format f : CbbPackage.Format.values()) {
      Path a = PackageBuilder.build(src, tmp.resolve("orig." + f.wire()), f);
      Path b = PackageBuilder.build(copy, tmp.resolve("copy." + f.wire()), f);
      assertThat(sha256(b)).as(f.wire()).isEqualTo(sha256(a));
    }
  }

  /** Another file system (in memory, no POSIX attributes) gives the same bytes, and the inspector reads it there. */
  @Test
  void anInMemoryFileSystemGivesTheSameArchive() throws IOException {
    try (java.nio.file.FileSystem fs = com.google.common.jimfs.Jimfs.newFileSystem(
        com.google.common.jimfs.Configuration.unix())) {
      Path src = TestPackages.CATALOG.resolve("rr_arbiter");
      Path copy = fs.getPath("/work/rr_arbiter");
      try (Stream<Path> s = Files.walk(src)) {
        for (Path p : s.toList()) {
          Path t = copy.resolve(src.relativize(p).toString());
          if (Files.isDirectory(p)) {
            Files.createDirectories(t);
          } else {
            Files.write(t, Files.readAllBytes(p));
          }
        }
      }
      for (CbbPackage.Format f : CbbPackage.Format.values()) {
        Path onDisk = PackageBuilder.build(src, tmp.resolve("disk." + f.wire()), f);
        Path inMemory = PackageBuilder.build(copy, fs.getPath("/out/rr_arbiter." + f.wire()), f);
        assertThat(Files.readAllBytes(inMemory)).as(f.wire()).isEqualTo(Files.readAllBytes(onDisk));
        assertThat(new ArchiveInspector().inspect(inMemory, PackageLimits.DEFAULTS).sha256()).isEqualTo(sha256(onDisk));
      }
    }
  }

  @Test
  void aSymlinkInTheSourceIsRefused() throws IOException {
    Path copy = copyTree(TestPackages.CATALOG.resolve("crc32"), tmp.resolve("crc32"));
    Files.createSymbolicLink(copy.resolve("rtl/passwd.sv"), Path.of("/etc/passwd"));
    GenRtlException e = catchThrowableOfType(GenRtlException.class,
        () -> PackageBuilder.build(copy, tmp.resolve("out.tar.gz"), CbbPackage.Format.TAR_GZ));
    assertThat(e.details()).containsEntry("reason", "link").containsEntry("entry", "rtl/passwd.sv");
    assertThat(tmp.resolve("out.tar.gz")).doesNotExist();
  }

  @Test
  void aPackageThatFailsInspectionIsNotWritten() throws IOException {
    Path copy = copyTree(TestPackages.CATALOG.resolve("crc32"), tmp.resolve("crc32"));
    Files.writeString(copy.resolve("scripts/filelist_rtl.f"), "rtl/missing.sv\n");
    GenRtlException e = catchThrowableOfType(GenRtlException.class,
        () -> PackageBuilder.build(copy, tmp.resolve("out/crc32.zip"), CbbPackage.Format.ZIP));
    assertThat(e.details()).containsEntry("reason", "missing_file").containsEntry("entry", "rtl/missing.sv");
    try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
      assertThat(s.toList()).as("no archive and no temp file left").isEmpty();
    }
  }

  @Test
  void theArchiveCannotBeWrittenInsideThePackage() throws IOException {
    Path copy = copyTree(TestPackages.CATALOG.resolve("crc32"), tmp.resolve("crc32"));
    assertThatThrownBy(() -> PackageBuilder.build(copy, copy.resolve("crc32.tar.gz"), CbbPackage.Format.TAR_GZ))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void longPathsUsePaxAndStillRoundTrip() throws IOException {
    Path copy = copyTree(TestPackages.CATALOG.resolve("crc32"), tmp.resolve("crc32"));
    String deep = "rtl/" + "very_long_directory_name_".repeat(5) + "/" + "x".repeat(120) + ".sv";
    Files.createDirectories(copy.resolve(deep).getParent());
    Files.writeString(copy.resolve(deep), "module x; endmodule\n");
    Path out = PackageBuilder.build(copy, tmp.resolve("long.tar.gz"), CbbPackage.Format.TAR_GZ);
    assertThat(readTarGz(out)).containsKey(deep);
  }

  @Test
  void buildCatalogBuildsEverySeedAsIdDashVersionTarGz() throws IOException {
    Map<String, Path> built = PackageBuilder.buildCatalog(TestPackages.CATALOG, tmp.resolve("dist"));
    Map<String, Path> again = PackageBuilder.buildCatalog(TestPackages.CATALOG, tmp.resolve("dist2"));
    assertThat(built).containsOnlyKeys(seeds());
    for (Map.Entry<String, Path> e : built.entrySet()) {
      CbbPackage pkg = new ArchiveInspector().inspect(e.getValue(), PackageLimits.DEFAULTS);
      assertThat(e.getValue().getFileName().toString())
          .isEqualTo(pkg.manifest().id() + "-" + pkg.manifest().version() + ".tar.gz");
      assertThat(sha256(again.get(e.getKey()))).isEqualTo(pkg.sha256());
      System.out.println("seed " + e.getValue().getFileName() + " sha256=" + pkg.sha256() + " bytes=" + pkg.sizeBytes());
    }
    try (Stream<Path> s = Files.list(tmp.resolve("dist"))) {
      assertThat(s.map(p -> p.getFileName().toString())).hasSize(8).allMatch(n -> n.endsWith("-1.0.0.tar.gz"));
    }
  }

  // ---------------------------------------------------------------- helpers

  static String sha256(Path p) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the builder should pack: entry name (directories with a trailing /) to content. */
  private static Map<String, byte[]> sourceTree(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        if (p.equals(dir)) continue;
        String rel = dir.relativize(p).toString();
        out.put(Files.isDirectory(p) ? rel + "/" : rel, Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
      }
    }
    return out;
  }

  static Map<String, byte[]> readTarGz(Path p) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(p)))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) out.put(e.getName(), in.readAllBytes());
    }
    return out;
  }

  static Map<String, byte[]> readZip(Path p) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (ZipFile z = new ZipFile(p.toFile())) {
      for (ZipEntry e : java.util.Collections.list(z.entries())) {
        try (InputStream in = z.getInputStream(e)) {
          out.put(e.getName(), in.readAllBytes());
        }
      }
    }
    return out;
  }

  static Path copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return to;
  }
}
