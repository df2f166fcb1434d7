package io.genrtl.core.patch;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.unifieddiff.UnifiedDiffFile;
import com.github.difflib.unifieddiff.UnifiedDiffReader;
import io.genrtl.core.patch.UnifiedDiff.FilePatch;
import io.genrtl.core.patch.UnifiedDiff.Status;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded random round trips: random files and edits, a diff written by an independent writer ({@link DiffWriter}) or by
 * java-diff-utils, then parse + apply must give exactly the edited files. Lines that look like headers ({@code --- x},
 * {@code +++ y}, {@code @@}, {@code \}) and CRLF, empty and unterminated last lines are in the mix on purpose.
 */
class PatchRoundTripTest {
  static final String[] VOCAB = {"module m;", "endmodule", "  assign a = b;", "  reg [7:0] r;", "", "  // comment", "begin", "end",
      "  always @(posedge clk)", "-- not a header", "++ plus", "--- dashes", "+++ more", "@@ -1 +1 @@", "\\ backslash",
      "diff --git a/x b/x", "index 1234567..89abcde", " ", "\t", "x\r", "tést ünïcode"};
  static final String[] DIRS = {"rtl", "tb", "rtl/sub", "my dir", "q\"uote", "tést", "tab\tdir", "a/b/c"};

  static String randomLine(Random rnd) {
    return rnd.nextInt(4) == 0 ? "w" + rnd.nextInt(50) : VOCAB[rnd.nextInt(VOCAB.length)];
  }

