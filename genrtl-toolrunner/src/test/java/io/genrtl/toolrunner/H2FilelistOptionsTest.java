package io.genrtl.toolrunner;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.base.GenRtlException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Issue #19 H2 follow-up, filelists: code-loading options glued to their values ({@code -CFLAGS-O2},
 * {@code --compiler=clang}, {@code -LDFLAGS=…}) and in other cases ({@code --Compiler}, {@code -cflags}) were refused
 * only as unknown options, not named as code loading; they are now {@code code_loading_option} in arguments, in user
 * filelists and in nested lists of any name. Comment lines ({@code #}, {@code //}, indented too) are skipped as both
 * compilers skip them (checked: Verilator 5.006 ignores {@code # --exe evil.cpp -CFLAGS …} in a {@code -f} file).
 */
class H2FilelistOptionsTest {
  static final List<String> GLUED = List.of("-CFLAGS-O2", "--compiler=clang", "-LDFLAGS=-lcrypto", "--Compiler", "-cflags",
      "-Cflags=-O0", "--EXE", "-LDLIBS+x", "-MAKEFLAGS=-j", "--build-jobs=4", "-Mdir");

  static RunRequest list(Map<String, String> files, String filelist) {
    return new RunRequest(Simulator.VERILATOR, files, List.of(), "t", filelist, List.of(), null);
  }

  @Test
  void h2_gluedAndCaseVariantCodeLoadingOptionsAreNamed() {
    for (String opt : GLUED) {
      assertThatThrownBy(() -> ToolRunner.validate(new RunRequest(Simulator.VERILATOR, Map.of("t.sv", ""), List.of(), "t",
          null, List.of(opt), null))).as(opt).isInstanceOfSatisfying(GenRtlException.class, e -> Assertions.assertThat(e.details())
          .containsEntry("field", "args[0]").containsEntry("reason", "code_loading_option"));
      // in a user filelist, and in a nested list named anything
      for (String name : List.of("sim.f", "opts.txt", "cfg/options")) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("t.sv", "");
        f.put("top.f", "t.sv\n-f " + name + "\n");
        f.put(name, "# a comment\n  // another\nt.sv " + opt + "\n");
        assertThatThrownBy(() -> ToolRunner.validate(list(f, "top.f"))).as(opt + " in " + name)
            .isInstanceOfSatisfying(GenRtlException.class, e -> {
              Assertions.assertThat(e.details()).containsEntry("field", "filelist").containsEntry("reason", "code_loading_option");
              Assertions.assertThat(e.getMessage()).startsWith(name + " line 3: ");
            });
      }
    }
  }

  @Test
  void h2_filelistQuotingNestingAndDefinesStayRefused() {
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put("-F inner.f\n", "bad_filelist");
    bad.put("+define+X=$c\n", "bad_filelist");
    bad.put("+define+X=\"$system\"\n", "bad_filelist");
    bad.put("t.sv # -CFLAGS\n", "bad_filelist");
    bad.put("'t.sv'\n", "bad_filelist");
    bad.put("t.sv\r-CFLAGS -O0\n", "code_loading_option");
    bad.put("t.sv\u0000-CFLAGS\n", "bad_filelist");
    for (Map.Entry<String, String> e : bad.entrySet()) {
      Map<String, String> f = Map.of("t.sv", "", "sim.f", e.getKey(), "inner.f", "t.sv\n");
      assertThatThrownBy(() -> ToolRunner.validate(list(f, "sim.f"))).as(e.getKey()).isInstanceOfSatisfying(
          GenRtlException.class, x -> Assertions.assertThat(x.details()).containsEntry("reason", e.getValue()));
    }
    ToolRunner.validate(list(Map.of("t.sv", "", "sim.f", "  # --exe evil.cpp -CFLAGS -DX\n\t// -LDFLAGS\nt.sv\n"), "sim.f"));
  }
}
