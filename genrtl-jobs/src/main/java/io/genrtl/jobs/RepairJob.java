package io.genrtl.jobs;

import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.internal.JsonText;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.jobs.JobInputPolicy;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.llm.PriceTable;
import io.genrtl.core.patch.PatchPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Repair step: the evidence of a failed tool run (and optionally the plan) plus the files its diagnostics point at
 * in, a unified diff out (Claude Sonnet by default, the {@code repair} price-table step). The diff must pass the path
 * policy ({@link PatchPolicy.Mode#REPAIR}: nothing under a read-only path) and apply exactly to the files sent. A refused
 * or non-applying answer gets one corrective retry, then the job fails with {@code patch_policy_violation}. Result as
 * for {@link ImplementJob}.
 *
 * <p>Input (JSON, written by {@code POST /api/jobs/repair}): {@code evidence} (the EvidenceBundle of {@code POST
 * /api/tools/run} plus {@code snippets}, {@code diff}, {@code lockfile_summary}), {@code plan} (optional), {@code
 * readonly_paths}, {@code files} ([{path, content}]).
 */
public final class RepairJob implements JobHandler {
  public static final String TYPE = PriceTable.REPAIR;
  /**
   * How the Repair system prompt begins, and nothing else's does: a provider-side stub (the demo's {@code
   * RecordedProviders}) tells a repair call from an implement call by it, never by the user's material.
   */
  public static final String PROMPT_MARKER = "You are genRTL's repair engineer";
  static final String INSTRUCTIONS = String.join("\n",
      PROMPT_MARKER + " for digital hardware designs written in SystemVerilog.",
      "You get the evidence of a failed tool run (simulator, linter or synthesis: the command, its exit code, the",
      "diagnostics, a log excerpt, code snippets, the current change and the lockfile summary), possibly the plan, and the",
      "files the diagnostics point at. Find the cause and fix it with the smallest correct change. The diff must apply",
      "exactly to the files as given.",
      PatchJobs.DIFF_RULES);
  private static final Set<String> SHOWN = Set.of("tool", "command", "exit_code", "passed", "verdict", "mismatches",
      "samples", "first_mismatch_time", "diagnostics", "log_excerpt", "snippets", "diff", "lockfile_summary");

  private final PatchJobs jobs;

  RepairJob(LlmGateway gateway, IdGenerator ids) {
    this.jobs = new PatchJobs(new PatchJobs.Kind(TYPE, PatchPolicy.Mode.REPAIR, INSTRUCTIONS, (input, out) -> {
      PatchJobs.json(out, "Plan", input.get("plan"));
      evidence(asMap(input.get("evidence")), out);
    }, "Fix the failure shown by the evidence now: answer with the unified diff only."), gateway, ids);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object o) {
    return o instanceof Map ? (Map<String, Object>) o : Map.of();
  }

  /** The evidence as readable sections; fields we do not know are shown as JSON at the end. */
  static void evidence(Map<String, Object> ev, StringBuilder out) {
    out.append("# Evidence of the failed run\n");
    out.append("tool: ").append(ev.get("tool")).append('\n');
    Object command = ev.get("command");
    if (command instanceof List<?> l) command = String.join(" ", l.stream().map(String::valueOf).toList());
    if (command instanceof Map<?, ?> phases) {
      // the ToolRunner's bundle: {compile, run}, a null phase did not run
      for (Map.Entry<?, ?> e : phases.entrySet()) {
        if (e.getValue() != null) out.append("command (").append(e.getKey()).append("): ").append(e.getValue()).append('\n');
      }
    } else if (command != null) {
      out.append("command: ").append(command).append('\n');
    }
    if (ev.get("exit_code") != null) out.append("exit_code: ").append(ev.get("exit_code")).append('\n');
    if (ev.get("passed") != null) out.append("passed: ").append(ev.get("passed")).append('\n');
    for (String k : List.of("verdict", "mismatches", "samples", "first_mismatch_time")) {
      if (ev.get(k) != null) out.append(k).append(": ").append(ev.get(k)).append('\n');
    }
    out.append('\n');
    if (ev.get("diagnostics") instanceof List<?> diags && !diags.isEmpty()) {
      out.append("## Diagnostics\n");
      for (Object o : diags) {
        Map<String, Object> d = asMap(o);
        out.append("- ");
        if (d.get("file") != null) {
          out.append(d.get("file"));
          if (d.get("line") != null) out.append(':').append(d.get("line"));
          if (d.get("column") != null) out.append(':').append(d.get("column"));
          out.append(' ');
        }
        if (d.get("severity") != null) out.append(d.get("severity")).append(": ");
        out.append(String.valueOf(d.get("message")).replace("\n", "\n  ")).append('\n');
      }
      out.append('\n');
    }
    if (ev.get("log_excerpt") instanceof String log && !log.isEmpty()) {
      out.append("## Log excerpt\n");
      PatchJobs.fenced(out, "", log);
    }
    if (ev.get("snippets") instanceof List<?> snippets && !snippets.isEmpty()) {
      out.append("## Snippets\n");
      for (Object o : snippets) {
        Map<String, Object> s = asMap(o);
        out.append("### ").append(s.get("file")).append(" from line ").append(s.get("start_line")).append('\n');
        PatchJobs.fenced(out, "", String.valueOf(s.get("text")));
      }
    }
    if (ev.get("diff") instanceof String diff && !diff.isEmpty()) {
      out.append("## The current change (diff)\n");
      PatchJobs.fenced(out, "diff", diff);
    }
    if (ev.get("lockfile_summary") != null) {
      Object lock = ev.get("lockfile_summary");
      out.append("## Lockfile summary\n");
      PatchJobs.fenced(out, lock instanceof String ? "" : "json", lock instanceof String s ? s : JsonText.write(lock));
    }
    Map<String, Object> rest = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : ev.entrySet()) if (!SHOWN.contains(e.getKey())) rest.put(e.getKey(), e.getValue());
    if (!rest.isEmpty()) PatchJobs.json(out, "Other evidence fields", rest);
  }

  /** The upload caps of {@code JobUploads} and redaction, at submission. */
  @Override
  public JobInputPolicy inputPolicy() {
    return JobInputPolicy.REPAIR_UPLOAD;
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
