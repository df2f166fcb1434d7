package io.genrtl.cbb.pkg;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.cbb.CbbPackage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every seed CBB, built into its reproducible package and unpacked the way a client installs it, runs its own smoke
 * testbench with its own {@code scripts/run_iverilog.sh} and must print PASS (a few seconds in all). Without Icarus
 * Verilog the test is skipped with a message, unless {@code GENRTL_REQUIRE_SIMULATORS=1}. The Verilator runs of the
 * seed catalog moved to the API level ({@code ToolApiTest} in the host: every seed bought and run through
 * {@code POST /api/tools/run} in both simulators), so CI builds each package with Verilator once, not twice.
 */
class SeedCatalogSimulationTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  @TempDir Path tmp;

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return false;
  }

  static boolean env(String name) {
    String v = System.getenv(name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  static List<Path> packages() throws IOException {
    try (Stream<Path> s = Files.list(CATALOG)) {
      return s.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
    }
  }

  @TestFactory
  List<DynamicTest> everySeedPackagePassesInIcarus() throws IOException {
    return tests("iverilog", "scripts/run_iverilog.sh", 120);
  }

  private List<DynamicTest> tests(String tool, String script, int timeoutSeconds) throws IOException {
    List<DynamicTest> out = new ArrayList<>();
    for (Path pkg : packages()) {
      out.add(DynamicTest.dynamicTest(pkg.getFileName() + " in " + tool, () -> {
        if (!onPath(tool)) {
          if (env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(tool + " is not installed (apt-get install " + tool + ")");
          Assumptions.abort(tool + " not installed");
        }
        Path archive = PackageBuilder.build(pkg, tmp.resolve(pkg.getFileName() + "-" + tool + ".tar.gz"), CbbPackage.Format.TAR_GZ);
        Path root = Files.createDirectories(tmp.resolve(tool).resolve(pkg.getFileName().toString()));
        untar(archive, root);
        Process p = new ProcessBuilder("bash", script).directory(root.toFile()).redirectErrorStream(true).start();
        byte[] log;
        try (InputStream in = p.getInputStream()) {
          log = in.readAllBytes();
        }
        assertThat(p.waitFor(timeoutSeconds, TimeUnit.SECONDS)).as("finished").isTrue();
        String text = new String(log, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();
        assertThat(text.lines().map(String::strip).toList()).as(text).contains("PASS");
        assertThat(text).as(text).doesNotContain("FAIL");
      }));
    }
    return out;
  }

  static void untar(Path archive, Path dest) throws IOException {
    try (InputStream f = Files.newInputStream(archive);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(f))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path target = dest.resolve(e.getName()).normalize();
        if (!target.startsWith(dest)) throw new IOException("entry outside the package: " + e.getName());
        if (e.isDirectory()) {
          Files.createDirectories(target);
        } else {
          Files.createDirectories(target.getParent());
          Files.copy(tar, target);
        }
      }
    }
  }
}
