package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real simulators on small designs: verdicts, diagnostics with exact file and line, limits, hostile inputs. */
class ToolRunnerTest {
  static final Path CATALOG = Path.of("..", "catalog").toAbsolutePath().normalize();
  static final String ADDER = "module adder(input [3:0] a, input [3:0] b, output [4:0] s);\n"
      + "  assign s = a + b;\n"
      + "endmodule\n";
  static final String TB = "module tb;\n"
      + "  reg [3:0] a, b;\n"
      + "  wire [4:0] s;\n"
      + "  adder dut(.a(a), .b(b), .s(s));\n"
      + "  integer i, errors;\n"
      + "  initial begin\n"
      + "    errors = 0;\n"
      + "    for (i = 0; i < 16; i = i + 1) begin\n"
      + "      a = i[3:0]; b = 4'd15 - i[3:0]; #1;\n"
      + "      if (s !== 5'd15) errors = errors + 1;\n"
      + "    end\n"
      + "    if (errors == 0) $display(\"PASS\"); else $display(\"FAIL: %0d errors\", errors);\n"
      + "    $finish;\n"
      + "  end\n"
      + "endmodule\n";

  @TempDir static Path work;
  static ToolRunner runner;

  @BeforeAll
  static void create() {
    Sims.reachable(work);
    runner = ToolRunner.create(settings(work.resolve("runs")).withCache(work.resolve("cache"), 256L << 20));
  }

  static ToolRunner.Settings settings(Path dir) {
    ToolRunner.Settings d = ToolRunner.Settings.defaults();
    return d.withWorkDir(dir).withVerilatorJobs(Sims.verilatorJobs()).withMaxConcurrent(2)
        .withLimits(d.compile(), new ToolRunner.Limits(Duration.ofSeconds(20), Duration.ofSeconds(60), 2L << 30, 1L << 20, 64L << 20),
            Duration.ofSeconds(60));
  }

