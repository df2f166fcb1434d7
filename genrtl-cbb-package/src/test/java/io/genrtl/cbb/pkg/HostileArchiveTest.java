package io.genrtl.cbb.pkg;

import static io.genrtl.cbb.pkg.TestPackages.files;
import static io.genrtl.cbb.pkg.TestPackages.refused;
import static io.genrtl.cbb.pkg.TestPackages.tar;
import static io.genrtl.cbb.pkg.TestPackages.write;
import static io.genrtl.cbb.pkg.TestPackages.zip;
import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A corpus of hostile archives, each an otherwise valid package with one thing wrong: every one is refused with
 * the right reason and entry, and the inspector writes nothing (the temp dir listing is the same before and after).
 */
class HostileArchiveTest {
  private static final PackageLimits LIMITS = PackageLimits.DEFAULTS;

  @TempDir Path tmp;

  private static Arguments tarCase(String label, Supplier<RawTar> tar, String reason, String entry) {
    return Arguments.of("tar.gz: " + label, (Supplier<byte[]>) () -> tar.get().tarGz(), reason, entry);
  }

  private static Arguments zipCase(String label, Supplier<RawZip> zip, String reason, String entry) {
    return Arguments.of("zip: " + label, (Supplier<byte[]>) () -> zip.get().bytes(), reason, entry);
  }

  private static Arguments bytesCase(String label, Supplier<byte[]> bytes, String reason, String entry) {
    return Arguments.of(label, bytes, reason, entry);
  }

  private static Map<String, String> with(String path, String content) {
    Map<String, String> f = files();
    f.put(path, content);
    return f;
  }

  private static Map<String, String> without(String path) {
    Map<String, String> f = files();
    f.remove(path);
    return f;
  }

