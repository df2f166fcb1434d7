package io.genrtl.jobs;

import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.jobs.JobInputPolicy;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.llm.PriceTable;
import io.genrtl.core.patch.PatchPolicy;
import java.util.Map;

/**
 * The Implement step: a plan and its resolved CBBs in, a unified diff out (Claude Sonnet by default, the {@code
 * implement} price-table step). The diff may create files and modify the files the request supplied, never anything
 * under a read-only path ({@code vendor/cbb/} always), and may not delete or rename ({@link PatchPolicy.Mode#IMPLEMENT});
 * modifications must apply to the supplied files. A refused answer gets one corrective retry, then the job fails with
 * {@code patch_policy_violation}. Result: {@code {patch, files: [{path, status, added, removed}], stats: {files, added,
 * removed}}}.
 *
 * <p>Input (JSON, written by {@code POST /api/jobs/implement}): {@code plan} (object), {@code resolved_cbbs} (array of
 * manifests), {@code readonly_paths}, {@code files} ([{path, content}]).
 */
public final class ImplementJob implements JobHandler {
  public static final String TYPE = PriceTable.IMPLEMENT;
  /** How the Implement system prompt begins (see {@link RepairJob#PROMPT_MARKER}). */
  public static final String PROMPT_MARKER = "You are genRTL's implementer";
  static final String INSTRUCTIONS = String.join("\n",
      PROMPT_MARKER + " for digital hardware designs written in SystemVerilog.",
      "You get a plan (modules, CBB requirements, verification plan), the resolved CBBs (verified common building blocks,",
      "vendored under vendor/cbb/, read-only: instantiate them as their manifests describe, never copy or change them) and",
      "possibly some existing files of the workspace. Write what is missing: the glue and top modules, the custom modules",
      "of the plan that do not exist yet, and the testbench aggregator. Create new files; change a given file only where",
      "it must be; never delete or rename files.",
      PatchJobs.DIFF_RULES);

  private final PatchJobs jobs;

  ImplementJob(LlmGateway gateway, IdGenerator ids) {
    this.jobs = new PatchJobs(new PatchJobs.Kind(TYPE, PatchPolicy.Mode.IMPLEMENT, INSTRUCTIONS, (input, out) -> {
      PatchJobs.json(out, "Plan", input.get("plan"));
      PatchJobs.json(out, "Resolved CBBs (manifests; their files are under vendor/cbb/<id>/)", input.get("resolved_cbbs"));
    }, "Implement the plan now: answer with the unified diff only."), gateway, ids);
  }

  /** The upload caps of {@code JobUploads} and redaction, at submission. */
  @Override
  public JobInputPolicy inputPolicy() {
    return JobInputPolicy.IMPLEMENT_UPLOAD;
  }

  @Override
  public long firstStepWorstCaseMicros(String input) {
    return jobs.firstStepWorstCaseMicros(input);
  }

  @Override
  public String run(JobContext context) {
    return jobs.run(context);
  }
}
