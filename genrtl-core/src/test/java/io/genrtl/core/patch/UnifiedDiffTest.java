package io.genrtl.core.patch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.patch.PatchParseException.Kind;
import io.genrtl.core.patch.UnifiedDiff.FilePatch;
import io.genrtl.core.patch.UnifiedDiff.Hunk;
import io.genrtl.core.patch.UnifiedDiff.LineKind;
import io.genrtl.core.patch.UnifiedDiff.Status;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class UnifiedDiffTest {
  static String lines(String... l) {
    return String.join("\n", l) + "\n";
  }

  static void refused(String diff, Kind kind, int line) {
    ThrowingCallable parse = () -> UnifiedDiff.parse(diff);
    assertThatThrownBy(parse).isInstanceOfSatisfying(PatchParseException.class, e -> {
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(kind);
      assertThat(e.line()).as(e.getMessage()).isEqualTo(line);
      assertThat(e.getMessage()).startsWith("line " + line + ": ");
    });
  }

  @Test
  void aGitModificationWithTwoHunksAndAHeading() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "diff --git a/rtl/fifo.v b/rtl/fifo.v",
        "index 83db48f..bf269f4 100644",
        "--- a/rtl/fifo.v",
        "+++ b/rtl/fifo.v",
        "@@ -1,3 +1,3 @@ module fifo",
        " a",
        "-b",
        "+B",
        " c",
        "@@ -10 +10,2 @@",
        " j",
        "+k"));
    assertThat(d.files()).singleElement().satisfies(f -> {
      assertThat(f.status()).isEqualTo(Status.MODIFIED);
      assertThat(f.oldPath()).isEqualTo("rtl/fifo.v");
      assertThat(f.newPath()).isEqualTo("rtl/fifo.v");
      assertThat(f.oldMode()).isEqualTo("100644");
      assertThat(f.newMode()).isEqualTo("100644");
      assertThat(f.gitHeader()).isTrue();
      assertThat(f.hunks()).hasSize(2);
      assertThat(f.firstLine()).isEqualTo(1);
      assertThat(f.lastLine()).isEqualTo(12);
      assertThat(f.bytes()).isEqualTo(d.bytes());
      Hunk h = f.hunks().get(0);
      assertThat(h.heading()).isEqualTo("module fifo");
      assertThat(h.lines()).extracting(UnifiedDiff.Line::kind)
          .containsExactly(LineKind.CONTEXT, LineKind.REMOVE, LineKind.ADD, LineKind.CONTEXT);
      Hunk h2 = f.hunks().get(1);
      assertThat(h2.oldCount()).isEqualTo(1); // omitted count means 1
      assertThat(h2.lineNumber()).isEqualTo(10);
    });
    assertThat(d.added()).isEqualTo(2);
    assertThat(d.removed()).isEqualTo(1);
  }

  @Test
  void newDeletedRenamedCopiedAndModeOnly() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "diff --git a/tb/tb_top.sv b/tb/tb_top.sv",
        "new file mode 100644",
        "index 0000000..e69de29",
        "--- /dev/null",
        "+++ b/tb/tb_top.sv",
        "@@ -0,0 +1,2 @@",
        "+module tb_top;",
        "+endmodule",
        "diff --git a/old.v b/old.v",
        "deleted file mode 100644",
        "index e69de29..0000000",
        "--- a/old.v",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-x",
        "diff --git a/a.v b/rtl/a.v",
        "similarity index 90%",
        "rename from a.v",
        "rename to rtl/a.v",
        "index 1111111..2222222 100644",
        "--- a/a.v",
        "+++ b/rtl/a.v",
        "@@ -1 +1 @@",
        "-y",
        "+z",
        "diff --git a/b.v b/b2.v",
        "similarity index 100%",
        "copy from b.v",
        "copy to b2.v",
        "diff --git a/run.sh b/run.sh",
        "old mode 100644",
        "new mode 100755",
        "diff --git a/empty.txt b/empty.txt",
        "new file mode 100644",
        "index 0000000..e69de29"));
    assertThat(d.files()).extracting(FilePatch::status).containsExactly(Status.ADDED, Status.DELETED, Status.RENAMED,
        Status.COPIED, Status.MODIFIED, Status.ADDED);
    FilePatch added = d.files().get(0);
    assertThat(added.oldPath()).isNull();
    assertThat(added.newPath()).isEqualTo("tb/tb_top.sv");
    assertThat(added.newMode()).isEqualTo("100644");
    FilePatch deleted = d.files().get(1);
    assertThat(deleted.newPath()).isNull();
    assertThat(deleted.path()).isEqualTo("old.v");
    assertThat(deleted.oldMode()).isEqualTo("100644");
    FilePatch renamed = d.files().get(2);
    assertThat(renamed.oldPath()).isEqualTo("a.v");
    assertThat(renamed.newPath()).isEqualTo("rtl/a.v");
    assertThat(renamed.similarity()).isEqualTo(90);
    FilePatch copied = d.files().get(3);
    assertThat(copied.hunks()).isEmpty();
    assertThat(copied.newPath()).isEqualTo("b2.v");
    FilePatch mode = d.files().get(4);
    assertThat(mode.oldMode()).isEqualTo("100644");
    assertThat(mode.newMode()).isEqualTo("100755");
    assertThat(d.files().get(5).hunks()).isEmpty();
  }

  @Test
  void traditionalSectionsWithAndWithoutPrefixesAndTimestamps() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "--- a/x.v\t2024-01-01 10:00:00.000000000 +0000",
        "+++ b/x.v\t2024-01-02 10:00:00.000000000 +0000",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "--- y.v",
        "+++ y.v",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "--- /dev/null",
        "+++ b/z.v",
        "@@ -0,0 +1 @@",
        "+z"));
    assertThat(d.files()).extracting(FilePatch::path).containsExactly("x.v", "y.v", "z.v");
    assertThat(d.files()).extracting(FilePatch::status).containsExactly(Status.MODIFIED, Status.MODIFIED, Status.ADDED);
    assertThat(d.files()).allSatisfy(f -> assertThat(f.gitHeader()).isFalse());
  }

  @Test
  void quotedAndSpacedPaths() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "diff --git \"a/t\\303\\251st\\tx.v\" \"b/t\\303\\251st\\tx.v\"",
        "--- \"a/t\\303\\251st\\tx.v\"",
        "+++ \"b/t\\303\\251st\\tx.v\"",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "diff --git a/my file.v b/my file.v",
        "--- a/my file.v\t",
        "+++ b/my file.v\t",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "diff --git a/x b/y.v b/x b/y.v",
        "--- a/x b/y.v",
        "+++ b/x b/y.v",
        "@@ -1 +1 @@",
        "-a",
        "+b"));
    assertThat(d.files()).extracting(FilePatch::path).containsExactly("tést\tx.v", "my file.v", "x b/y.v");
  }

  @Test
  void noNewlineMarkers() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "--- a/x",
        "+++ b/x",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "\\ No newline at end of file",
        "+b",
        "\\ No newline at end of file"));
    assertThat(d.files().get(0).hunks().get(0).lines()).extracting(UnifiedDiff.Line::noNewlineAtEnd)
        .containsExactly(false, true, true);
    // a context line as the last line of both sides
    UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", "-a", "+A", " b", "\\ No newline at end of file"));
  }

  @Test
  void crlfContentIsKept() {
    UnifiedDiff d = UnifiedDiff.parse("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\r\n+b\r\n");
    assertThat(d.files().get(0).hunks().get(0).lines()).extracting(UnifiedDiff.Line::text).containsExactly("a\r", "b\r");
  }

  @Test
  void anEmptyLineInsideAHunkIsAnEmptyContextLine() {
    UnifiedDiff d = UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "", "-c", "+C"));
    assertThat(d.files().get(0).hunks().get(0).lines().get(1)).isEqualTo(new UnifiedDiff.Line(LineKind.CONTEXT, "", false));
    // whitespace-only and empty context lines at the very end are hunk lines, not trailing blank lines
    UnifiedDiff end = UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,2 @@", "-a", " ", " \t"));
    assertThat(end.files().get(0).hunks().get(0).lines()).extracting(UnifiedDiff.Line::text).containsExactly("a", "", "\t");
    UnifiedDiff endEmpty = UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -1,2 +1,1 @@", "-a", ""));
    assertThat(endEmpty.files().get(0).hunks().get(0).lines()).hasSize(2);
  }

  @Test
  void binarySectionsAreRecognised() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "diff --git a/img.png b/img.png",
        "index 1111111..2222222 100644",
        "Binary files a/img.png and b/img.png differ",
        "diff --git a/blob.bin b/blob.bin",
        "new file mode 100644",
        "index 0000000..3333333",
        "GIT binary patch",
        "literal 12",
        "TcmZ?wbhEHbRA6vmU|;|M1H}M",
        "",
        "literal 0",
        "HcmV?d00001",
        "",
        "diff --git a/c.v b/c.v",
        "--- a/c.v",
        "+++ b/c.v",
        "@@ -1 +1 @@",
        "-a",
        "+b"));
    assertThat(d.files()).extracting(FilePatch::binary).containsExactly(true, true, false);
  }

  @Test
  void symlinkAndSubmoduleModesAreReported() {
    UnifiedDiff d = UnifiedDiff.parse(lines(
        "diff --git a/link b/link",
        "new file mode 120000",
        "index 0000000..1111111",
        "--- /dev/null",
        "+++ b/link",
        "@@ -0,0 +1 @@",
        "+/etc/passwd",
        "\\ No newline at end of file",
        "diff --git a/sub b/sub",
        "index 1111111..2222222 160000",
        "--- a/sub",
        "+++ b/sub",
        "@@ -1 +1 @@",
        "-Subproject commit 1111111111111111111111111111111111111111",
        "+Subproject commit 2222222222222222222222222222222222222222"));
    assertThat(d.files().get(0).newMode()).isEqualTo("120000");
    assertThat(d.files().get(1).oldMode()).isEqualTo("160000");
  }

  @Test
  void hunkCountsMustMatchExactly() {
    // too few lines: the next section starts while the hunk expects one more line on each side
    refused(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", "diff --git a/y b/y", "--- a/y", "+++ b/y",
        "@@ -1 +1 @@", "-a", "+b"), Kind.HUNK_COUNT_MISMATCH, 7);
    // with wrong counts a following ---/+++ header is read as hunk lines, and the next hunk then overlaps
    refused(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", "--- a/y", "+++ b/y", "@@ -1 +1 @@", "-a", "+b"),
        Kind.HUNK_ORDER, 9);
    // too many lines
    refused(lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "+c"), Kind.HUNK_COUNT_MISMATCH, 6);
    // ends early at the end of the text
    refused(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+c"), Kind.HUNK_COUNT_MISMATCH, 7);
    // a removed line where only new lines are left
    refused(lines("--- a/x", "+++ b/x", "@@ -1 +1,2 @@", "-a", "+b", "-c"), Kind.HUNK_COUNT_MISMATCH, 6);
    // an empty line where no context is possible
    refused(lines("--- /dev/null", "+++ b/x", "@@ -0,0 +1,2 @@", "+a", "", "+b"), Kind.HUNK_COUNT_MISMATCH, 5);
  }

  @Test
  void malformedHunkHeadersAndOrder() {
    refused(lines("--- a/x", "+++ b/x", "@@ -1,1 +1,1", "-a", "+b"), Kind.BAD_HUNK_HEADER, 3);
    refused(lines("--- a/x", "+++ b/x", "@@ -a,1 +1,1 @@", "-a", "+b"), Kind.BAD_HUNK_HEADER, 3);
    refused(lines("--- a/x", "+++ b/x", "@@ -1,0 +1,0 @@"), Kind.BAD_HUNK_HEADER, 3);
    refused(lines("--- a/x", "+++ b/x", "@@ -0,1 +1,1 @@", "-a", "+b"), Kind.BAD_HUNK_HEADER, 3);
    refused(lines("--- a/x", "+++ b/x", "@@ -5 +5 @@", "-a", "+b", "@@ -2 +2 @@", "-a", "+b"), Kind.HUNK_ORDER, 6);
    refused(lines("--- a/x", "+++ b/x", "@@ -1,3 +1,3 @@", " a", "-b", "+B", " c", "@@ -3 +3 @@", "-c", "+C"), Kind.HUNK_ORDER, 8);
    refused(lines("--- /dev/null", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.HUNK_ORDER, 3);
    refused(lines("--- a/x", "+++ /dev/null", "@@ -1 +1 @@", "-a", "+b"), Kind.HUNK_ORDER, 3);
    refused(lines("--- a/x", "+++ b/x"), Kind.MISSING_HUNKS, 3);
  }

  @Test
  void misplacedNoNewlineMarkers() {
    refused(lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", "-a", "\\ No newline at end of file", "-b", "+c", "+d"),
        Kind.BAD_NO_NEWLINE_MARKER, 6);
    refused(lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "\\ No newline at end of file", "\\ No newline at end of file", "+b"),
        Kind.BAD_NO_NEWLINE_MARKER, 6);
    refused(lines("--- a/x", "+++ b/x", "@@ -1,2 +1,2 @@", " a", "\\ No newline at end of file", " b"),
        Kind.BAD_NO_NEWLINE_MARKER, 6);
  }

  @Test
  void everyLineBelongsToASection() {
    refused(lines("Here is the patch:", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.UNEXPECTED_LINE, 1);
    refused(lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "That fixes it."), Kind.UNEXPECTED_LINE, 6);
    refused(lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "index 1111111..2222222", "--- a/y", "+++ b/y"),
        Kind.UNEXPECTED_LINE, 6);
    refused(lines("@@ -1 +1 @@", "-a", "+b"), Kind.UNEXPECTED_LINE, 1);
    refused("", Kind.EMPTY, 1);
    refused("\n\n  \n", Kind.EMPTY, 1);
    refused(lines("diff --git a/x b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.MISSING_HUNKS, 1);
    // trailing blank lines after the last section are tolerated
    assertThat(UnifiedDiff.parse(lines("--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "", "")).files()).hasSize(1);
  }

  @Test
  void extendedHeadersAtMostOnceAndConsistent() {
    refused(lines("diff --git a/x b/x", "old mode 100644", "old mode 100644", "new mode 100755"), Kind.DUPLICATE_HEADER, 3);
    refused(lines("diff --git a/x b/x", "old mode 100644"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/x", "new file mode 100644", "deleted file mode 100644"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/y", "rename from x"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/y", "rename from x", "rename to z"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/y", "--- a/x", "+++ b/y", "@@ -1 +1 @@", "-a", "+b"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/x", "--- a/x", "+++ b/other", "@@ -1 +1 @@", "-a", "+b"), Kind.INCONSISTENT_HEADERS, 2);
    refused(lines("diff --git a/x b/x", "new file mode 100644", "--- a/x", "+++ b/x", "@@ -0,0 +1 @@", "+b"),
        Kind.INCONSISTENT_HEADERS, 3);
    refused(lines("diff --git a/x b/x", "similarity index 50%", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"),
        Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/x", "new file mode 10064"), Kind.BAD_HEADER, 2);
    refused(lines("diff --git a/x b/x", "index zz..yy", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.BAD_HEADER, 2);
    refused(lines("diff --git a/x b/y", "similarity index 101%", "rename from x", "rename to y"), Kind.BAD_HEADER, 2);
    refused(lines("diff --git x x", "--- a/x", "+++ b/x"), Kind.BAD_HEADER, 1);
    refused(lines("diff --git a/x b/x", "--- x", "+++ x", "@@ -1 +1 @@", "-a", "+b"), Kind.BAD_HEADER, 2);
    refused(lines("--- a/x", "+++ x", "@@ -1 +1 @@", "-a", "+b"), Kind.BAD_HEADER, 1);
    refused(lines("--- a/x", "+++ b/y", "@@ -1 +1 @@", "-a", "+b"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("--- /dev/null", "+++ /dev/null", "@@ -0,0 +1 @@", "+b"), Kind.INCONSISTENT_HEADERS, 1);
    refused(lines("diff --git a/x b/x", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b", "new mode 100755"),
        Kind.DUPLICATE_HEADER, 7);
    refused(lines("diff --git \"a/x b/x", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.BAD_HEADER, 1);
    refused(lines("diff --git \"a/\\q\" \"b/\\q\"", "--- a/x", "+++ b/x", "@@ -1 +1 @@", "-a", "+b"), Kind.BAD_HEADER, 1);
  }

  @Test
  void pathsArePassedThroughUncheckedForThePolicy() {
    // the parser reads these; refusing them is PatchPolicy's job
    UnifiedDiff d = UnifiedDiff.parse(lines("--- a/../etc/x", "+++ b/../etc/x", "@@ -1 +1 @@", "-a", "+b",
        "--- /dev/null", "+++ /abs/y", "@@ -0,0 +1 @@", "+y"));
    assertThat(d.files()).extracting(FilePatch::path).containsExactly("../etc/x", "/abs/y");
  }
}
