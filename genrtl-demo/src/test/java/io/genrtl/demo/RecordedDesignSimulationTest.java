package io.genrtl.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recorded Implement patch, applied with {@code git apply} next to the seed sync_fifo RTL, compiles and its
 * testbench FAILS in real Icarus Verilog (the bug is real); after the recorded Repair patch it prints exactly PASS.
 * Skipped without iverilog unless {@code GENRTL_REQUIRE_SIMULATORS=1}.
 */
class RecordedDesignSimulationTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  static final String FIFO = "vendor/cbb/sync_fifo/1.0.0/rtl/sync_fifo.sv";

  @TempDir Path dir;

  record Run(int exit, String out) {}

  private Run run(Path cwd, String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", cmd) + " did not end");
    }
    return new Run(p.exitValue(), out);
  }

  private boolean available(String tool) {
    try {
      return run(dir, tool, tool.equals("git") ? "--version" : "-V").exit() >= 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private Run simulate() throws Exception {
    Run compile = run(dir, "iverilog", "-g2012", "-o", "sim.vvp", "-s", "tb_pack16", FIFO, "rtl/pack16.sv", "tb/tb_pack16.sv");
    assertThat(compile.exit()).as(compile.out()).isZero();
    return run(dir, "vvp", "-n", "sim.vvp");
  }

  private void apply(String patch, String name) throws Exception {
    Path file = dir.resolve("../" + name);
    Files.writeString(file, patch);
    Run r = run(dir, "git", "apply", "--verbose", file.toString());
    assertThat(r.exit()).as(r.out()).isZero();
  }

  private static List<String> touched(String patch) {
    List<String> paths = new ArrayList<>();
    for (String line : patch.split("\n")) {
      if (line.startsWith("+++ ") || line.startsWith("--- ")) paths.add(line.substring(4));
    }
    return paths;
  }

  @Test
  void theImplementPatchHasARealBugTheTestbenchFindsAndTheRepairFixesIt() throws Exception {
    boolean sims = available("iverilog") && available("vvp");
    if (!sims && "1".equals(System.getenv("GENRTL_REQUIRE_SIMULATORS"))) {
      throw new AssertionError("iverilog is required (GENRTL_REQUIRE_SIMULATORS=1) but not installed");
    }
    Assumptions.assumeTrue(sims, "iverilog not installed: the recorded design is not simulated");
    Assumptions.assumeTrue(available("git"), "git not installed");

    // neither patch may touch the read-only vendor tree
    assertThat(touched(RecordedProviders.implementPatch())).containsExactlyInAnyOrder("/dev/null", "b/rtl/pack16.sv",
        "/dev/null", "b/tb/tb_pack16.sv");
    assertThat(touched(RecordedProviders.repairPatch())).containsExactly("a/rtl/pack16.sv", "b/rtl/pack16.sv");

    // its own repository, so git apply works relative to this directory wherever the temp dir lives
    assertThat(run(dir, "git", "init", "-q").exit()).isZero();
    Files.createDirectories(dir.resolve(FIFO).getParent());
    Files.copy(CATALOG.resolve("sync_fifo/rtl/sync_fifo.sv"), dir.resolve(FIFO));

    apply(RecordedProviders.implementPatch(), "implement.diff");
    Run first = simulate();
    assertThat(first.out()).contains("FAIL: 32 errors").doesNotContain("PASS");
    assertThat(first.out()).contains("word 0: got 0b30, expected 300b");

    apply(RecordedProviders.repairPatch(), "repair.diff");
    Run second = simulate();
    assertThat(second.out().lines().toList()).contains("PASS").noneMatch(l -> l.startsWith("FAIL"));
  }
}
