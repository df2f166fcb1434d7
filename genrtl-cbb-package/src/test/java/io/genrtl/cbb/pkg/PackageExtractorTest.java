package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackageExtractorTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  @TempDir Path tmp;

  private static List<String> tree(Path root) throws Exception {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void bothFormatsUnpackToTheSourceTreeByteForByte() throws Exception {
    Path src = CATALOG.resolve("uart");
    List<String> expected = tree(src).stream().filter(p -> !p.startsWith("build/")).toList();
    for (CbbPackage.Format f : CbbPackage.Format.values()) {
      Path archive = PackageBuilder.build(src, tmp.resolve("uart." + f.wire()), f);
      Path dest = tmp.resolve("out-" + f.wire()).resolve("vendor/cbb/uart/1.0.0");
      CbbPackage pkg = PackageExtractor.extract(archive, dest, PackageLimits.DEFAULTS);
      assertThat(pkg.manifest().id()).isEqualTo("uart");
      assertThat(tree(dest)).isEqualTo(expected);
      for (String p : expected) assertThat(Files.readAllBytes(dest.resolve(p))).as(p).isEqualTo(Files.readAllBytes(src.resolve(p)));
    }
  }

  @Test
  void aRefusedArchiveWritesNothing() throws Exception {
    ByteArrayOutputStream evil = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(evil)) {
      z.putNextEntry(new ZipEntry("../../escape.txt"));
      z.write("x".getBytes());
      z.closeEntry();
    }
    Path archive = Files.write(tmp.resolve("evil.zip"), evil.toByteArray());
    Path dest = tmp.resolve("a/b/dest");
    assertThatThrownBy(() -> PackageExtractor.extract(archive, dest, PackageLimits.DEFAULTS))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.details()).containsEntry("reason", "path_traversal"));
    assertThat(tmp.resolve("a")).doesNotExist();
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
  }

  @Test
  void thePublicPathRulesAreThePackageRules() {
    assertThat(PathRules.problem("rtl/a.sv", false)).isNull();
    assertThat(PathRules.problem("/etc/passwd", false)).isEqualTo("absolute_path");
    assertThat(PathRules.problem("../a", false)).isEqualTo("path_traversal");
    assertThat(PathRules.problem("./a", false)).isEqualTo("path_traversal");
    assertThat(PathRules.problem("./a", true)).isNull();
    assertThat(PathRules.normalise("./a")).isEqualTo("a");
    assertThat(PathRules.describe("absolute_path", "/x")).contains("absolute");
  }
}
