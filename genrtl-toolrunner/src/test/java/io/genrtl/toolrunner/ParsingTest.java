package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parsers and the cache on fixed inputs (no simulator needed): tool output as the tools print it. */
class ParsingTest {
  @Test
  void icarusCompileMessages() {
    String out = "rtl/a.sv:3: syntax error\n"
        + "rtl/a.sv:3: error: invalid module item.\n"
        + "tb/tb.sv:7: error: Unknown module type: missing_mod\n"
        + "tb/tb.sv:9: warning: Port 2 (b) of m expects 4 bits, got 8.\n"
        + "tb/tb.sv:9:        : Padding 4 high bits of the port.\n"
        + "2 error(s) during elaboration.\n"
        + "*** These modules were missing:\n        missing_mod referenced 1 times.\n***\n";
    List<Diagnostic> d = Diagnostics.parse(Simulator.IVERILOG, true, out, "/tmp/run-1");
    assertThat(d).containsExactly(
        new Diagnostic("rtl/a.sv", 3, null, "error", "syntax error"),
        new Diagnostic("rtl/a.sv", 3, null, "error", "invalid module item."),
        new Diagnostic("tb/tb.sv", 7, null, "error", "Unknown module type: missing_mod"),
        new Diagnostic("tb/tb.sv", 9, null, "warning", "Port 2 (b) of m expects 4 bits, got 8."),
        new Diagnostic("tb/tb.sv", 9, null, "info", "Padding 4 high bits of the port."));
  }

  @Test
  void vvpRuntimeMessages() {
    String out = "PASS\nFATAL: tb.sv:4: boom\n       Time: 5 Scope: tb\nERROR: /tmp/run-1/tb.sv:6: bad\nWARNING: ./tb.sv:8: hmm\n";
    assertThat(Diagnostics.parse(Simulator.IVERILOG, false, out, "/tmp/run-1")).containsExactly(
        new Diagnostic("tb.sv", 4, null, "fatal", "boom"),
        new Diagnostic("tb.sv", 6, null, "error", "bad"),
        new Diagnostic("tb.sv", 8, null, "warning", "hmm"));
  }

  @Test
  void verilatorMessagesWithColumnsCodesAndSandboxPaths() {
    String out = "%Error: /sim/rtl/a.sv:3:3: syntax error, unexpected initial, expecting ',' or ';'\n"
        + "    3 |   initial a = 1;\n      |   ^~~~~~~\n"
        + "%Warning-WIDTH: rtl/b.sv:4:12: Operator ASSIGNW expects 4 bits on the Assign RHS\n"
        + "                             : ... In instance top\n"
        + "%Error: Exiting due to 1 error(s)\n"
        + "[5] %Error: tb.sv:4: Assertion failed in TOP.tb: boom\n"
        + "%Error: tb.sv:4: Verilog $stop\n";
    assertThat(Diagnostics.parse(Simulator.VERILATOR, true, out, "/x")).containsExactly(
        new Diagnostic("rtl/a.sv", 3, 3, "error", "syntax error, unexpected initial, expecting ',' or ';'"),
        new Diagnostic("rtl/b.sv", 4, 12, "warning", "WIDTH: Operator ASSIGNW expects 4 bits on the Assign RHS"),
        new Diagnostic("tb.sv", 4, null, "error", "Assertion failed in TOP.tb: boom"),
        new Diagnostic("tb.sv", 4, null, "error", "Verilog $stop"));
  }

  @Test
  void verdicts() {
    assertThat(v("PASS\n", 0)).isEqualTo("pass");
    assertThat(v("  PASS  \n- tb.sv:9: Verilog $finish\n", 0)).isEqualTo("pass");
    assertThat(v("PASSED\n", 0)).isEqualTo("no_verdict");
    assertThat(v("PASS\nFAIL: 2 errors\n", 0)).isEqualTo("fail");
    assertThat(v("FAIL\n", 0)).isEqualTo("fail");
    assertThat(v("FAILURES=0\n", 0)).isEqualTo("no_verdict");
    assertThat(v("PASS\n", 1)).isEqualTo("fatal");
    assertThat(v("PASS\nFATAL: tb.sv:3: x\n", 0)).isEqualTo("fatal");
    assertThat(v("Mismatches: 0 in 120 samples\n", 0)).isEqualTo("pass");
    assertThat(v("Mismatches: 0 in 0 samples\n", 0)).isEqualTo("no_verdict");
    assertThat(v("Mismatches: 4 in 120 samples\nPASS\n", 0)).isEqualTo("fail");
    assertThat(v("", 0)).isEqualTo("no_verdict");
    Verdicts.Summary s = Verdicts.summarise("Hint: Output 'a' has 2 mismatches. First mismatch occurred at time 90.\n"
        + "Hint: Output 'b' has 1 mismatches. First mismatch occurred at time 40.\nMismatches: 3 in 50 samples\n");
    assertThat(s.mismatches()).isEqualTo(3);
    assertThat(s.samples()).isEqualTo(50);
    assertThat(s.firstMismatchTime()).isEqualTo(40);
  }

  private static String v(String out, int exit) {
    return Verdicts.verdict(Verdicts.summarise(out), exit);
  }

  @Test
  void theExcerptKeepsHeadAndTail() {
    String log = "H".repeat(1000) + "M".repeat(5000) + "T".repeat(1000);
    String e = ToolRunner.excerpt(log, 1000);
    assertThat(e).startsWith("H".repeat(1000)).endsWith("T".repeat(1000)).contains("[5000 characters omitted]");
    assertThat(ToolRunner.excerpt("short", 1000)).isEqualTo("short");
    assertThat(ToolRunner.commandLine(List.of("iverilog", "-DX=1", "a b.sv", "it's"))).isEqualTo("iverilog -DX=1 'a b.sv' 'it'\\''s'");
  }

  @Test
  void theCacheKeepsTheNewestEntriesWithinItsBound(@TempDir Path tmp) throws Exception {
    Path exe = Files.write(tmp.resolve("V"), new byte[4000]);
    BuildCache cache = new BuildCache(tmp.resolve("cache"), 10_000);
    for (String k : List.of("a", "b", "c")) {
      cache.put(k, exe, "log " + k);
      Files.setLastModifiedTime(tmp.resolve("cache").resolve(k), FileTime.fromMillis(1_000_000L * (k.charAt(0))));
    }
    cache.evict();
    try (Stream<Path> s = Files.list(tmp.resolve("cache"))) {
      assertThat(s.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("b", "c");
    }
    assertThat(cache.find("a")).isEmpty();
    assertThat(cache.find("c")).hasValueSatisfying(e -> assertThat(e.compileOutput()).isEqualTo("log c"));
    assertThat(cache.totalBytes()).isLessThanOrEqualTo(10_000);
  }
}