  static Map<String, String> files(String... pathText) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pathText.length; i += 2) m.put(pathText[i], pathText[i + 1]);
    return m;
  }

  static RunRequest req(Simulator sim, Map<String, String> files, String top) {
    return new RunRequest(sim, files, List.of(), top, null, List.of(), null);
  }

  static EvidenceBundle run(Simulator sim, String top, String... pathText) {
    Sims.require(sim);
    return runner.run(req(sim, files(pathText), top));
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void aPassingDesignPassesWithReproducibleCommands(Simulator sim) {
    EvidenceBundle b = run(sim, "tb", "rtl/adder.sv", ADDER, "tb/tb.sv", TB);
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("pass");
    assertThat(b.passed()).isTrue();
    assertThat(b.exitCode()).isZero();
    assertThat(b.run().exitCode()).isZero();
    assertThat(b.isolation()).isEqualTo(runner.isolation());
    assertThat(b.diagnostics()).isEmpty();
    if (sim == Simulator.IVERILOG) {
      assertThat(b.compileCommand()).isEqualTo("iverilog -g2012 -o sim.vvp -s tb rtl/adder.sv tb/tb.sv");
      assertThat(b.runCommand()).isEqualTo("vvp -n sim.vvp");
      assertThat(b.toolVersion()).startsWith("Icarus Verilog version");
    } else {
      assertThat(b.compileCommand()).isEqualTo("verilator --binary --timing -Wno-fatal -j " + Sims.verilatorJobs()
          + " --top-module tb rtl/adder.sv tb/tb.sv");
      assertThat(b.runCommand()).isEqualTo("obj_dir/Vtb");
      assertThat(b.toolVersion()).startsWith("Verilator 5");
    }
    assertThat(b.logExcerpt()).contains("$ " + b.compileCommand()).contains("PASS");
    Map<String, Object> json = b.toMap();
    assertThat(json).containsEntry("tool", sim.wire()).containsEntry("passed", true).containsEntry("verdict", "pass")
        .containsEntry("mismatches", null).containsKeys("duration_ms", "cpu_ms", "log_excerpt", "isolation");
    assertThat(((Map<?, ?>) json.get("command")).keySet()).map(Object::toString).containsExactly("compile", "run");
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void aSyntaxErrorIsACompileErrorAtItsFileAndLine(Simulator sim) {
    String bad = "module adder(input [3:0] a, input [3:0] b, output [4:0] s);\n  assign s = a + ;\nendmodule\n";
    EvidenceBundle b = run(sim, "tb", "rtl/adder.sv", bad, "tb/tb.sv", TB);
    assertThat(b.verdict()).isEqualTo("compile_error");
    assertThat(b.passed()).isFalse();
    assertThat(b.run()).isNull();
    assertThat(b.exitCode()).isNotZero();
    assertThat(b.diagnostics()).isNotEmpty();
    Diagnostic d = b.diagnostics().get(0);
    assertThat(d.file()).isEqualTo("rtl/adder.sv");
    assertThat(d.line()).isEqualTo(2);
    assertThat(d.severity()).isEqualTo("error");
    assertThat(d.message()).contains("syntax error");
    if (sim == Simulator.VERILATOR) assertThat(d.column()).isEqualTo(18);
    else assertThat(d.column()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void aMissingModuleIsNamedAtTheInstantiation(Simulator sim) {
    EvidenceBundle b = run(sim, "tb", "tb/tb.sv", TB);
    assertThat(b.verdict()).isEqualTo("compile_error");
    assertThat(b.diagnostics()).anySatisfy(d -> {
      assertThat(d.file()).isEqualTo("tb/tb.sv");
      assertThat(d.line()).isEqualTo(4);
      assertThat(d.severity()).isEqualTo("error");
      assertThat(d.message()).contains("adder");
    });
  }

  @Test
  void aWidthMismatchIsAVerilatorWarningWithFileLineAndColumn() {
    String trunc = "module adder(input [3:0] a, input [3:0] b, output [4:0] s);\n"
        + "  wire [7:0] wide = {a, b};\n"
        + "  wire [3:0] t;\n"
        + "  assign t = wide;\n"
        + "  assign s = a + b;\n"
        + "endmodule\n";
    EvidenceBundle b = run(Simulator.VERILATOR, "tb", "rtl/adder.sv", trunc, "tb/tb.sv", TB);
    assertThat(b.diagnostics()).as(b.logExcerpt()).anySatisfy(d -> {
      assertThat(d.file()).isEqualTo("rtl/adder.sv");
      assertThat(d.line()).isEqualTo(4);
      assertThat(d.column()).isEqualTo(12);
      assertThat(d.severity()).isEqualTo("warning");
      assertThat(d.message()).startsWith("WIDTH").contains("expects 4 bits");
    });
    assertThat(b.verdict()).isEqualTo("pass"); // a warning does not stop the build (-Wno-fatal)
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void aWrongOutputFails(Simulator sim) {
    String wrong = ADDER.replace("a + b", "a - b");
    EvidenceBundle b = run(sim, "tb", "rtl/adder.sv", wrong, "tb/tb.sv", TB);
    assertThat(b.verdict()).isEqualTo("fail");
    assertThat(b.passed()).isFalse();
    assertThat(b.run().exitCode()).isZero();
    assertThat(b.logExcerpt()).contains("FAIL: ");
  }

  static final String VERILOG_EVAL = "module tb;\n"
      + "  integer i, errors, first;\n"
      + "  reg [7:0] ref_out, dut_out;\n"
      + "  initial begin\n"
      + "    errors = 0; first = -1;\n"
      + "    for (i = 0; i < 20; i = i + 1) begin\n"
      + "      #10;\n"
      + "      ref_out = i[7:0]; dut_out = (i >= `BUG_FROM) ? 8'd0 : i[7:0];\n"
      + "      if (ref_out !== dut_out) begin errors = errors + 1; if (first < 0) first = $time; end\n"
      + "    end\n"
      + "    if (errors > 0) $display(\"Hint: Output 'out' has %0d mismatches. First mismatch occurred at time %0d.\", errors, first);\n"
      + "    $display(\"Hint: Total mismatched samples is %0d out of %0d samples\", errors, 20);\n"
      + "    $display(\"Simulation finished at %0d ps\", $time);\n"
      + "    $display(\"Mismatches: %0d in %0d samples\", errors, 20);\n"
      + "    $finish;\n"
      + "  end\n"
      + "endmodule\n";

  @Test
  void aVerilogEvalSummaryGivesMismatchesSamplesAndTheFirstMismatchTime() {
    Sims.require(Simulator.IVERILOG);
    EvidenceBundle b = runner.run(new RunRequest(Simulator.IVERILOG, files("tb.sv", VERILOG_EVAL), List.of(), "tb", null,
        List.of("-DBUG_FROM=17"), null));
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("fail");
    assertThat(b.passed()).isFalse();
    assertThat(b.mismatches()).isEqualTo(3);
    assertThat(b.samples()).isEqualTo(20);
    assertThat(b.firstMismatchTime()).isEqualTo(180);
    assertThat(b.compileCommand()).isEqualTo("iverilog -g2012 -o sim.vvp -s tb -DBUG_FROM=17 tb.sv");

    EvidenceBundle ok = runner.run(new RunRequest(Simulator.IVERILOG, files("tb.sv", VERILOG_EVAL), List.of(), "tb", null,
        List.of("+define+BUG_FROM=99"), null));
    assertThat(ok.verdict()).isEqualTo("pass");
    assertThat(ok.passed()).isTrue();
    assertThat(ok.mismatches()).isZero();
    assertThat(ok.samples()).isEqualTo(20);
    assertThat(ok.firstMismatchTime()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void fatalIsFatalEvenAfterAPassLine(Simulator sim) {
    String tb = "module tb;\n  initial begin\n    $display(\"PASS\"); #5;\n    $fatal(1, \"boom\");\n  end\nendmodule\n";
    EvidenceBundle b = run(sim, "tb", "tb.sv", tb);
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("fatal");
    assertThat(b.passed()).isFalse();
    assertThat(b.run().exitCode()).isNotZero();
    assertThat(b.diagnostics()).anySatisfy(d -> {
      assertThat(d.file()).isEqualTo("tb.sv");
      assertThat(d.line()).isEqualTo(4);
      assertThat(d.message()).contains("boom");
      assertThat(d.severity()).isIn("fatal", "error");
    });
  }

  @Test
  void noVerdictIsNotAPass() {
    EvidenceBundle b = run(Simulator.IVERILOG, "tb", "tb.sv", "module tb;\n  initial begin $display(\"done\"); $finish; end\nendmodule\n");
    assertThat(b.verdict()).isEqualTo("no_verdict");
    assertThat(b.passed()).isFalse();
    assertThat(b.run().exitCode()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void anEndlessTestbenchIsStoppedAtItsLimitEvenAfterPrintingPass(Simulator sim) {
    Sims.require(sim);
    String tb = "module tb;\n  reg x = 0;\n  initial $display(\"PASS\");\n  always #1 x = ~x;\nendmodule\n";
    EvidenceBundle b = runner.run(new RunRequest(sim, files("tb.sv", tb), List.of(), "tb", null, List.of(), Duration.ofSeconds(2)));
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("timeout");
    assertThat(b.passed()).isFalse();
    assertThat(b.limitExceeded()).isIn("wall_clock", "cpu_time");
    assertThat(b.run().limitExceeded()).isEqualTo(b.limitExceeded());
    assertThat(b.logExcerpt()).contains("[genrtl] stopped");
  }

  @Test
  void aCpuLimitStopsABusyLoopBeforeTheWallClock() {
    Sims.require(Simulator.IVERILOG);
    ToolRunner.Settings s = settings(work.resolve("cpu"));
    ToolRunner tight = ToolRunner.create(s.withLimits(s.compile(),
        new ToolRunner.Limits(Duration.ofSeconds(120), Duration.ofSeconds(1), 1L << 30, 1L << 20, 1L << 20), Duration.ofSeconds(120)));
    String tb = "module tb;\n  integer n = 0;\n  initial forever n = n + 1;\nendmodule\n";
    EvidenceBundle b = tight.run(req(Simulator.IVERILOG, files("tb.sv", tb), "tb"));
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("timeout");
    assertThat(b.limitExceeded()).isEqualTo("cpu_time");
  }

  @Test
  void outputBeyondItsCapStopsTheRun() {
    Sims.require(Simulator.IVERILOG);
    String tb = "module tb;\n  initial forever begin $display(\"spam spam spam spam spam spam spam spam\"); #1; end\nendmodule\n";
    EvidenceBundle b = runner.run(req(Simulator.IVERILOG, files("tb.sv", tb), "tb"));
    assertThat(b.verdict()).isEqualTo("fatal");
    assertThat(b.limitExceeded()).isEqualTo("output");
    assertThat(b.logExcerpt().length()).isLessThan(3 * runner.settings().excerptChars());
    assertThat(b.logBytes()).isGreaterThan(1L << 20);
  }

  // ------------------------------------------------------------------------------------------------ hostile input

  @Test
  void hostilePathsAndArgumentsAreRefusedBeforeAnythingRuns() {
    for (String p : List.of("/etc/passwd", "../x.sv", "rtl/../../x.sv", "a/./b.sv", "a//b.sv", "C:/x.sv", "a\\b.sv",
        "vendor/cbb/uart/1.0.0/rtl/uart.sv", "vendor/cbb", "obj_dir/Vtb", "sim.vvp", ".genrtl/x", "x\u0000.sv", "")) {
      assertThatThrownBy(() -> ToolRunner.validate(req(Simulator.IVERILOG, files(p, "module m; endmodule"), "tb")))
          .as(p).isInstanceOfSatisfying(GenRtlException.class, e -> {
            assertThat(e.code().code()).isEqualTo("validation_failed");
            assertThat(e.details()).containsEntry("field", "files[0].path");
          });
    }
    for (String a : List.of("-o/tmp/x", "-I../", "-I/etc", "+incdir+/usr", "-DX;rm", "--exe", "-CFLAGS", "-f", "-D")) {
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.VERILATOR, files("t.sv", ""), List.of(), "t", null,
          List.of(a), null))).as(a).isInstanceOfSatisfying(GenRtlException.class,
          e -> assertThat(e.details()).containsEntry("field", "args[0]"));
    }
    ToolRunner.validate(new RunRequest(Simulator.VERILATOR, files("t.sv", "", "inc/x.vh", ""), List.of(), "t", null,
        List.of("-DX=1", "-Iinc", "+incdir+inc+.", "+define+A+B=8'hFF"), null));
    for (String list : List.of("/etc/passwd\n", "../x.sv\n", "evil.cpp\n", "t.sv evil.so\n", "-y lib\n", "t.sv -o x\n", "-f missing.f\n", "$HOME/x.sv\n",
        "\"t.sv\"\n", "+incdir+../\n")) {
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.IVERILOG, files("t.sv", "", "sim.f", list),
          List.of(), "t", "sim.f", List.of(), null))).as(list).isInstanceOfSatisfying(GenRtlException.class,
          e -> assertThat(e.details()).containsEntry("field", "filelist"));
    }
    assertThatThrownBy(() -> ToolRunner.validate(req(Simulator.IVERILOG, files("t.sv", ""), "t; rm -rf /")))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.details()).containsEntry("field", "top"));
    assertThatThrownBy(() -> ToolRunner.validate(req(Simulator.IVERILOG, files("A.sv", "", "a.sv", ""), "t")))
        .isInstanceOf(GenRtlException.class).hasMessageContaining("differ only in case");
  }

  @Test
  void thePreScanRefusesFileNamesOutsideTheRunDirectoryAndSystemWithTheirLines() {
    String tb = "`include \"../secret.vh\"\n"
        + "`include \"/etc/passwd\"\n"
        + "module tb;\n"
        + "  reg [7:0] mem [0:3]; integer fd;\n"
        + "  // $system(\"in a comment is fine\"); $readmemh(\"/etc/shadow\", mem);\n"
        + "  initial begin\n"
        + "    $readmemh(\"/etc/passwd\", mem);\n"
        + "    fd = $fopen(\"../out.txt\", \"w\");\n"
        + "    $display(\"$system in a string is fine\");\n"
        + "    fd = $system(\"id\");\n"
        + "    $readmemh(\"data/ok.hex\", mem);\n"
        + "  end\n"
        + "endmodule\n";
    EvidenceBundle b = run(Simulator.IVERILOG, "tb", "tb.sv", tb, "data/ok.hex", "00\n");
    assertThat(b.verdict()).isEqualTo("compile_error");
    assertThat(b.passed()).isFalse();
    assertThat(b.exitCode()).isNull();
    assertThat(b.compile()).isNull();
    assertThat(b.diagnostics()).extracting(Diagnostic::file, Diagnostic::line, Diagnostic::column).containsExactly(
        org.assertj.core.groups.Tuple.tuple("tb.sv", 1, 1), org.assertj.core.groups.Tuple.tuple("tb.sv", 2, 1),
        org.assertj.core.groups.Tuple.tuple("tb.sv", 7, 5), org.assertj.core.groups.Tuple.tuple("tb.sv", 8, 10),
        org.assertj.core.groups.Tuple.tuple("tb.sv", 10, 10));
    assertThat(b.diagnostics()).allSatisfy(d -> assertThat(d.message()).startsWith("refused: "));
    assertThat(b.diagnostics().get(4).message()).contains("$system");
  }

  @Test
  void withoutThePreScanTheSandboxStillKeepsReadsAndWritesInsideTheRunDirectory() throws Exception {
    Sims.require(Simulator.IVERILOG);
    Path dir = work.resolve("contain");
    ToolRunner bare = ToolRunner.withoutPrescan(settings(dir));
    Sims.requireBwrap(bare);
    Path secret = Files.writeString(work.resolve("secret.txt"), "TOP-SECRET-CONTENT\n");
    String tb = "`include \"" + secret + "\"\n"
        + "module tb;\n"
        + "  integer fd, c; reg [8*200:1] name;\n"
        + "  initial begin\n"
        + "    name = \"/etc/passwd\"; fd = $fopen(name, \"r\");\n"
        + "    if (fd == 0) $display(\"READ_BLOCKED\"); else begin c = $fgetc(fd); $display(\"READ_OK %0d\", c); end\n"
        + "    name = \"" + secret + "\"; fd = $fopen(name, \"r\");\n"
        + "    if (fd == 0) $display(\"SECRET_BLOCKED\"); else $display(\"SECRET_OK\");\n"
        + "    name = \"../escape.txt\"; fd = $fopen(name, \"w\");\n"
        + "    if (fd != 0) begin $fdisplay(fd, \"x\"); $fclose(fd); end\n"
        + "    name = \"../../escape.txt\"; fd = $fopen(name, \"w\");\n"
        + "    if (fd != 0) begin $fdisplay(fd, \"x\"); $fclose(fd); end\n"
        + "    $display(\"PASS\"); $finish;\n"
        + "  end\n"
        + "endmodule\n";
    // the absolute include cannot be read: the compile fails in the sandbox
    EvidenceBundle inc = bare.run(req(Simulator.IVERILOG, files("tb.sv", tb), "tb"));
    assertThat(inc.verdict()).isEqualTo("compile_error");
    assertThat(inc.logExcerpt()).doesNotContain("TOP-SECRET-CONTENT");
    assertThat(inc.diagnostics()).anySatisfy(d -> assertThat(d.file()).isEqualTo("tb.sv"));

    EvidenceBundle b = bare.run(req(Simulator.IVERILOG, files("tb.sv", tb.substring(tb.indexOf('\n') + 1)), "tb"));
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("pass");
    assertThat(b.logExcerpt()).contains("READ_BLOCKED").contains("SECRET_BLOCKED").doesNotContain("READ_OK").doesNotContain("SECRET_OK");
    try (Stream<Path> s = Files.walk(work)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("escape")).toList()).isEmpty();
    }
    assertThat(Path.of("/escape.txt")).doesNotExist();
  }

  @Test
  void verilatorSystemCannotReadOrChangeAnythingOutsideTheRunDirectory() throws Exception {
    Sims.require(Simulator.VERILATOR);
    Path dir = work.resolve("system");
    ToolRunner bare = ToolRunner.withoutPrescan(settings(dir));
    Sims.requireBwrap(bare);
    Path secret = Files.writeString(work.resolve("secret2.txt"), "TOP-SECRET-2\n");
    String tb = "module tb;\n"
        + "  integer rc;\n"
        + "  initial begin\n"
        + "    rc = $system(\"cat /etc/passwd " + secret + "; echo x > ../escape2.txt; echo x > " + work
        + "/escape3.txt; echo SYSTEM_RAN\");\n"
        + "    $display(\"rc=%0d\", rc);\n"
        + "    $display(\"PASS\"); $finish;\n"
        + "  end\n"
        + "endmodule\n";
    EvidenceBundle b = bare.run(req(Simulator.VERILATOR, files("tb.sv", tb), "tb"));
    assertThat(b.logExcerpt()).as(b.logExcerpt()).contains("SYSTEM_RAN");
    assertThat(b.logExcerpt()).doesNotContain("root:").doesNotContain("TOP-SECRET-2");
    try (Stream<Path> s = Files.walk(work)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("escape")).toList()).isEmpty();
    }
    // and with the pre-scan on, $system never reaches the simulator
    EvidenceBundle refused = runner.run(req(Simulator.VERILATOR, files("tb.sv", tb), "tb"));
    assertThat(refused.verdict()).isEqualTo("compile_error");
    assertThat(refused.diagnostics()).singleElement().satisfies(d -> {
      assertThat(d.line()).isEqualTo(4);
      assertThat(d.message()).contains("$system");
    });
  }

  // ------------------------------------------------------------------------------------------------ packages, cache, queue

  @ParameterizedTest
  @EnumSource(Simulator.class)
  void aCbbIsUnpackedUnderVendorAndItsRtlFilelistCompiled(Simulator sim, @TempDir Path tmp) {
    Sims.require(sim);
    Path pkg = PackageBuilder.build(CATALOG.resolve("uart"), tmp.resolve("uart.zip"), CbbPackage.Format.ZIP);
    RunRequest r = new RunRequest(sim, files("sim.f", "// the package's own testbench\nvendor/cbb/uart/1.0.0/tb/tb_uart.sv\n"),
        List.of(new RunRequest.Cbb("uart", "1.0.0", pkg)), "tb_uart", "sim.f", List.of(), Duration.ofSeconds(60));
    EvidenceBundle b = runner.run(r);
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("pass");
    assertThat(b.passed()).isTrue();
    assertThat(b.compileCommand()).contains("vendor/cbb/uart/1.0.0/rtl/uart_tx.sv vendor/cbb/uart/1.0.0/rtl/uart_rx.sv"
        + " vendor/cbb/uart/1.0.0/rtl/uart.sv -f sim.f");
    assertThat(b.cbbs()).singleElement().satisfies(c -> {
      assertThat(c.path()).isEqualTo("vendor/cbb/uart/1.0.0");
      assertThat(c.sha256()).hasSize(64);
    });
    RunRequest wrong = new RunRequest(sim, files("sim.f", "x.sv\n", "x.sv", ""), List.of(new RunRequest.Cbb("sync_fifo", "1.0.0", pkg)),
        "x", "sim.f", List.of(), null);
    assertThatThrownBy(() -> runner.run(wrong)).isInstanceOfSatisfying(GenRtlException.class,
        e -> assertThat(e.code().code()).isEqualTo("conflict"));
  }

  @Test
  void verilatorBuildsAreCachedByContent(@TempDir Path tmp) throws Exception {
    Sims.require(Simulator.VERILATOR);
    ToolRunner cached = ToolRunner.create(settings(Sims.reachable(tmp).resolve("runs")).withCache(tmp.resolve("cache"), 256L << 20));
    String tb = TB.replace("$finish;", "$display(\"cache-test\"); $finish;");
    EvidenceBundle first = cached.run(req(Simulator.VERILATOR, files("rtl/adder.sv", ADDER, "tb/tb.sv", tb), "tb"));
    EvidenceBundle second = cached.run(req(Simulator.VERILATOR, files("rtl/adder.sv", ADDER, "tb/tb.sv", tb), "tb"));
    EvidenceBundle changed = cached.run(req(Simulator.VERILATOR, files("rtl/adder.sv", ADDER.replace("a + b", "b + a"), "tb/tb.sv", tb), "tb"));
    assertThat(first.compile().cached()).isFalse();
    assertThat(second.compile().cached()).as(first.logExcerpt() + "\n----\n" + second.logExcerpt()).isTrue();
    assertThat(changed.compile().cached()).isFalse();
    assertThat(List.of(first, second, changed)).allSatisfy(b -> assertThat(b.verdict()).isEqualTo("pass"));
    assertThat(second.compile().cpuMs()).isZero();
    assertThat(second.compileCommand()).isEqualTo(first.compileCommand());
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      assertThat(s.toList()).hasSize(2);
    }
  }

  @Test
  void concurrentRunsAllCompleteThroughTheQueue(@TempDir Path tmp) throws Exception {
    Sims.require(Simulator.IVERILOG);
    ToolRunner one = ToolRunner.create(settings(Sims.reachable(tmp)).withMaxConcurrent(1));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<EvidenceBundle>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String adder = i % 2 == 0 ? ADDER : ADDER.replace("a + b", "a - b");
        futures.add(pool.submit(() -> one.run(req(Simulator.IVERILOG, files("rtl/adder.sv", adder, "tb/tb.sv", TB), "tb"))));
      }
      for (int i = 0; i < futures.size(); i++) {
        assertThat(futures.get(i).get().verdict()).isEqualTo(i % 2 == 0 ? "pass" : "fail");
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> s = Files.list(tmp)) {
      assertThat(s.filter(p -> p.getFileName().toString().startsWith("run-")).toList()).as("run directories are deleted").isEmpty();
    }
  }
}
