package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.genrtl.cbb.pkg.PackageBuilder;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding H2, the pre-scan half: Verilator's {@code $c("system(…)")} ran shell commands past the {@code $system}
 * check. Every way for a design to run host code is refused before the compile: C escapes, DPI, verbatim C++ blocks,
 * {@code $system} assembled by macros, and the options and files that make a simulator load or build code, in the
 * request's arguments, user filelists and package filelists alike.
 */
class H2PreScanTest {
  @TempDir static Path work;
  static ToolRunner runner;

  @BeforeAll
  static void create() {
    Sims.reachable(work);
    runner = ToolRunner.create(ToolRunnerTest.settings(work.resolve("runs")));
  }

  static Map<String, String> files(String... pathText) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pathText.length; i += 2) m.put(pathText[i], pathText[i + 1]);
    return m;
  }

  @Test
  void h2_prescanRefusesVerilatorCEscape() {
    String tb = "module tb;\n"
        + "  integer rc;\n"
        + "  initial begin\n"
        + "    rc = $c(\"system(\\\"id\\\")\");\n"
        + "    rc = $c32(\"getpid()\");\n"
        + "    $cpure(\"x\");\n"
        + "    rc = \\$system (\"id\");\n"
        + "    rc = $cast(rc, 1) + $clog2(8) + $countones(3); // $c(\"in a comment\")\n"
        + "    $display(\"$c(\\\"in a string\\\") and $system\");\n"
        + "  end\n"
        + "endmodule\n";
    List<Diagnostic> d = SourceScan.scan("tb.sv", tb);
    assertThat(d).extracting(Diagnostic::line, Diagnostic::column).containsExactly(tuple(4, 10), tuple(5, 10), tuple(6, 5),
        tuple(7, 10));
    assertThat(d).allSatisfy(x -> assertThat(x.message()).startsWith("refused: ").contains("is not allowed"));
    assertThat(d.get(0).message()).contains("$c embeds C++ code");
    assertThat(d.get(3).message()).contains("escaped identifier spelling $system");
    // and through the runner: a compile_error bundle, no tool ran
    Sims.require(Simulator.VERILATOR);
    EvidenceBundle b = runner.run(new RunRequest(Simulator.VERILATOR, files("tb.sv",
        "module tb; integer rc; initial begin rc = $c(\"system(\\\"echo PWNED\\\")\"); $display(\"PASS\"); $finish; end endmodule\n"),
        List.of(), "tb", null, List.of(), null));
    assertThat(b.verdict()).isEqualTo("compile_error");
    assertThat(b.compile()).isNull();
    assertThat(b.logExcerpt()).doesNotContain("PWNED");
    assertThat(b.diagnostics()).singleElement().satisfies(x -> assertThat(x.message()).contains("$c"));
  }

  @Test
  void h2_prescanRefusesDpiAndVerbatimCpp() {
    String tb = "module tb;\n"
        + "  import \"DPI-C\" function int system(input string cmd);\n"
        + "  export \"DPI-C\" function f;\n"
        + "  import\n    \"DPI\" function int g();\n"
        + "  import pkg::*;\n"
        + "`systemc_header\n#include <cstdlib>\n`verilog\n"
        + "endmodule\n";
    List<Diagnostic> d = SourceScan.scan("tb.sv", tb);
    assertThat(d).extracting(Diagnostic::line).containsExactly(2, 3, 4, 7);
    assertThat(d.get(0).message()).contains("DPI");
    assertThat(d.get(3).message()).contains("`systemc_header inserts C++ code");
  }

  @Test
  void h2_prescanJoinsLineContinuationsButNotComments() {
    String tb = "`define RUN(x) $sys\\\ntem(x)\n"
        + "// a comment ending in a backslash \\\n"
        + "module tb; integer rc; initial rc = $system(\"id\"); endmodule\n";
    assertThat(SourceScan.scan("tb.sv", tb)).extracting(Diagnostic::line, Diagnostic::column)
        .containsExactly(tuple(1, 16), tuple(4, 37));
  }

  @Test
  void h2_prescanRefusesSystemAssembledByMacros() {
    String expanded = "`line 1 \"tb.sv\" 1\n \nmodule tb;\n  initial rc = $system(\"echo x\");\n`line 3 \"/sim/inc/x.vh\" 1\n"
        + "  $c(\"1\");\n`line 9 \"tb.sv\" 2\n  import \"DPI-C\" function int f();\nendmodule\n";
    assertThat(SourceScan.scanPreprocessed(expanded, "/tmp/run-1")).extracting(Diagnostic::file, Diagnostic::line)
        .containsExactly(tuple("tb.sv", 3), tuple("inc/x.vh", 3), tuple("tb.sv", 9));
    Sims.require(Simulator.VERILATOR);
    String tb = "`define CAT(a,b) a``b\n"
        + "`define CEE(s) `CAT($,c)(s)\n"
        + "`define DPI \"DPI-C\"\n"
        + "module tb;\n"
        + "  integer rc;\n"
        + "  initial begin\n"
        + "    rc = `CAT($sys,tem)(\"echo PWNED-SYSTEM\");\n"
        + "    rc = `CEE(\"system(\\\"echo PWNED-C\\\")\");\n"
        + "    $display(\"PASS\"); $finish;\n"
        + "  end\n"
        + "endmodule\n";
    assertThat(SourceScan.scan("tb.sv", tb)).as("no name is spelled out in the source").isEmpty();
    EvidenceBundle b = runner.run(new RunRequest(Simulator.VERILATOR, files("tb.sv", tb), List.of(), "tb", null, List.of(), null));
    assertThat(b.verdict()).as(b.logExcerpt()).isEqualTo("compile_error");
    assertThat(b.logExcerpt()).doesNotContain("PWNED").contains("verilator -E");
    assertThat(b.diagnostics()).extracting(Diagnostic::file, Diagnostic::line).containsExactly(tuple("tb.sv", 7), tuple("tb.sv", 8));
    assertThat(b.diagnostics()).allSatisfy(x -> assertThat(x.message()).contains("after macro expansion"));
    assertThat(b.run()).isNull();
    String dpi = "`define DPI \"DPI-C\"\nmodule tb;\n  import `DPI function int getpid();\n"
        + "  initial begin $display(\"%0d\", getpid()); $finish; end\nendmodule\n";
    EvidenceBundle c = runner.run(new RunRequest(Simulator.VERILATOR, files("tb.sv", dpi), List.of(), "tb", null, List.of(), null));
    assertThat(c.verdict()).isEqualTo("compile_error");
    assertThat(c.diagnostics()).singleElement().satisfies(x -> {
      assertThat(x.line()).isEqualTo(3);
      assertThat(x.message()).contains("DPI");
    });
    // a clean design still builds and passes after the extra preprocessing
    EvidenceBundle ok = runner.run(new RunRequest(Simulator.VERILATOR, files("rtl/adder.sv", ToolRunnerTest.ADDER, "tb/tb.sv",
        ToolRunnerTest.TB), List.of(), "tb", null, List.of(), null));
    assertThat(ok.verdict()).as(ok.logExcerpt()).isEqualTo("pass");
  }

  @Test
  void h2_verilatorCodeLoadingOptionsAreRefused() {
    for (String a : List.of("-CFLAGS", "-LDFLAGS", "-LDLIBS", "--compiler", "-lcrypto", "--exe", "-fplugin=evil.so", "-m",
        "-Mplugins", "-mevil", "--build", "-o/tmp/x", "-y", "-v")) {
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.VERILATOR, files("t.sv", ""), List.of(), "t", null,
          List.of(a), null))).as(a).isInstanceOfSatisfying(GenRtlException.class, e -> {
            assertThat(e.details()).containsEntry("field", "args[0]").containsEntry("reason", "code_loading_option");
            assertThat(e.getMessage()).contains("load, build or link code");
          });
    }
    for (String a : List.of("+define+A=1+-CFLAGS", "-DX=$c(1)", "-DX=\"a\"", "+incdir+/usr")) {
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.VERILATOR, files("t.sv", ""), List.of(), "t", null,
          List.of(a), null))).as(a).isInstanceOfSatisfying(GenRtlException.class,
          e -> assertThat(e.details()).containsEntry("field", "args[0]"));
    }
    // user filelists, nested ones too
    Map<String, String> lists = new LinkedHashMap<>();
    lists.put("-CFLAGS -O0\nt.sv\n", "code_loading_option");
    lists.put("t.sv\n-LDFLAGS -lfoo\n", "code_loading_option");
    lists.put("t.sv\nevil.cpp\n", "code_loading_option");
    lists.put("t.sv\nlibevil.so\n", "code_loading_option");
    lists.put("-f inner.f\n", "code_loading_option");
    lists.put("t.sv --exe\n", "code_loading_option");
    lists.put("rtl/*x.sv\n*/-CFLAGS.sv\n", "bad_filelist");
    lists.put("// hidden /* \nt.sv\n", "bad_filelist");
    lists.put("t.sv \\\n-CFLAGS\n", "bad_filelist");
    lists.put("+define+X='$c(1)'\nt.sv\n", "bad_filelist");
    lists.put("-DX='a\nt.sv\n", "bad_filelist");
    lists.put("${HOME}/x.sv\n", "bad_filelist");
    for (Map.Entry<String, String> e : lists.entrySet()) {
      Map<String, String> f = files("t.sv", "", "sim.f", e.getKey(), "inner.f", "t.sv\n-LDLIBS -lcrypto\n");
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.VERILATOR, f, List.of(), "t", "sim.f", List.of(), null)))
          .as(e.getKey()).isInstanceOfSatisfying(GenRtlException.class, x -> assertThat(x.details())
              .containsEntry("field", "filelist").containsEntry("reason", e.getValue()));
    }
    // what stays allowed: comments (with quotes in them), paths, -f of a request file, -I, -D, +incdir+, +define+
    ToolRunner.validate(new RunRequest(Simulator.VERILATOR, files("t.sv", "", "inc/x.vh", "", "sim.f",
        "// the package's testbench\n# a comment\nt.sv\n-I inc\n+incdir+inc\n-DW=8\n+define+A+B=2\n-f more.f\n", "more.f", "t.sv\n"),
        List.of(), "t", "sim.f", List.of(), null));
  }

  @Test
  void h2_packageFilelistsCannotSmuggleDefinesOrCode(@TempDir Path tmp) throws Exception {
    Sims.require(Simulator.IVERILOG);
    // the uart package with a filelist the package inspector accepts (it checks paths, not what options do)
    Path src = tmp.resolve("uart");
    Path uart = ToolRunnerTest.CATALOG.resolve("uart");
    try (java.util.stream.Stream<Path> s = Files.walk(uart)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = src.resolve(uart.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
    Files.writeString(src.resolve("rtl/evil.cpp"), "#include <cstdlib>\nstatic int x = std::system(\"id\");\n");
    // code-loading options are refused at publish now (the registry runs the same rules), so never reach a run
    Files.writeString(src.resolve("scripts/filelist_rtl.f"),
        "+define+EVIL=a/b\n-DX=x(1)\\b\nrtl/uart_tx.sv\nrtl/evil.cpp\n-CFLAGS\n--compiler\n");
    assertThatThrownBy(() -> PackageBuilder.build(src, tmp.resolve("evil0.zip"), CbbPackage.Format.ZIP))
        .isInstanceOfSatisfying(GenRtlException.class, e -> assertThat(e.getMessage()).contains("-CFLAGS"));
    // what publish lets through is still refused at the run: defines that are source text, C++ sources
    Files.writeString(src.resolve("scripts/filelist_rtl.f"),
        "+define+EVIL=a/b\n-DX=x(1)\\b\nrtl/uart_tx.sv\nrtl/evil.cpp\n");
    Path pkg = PackageBuilder.build(src, tmp.resolve("evil.zip"), CbbPackage.Format.ZIP);
    EvidenceBundle b = runner.run(new RunRequest(Simulator.IVERILOG, files("tb.sv", "module tb; endmodule\n"),
        List.of(new RunRequest.Cbb("uart", "1.0.0", pkg)), "tb", null, List.of(), Duration.ofSeconds(20)));
    assertThat(b.verdict()).isEqualTo("compile_error");
    assertThat(b.compile()).isNull();
    assertThat(b.diagnostics()).allSatisfy(d -> assertThat(d.file()).isEqualTo("vendor/cbb/uart/1.0.0/scripts/filelist_rtl.f"));
    assertThat(b.diagnostics()).extracting(Diagnostic::line).containsExactly(1, 2, 4);
    assertThat(b.diagnostics().get(0).message()).contains("define").contains("pre-scan would not see");
  }
}
