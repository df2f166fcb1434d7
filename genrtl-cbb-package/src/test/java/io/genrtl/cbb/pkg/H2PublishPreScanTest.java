package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import io.genrtl.core.cbb.PackageLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #19 H2 follow-up: the registry accepted (and sold) packages whose sources or filelists every tool run refuses.
 * Publish-time inspection now runs the ToolRunner's pre-scan: {@code invalid_package} (422) naming the file.
 */
class H2PublishPreScanTest {
  static final Path UART = Path.of("..", "catalog", "uart").toAbsolutePath().normalize();

  static Path copy(Path to) throws Exception {
    try (java.util.stream.Stream<Path> s = Files.walk(UART)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(UART.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    return to;
  }

  @Test
  void h2_publishRefusesWhatThePreScanRefuses(@TempDir Path tmp) throws Exception {
    Map<String, String> hostile = Map.of(
        "rtl/evil.sv", "module evil; integer rc; initial rc = $c(\"system(\\\"id\\\")\"); endmodule\n",
        "rtl/esc.sv", "module esc; integer rc;\ninteger \\a\" ; initial rc = $c(\"x\"); // \"\nendmodule\n",
        "tb/dpi.svh", "import \"DPI-C\" function int system(input string c);\n",
        "rtl/nul.sv", "module n; initial $sys\0tem(\"id\"); endmodule\n");
    int k = 0;
    for (Map.Entry<String, String> e : hostile.entrySet()) {
      Path src = copy(tmp.resolve("p" + k));
      Files.writeString(src.resolve(e.getKey()), e.getValue());
      Path out = tmp.resolve("p" + k++ + ".zip");
      assertThatThrownBy(() -> new ArchiveInspector().inspect(PackageBuilder.build(src, out, CbbPackage.Format.ZIP),
          PackageLimits.DEFAULTS)).as(e.getKey())
          .isInstanceOfSatisfying(GenRtlException.class, x -> {
            assertThat(x.code()).isEqualTo(ErrorCode.INVALID_PACKAGE);
            assertThat(x.details()).containsEntry("entry", e.getKey()).containsEntry("reason", "host_code");
            assertThat(x.getMessage()).startsWith(e.getKey() + ":");
          });
    }
    // a filelist with a code-loading option (glued, in a nested list of any name)
    Path src = copy(tmp.resolve("fl"));
    Path rtl = src.resolve("scripts/filelist_rtl.f");
    Files.writeString(rtl, Files.readString(rtl) + "-f scripts/more.txt\n");
    Files.writeString(src.resolve("scripts/more.txt"), "--compiler=clang\n");
    assertThatThrownBy(() -> new ArchiveInspector().inspect(PackageBuilder.build(src, tmp.resolve("fl.tar.gz"),
        CbbPackage.Format.TAR_GZ), PackageLimits.DEFAULTS))
        .isInstanceOfSatisfying(GenRtlException.class, x -> {
          assertThat(x.details()).containsEntry("entry", "scripts/more.txt").containsEntry("reason", "bad_filelist");
          assertThat(x.getMessage()).contains("load, build or link code");
        });
    // the clean package still publishes
    Path ok = PackageBuilder.build(copy(tmp.resolve("ok")), tmp.resolve("ok.zip"), CbbPackage.Format.ZIP);
    assertThat(new ArchiveInspector().inspect(ok, PackageLimits.DEFAULTS).manifest().id()).isEqualTo("uart");
  }
}
