package io.genrtl.core.patch;

import static io.genrtl.core.patch.UnifiedDiffTest.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.patch.PatchApplier.FileChange;
import io.genrtl.core.patch.PatchApplier.Result;
import io.genrtl.core.patch.PatchApplyException.Kind;
import io.genrtl.core.patch.UnifiedDiff.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchApplierTest {
  static final String TOP = lines("module top(", "  input clk,", "  output q", ");", "  assign q = 1'b0;", "endmodule");

  static PatchApplyException.Kind failure(PatchApplier a, String diff, Map<String, String> files) {
    try {
      a.apply(UnifiedDiff.parse(diff), files);
    } catch (PatchApplyException e) {
      return e.kind();
    }
    throw new AssertionError("the diff applied");
  }

  @Test
  void modifiesAddsDeletesRenamesAndCopiesWithStats() {
    Map<String, String> files = Map.of("rtl/top.sv", TOP, "old.v", "x\ny\n", "a.v", "1\n2\n3\n", "b.v", "keep\n");
    String diff = lines(
        "diff --git a/rtl/top.sv b/rtl/top.sv",
        "--- a/rtl/top.sv",
        "+++ b/rtl/top.sv",
        "@@ -4,3 +4,3 @@",
        " );",
        "-  assign q = 1'b0;",
        "+  assign q = clk;",
        " endmodule",
        "diff --git a/tb/tb.sv b/tb/tb.sv",
        "new file mode 100644",
        "--- /dev/null",
        "+++ b/tb/tb.sv",
        "@@ -0,0 +1,2 @@",
        "+module tb;",
        "+endmodule",
        "diff --git a/old.v b/old.v",
        "deleted file mode 100644",
        "--- a/old.v",
        "+++ /dev/null",
        "@@ -1,2 +0,0 @@",
        "-x",
        "-y",
        "diff --git a/a.v b/rtl/a.v",
        "similarity index 80%",
        "rename from a.v",
        "rename to rtl/a.v",
        "--- a/a.v",
        "+++ b/rtl/a.v",
        "@@ -2 +2 @@",
        "-2",
        "+two",
        "diff --git a/b.v b/b2.v",
        "similarity index 100%",
        "copy from b.v",
        "copy to b2.v");
    Result r = PatchApplier.exact().apply(UnifiedDiff.parse(diff), files);
    assertThat(r.files()).containsOnlyKeys("rtl/top.sv", "tb/tb.sv", "rtl/a.v", "b.v", "b2.v");
    assertThat(r.files().get("rtl/top.sv")).isEqualTo(TOP.replace("1'b0", "clk"));
    assertThat(r.files().get("tb/tb.sv")).isEqualTo("module tb;\nendmodule\n");
    assertThat(r.files().get("rtl/a.v")).isEqualTo("1\ntwo\n3\n");
    assertThat(r.files().get("b2.v")).isEqualTo("keep\n");
    assertThat(r.changes()).containsExactly(new FileChange("rtl/top.sv", null, Status.MODIFIED, 1, 1),
        new FileChange("tb/tb.sv", null, Status.ADDED, 2, 0), new FileChange("old.v", null, Status.DELETED, 0, 2),
        new FileChange("rtl/a.v", "a.v", Status.RENAMED, 1, 1), new FileChange("b2.v", "b.v", Status.COPIED, 0, 0));
    assertThat(r.stats()).isEqualTo(new PatchApplier.Stats(5, 4, 4));
    assertThat(r.offsetHunks()).isZero();
    assertThat(files).containsOnlyKeys("rtl/top.sv", "old.v", "a.v", "b.v"); // the input is untouched
  }

  @Test
  void contextMustMatchExactlyAndNothingIsAppliedOnFailure() {
    Map<String, String> files = new HashMap<>(Map.of("a.v", "1\n2\n3\n", "b.v", "x\n"));
    String diff = lines("--- a/a.v", "+++ b/a.v", "@@ -1 +1 @@", "-1", "+one", "--- a/b.v", "+++ b/b.v", "@@ -1 +1 @@", "-y", "+z");
    assertThatThrownBy(() -> PatchApplier.withOffsets().apply(UnifiedDiff.parse(diff), files))
        .isInstanceOfSatisfying(PatchApplyException.class, e -> {
          assertThat(e.kind()).isEqualTo(Kind.CONTEXT_MISMATCH);
          assertThat(e.path()).isEqualTo("b.v");
          assertThat(e.hunk()).isEqualTo(1);
          assertThat(e.line()).isEqualTo(8);
        });
    assertThat(files).containsEntry("a.v", "1\n2\n3\n");
    // whitespace differences are mismatches (no fuzz)
    assertThat(failure(PatchApplier.withOffsets(), lines("--- a/a.v", "+++ b/a.v", "@@ -1 +1 @@", "-1 ", "+one"), files))
        .isEqualTo(Kind.CONTEXT_MISMATCH);
    assertThat(failure(PatchApplier.exact(), lines("--- a/c.v", "+++ b/c.v", "@@ -1 +1 @@", "-1", "+one"), files))
        .isEqualTo(Kind.MISSING_FILE);
    assertThat(failure(PatchApplier.exact(), lines("--- /dev/null", "+++ b/a.v", "@@ -0,0 +1 @@", "+1"), files))
        .isEqualTo(Kind.FILE_EXISTS);
    assertThat(failure(PatchApplier.exact(), lines("diff --git a/a.v b/b.v", "similarity index 100%", "rename from a.v",
        "rename to b.v"), files)).isEqualTo(Kind.FILE_EXISTS);
    assertThat(failure(PatchApplier.exact(), lines("--- a/a.v", "+++ /dev/null", "@@ -1,2 +0,0 @@", "-1", "-2"), files))
        .isEqualTo(Kind.DELETE_MISMATCH);
    assertThat(failure(PatchApplier.exact(), lines("diff --git a/i.png b/i.png", "Binary files a/i.png and b/i.png differ"),
        Map.of("i.png", ""))).isEqualTo(Kind.BINARY);
  }

  @Test
  void offsetsAreTakenOnlyWhenAllowed() {
    String shifted = "extra\nextra\n" + TOP;
    String diff = lines("--- a/t.sv", "+++ b/t.sv", "@@ -4,3 +4,3 @@", " );", "-  assign q = 1'b0;", "+  assign q = clk;", " endmodule");
    assertThat(failure(PatchApplier.exact(), diff, Map.of("t.sv", shifted))).isEqualTo(Kind.CONTEXT_MISMATCH);
    Result r = PatchApplier.withOffsets().apply(UnifiedDiff.parse(diff), Map.of("t.sv", shifted));
    assertThat(r.files().get("t.sv")).isEqualTo("extra\nextra\n" + TOP.replace("1'b0", "clk"));
    assertThat(r.offsetHunks()).isEqualTo(1);
    // the nearest match wins; an earlier hunk's position bounds the search
    String twice = "a\nb\na\nb\na\nb\n";
    Result near = PatchApplier.withOffsets().apply(UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -4,2 +4,2 @@", "-a", "+A", " b")),
        Map.of("x", twice));
    assertThat(near.files().get("x")).isEqualTo("a\nb\nA\nb\na\nb\n"); // lines 3-4 and 5-6 are both one away: the earlier wins
    assertThat(near.offsetHunks()).isEqualTo(1);
    String twoHunks = lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", "-a", "+A", " b", "@@ -2,2 +2,2 @@", "-a", "+A", " b");
    Result both = PatchApplier.withOffsets().apply(UnifiedDiff.parse(twoHunks.replace("@@ -2,2 +2,2 @@", "@@ -3,2 +3,2 @@")),
        Map.of("x", twice));
    assertThat(both.files().get("x")).isEqualTo("A\nb\nA\nb\na\nb\n");
  }

  @Test
  void theEndOfFileNewlineIsExact() {
    Map<String, String> noEol = Map.of("x", "a\nb");
    String withMarker = lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a", "-b", "\\ No newline at end of file", "+b");
    assertThat(PatchApplier.exact().apply(UnifiedDiff.parse(withMarker), noEol).files().get("x")).isEqualTo("a\nb\n");
    String withoutMarker = lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a", "-b", "+c");
    assertThat(failure(PatchApplier.withOffsets(), withoutMarker, noEol)).isEqualTo(Kind.CONTEXT_MISMATCH);
    String removeEol = lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+a", "\\ No newline at end of file");
    assertThat(PatchApplier.exact().apply(UnifiedDiff.parse(removeEol), Map.of("x", "a\n")).files().get("x")).isEqualTo("a");
    // adding after a last line that has no line feed needs that line as context
    assertThat(failure(PatchApplier.exact(), lines("--- a/x", "+++ b/x", "@@ -2,0 +3 @@", "+c"), noEol))
        .isEqualTo(Kind.CONTEXT_MISMATCH);
    // a no-newline marker in the middle of a file is refused
    assertThat(failure(PatchApplier.exact(), lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+A", "\\ No newline at end of file"),
        Map.of("x", "a\nb\n"))).isEqualTo(Kind.CONTEXT_MISMATCH);
  }

  @Test
  void crlfFilesRoundTrip() {
    Map<String, String> files = Map.of("w.v", "a\r\nb\r\n");
    Result r = PatchApplier.exact().apply(UnifiedDiff.parse("--- a/w.v\n+++ b/w.v\n@@ -2 +2 @@\n-b\r\n+c\r\n"), files);
    assertThat(r.files().get("w.v")).isEqualTo("a\r\nc\r\n");
    assertThat(failure(PatchApplier.exact(), "--- a/w.v\n+++ b/w.v\n@@ -2 +2 @@\n-b\n+c\n", files)).isEqualTo(Kind.CONTEXT_MISMATCH);
  }

  @Test
  void emptyFilesAndModeOnlyChanges() {
    Result r = PatchApplier.exact().apply(UnifiedDiff.parse(lines("diff --git a/e b/e", "new file mode 100644", "index 0000000..e69de29",
        "diff --git a/s.sh b/s.sh", "old mode 100644", "new mode 100755", "diff --git a/gone b/gone", "deleted file mode 100644",
        "index e69de29..0000000")), Map.of("s.sh", "echo\n", "gone", ""));
    assertThat(r.files()).containsExactly(Map.entry("e", ""), Map.entry("s.sh", "echo\n"));
    assertThat(failure(PatchApplier.exact(), lines("diff --git a/gone b/gone", "deleted file mode 100644"), Map.of("gone", "x\n")))
        .isEqualTo(Kind.DELETE_MISMATCH);
  }

  // ---------------------------------------------------------------- directories

  @TempDir Path root;

  private void write(String p, String content) throws IOException {
    Path f = root.resolve(p);
    Files.createDirectories(f.getParent());
    Files.writeString(f, content);
  }

  private Map<String, String> tree() throws IOException {
    Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString().replace('\\', '/'), Files.readString(p));
    }
    return out;
  }

  @Test
  void aDirectoryIsPatchedInPlace() throws IOException {
    write("rtl/top.sv", TOP);
    write("old.v", "x\n");
    write("run.sh", "echo\n");
    String diff = lines("--- a/rtl/top.sv", "+++ b/rtl/top.sv", "@@ -5 +5 @@", "-  assign q = 1'b0;", "+  assign q = clk;",
        "--- /dev/null", "+++ b/tb/sub/tb.sv", "@@ -0,0 +1 @@", "+module tb; endmodule",
        "--- a/old.v", "+++ /dev/null", "@@ -1 +0,0 @@", "-x",
        "diff --git a/run.sh b/run.sh", "old mode 100644", "new mode 100755");
    Result r = PatchApplier.exact().applyTo(root, UnifiedDiff.parse(diff));
    assertThat(r.stats()).isEqualTo(new PatchApplier.Stats(4, 2, 2));
    assertThat(tree()).containsExactly(Map.entry("rtl/top.sv", TOP.replace("1'b0", "clk")), Map.entry("run.sh", "echo\n"),
        Map.entry("tb/sub/tb.sv", "module tb; endmodule\n"));
    if (root.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      assertThat(Files.getPosixFilePermissions(root.resolve("run.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
    }
  }

  @Test
  void aDirectoryIsLeftAloneWhenAnyFileDoesNotApply() throws IOException {
    write("a.v", "1\n");
    write("b.v", "2\n");
    String diff = lines("--- a/a.v", "+++ b/a.v", "@@ -1 +1 @@", "-1", "+one", "--- /dev/null", "+++ b/new/c.v", "@@ -0,0 +1 @@", "+c",
        "--- a/b.v", "+++ b/b.v", "@@ -1 +1 @@", "-9", "+nine");
    Map<String, String> before = tree();
    assertThatThrownBy(() -> PatchApplier.exact().applyTo(root, UnifiedDiff.parse(diff)))
        .isInstanceOfSatisfying(PatchApplyException.class, e -> assertThat(e.kind()).isEqualTo(Kind.CONTEXT_MISMATCH));
    assertThat(tree()).isEqualTo(before);
    assertThat(root.resolve("new")).doesNotExist();
  }

  @Test
  void aWriteFailureRollsBackWhatWasAlreadyMoved() throws IOException {
    write("a.v", "1\n");
    write("z/b.v", "2\n");
    write("d.v", "d\n");
    String diff = lines("--- a/a.v", "+++ b/a.v", "@@ -1 +1 @@", "-1", "+one", "--- /dev/null", "+++ b/new/dir/c.v", "@@ -0,0 +1 @@", "+c",
        "--- a/z/b.v", "+++ b/z/b.v", "@@ -1 +1 @@", "-2", "+two", "--- a/d.v", "+++ /dev/null", "@@ -1 +0,0 @@", "-d");
    Map<String, String> before = tree();
    for (int failAt = 1; failAt <= 6; failAt++) {
      int[] moves = {0};
      int limit = failAt;
      PatchApplier failing = new PatchApplier(false, (from, to) -> {
        if (++moves[0] == limit) throw new IOException("disk full");
        Files.move(from, to);
      });
      assertThatThrownBy(() -> failing.applyTo(root, UnifiedDiff.parse(diff)))
          .isInstanceOfSatisfying(PatchApplyException.class, e -> assertThat(e.kind()).isEqualTo(Kind.IO));
      assertThat(tree()).as("failing move %d", failAt).isEqualTo(before);
      assertThat(root.resolve("new")).doesNotExist();
      try (Stream<Path> s = Files.walk(root)) {
        assertThat(s.map(Path::toString).filter(p -> p.contains(".genrtl-patch-")).toList()).isEmpty();
      }
    }
    // and without a failure the same diff applies
    PatchApplier.exact().applyTo(root, UnifiedDiff.parse(diff));
    assertThat(tree()).containsExactly(Map.entry("a.v", "one\n"), Map.entry("new/dir/c.v", "c\n"), Map.entry("z/b.v", "two\n"));
  }

  @Test
  void symlinksOnTheWayAndUnsafePathsAreRefusedOnDisk(@TempDir Path outside) throws IOException {
    Files.writeString(outside.resolve("secret.v"), "1\n");
    try {
      Files.createSymbolicLink(root.resolve("link"), outside);
    } catch (UnsupportedOperationException | IOException e) {
      return; // no symlinks on this file system
    }
    String viaLink = lines("--- a/link/secret.v", "+++ b/link/secret.v", "@@ -1 +1 @@", "-1", "+pwned");
    assertThatThrownBy(() -> PatchApplier.exact().applyTo(root, UnifiedDiff.parse(viaLink)))
        .isInstanceOfSatisfying(PatchApplyException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNSAFE_PATH));
    assertThat(Files.readString(outside.resolve("secret.v"))).isEqualTo("1\n");
    String traversal = lines("--- a/../x.v", "+++ b/../x.v", "@@ -1 +1 @@", "-1", "+pwned");
    assertThatThrownBy(() -> PatchApplier.exact().applyTo(root, UnifiedDiff.parse(traversal)))
        .isInstanceOfSatisfying(PatchApplyException.class, e -> assertThat(e.kind()).isEqualTo(Kind.UNSAFE_PATH));
    Files.write(root.resolve("bin.v"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    String notText = lines("--- a/bin.v", "+++ b/bin.v", "@@ -1 +1 @@", "-1", "+2");
    assertThatThrownBy(() -> PatchApplier.exact().applyTo(root, UnifiedDiff.parse(notText)))
        .isInstanceOfSatisfying(PatchApplyException.class, e -> assertThat(e.kind()).isEqualTo(Kind.NOT_TEXT));
    assertThat(new String(Files.readAllBytes(root.resolve("bin.v")), StandardCharsets.ISO_8859_1)).hasSize(3);
  }

  @Test
  void theResultMapIsUnmodifiable() {
    Result r = PatchApplier.exact().apply(UnifiedDiff.parse(lines("--- /dev/null", "+++ b/x", "@@ -0,0 +1 @@", "+x")), Map.of());
    assertThatThrownBy(() -> r.files().put("y", "")).isInstanceOf(UnsupportedOperationException.class);
    assertThat(r.changes()).extracting(FileChange::status).containsExactly(Status.ADDED);
    assertThat(List.copyOf(r.files().keySet())).containsExactly("x");
  }
}