  static String randomFile(Random rnd) {
    int n = rnd.nextInt(30);
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) sb.append(randomLine(rnd)).append(rnd.nextInt(20) == 0 ? "\r\n" : "\n");
    if (n > 0 && rnd.nextInt(5) == 0) sb.setLength(sb.length() - 1); // no newline at the end
    return sb.toString();
  }

  static String edit(Random rnd, String s) {
    List<String> lines = new ArrayList<>(PatchApplier.split(s));
    int edits = 1 + rnd.nextInt(5);
    for (int e = 0; e < edits; e++) {
      int op = rnd.nextInt(4);
      int at = lines.isEmpty() ? 0 : rnd.nextInt(lines.size() + 1);
      if (op == 0 || lines.isEmpty()) {
        for (int k = rnd.nextInt(4); k >= 0; k--) lines.add(Math.min(at, lines.size()), randomLine(rnd) + "\n");
      } else if (op == 1 && at < lines.size()) {
        for (int k = rnd.nextInt(3); k >= 0 && at < lines.size(); k--) lines.remove(at);
      } else if (op == 2 && at < lines.size()) {
        lines.set(at, randomLine(rnd) + "\n");
      } else if (!lines.isEmpty()) { // toggle the newline at the end
        String last = lines.get(lines.size() - 1);
        lines.set(lines.size() - 1, last.endsWith("\n") ? last.substring(0, last.length() - 1) : last + "\n");
      }
    }
    // only the last line may lack its line feed
    for (int k = 0; k < lines.size() - 1; k++) if (!lines.get(k).endsWith("\n")) lines.set(k, lines.get(k) + "\n");
    return String.join("", lines);
  }

  static String randomPath(Random rnd, Map<String, String> taken) {
    while (true) {
      String p = DIRS[rnd.nextInt(DIRS.length)] + "/f" + rnd.nextInt(100) + (rnd.nextBoolean() ? ".v" : " x.sv");
      if (!taken.containsKey(p)) return p;
    }
  }

  static String gitLine(String a, String b) {
    return "diff --git " + DiffWriter.quote("a/", a) + " " + DiffWriter.quote("b/", b) + "\n";
  }

  static String dashes(String a, String b) {
    return "--- " + (a == null ? "/dev/null" : DiffWriter.dash("a/", a)) + "\n+++ " + (b == null ? "/dev/null" : DiffWriter.dash("b/", b)) + "\n";
  }

  /** True when the diff so far ends with a git section that has no ---/+++ body. */
  static boolean bodyless(StringBuilder diff) {
    int git = diff.lastIndexOf("\ndiff --git ");
    if (git < 0 && diff.indexOf("diff --git ") == 0) git = 0;
    if (git < 0) return false;
    return diff.indexOf("\n--- ", git) < 0 && !diff.substring(git).startsWith("--- ");
  }

  record Case(Map<String, String> before, Map<String, String> after, String diff, int sections) {}

  static Case randomCase(Random rnd) {
    Map<String, String> before = new TreeMap<>();
    for (int f = rnd.nextInt(6) + 1; f > 0; f--) before.put(randomPath(rnd, before), randomFile(rnd));
    Map<String, String> after = new TreeMap<>(before);
    Map<String, String> taken = new TreeMap<>(before);
    StringBuilder diff = new StringBuilder();
    int sections = 0;
    int ctx = rnd.nextInt(4);
    for (Map.Entry<String, String> e : before.entrySet()) {
      String p = e.getKey();
      String old = e.getValue();
      int op = rnd.nextInt(20);
      // a traditional section right after a git section without body would read as that section's body (as in git)
      boolean traditional = rnd.nextInt(3) == 0 && !bodyless(diff);
      if (op < 11) { // modify
        String neu = edit(rnd, old);
        String h = DiffWriter.hunks(old, neu, ctx);
        if (h.isEmpty()) continue;
        if (!traditional) diff.append(gitLine(p, p)).append("index 1234567..89abcde 100644\n");
        diff.append(dashes(p, p)).append(h);
        after.put(p, neu);
      } else if (op < 13) { // delete
        if (traditional && !old.isEmpty()) {
          diff.append(dashes(p, null)).append(DiffWriter.hunks(old, "", ctx));
        } else {
          diff.append(gitLine(p, p)).append("deleted file mode 100644\nindex 1234567..0000000\n");
          if (!old.isEmpty()) diff.append(dashes(p, null)).append(DiffWriter.hunks(old, "", ctx));
        }
        after.remove(p);
      } else if (op < 16) { // rename or copy, maybe with changes
        boolean copy = op == 15;
        String q = randomPath(rnd, taken);
        taken.put(q, "");
        String neu = rnd.nextBoolean() ? old : edit(rnd, old);
        String h = DiffWriter.hunks(old, neu, ctx);
        diff.append(gitLine(p, q)).append(h.isEmpty() ? "similarity index 100%\n" : "similarity index 75%\n")
            .append(copy ? "copy from " : "rename from ").append(DiffWriter.quote("", p)).append('\n')
            .append(copy ? "copy to " : "rename to ").append(DiffWriter.quote("", q)).append('\n');
        if (!h.isEmpty()) diff.append("index 1234567..89abcde 100644\n").append(dashes(p, q)).append(h);
        if (!copy) after.remove(p);
        after.put(q, neu);
      } else {
        continue; // unchanged
      }
      sections++;
    }
    for (int k = rnd.nextInt(3); k > 0; k--) {
      String q = randomPath(rnd, taken);
      taken.put(q, "");
      String content = randomFile(rnd);
      if (rnd.nextBoolean() && !content.isEmpty() && !bodyless(diff)) {
        diff.append(dashes(null, q)).append(DiffWriter.hunks("", content, ctx));
      } else {
        diff.append(gitLine(q, q)).append("new file mode 100644\nindex 0000000..1234567\n");
        if (!content.isEmpty()) diff.append(dashes(null, q)).append(DiffWriter.hunks("", content, ctx));
      }
      after.put(q, content);
      sections++;
    }
    return new Case(before, after, diff.toString(), sections);
  }

  @Test
  void randomEditsRoundTripThroughParseAndApply() {
    Random rnd = new Random(20251122L);
    int checked = 0;
    for (int iter = 0; iter < 2000; iter++) {
      Case c = randomCase(rnd);
      if (c.sections() == 0) continue;
      UnifiedDiff d;
      try {
        d = UnifiedDiff.parse(c.diff());
      } catch (PatchParseException e) {
        throw new AssertionError("iteration " + iter + ": " + e.getMessage() + "\n" + c.diff(), e);
      }
      assertThat(d.files()).as("iteration %d", iter).hasSize(c.sections());
      PatchApplier.Result exact = PatchApplier.exact().apply(d, c.before());
      assertThat(exact.files()).as("iteration %d:\n%s", iter, c.diff()).isEqualTo(c.after());
      assertThat(exact.offsetHunks()).isZero();
      assertThat(PatchApplier.withOffsets().apply(d, c.before()).files()).isEqualTo(c.after());
      assertThat(exact.stats().files()).isEqualTo(c.sections());
      // the policy sees every path of these diffs as safe except the ones with control characters (the tab directory)
      List<PatchPolicy.Violation> v = PatchPolicy.defaults(PatchPolicy.Mode.REPAIR).check(d, c.before().keySet());
      assertThat(v).allSatisfy(x -> assertThat(x.rule()).isIn(PatchPolicy.Rule.BAD_CHARACTER));
      checked++;
    }
    assertThat(checked).isGreaterThan(1600);
  }

  @Test
  void aDiffThatDoesNotMatchTheBaseNeverAppliesPartially() {
    Random rnd = new Random(7L);
    int refused = 0;
    for (int iter = 0; iter < 500; iter++) {
      Case c = randomCase(rnd);
      if (c.sections() == 0) continue;
      UnifiedDiff d = UnifiedDiff.parse(c.diff());
      // perturb one file of the base the diff reads
      Map<String, String> other = new TreeMap<>(c.before());
      String victim = d.files().stream().filter(f -> f.oldPath() != null && !f.hunks().isEmpty()
          && f.hunks().stream().anyMatch(h -> h.oldCount() > 0)).map(FilePatch::oldPath).findFirst().orElse(null);
      if (victim == null) continue;
      other.put(victim, String.join("", PatchApplier.split(other.get(victim)).stream().map(l -> "~" + l).toList()));
      Map<String, String> snapshot = new TreeMap<>(other);
      try {
        PatchApplier.withOffsets().apply(d, other);
        throw new AssertionError("applied to a perturbed base at iteration " + iter);
      } catch (PatchApplyException e) {
        refused++;
        assertThat(other).isEqualTo(snapshot);
      }
    }
    assertThat(refused).isGreaterThan(100);
  }

  /** java-diff-utils writes the diff (modifications of files ending in a newline); our parser and applier reproduce the edit. */
  @Test
  void diffsWrittenByJavaDiffUtilsApply() {
    Random rnd = new Random(42L);
    int checked = 0;
    for (int iter = 0; iter < 1000; iter++) {
      String old = randomFile(rnd);
      if (old.isEmpty() || !old.endsWith("\n")) continue;
      String neu = edit(rnd, old);
      if (!neu.endsWith("\n")) neu = neu + "\n";
      if (neu.equals(old)) continue;
      List<String> a = old.lines().toList();
      List<String> b = neu.lines().toList();
      // String.lines() drops a trailing \r: keep the test to files without CR
      if (old.contains("\r") || neu.contains("\r")) continue;
      List<String> out = UnifiedDiffUtils.generateUnifiedDiff("a/rtl/x.v", "b/rtl/x.v", a, DiffUtils.diff(a, b), 1 + rnd.nextInt(3));
      String text = String.join("\n", out) + "\n";
      UnifiedDiff d = UnifiedDiff.parse(text);
      assertThat(PatchApplier.exact().apply(d, Map.of("rtl/x.v", old)).files().get("rtl/x.v")).as(text).isEqualTo(neu);
      checked++;
    }
    assertThat(checked).isGreaterThan(150);
  }

  /** Plain words, every line terminated (what java-diff-utils' reader handles). */
  static String plainFile(Random rnd) {
    StringBuilder sb = new StringBuilder();
    for (int i = rnd.nextInt(30) + 1; i > 0; i--) sb.append("w").append(rnd.nextInt(40)).append('\n');
    return sb.toString();
  }

  static String plainEdit(Random rnd, String s) {
    List<String> lines = new ArrayList<>(PatchApplier.split(s));
    for (int e = 1 + rnd.nextInt(4); e > 0; e--) {
      int at = rnd.nextInt(lines.size() + 1);
      if (rnd.nextBoolean() || at == lines.size() || lines.size() < 2) lines.add(at, "n" + rnd.nextInt(40) + "\n");
      else lines.remove(at);
    }
    return String.join("", lines);
  }

  /** java-diff-utils reads our writer's git diffs (plain names) and sees the same files, statuses and hunk counts. */
  @Test
  void javaDiffUtilsReadsTheSameFilesFromOurDiffs() throws Exception {
    Random rnd = new Random(99L);
    int checked = 0;
    for (int iter = 0; iter < 300; iter++) {
      Map<String, String> before = new LinkedHashMap<>();
      for (int f = rnd.nextInt(4) + 1; f > 0; f--) before.put("rtl/f" + f + ".v", plainFile(rnd));
      StringBuilder diff = new StringBuilder();
      for (Map.Entry<String, String> e : before.entrySet()) {
        String h = DiffWriter.hunks(e.getValue(), plainEdit(rnd, e.getValue()), 3);
        if (h.isEmpty()) continue;
        diff.append(gitLine(e.getKey(), e.getKey())).append("index 1234567..89abcde 100644\n").append(dashes(e.getKey(), e.getKey())).append(h);
      }
      if (diff.isEmpty()) continue;
      UnifiedDiff ours = UnifiedDiff.parse(diff.toString());
      com.github.difflib.unifieddiff.UnifiedDiff theirs = UnifiedDiffReader.parseUnifiedDiff(
          new ByteArrayInputStream(diff.toString().getBytes(StandardCharsets.UTF_8)));
      assertThat(theirs.getFiles()).hasSameSizeAs(ours.files());
      for (int k = 0; k < ours.files().size(); k++) {
        FilePatch f = ours.files().get(k);
        UnifiedDiffFile t = theirs.getFiles().get(k);
        assertThat(f.status()).isEqualTo(Status.MODIFIED);
        assertThat(t.getToFile()).isEqualTo(f.newPath());
        assertThat(t.getPatch().getDeltas()).hasSizeGreaterThanOrEqualTo(f.hunks().size());
      }
      checked++;
    }
    assertThat(checked).isGreaterThan(200);
  }
}