  static Stream<Arguments> corpus() {
    byte[] nulName = "rtl/a\0b.sv".getBytes(StandardCharsets.UTF_8);
    return Stream.of(
        // names
        tarCase("traversal ../x", () -> tar(files()).file("../x", "x"), "path_traversal", "../x"),
        zipCase("traversal ../x", () -> zip(with("../x", "x")), "path_traversal", "../x"),
        tarCase("traversal rtl/../../x", () -> tar(files()).file("rtl/../../x", "x"), "path_traversal", "rtl/../../x"),
        zipCase("traversal rtl/../../x", () -> zip(with("rtl/../../x", "x")), "path_traversal", "rtl/../../x"),
        tarCase("traversal hidden in ./", () -> tar(files()).file("./../x", "x"), "path_traversal", "./../x"),
        tarCase("non-canonical rtl/./a.sv", () -> tar(files()).file("rtl/./a.sv", "x"), "path_traversal", "rtl/./a.sv"),
        zipCase("empty segment rtl//a.sv", () -> zip(with("rtl//a.sv", "x")), "path_traversal", "rtl//a.sv"),
        tarCase("absolute /etc/passwd", () -> tar(files()).file("/etc/passwd", "x"), "absolute_path", "/etc/passwd"),
        zipCase("absolute /etc/passwd", () -> zip(with("/etc/passwd", "x")), "absolute_path", "/etc/passwd"),
        zipCase("drive letter C:/x.sv", () -> zip(with("C:/x.sv", "x")), "absolute_path", "C:/x.sv"),
        tarCase("absolute path via PAX", () -> tar(files()).pax("path", "/tmp/evil").file("rtl/innocent.sv", "x"),
            "absolute_path", "/tmp/evil"),
        tarCase("backslash", () -> tar(files()).file("rtl\\..\\..\\evil.sv", "x"), "backslash", "rtl\\..\\..\\evil.sv"),
        zipCase("backslash", () -> zip(with("rtl\\evil.sv", "x")), "backslash", "rtl\\evil.sv"),
        zipCase("NUL in name", () -> {
          RawZip z = zip(files());
          z.file(nulName, "x".getBytes(StandardCharsets.UTF_8));
          return z;
        }, "nul_in_name", "rtl/a\\u0000b.sv"),
        tarCase("NUL in PAX path", () -> tar(files()).pax("path", "rtl/a\0b.sv").file("rtl/a.sv", "x"), "nul_in_name",
            "rtl/a\\u0000b.sv"),
        zipCase("newline in name", () -> zip(with("rtl/a\nb.sv", "x")), "nul_in_name", "rtl/a\\u000ab.sv"),
        zipCase("name not UTF-8", () -> {
          RawZip z = zip(files());
          z.file(new byte[] {'r', 't', 'l', '/', (byte) 0xff, '.', 's', 'v'}, new byte[] {1});
          return z;
        }, "nul_in_name", "rtl/\uFFFD.sv"),
        // types
        tarCase("symlink", () -> tar(files()).entry("rtl/link.sv", '2', new byte[0], "/etc/passwd"), "link", "rtl/link.sv"),
        tarCase("hardlink", () -> tar(files()).entry("rtl/hard.sv", '1', new byte[0], "rtl/demo.sv"), "link", "rtl/hard.sv"),
        zipCase("symlink (unix mode 0120777)", () -> {
          RawZip z = zip(files());
          z.file("rtl/link.sv", "/etc/passwd").unixMode = 0120777;
          return z;
        }, "link", "rtl/link.sv"),
        tarCase("character device", () -> tar(files()).entry("rtl/tty", '3', new byte[0], ""), "special_file", "rtl/tty"),
        tarCase("block device", () -> tar(files()).entry("rtl/sda", '4', new byte[0], ""), "special_file", "rtl/sda"),
        tarCase("FIFO", () -> tar(files()).entry("rtl/fifo", '6', new byte[0], ""), "special_file", "rtl/fifo"),
        tarCase("GNU sparse file", () -> tar(files()).entry("rtl/sparse.sv", 'S', new byte[0], ""), "special_file",
            "rtl/sparse.sv"),
        zipCase("FIFO (unix mode 010644)", () -> {
          RawZip z = zip(files());
          z.file("rtl/fifo", "").unixMode = 010644;
          return z;
        }, "special_file", "rtl/fifo"),
        // layout
        tarCase("case collision", () -> tar(files()).file("rtl/Demo.sv", "x"), "case_collision", "rtl/Demo.sv"),
        zipCase("case collision", () -> zip(with("rtl/DEMO.sv", "x")), "case_collision", "rtl/DEMO.sv"),
        tarCase("case collision of directories", () -> tar(files()).file("rtl/Sub/a.sv", "x").file("rtl/sub/b.sv", "x"),
            "case_collision", "rtl/sub/b.sv"),
        tarCase("Unicode normalisation collision", () -> tar(files()).file("rtl/caf\u00e9.sv", "x")
            .file("rtl/cafe\u0301.sv", "x"), "case_collision", "rtl/cafe\u0301.sv"),
        tarCase("duplicate", () -> tar(files()).file("rtl/demo.sv", "again"), "duplicate_entry", "rtl/demo.sv"),
        zipCase("duplicate", () -> {
          RawZip z = zip(files());
          z.file("rtl/demo.sv", "again");
          return z;
        }, "duplicate_entry", "rtl/demo.sv"),
        tarCase("duplicate after ./ normalisation", () -> tar(files()).file("./rtl/demo.sv", "again"), "duplicate_entry",
            "./rtl/demo.sv"),
        tarCase("file and directory at once", () -> tar(files()).file("rtl/x", "x").file("rtl/x/y.sv", "y"),
            "duplicate_entry", "rtl/x/y.sv"),
        tarCase("wrapper directory", () -> {
          RawTar t = new RawTar().dir("demo_cbb-1.0.0/");
          files().forEach((k, v) -> t.file("demo_cbb-1.0.0/" + k, v));
          return t;
        }, "top_level_entry", "demo_cbb-1.0.0/"),
        zipCase("wrapper directory", () -> {
          RawZip z = new RawZip();
          files().forEach((k, v) -> z.file("demo_cbb-1.0.0/" + k, v));
          return z;
        }, "top_level_entry", "demo_cbb-1.0.0/manifest.json"),
        tarCase("stray top-level file", () -> tar(files()).file("Makefile", "all:"), "top_level_entry", "Makefile"),
        tarCase("missing manifest", () -> tar(without("manifest.json")), "missing_file", "manifest.json"),
        zipCase("missing manifest", () -> zip(without("manifest.json")), "missing_file", "manifest.json"),
        tarCase("missing LICENSE", () -> tar(without("LICENSE")), "missing_file", "LICENSE"),
        tarCase("missing tb/", () -> {
          RawTar t = new RawTar().dir("rtl/").dir("scripts/");
          without("tb/tb_demo.sv").forEach(t::file);
          return t;
        }, "missing_file", "tb/"),
        tarCase("manifest over 256 KiB", () -> tar(with("manifest.json", " ".repeat(300_000) + "{}")), "too_large",
            "manifest.json"),
        // manifest
        tarCase("bad semver", () -> tar(with("manifest.json", TestPackages.manifestWith("version", "\"1.0\""))),
            "manifest_invalid", "manifest.json"),
        zipCase("bad id", () -> zip(with("manifest.json", TestPackages.manifestWith("id", "\"Demo CBB\""))),
            "manifest_invalid", "manifest.json"),
        tarCase("manifest not JSON", () -> tar(with("manifest.json", "id: demo")), "manifest_invalid", "manifest.json"),
        // filelists
        tarCase("filelist names a missing file", () -> tar(with("scripts/filelist_rtl.f", "rtl/demo.sv\nrtl/nope.sv\n")),
            "missing_file", "rtl/nope.sv"),
        zipCase("filelist names a missing file", () -> zip(with("scripts/filelist_tb.f", "tb/nope.sv\n")),
            "missing_file", "tb/nope.sv"),
        tarCase("filelist escapes with ../", () -> tar(with("scripts/filelist_rtl.f", "../../etc/passwd\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        zipCase("filelist escapes with ../", () -> zip(with("scripts/filelist_rtl.f", "rtl/../../x.sv\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        tarCase("filelist absolute path", () -> tar(with("scripts/filelist_rtl.f", "/home/me/demo.sv\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        tarCase("filelist +incdir+ outside", () -> tar(with("scripts/filelist_rtl.f", "+incdir+../include\nrtl/demo.sv\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        tarCase("filelist -y missing directory", () -> tar(with("scripts/filelist_rtl.f", "-y lib\nrtl/demo.sv\n")),
            "missing_file", "lib"),
        tarCase("filelist environment variable", () -> tar(with("scripts/filelist_rtl.f", "$HOME/demo.sv\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        tarCase("filelist only comments", () -> tar(with("scripts/filelist_rtl.f", "// nothing\n# here\n")),
            "bad_filelist", "scripts/filelist_rtl.f"),
        tarCase("manifest names a missing filelist", () -> tar(with("manifest.json", TestPackages.manifestWith("entrypoints",
            "{\"rtl_top\": \"demo\", \"tb_top\": \"tb_demo\", \"filelist_rtl\": \"scripts/rtl.f\", \"filelist_tb\": \"scripts/filelist_tb.f\"}"))),
            "missing_file", "scripts/rtl.f"),
        // structure
        bytesCase("not an archive: text", () -> "hello, world\n".getBytes(StandardCharsets.UTF_8), "not_an_archive", null),
        bytesCase("not an archive: empty file", () -> new byte[0], "not_an_archive", null),
        bytesCase("not an archive: three bytes of zip magic", () -> new byte[] {'P', 'K', 3}, "not_an_archive", null),
        bytesCase("not an archive: bzip2", () -> "BZh91AY&SY".getBytes(StandardCharsets.US_ASCII), "not_an_archive", null),
        bytesCase("not an archive: plain tar", () -> tar(files()).tar(), "not_an_archive", null),
        bytesCase("gzip of something that is not tar", () -> RawTar.gzip("just text".getBytes(StandardCharsets.UTF_8)),
            "not_an_archive", null),
        bytesCase("truncated tar.gz", () -> {
          byte[] b = tar(files()).tarGz();
          return Arrays.copyOf(b, b.length / 2);
        }, "not_an_archive", null),
        bytesCase("truncated zip", () -> {
          byte[] b = zip(files()).bytes();
          return Arrays.copyOf(b, b.length - 30);
        }, "not_an_archive", null),
        bytesCase("tar.gz with garbage after the gzip stream", () -> {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.writeBytes(tar(files()).tarGz());
          b.writeBytes("garbage".getBytes(StandardCharsets.US_ASCII));
          return b.toByteArray();
        }, "not_an_archive", null),
        bytesCase("tar without end-of-archive marker", () -> RawTar.gzip(tar(files()).tarWithoutEnd()), "not_an_archive",
            null),
        bytesCase("hidden entry after the tar end-of-archive marker", () -> {
          ByteArrayOutputStream b = new ByteArrayOutputStream();
          b.writeBytes(tar(files()).tar());
          b.writeBytes(new RawTar().file("rtl/hidden.sv", "x").tar());
          return RawTar.gzip(b.toByteArray());
        }, "not_an_archive", null),
        bytesCase("tar header with a bad checksum", () -> {
          byte[] t = tar(files()).tar();
          t[600] ^= 1; // inside the second header's name
          return RawTar.gzip(t);
        }, "not_an_archive", null),
        bytesCase("zip local header names another path", () -> {
          byte[] z = zip(files()).bytes();
          byte[] name = "rtl/".getBytes(StandardCharsets.UTF_8);
          z[30] = 'x'; // the first local header's name ("rtl/" -> "xtl/"), central directory unchanged
          assertThat(Arrays.copyOfRange(z, 30, 34)).isNotEqualTo(name);
          return z;
        }, "not_an_archive", "rtl/"),
        zipCase("zip with bytes hidden between entries", () -> {
          RawZip z = zip(files());
          z.file("rtl/a.sv", "x").junkAfter = new RawZip().file("../evil", "x").name;
          z.file("rtl/b.sv", "x");
          return z;
        }, "not_an_archive", "rtl/b.sv"),
        bytesCase("zip with bytes before the first entry", () -> {
          RawZip z = zip(files());
          byte[] bytes = z.bytes();
          // prepend junk: every local header offset is now wrong by 4
          byte[] out = new byte[bytes.length + 4];
          System.arraycopy(bytes, 0, out, 4, bytes.length);
          out[0] = 'P';
          out[1] = 'K';
          out[2] = 3;
          out[3] = 4;
          return out;
        }, "not_an_archive", null));
  }

  /**
   * Finding "Low: tar entry rtl/\0x.sv": a NUL inside a header field makes tar(1) read {@code rtl/} (a directory)
   * where a reader of the whole field reads {@code rtl/\0x.sv}; it was accepted. Every way of putting a NUL in a tar
   * name is refused, and the other ambiguous names (not UTF-8, a segment ending in a dot or a space, {@code //}).
   */
  @Test
  void low_tarEntryWithNulRefused() {
    Map<String, Supplier<RawTar>> nul = new java.util.LinkedHashMap<>();
    // as found: GNU tar and Python read a directory rtl/ (GNU tar then skips the data with an error); without
    // directory entries of its own the inspector accepted the archive
    nul.put("rtl/\\u0000x.sv", () -> {
      RawTar t = new RawTar();
      files().forEach(t::file);
      return t.file("rtl/\0x.sv", "module x; endmodule");
    });
    nul.put("rtl/\\u0000y.sv", () -> tar(files()).file("rtl/\0y.sv", "module y; endmodule"));
    nul.put("rtl/demo2.sv\\u0000.bak", () -> tar(files()).file("rtl/demo2.sv\0.bak", "x"));
    nul.put("rtl\\u0000evil", () -> tar(files()).edited("a.sv", "x", h -> {
      byte[] prefix = "rtl\0evil".getBytes(StandardCharsets.UTF_8);
      System.arraycopy(prefix, 0, h, 345, prefix.length);
    }));
    nul.put("x\\u0000y", () -> tar(files()).edited("rtl/l.sv", "x", h -> {
      byte[] link = "x\0y".getBytes(StandardCharsets.UTF_8);
      System.arraycopy(link, 0, h, 157, link.length);
    }));
    nul.put("rtl/a\\u0000b.sv", () -> tar(files()).gnuLong('L', "rtl/a\0b.sv".getBytes(StandardCharsets.UTF_8))
        .file("rtl/short.sv", "x"));
    nul.put("rtl/k\\u0000.sv", () -> tar(files()).gnuLong('K', "rtl/k\0.sv".getBytes(StandardCharsets.UTF_8))
        .file("rtl/k.sv", "x"));
    nul.put("rtl/p\\u0000.sv", () -> tar(files()).pax("path", "rtl/p\0.sv").file("rtl/p.sv", "x"));
    nul.put("rtl/q\\u0000.sv", () -> tar(files()).pax("linkpath", "rtl/q\0.sv").file("rtl/q.sv", "x"));
    nul.forEach((entry, t) -> refused(tmp, write(tmp, "nul.tar.gz", t.get().tarGz()), LIMITS, "nul_in_name", entry));
    // a name that is not UTF-8, in the header and in a PAX path
    RawTar notUtf8 = tar(files()).edited("rtl/x.sv", "x", h -> h[4] = (byte) 0xff);
    refused(tmp, write(tmp, "u.tar.gz", notUtf8.tarGz()), LIMITS, "nul_in_name", "rtl/\uFFFD.sv");
    // segments Windows would read as another name, and an empty segment
    for (String name : new String[] {"rtl/demo.sv.", "rtl/demo.sv ", "rtl/sub./a.sv", "rtl/sub /a.sv", "rtl/..."}) {
      refused(tmp, write(tmp, "dot.tar.gz", tar(files()).file(name, "x").tarGz()), LIMITS, "ambiguous_name", name);
      refused(tmp, write(tmp, "dot.zip", zip(with(name, "x")).bytes()), LIMITS, "ambiguous_name", name);
    }
    refused(tmp, write(tmp, "dbl.tar.gz", tar(files()).file("rtl//x.sv", "x").tarGz()), LIMITS, "path_traversal",
        "rtl//x.sv");
    // names that merely look odd still pass: a dot inside a segment, a leading dot, a space inside
    new ArchiveInspector().inspect(write(tmp, "ok.tar.gz", tar(files()).file("rtl/.hidden.sv", "x")
        .file("rtl/a b.v1.sv", "x").tarGz()), LIMITS);
  }

  /**
   * Finding M2 at the package level: a segment over 255 bytes of UTF-8, or a path over 1024, is refused
   * ({@code path_too_long}); 255 and 1024 are accepted.
   */
  @Test
  void m2_longSegmentRefusedByTheInspector() {
    String seg255 = "a".repeat(252) + ".sv";
    String seg256 = "a".repeat(253) + ".sv";
    assertThat(seg255).hasSize(255);
    String euro = "\u20ac".repeat(85) + ".sv"; // 85 × 3 bytes + 3 = 258 bytes in 88 characters
    new ArchiveInspector().inspect(write(tmp, "ok.tar.gz", tar(files()).pax("path", "rtl/" + seg255)
        .file("rtl/x.sv", "x").tarGz()), LIMITS);
    refused(tmp, write(tmp, "long.tar.gz", tar(files()).pax("path", "rtl/" + seg256).file("rtl/x.sv", "x").tarGz()),
        LIMITS, "path_too_long", "rtl/" + seg256);
    refused(tmp, write(tmp, "long.zip", zip(with("rtl/" + seg256, "x")).bytes()), LIMITS, "path_too_long",
        "rtl/" + seg256);
    refused(tmp, write(tmp, "euro.zip", zip(with("rtl/" + euro, "x")).bytes()), LIMITS, "path_too_long", "rtl/" + euro);
    String dir = "d".repeat(200) + "/";
    String p1024 = "rtl/" + dir.repeat(5) + "x".repeat(1024 - 4 - 5 * 201 - 3) + ".sv";
    assertThat(p1024).hasSize(1024);
    new ArchiveInspector().inspect(write(tmp, "ok.zip", zip(with(p1024, "x")).bytes()), LIMITS);
    String p1025 = p1024.replace(".sv", "x.sv");
    refused(tmp, write(tmp, "deep.zip", zip(with(p1025, "x")).bytes()), LIMITS, "path_too_long", p1025);
    GenRtlException e = refused(tmp, write(tmp, "deep.tar.gz", tar(files()).pax("path", p1025).file("rtl/y.sv", "x")
        .tarGz()), LIMITS, "path_too_long", p1025);
    assertThat(e.getMessage()).hasSizeLessThan(300).contains("255 bytes", "1024 bytes");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void hostileArchiveIsRefused(String label, Supplier<byte[]> archive, String reason, String entry) {
    Path file = write(tmp, "archive.bin", archive.get());
    refused(tmp, file, LIMITS, reason, entry);
  }

  @Test
  void theValidBaseOfTheCorpusPasses() {
    Path t = write(tmp, "ok.tar.gz", tar(files()).tarGz());
    Path z = write(tmp, "ok.zip", zip(files()).bytes());
    for (Path p : new Path[] {t, z}) {
      CbbPackage pkg = new ArchiveInspector().inspect(p, LIMITS);
      assertThat(pkg.manifest().id()).isEqualTo("demo_cbb");
      assertThat(pkg.manifest().json()).isEqualTo(TestPackages.MANIFEST);
      assertThat(pkg.entryCount()).isEqualTo(10);
    }
  }

  // ------------------------------------------------------------------ caps

  @Test
  void tooManyEntriesNamesTheFirstOneOverTheCap() {
    PackageLimits limits = new PackageLimits(12, LIMITS.maxUnpackedBytes(), LIMITS.maxCompressionRatio());
    RawTar t = tar(files());
    for (int i = 0; i < 5; i++) t.file("rtl/f" + i + ".sv", "x");
    refused(tmp, write(tmp, "many.tar.gz", t.tarGz()), limits, "too_many_entries", "rtl/f2.sv");
  }

  @Test
  void tooManyEntriesInAZipIsRefusedFromTheEndRecordBeforeAnyNameIsRead() {
    PackageLimits limits = new PackageLimits(12, LIMITS.maxUnpackedBytes(), LIMITS.maxCompressionRatio());
    RawZip z = zip(files());
    for (int i = 0; i < 5; i++) z.file("rtl/f" + i + ".sv", "x");
    refused(tmp, write(tmp, "many.zip", z.bytes()), limits, "too_many_entries", null);
  }

  @Test
  void zipEndRecordThatUndercountsTheCentralDirectoryIsRefused() {
    RawZip z = zip(files());
    z.claimedCount = 3;
    refused(tmp, write(tmp, "undercount.zip", z.bytes()), LIMITS, "not_an_archive", null);
  }

  @Test
  void tooLargeCountsRealBytes() {
    PackageLimits limits = new PackageLimits(100, 64 * 1024, 1000);
    RawTar t = tar(files());
    for (int i = 0; i < 8; i++) t.file("rtl/big" + i + ".sv", "x".repeat(10_000));
    refused(tmp, write(tmp, "big.tar.gz", t.tarGz()), limits, "too_large", "rtl/big5.sv");
  }

  /** One 1 GiB entry of zeros, about 1 MiB compressed, with an honest header: refused before inflating a byte. */
  @Test
  void zipBombWithAnHonestHeaderIsRefusedFromTheCentralDirectory() {
    RawZip z = zip(files());
    z.raw("rtl/zeros.sv", RawZip.deflatedZeros(1024), 1L << 30, 0);
    Path bomb = write(tmp, "bomb.zip", z.bytes());
    assertThat(bomb.toFile().length()).isLessThan(2L << 20);
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(bomb, read);
    assertThat(e.details()).containsEntry("reason", "too_large").containsEntry("entry", "rtl/zeros.sv");
    assertThat(read.get()).isZero();
  }

  /** The same bomb whose headers claim 1 KiB: the real bytes are counted, and inflating stops at the ratio cap. */
  @Test
  void zipBombWithALyingHeaderIsStoppedAtTheRatioCap() {
    RawZip z = zip(files());
    z.raw("rtl/zeros.sv", RawZip.deflatedZeros(1024), 1024, 0);
    Path bomb = write(tmp, "liar.zip", z.bytes());
    long packed = bomb.toFile().length();
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(bomb, read);
    assertThat(e.details()).containsEntry("reason", "compression_ratio").containsEntry("entry", "rtl/zeros.sv");
    assertThat(read.get()).isGreaterThan(LIMITS.maxCompressionRatio() * packed)
        .isLessThan(LIMITS.maxCompressionRatio() * packed + (1 << 20));
    assertThat(read.get()).as("stopped well before the 1 GiB").isLessThan(1L << 28);
  }

  /**
   * Many names sharing one compressed blob (the overlapping-files bomb): what the central directory announces is
   * already over the ratio cap, so nothing is inflated.
   */
  @Test
  void overlappingZipBombIsRefusedFromTheCentralDirectory() {
    RawZip z = zip(files());
    RawZip.Entry blob = z.raw("rtl/z0.sv", RawZip.deflatedZeros(16), 16L << 20, zerosCrc(16 << 20));
    for (int i = 1; i < 50; i++) z.alias("rtl/z" + i + ".sv", blob);
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(write(tmp, "overlap.zip", z.bytes()), read);
    assertThat(e.details()).containsEntry("reason", "compression_ratio");
    assertThat(read.get()).isZero();
  }

  /** Overlapping entries are refused even when small: a streaming extractor and the directory would disagree. */
  @Test
  void overlappingZipEntriesAreRefused() {
    RawZip z = zip(files());
    RawZip.Entry blob = z.file("rtl/z0.sv", "module z; endmodule\n");
    z.alias("rtl/z1.sv", blob);
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(write(tmp, "overlap.zip", z.bytes()), read);
    assertThat(e.details()).containsEntry("reason", "not_an_archive").containsEntry("entry", "rtl/z1.sv");
    assertThat(read.get()).isZero();
  }

  /** A tar entry that declares 1 GiB is refused from its header. */
  @Test
  void tarEntryDeclaringAGibibyteIsRefusedFromItsHeader() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(tar(files()).tarWithoutEnd());
    raw.writeBytes(RawTar.header("rtl/zeros.sv".getBytes(StandardCharsets.UTF_8), '0', 1L << 30, ""));
    Path bomb = write(tmp, "bomb.tar.gz", gzipWithZeros(raw.toByteArray(), 1024));
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(bomb, read);
    assertThat(e.details()).containsEntry("reason", "too_large").containsEntry("entry", "rtl/zeros.sv");
    assertThat(read.get()).isLessThan(1 << 20);
  }

  /** 1 GiB of zeros after the end-of-archive marker (legal padding, if short) is counted and stopped. */
  @Test
  void gzipBombInTheTarPaddingIsStoppedAtTheRatioCap() throws IOException {
    Path bomb = write(tmp, "padding.tar.gz", gzipWithZeros(tar(files()).tar(), 1024));
    long packed = bomb.toFile().length();
    AtomicLong read = new AtomicLong(-1);
    GenRtlException e = catchRefusal(bomb, read);
    assertThat(e.details()).containsEntry("reason", "compression_ratio").doesNotContainKey("entry");
    assertThat(read.get()).isLessThan(LIMITS.maxCompressionRatio() * packed + (1 << 20));
  }

  private GenRtlException catchRefusal(Path archive, AtomicLong read) {
    Map<String, String> before = TestPackages.listing(tmp);
    GenRtlException e = org.assertj.core.api.Assertions.catchThrowableOfType(GenRtlException.class,
        () -> new ArchiveInspector(read::set).inspect(archive, LIMITS));
    assertThat(TestPackages.listing(tmp)).isEqualTo(before);
    assertThat(e).isNotNull();
    return e;
  }

  private static long zerosCrc(int n) {
    java.util.zip.CRC32 c = new java.util.zip.CRC32();
    c.update(new byte[n]);
    return c.getValue();
  }

  /** gzip(prefix + mib MiB of zeros), built from pre-compressed blocks so it takes milliseconds. */
  private static byte[] gzipWithZeros(byte[] prefix, int mib) {
    java.util.zip.Deflater d = new java.util.zip.Deflater(9, true);
    d.setInput(prefix);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, java.util.zip.Deflater.SYNC_FLUSH);
      body.write(buf, 0, n);
    } while (n == buf.length || !d.needsInput());
    d.end();
    // zeros: deflatedZeros starts a fresh stream, which is fine after a sync flush (no back-references needed)
    body.writeBytes(RawZip.deflatedZeros(mib));
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    gz.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff});
    gz.writeBytes(body.toByteArray());
    ByteBuffer trailer = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0);
    gz.writeBytes(trailer.array());
    return gz.toByteArray();
  }

  @Test
  void inspectorRefusesAMissingFileWithAnIoErrorNotARefusal() {
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(
        () -> new ArchiveInspector().inspect(tmp.resolve("nope.zip"), LIMITS));
    assertThat(t).isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(Files.exists(tmp.resolve("nope.zip"))).isFalse();
  }
}
