package io.genrtl.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.CreatedUser;
import io.genrtl.core.account.NewUser;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.llm.LlmClient;
import io.genrtl.core.llm.LlmException;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.LlmResponse;
import io.genrtl.core.llm.LlmUsage;
import io.genrtl.core.memory.InMemoryStores;
import io.genrtl.core.patch.PatchPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PatchJobsTest {
  static final String DIFF = "--- a/x.v\n+++ b/x.v\n@@ -1 +1 @@\n-a\n+b\n";

  /** The demo's recorded providers tell repair from implement by these markers: each prompt has its own, only its own. */
  @Test
  void eachSystemPromptBeginsWithItsOwnMarker() {
    assertThat(RepairJob.INSTRUCTIONS).startsWith(RepairJob.PROMPT_MARKER).doesNotContain(ImplementJob.PROMPT_MARKER);
    assertThat(ImplementJob.INSTRUCTIONS).startsWith(ImplementJob.PROMPT_MARKER).doesNotContain(RepairJob.PROMPT_MARKER);
  }

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
    PatchJobs jobs = new PatchJobs(new PatchJobs.Kind("repair", PatchPolicy.Mode.REPAIR, "INSTRUCTIONS",
        (input, out) -> RepairJob.evidence((Map<String, Object>) input.get("evidence"), out), "TASK"), null, null);
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

  /** The job on an in-memory library with a connector answering from a list; the context's cancel flag is ours. */
  static final class Harness {
    final GenRtl genrtl = GenRtl.builder().stores(InMemoryStores.create()).build();
    final List<LlmRequest> requests = new ArrayList<>();
    final AtomicBoolean cancel = new AtomicBoolean();
    final List<String> events = new ArrayList<>();
    final Job job;
    final ImplementJob handler;

    Harness(List<String> answers, boolean cancelAfterFirst) {
      LlmClient client = new LlmClient() {
        public String provider() {
          return "anthropic";
        }

        public LlmResponse complete(LlmRequest r, io.genrtl.core.llm.LlmStreamListener l, java.util.function.BooleanSupplier c) {
          requests.add(r);
          if (cancelAfterFirst) cancel.set(true);
          return new LlmResponse("anthropic", r.model(), answers.get(requests.size() - 1), new LlmUsage(10, 10, 0, 0, 0), "end_turn",
              "req", "msg");
        }
      };
      LlmGateway gateway = new LlmGateway(genrtl.pool(), genrtl.plans(), genrtl.prices(), LlmGateway.Policy.defaults(),
          Map.of("anthropic", client));
      handler = new ImplementJob(gateway, IdGenerator.ulid(Clock.systemUTC()));
      CreatedUser u = genrtl.accounts().createUser(new NewUser("a@x.test", "t", Role.USER, "pro"));
      String ws = genrtl.accounts().createWorkspace(Principal.of(u.user(), null), "w").workspaceId();
      job = Job.queued("J1", u.user().userId(), u.user().tenantId(), ws, "implement",
          "{\"plan\":{\"modules\":[]},\"readonly_paths\":[\"vendor/cbb/\"],\"files\":[]}", null, null, 0);
    }

    String run() {
      return handler.run(new JobContext() {
        public Job job() {
          return job;
        }

        public void emit(String name, String data) {
          events.add(name + " " + data);
        }

        public boolean cancelRequested() {
          return cancel.get();
        }

        public String takeSubmissionHold() {
          return null;
        }
      });
    }
  }

  static final String NEW_FILE = "--- /dev/null\n+++ b/rtl/a.sv\n@@ -0,0 +1 @@\n+module a; endmodule\n";

  @Test
  void aRefusedAnswerIsRetriedOnceWithTheProblemsAfterTheAnswer() {
    Harness h = new Harness(List.of(NEW_FILE.replace("rtl/a.sv", "vendor/cbb/a.sv"), NEW_FILE), false);
    String result = h.run();
    assertThat(result).contains("\"status\":\"added\"").contains("\"stats\":{\"files\":1,\"added\":1,\"removed\":0}");
    assertThat(h.requests).hasSize(2);
    List<LlmRequest.Message> retry = h.requests.get(1).messages();
    assertThat(retry).extracting(LlmRequest.Message::role).containsExactly("user", "assistant", "user");
    assertThat(retry.get(0)).isEqualTo(h.requests.get(0).messages().get(0)); // the cached prefix is unchanged
    assertThat(retry.get(2).content().get(0).text()).contains("vendor/cbb/a.sv: read_only");
    assertThat(h.events).filteredOn(e -> e.startsWith("step ")).hasSize(4);
  }

  @Test
  void aJobCanceledDuringTheFirstCallIsNotRetried() {
    Harness h = new Harness(List.of("no diff", NEW_FILE), true);
    assertThatThrownBy(h::run).isInstanceOf(LlmException.Canceled.class);
    assertThat(h.requests).hasSize(1);
  }
}
