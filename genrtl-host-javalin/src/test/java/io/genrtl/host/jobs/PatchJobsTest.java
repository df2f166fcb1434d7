package io.genrtl.host.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.patch.PatchPolicy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PatchJobsTest {
  static final String DIFF = "--- a/x.v\n+++ b/x.v\n@@ -1 +1 @@\n-a\n+b\n";

  @Test
  void theDiffIsTakenFromFencesOrFromTheFirstHeader() {
    assertThat(PatchJobs.extractDiff(DIFF)).isEqualTo(DIFF);
    assertThat(PatchJobs.extractDiff(DIFF.strip())).isEqualTo(DIFF);
    assertThat(PatchJobs.extractDiff("Sure! Here it is:\n\n```diff\n" + DIFF + "```\nThat fixes the width.")).isEqualTo(DIFF);
    assertThat(PatchJobs.extractDiff("```patch\n" + DIFF + "```")).isEqualTo(DIFF);
    assertThat(PatchJobs.extractDiff("~~~~\n" + DIFF + "~~~~\n")).isEqualTo(DIFF);
    // several fenced diffs are joined in order; fences without a diff are ignored
    String other = DIFF.replace("x.v", "y.v");
    assertThat(PatchJobs.extractDiff("```verilog\nmodule x;\n```\n```diff\n" + DIFF + "```\nand\n```diff\n" + other + "```\n"))
        .isEqualTo(DIFF + other);
    // an unterminated fence runs to the end
    assertThat(PatchJobs.extractDiff("```diff\n" + DIFF)).isEqualTo(DIFF);
    assertThat(PatchJobs.extractDiff("```diff\n" + DIFF.strip())).isEqualTo(DIFF);
    // prose before an unfenced diff is dropped; prose after it stays (and the strict parser refuses it)
    assertThat(PatchJobs.extractDiff("The fix:\n" + DIFF + "Done.")).isEqualTo(DIFF + "Done.\n");
    // a markdown fence inside the diff's content (a context line " ```") is not a fence
    String md = "--- a/r.md\n+++ b/r.md\n@@ -1,3 +1,3 @@\n ```\n-a\n+b\n ```\n";
    assertThat(PatchJobs.extractDiff("```diff\n" + md + "```\n")).isEqualTo(md);
    assertThat(PatchJobs.extractDiff(md)).startsWith(md);
    assertThat(PatchJobs.extractDiff("I cannot do that.")).isEmpty();
    assertThat(PatchJobs.extractDiff("")).isEmpty();
    assertThat(PatchJobs.extractDiff(null)).isEmpty();
  }

  @Test
  void answersAreCheckedByParserPolicyAndApplication() {
    PatchPolicy repair = PatchPolicy.defaults(PatchPolicy.Mode.REPAIR);
    Map<String, String> files = Map.of("x.v", "a\n");
    assertThat(PatchJobs.evaluate("```diff\n" + DIFF + "```", repair, files).ok()).isTrue();
    assertThat(PatchJobs.evaluate("nothing", repair, files).problems()).containsExactly("the answer contains no unified diff");
    assertThat(PatchJobs.evaluate("--- a/x.v\n+++ b/x.v\n@@ -1 +1 @@\n-a\n+b\n+c\n", repair, files).problems())
        .singleElement().asString().startsWith("the diff is malformed at line 6:");
    assertThat(PatchJobs.evaluate(DIFF.replace("x.v", "vendor/cbb/x.v"), repair, files).problems())
        .containsExactly("vendor/cbb/x.v: read_only: read-only (under vendor/cbb/)");
    assertThat(PatchJobs.evaluate(DIFF.replace("-a", "-z"), repair, files).problems())
        .singleElement().asString().startsWith("the diff does not apply to the files as given: x.v: hunk 1");
    // control characters in model-written paths are shown as '?', keeping each problem on one line
    assertThat(PatchJobs.evaluate("diff --git \"a/x\\ny.v\" \"b/x\\ny.v\"\n--- \"a/x\\ny.v\"\n+++ \"b/x\\ny.v\"\n@@ -1 +1 @@\n-a\n+b\n",
        repair, files).problems()).containsExactly("x?y.v: bad_character: a control character in a path");
  }

  @Test
  void theSystemAndContextBlocksAreCacheableAndTheContextIsRedacted() {
    PatchJobs jobs = new PatchJobs(new PatchJobs.Kind() {
      public String type() {
        return "repair";
      }

      public PatchPolicy.Mode mode() {
        return PatchPolicy.Mode.REPAIR;
      }

      public String instructions() {
        return "INSTRUCTIONS";
      }

      public void context(Map<String, Object> input, StringBuilder out) {
        RepairJob.evidence((Map<String, Object>) input.get("evidence"), out);
      }

      public String task() {
        return "TASK";
      }
    }, () -> null, null);
    PatchJobs.Input in = PatchJobs.input("{\"evidence\":{\"tool\":\"iverilog\",\"log_excerpt\":\"key sk-ant-api03-abcdefghijklmnopqrstuvwxyz\"},"
        + "\"readonly_paths\":[\"vendor/cbb/\",\"ip/\"],\"files\":[{\"path\":\"a.v\",\"content\":\"has ``` inside\\n\"}]}");
    assertThat(in.readOnly()).containsExactly("vendor/cbb/", "ip/");
    assertThat(jobs.policy(in).isReadOnly("ip/x.v")).isTrue();
    String context = jobs.context(in);
    assertThat(context).doesNotContain("sk-ant-api03").contains("[REDACTED:anthropic_key]").contains("tool: iverilog")
        .contains("## a.v\n````\nhas ``` inside\n````\n").contains("- ip/");
    LlmRequest r = jobs.request("c1", context, List.of());
    assertThat(r.system()).containsExactly(new LlmRequest.Block("INSTRUCTIONS", true));
    assertThat(r.messages()).singleElement().satisfies(m -> assertThat(m.content()).containsExactly(
        new LlmRequest.Block(context, true), new LlmRequest.Block("TASK", false)));
    assertThat(r.schema()).isNull();
    assertThat(r.stream()).isTrue();
    assertThat(r.maxOutputTokens()).isEqualTo(PatchJobs.MAX_OUTPUT_TOKENS);
  }
}
