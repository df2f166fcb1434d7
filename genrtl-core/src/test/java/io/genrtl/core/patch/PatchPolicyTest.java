package io.genrtl.core.patch;

import static io.genrtl.core.patch.UnifiedDiffTest.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.patch.PatchPolicy.Mode;
import io.genrtl.core.patch.PatchPolicy.Rule;
import io.genrtl.core.patch.PatchPolicy.Violation;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PatchPolicyTest {
  static final PatchPolicy REPAIR = PatchPolicy.defaults(Mode.REPAIR);
  static final PatchPolicy IMPLEMENT = PatchPolicy.defaults(Mode.IMPLEMENT);

  static String modify(String path) {
    return lines("diff --git a/" + path + " b/" + path, "--- a/" + path, "+++ b/" + path, "@@ -1 +1 @@", "-a", "+b");
  }

  static String add(String path) {
    return lines("diff --git a/" + path + " b/" + path, "new file mode 100644", "--- /dev/null", "+++ b/" + path,
        "@@ -0,0 +1 @@", "+x");
  }

  static List<Rule> rules(PatchPolicy policy, String diff, Set<String> supplied) {
    return policy.check(UnifiedDiff.parse(diff), supplied).stream().map(Violation::rule).toList();
  }

  static List<Rule> rules(String diff) {
    return rules(REPAIR, diff, Set.of());
  }

  @Test
  void anOrdinaryChangeIsAccepted() {
    assertThat(rules(modify("rtl/uart_top.sv") + add("tb/tb_top.sv"))).isEmpty();
    assertThat(rules(IMPLEMENT, modify("rtl/uart_top.sv") + add("tb/tb_top.sv"), Set.of("rtl/uart_top.sv"))).isEmpty();
  }

  @Test
  void aDiffTouchingVendorCbbIsRefused() {
    assertThat(rules(modify("vendor/cbb/uart/rtl/uart.v"))).containsExactly(Rule.READ_ONLY);
    assertThat(rules(add("vendor/cbb/new.v"))).containsExactly(Rule.READ_ONLY);
    assertThat(rules(IMPLEMENT, modify("vendor/cbb/uart/rtl/uart.v"), Set.of("vendor/cbb/uart/rtl/uart.v"))).contains(Rule.READ_ONLY);
    // the prefix itself (a file named like the directory) and a deletion are refused too
    assertThat(rules(modify("vendor/cbb"))).containsExactly(Rule.READ_ONLY);
    assertThat(rules(lines("--- a/vendor/cbb/x.v", "+++ /dev/null", "@@ -1 +0,0 @@", "-a"))).containsExactly(Rule.READ_ONLY);
    // a sibling with the same leading characters is not under the prefix
    assertThat(rules(modify("vendor/cbbx/y.v"))).isEmpty();
    assertThat(rules(modify("vendor/cbb.v"))).isEmpty();
    // compared case-sensitively on the normalised path (see the class comment)
    assertThat(rules(modify("Vendor/cbb/x.v"))).isEmpty();
    // smuggling through non-normalised spellings is refused by the syntax rules before the prefix is even compared
    assertThat(rules(modify("vendor//cbb/x.v"))).containsExactly(Rule.NOT_NORMALIZED);
    assertThat(rules(modify("./vendor/cbb/x.v"))).containsExactly(Rule.NOT_NORMALIZED);
    assertThat(rules(modify("rtl/../vendor/cbb/x.v"))).containsExactly(Rule.PATH_TRAVERSAL);
  }

  @Test
  void aRenameOrCopyIntoOrOutOfVendorCbbIsRefused() {
    String into = lines("diff --git a/rtl/uart.v b/vendor/cbb/uart/rtl/uart.v", "similarity index 100%", "rename from rtl/uart.v",
        "rename to vendor/cbb/uart/rtl/uart.v");
    String outOf = lines("diff --git a/vendor/cbb/uart/rtl/uart.v b/rtl/uart.v", "similarity index 100%",
        "rename from vendor/cbb/uart/rtl/uart.v", "rename to rtl/uart.v");
    String copyOut = lines("diff --git a/vendor/cbb/uart/rtl/uart.v b/rtl/uart.v", "similarity index 100%",
        "copy from vendor/cbb/uart/rtl/uart.v", "copy to rtl/uart.v");
    String copyIn = lines("diff --git a/rtl/uart.v b/vendor/cbb/uart.v", "similarity index 100%", "copy from rtl/uart.v",
        "copy to vendor/cbb/uart.v");
    assertThat(REPAIR.check(UnifiedDiff.parse(into), Set.of())).singleElement()
        .satisfies(v -> assertThat(v.path()).isEqualTo("vendor/cbb/uart/rtl/uart.v"))
        .satisfies(v -> assertThat(v.rule()).isEqualTo(Rule.READ_ONLY));
    assertThat(rules(outOf)).containsExactly(Rule.READ_ONLY);
    assertThat(rules(copyOut)).containsExactly(Rule.READ_ONLY);
    assertThat(rules(copyIn)).containsExactly(Rule.READ_ONLY);
  }

  @Test
  void traversalAbsoluteAndOddPathsAreRefused() {
    assertThat(rules(modify("../x.v"))).containsExactly(Rule.PATH_TRAVERSAL);
    assertThat(rules(modify("rtl/../../x.v"))).containsExactly(Rule.PATH_TRAVERSAL);
    assertThat(rules(modify("rtl/.."))).containsExactly(Rule.PATH_TRAVERSAL);
    assertThat(rules(lines("--- /dev/null", "+++ /etc/cron.d/x", "@@ -0,0 +1 @@", "+x"))).containsExactly(Rule.ABSOLUTE_PATH);
    assertThat(rules(lines("--- a//etc/passwd", "+++ b//etc/passwd", "@@ -1 +1 @@", "-a", "+b"))).containsExactly(Rule.ABSOLUTE_PATH);
    assertThat(rules(modify("C:/Windows/x.v"))).containsExactly(Rule.ABSOLUTE_PATH);
    assertThat(rules(modify("rtl\\..\\x.v"))).containsExactly(Rule.BAD_CHARACTER);
    assertThat(rules(modify("rtl/./x.v"))).containsExactly(Rule.NOT_NORMALIZED);
    assertThat(rules(modify(".git/hooks/pre-commit"))).containsExactly(Rule.GIT_DIRECTORY);
    assertThat(rules(modify("sub/.GIT/config"))).containsExactly(Rule.GIT_DIRECTORY);
    assertThat(rules(lines("diff --git \"a/x\\001.v\" \"b/x\\001.v\"", "--- \"a/x\\001.v\"", "+++ \"b/x\\001.v\"", "@@ -1 +1 @@",
        "-a", "+b"))).containsExactly(Rule.BAD_CHARACTER);
    assertThat(PatchPolicy.checkPathSyntax("a\u0000b")).extracting(Violation::rule).containsExactly(Rule.BAD_CHARACTER);
    assertThat(PatchPolicy.checkPathSyntax("rtl/\u202egol.v")).extracting(Violation::rule).containsExactly(Rule.BAD_CHARACTER);
    assertThat(PatchPolicy.checkPathSyntax("")).extracting(Violation::rule).containsExactly(Rule.BAD_PATH);
    assertThat(PatchPolicy.checkPathSyntax("x".repeat(1025))).extracting(Violation::rule).containsExactly(Rule.BAD_PATH);
    assertThat(PatchPolicy.checkPathSyntax("rtl/")).extracting(Violation::rule).containsExactly(Rule.NOT_NORMALIZED);
    assertThat(PatchPolicy.checkPathSyntax("a..b/c...v")).isEmpty();
    assertThat(PatchPolicy.checkPathSyntax("rtl/my file.v")).isEmpty();
    assertThat(PatchPolicy.checkPathSyntax("rtl/tést.v")).isEmpty();
  }

  @Test
  void symlinksSubmodulesOddModesAndBinariesAreRefused() {
    assertThat(rules(lines("diff --git a/link b/link", "new file mode 120000", "--- /dev/null", "+++ b/link", "@@ -0,0 +1 @@",
        "+/etc/passwd", "\\ No newline at end of file"))).containsExactly(Rule.SYMLINK);
    assertThat(rules(lines("diff --git a/x.v b/x.v", "old mode 100644", "new mode 120000"))).containsExactly(Rule.SYMLINK);
    assertThat(rules(lines("diff --git a/sub b/sub", "index 1111111..2222222 160000", "--- a/sub", "+++ b/sub", "@@ -1 +1 @@",
        "-Subproject commit 1111111111111111111111111111111111111111",
        "+Subproject commit 2222222222222222222222222222222222222222"))).containsExactly(Rule.SUBMODULE);
    assertThat(rules(lines("diff --git a/sub b/sub", "new file mode 160000", "index 0000000..2222222"))).containsExactly(Rule.SUBMODULE);
    assertThat(rules(lines("diff --git a/d b/d", "new file mode 040000", "index 0000000..2222222"))).containsExactly(Rule.BAD_MODE);
    assertThat(rules(lines("diff --git a/run.sh b/run.sh", "old mode 100644", "new mode 100755"))).isEmpty();
    assertThat(rules(lines("diff --git a/img.png b/img.png", "index 1111111..2222222 100644",
        "Binary files a/img.png and b/img.png differ"))).containsExactly(Rule.BINARY);
    assertThat(rules(lines("diff --git a/b.bin b/b.bin", "new file mode 100644", "index 0000000..3333333", "GIT binary patch",
        "literal 12", "TcmZ?wbhEHbRA6vmU|;|M1H}M", ""))).containsExactly(Rule.BINARY);
  }

  @Test
  void sizeAndCountCaps() {
    PatchPolicy small = PatchPolicy.builder(Mode.REPAIR).maxFiles(2).maxFileBytes(200).maxTotalBytes(400).build();
    assertThat(rules(small, modify("a.v") + modify("b.v"), Set.of())).isEmpty();
    assertThat(rules(small, modify("a.v") + modify("b.v") + modify("c.v"), Set.of())).containsExactly(Rule.TOO_MANY_FILES);
    String big = lines("--- /dev/null", "+++ b/big.v", "@@ -0,0 +1,3 @@", "+" + "x".repeat(100), "+" + "y".repeat(100), "+z");
    assertThat(rules(small, big, Set.of())).containsExactly(Rule.FILE_TOO_LARGE);
    String big2 = big.replace("big.v", "big2.v");
    assertThat(rules(small, big + big2, Set.of())).containsExactly(Rule.PATCH_TOO_LARGE, Rule.FILE_TOO_LARGE, Rule.FILE_TOO_LARGE);
    assertThat(rules(modify("a.v") + modify("a.v"))).containsExactly(Rule.DUPLICATE_PATH);
    assertThatThrownBy(() -> PatchPolicy.builder(Mode.REPAIR).maxFiles(0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void implementMayCreateAndModifySuppliedFilesButNotDeleteRenameOrTouchUnseenFiles() {
    assertThat(rules(IMPLEMENT, add("rtl/glue.sv"), Set.of())).isEmpty();
    assertThat(rules(IMPLEMENT, modify("rtl/top.sv"), Set.of("rtl/top.sv"))).isEmpty();
    assertThat(rules(IMPLEMENT, modify("rtl/top.sv"), Set.of())).containsExactly(Rule.NOT_SUPPLIED);
    assertThat(rules(IMPLEMENT, lines("diff --git a/rtl/top.sv b/rtl/top.sv", "deleted file mode 100644", "--- a/rtl/top.sv",
        "+++ /dev/null", "@@ -1 +0,0 @@", "-a"), Set.of("rtl/top.sv"))).containsExactly(Rule.DELETE_NOT_ALLOWED);
    assertThat(rules(IMPLEMENT, lines("diff --git a/rtl/top.sv b/rtl/top2.sv", "similarity index 100%", "rename from rtl/top.sv",
        "rename to rtl/top2.sv"), Set.of("rtl/top.sv"))).containsExactly(Rule.DELETE_NOT_ALLOWED);
    assertThat(rules(IMPLEMENT, lines("diff --git a/rtl/top.sv b/rtl/top2.sv", "similarity index 100%", "copy from rtl/top.sv",
        "copy to rtl/top2.sv"), Set.of())).isEmpty();
    // repair may delete and rename
    assertThat(rules(REPAIR, lines("diff --git a/rtl/top.sv b/rtl/top2.sv", "similarity index 100%", "rename from rtl/top.sv",
        "rename to rtl/top2.sv"), Set.of())).isEmpty();
  }

  @Test
  void readOnlyPrefixesAreConfigurableAndValidated() {
    PatchPolicy p = PatchPolicy.builder(Mode.REPAIR).addReadOnlyPrefixes(List.of("ip/golden", "docs/spec/")).build();
    assertThat(p.readOnlyPrefixes()).containsExactly("vendor/cbb/", "ip/golden/", "docs/spec/");
    assertThat(p.isReadOnly("ip/golden/x.v")).isTrue();
    assertThat(p.isReadOnly("ip/golden")).isTrue();
    assertThat(p.isReadOnly("ip/goldenx.v")).isFalse();
    assertThat(p.checkPath("docs/spec/a.md")).extracting(Violation::rule).containsExactly(Rule.READ_ONLY);
    PatchPolicy replaced = PatchPolicy.builder(Mode.REPAIR).readOnlyPrefixes(List.of("third_party")).build();
    assertThat(replaced.isReadOnly("vendor/cbb/x")).isFalse();
    assertThatThrownBy(() -> PatchPolicy.builder(Mode.REPAIR).readOnlyPrefixes(List.of("../x"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PatchPolicy.builder(Mode.REPAIR).readOnlyPrefixes(List.of("/abs"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void violationsNameThePathTheRuleAndWhy() {
    List<Violation> v = REPAIR.check(UnifiedDiff.parse(modify("../x.v") + modify("vendor/cbb/y.v")), Set.of());
    assertThat(v).extracting(Violation::toString).containsExactly("../x.v: path_traversal: a '..' segment",
        "vendor/cbb/y.v: read_only: read-only (under vendor/cbb/)");
  }
}
