package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #19 H2 follow-up: the pre-scan's tokenizer disagreed with the compilers, so code hid from it. Each hostile
 * testbench below ran {@code $c("system(…)")} in Verilator 5.006 (checked by hand with the real compiler: it printed
 * its marker) while the old scanner saw the {@code $c} inside a string or a comment, in the source and in
 * {@code verilator -E}'s output alike. Now each is refused before any tool runs, with the file and line.
 */
class H2ScanTokenizerTest {
  @TempDir static Path work;
  static ToolRunner runner;

  static final String C_SYSTEM = "rc = $c(\"system(\\\"echo PWNED\\\")\");";

  @BeforeAll
  static void create() {
    Sims.reachable(work);
    runner = ToolRunner.create(ToolRunnerTest.settings(work.resolve("runs")));
  }

  /** Hostile sources: each has its offence on line 2. */
  static Map<String, String> hostile() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("escaped identifier with a quote", "module t; integer rc;\ninteger \\a\" ; initial begin " + C_SYSTEM
        + " $finish; end // \"\nendmodule\n");
    m.put("escaped identifier with //", "module t; integer rc;\ninteger \\a// ; initial begin " + C_SYSTEM
        + " $finish; end\nendmodule\n");
    m.put("escaped identifier with /*", "module t; integer rc;\ninteger \\a/* ; initial begin " + C_SYSTEM
        + " $finish; end\ninteger \\b*/ ;\nendmodule\n");
    m.put("triple-quoted string", "module t; integer rc; string s;\ninitial begin s = \"\"\" \" \"\"\"; " + C_SYSTEM
        + " $finish; end\nendmodule\n");
    m.put("attribute with a quote", "module t; integer rc;\ninitial begin (* x = \" *) " + C_SYSTEM
        + " $finish; // \" *)\nend\nendmodule\n");
    m.put("NUL inside $system", "module t; integer rc;\ninitial begin rc = $sys\0tem(\"echo PWNED\"); $finish; end\nendmodule\n");
    m.put("byte-order mark inside $system", "module t; integer rc;\ninitial begin rc = $sys\uFEFFtem(\"echo PWNED\");"
        + " $finish; end\nendmodule\n");
    m.put("macro quote with an escaped quote", "module t; integer rc; string s;\n`define S `\"a`\\`\"`\" ; initial begin "
        + C_SYSTEM + " $finish; end\ninitial s = `S\nendmodule\n");
    return m;
  }

  @Test
  void h2_scanTokenizesLikeTheCompilers() {
    for (Map.Entry<String, String> e : hostile().entrySet()) {
      assertThat(SourceScan.scan("t.sv", e.getValue())).as(e.getKey()).isNotEmpty()
          .allSatisfy(d -> assertThat(d.line()).isEqualTo(2)).allSatisfy(d -> assertThat(d.message()).startsWith("refused: "));
    }
    // Icarus ends a // comment at a lone carriage return; the scanner did not, so an absolute $fopen hid behind it
    String cr = "module t; integer fd;\ninitial begin // note\r fd = $fopen(\"/etc/passwd\", \"r\"); $finish; end\nendmodule\n";
    assertThat(SourceScan.scan("t.sv", cr)).extracting(Diagnostic::line).containsOnly(2);
    assertThat(SourceScan.scan("t.sv", cr)).singleElement().satisfies(d -> {
      assertThat(d.column()).isEqualTo(22);
      assertThat(d.message()).contains("carriage return");
    });
    // and the preprocessor's output is read the same way
    String pp = "`line 1 \"t.sv\" 1\nmodule t; integer rc; integer \\a\" ; initial " + C_SYSTEM + " endmodule\n";
    assertThat(SourceScan.scanPreprocessed(pp, "/sim")).extracting(Diagnostic::file, Diagnostic::line)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("t.sv", 1));
  }

  @Test
  void h2_scanKeepsWhatTheCompilersAgreeOn() {
    String ok = "\uFEFFmodule t; // a comment with $system and \" in it\r\n"
        + "  integer \\$c_like_name ; integer \\bus[0] ;\r\n"
        + "  always @(*) begin end\n"
        + "  always @( * ) begin end\n"
        + "  (* full_case, doc = \"$c is not called here\" *) initial $display(\"$system in a string, \\\" escaped\");\n"
        + "  /* $c(\"x\") */ initial $display(\"a\\\n  continued string with $c\");\n"
        + "endmodule\n";
    assertThat(SourceScan.scan("t.sv", ok)).extracting(Diagnostic::message)
        .as("only the opaque reading of the attribute sees its string as code")
        .allSatisfy(m -> assertThat(m).contains("$c")).hasSizeLessThanOrEqualTo(1);
    assertThat(SourceScan.scan("t.sv", ok.replace("doc = \"$c is not called here\"", "doc = \"plain\""))).isEmpty();
  }

  @Test
  void h2_hostileTokenizerTestbenchesNeverRun() {
    Sims.require(Simulator.VERILATOR);
    for (Map.Entry<String, String> e : hostile().entrySet()) {
      EvidenceBundle b = runner.run(new RunRequest(Simulator.VERILATOR, Map.of("t.sv", e.getValue()), List.of(), "t", null,
          List.of(), Duration.ofSeconds(20)));
      assertThat(b.verdict()).as(e.getKey() + ": " + b.logExcerpt()).isEqualTo("compile_error");
      assertThat(b.compile()).as(e.getKey()).isNull();
      assertThat(b.run()).as(e.getKey()).isNull();
      assertThat(b.logExcerpt()).as(e.getKey()).doesNotContain("PWNED");
      assertThat(b.diagnostics()).as(e.getKey()).isNotEmpty()
          .allSatisfy(d -> assertThat(d.file()).isEqualTo("t.sv")).allSatisfy(d -> assertThat(d.line()).isEqualTo(2));
    }
  }
}
