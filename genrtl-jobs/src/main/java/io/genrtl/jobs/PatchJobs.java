package io.genrtl.jobs;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.patch.PatchApplier;
import io.genrtl.core.patch.PatchApplyException;
import io.genrtl.core.patch.PatchParseException;
import io.genrtl.core.patch.PatchPolicy;
import io.genrtl.core.patch.SecretRedactor;
import io.genrtl.core.patch.UnifiedDiff;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.internal.JsonText;
import io.genrtl.core.internal.JsonTree;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Implement and Repair jobs share: the prompt (a stable, cacheable system block; a cacheable context block
 * with the job's material; a short task), the model call through {@link LlmGateway}, pulling the diff out of the
 * answer, and the checks (strict parse, {@link PatchPolicy}, {@link PatchApplier} on the files sent) with one
 * corrective retry quoting what was wrong, then {@code patch_policy_violation}. Every call is charged, accepted or not.
 *
 * <p>The job input (checked against the upload caps and redacted by {@code JobService.submit}) is a JSON object with {@code files} ([{path,
 * content}]), {@code readonly_paths} and the job's own material; everything that goes into the prompt passes through
 * {@link SecretRedactor} once more here, so a job submitted through the library directly cannot leak either.
 */
final class PatchJobs {
  static final int MAX_OUTPUT_TOKENS = 16_000;
  static final int MAX_PROBLEMS_QUOTED = 20;

  /** One of the two jobs: its type (also the step kind and price-table step), policy mode, instructions and material. */
  /**
   * What an implement or repair job is: its type (also the price-table step), policy mode, system instructions, the
   * job-specific part of the context block (plan, CBBs, evidence…) from the job input, and the closing task line.
   */
  record Kind(String type, PatchPolicy.Mode mode, String instructions,
      java.util.function.BiConsumer<Map<String, Object>, StringBuilder> context, String task) {}

  private final Kind kind;
  private final LlmGateway gateway;
  private final IdGenerator ids;

  PatchJobs(Kind kind, LlmGateway gateway, IdGenerator ids) {
    this.kind = kind;
    this.gateway = gateway;
    this.ids = ids;
  }

  /** The parsed job input. */
  record Input(Map<String, Object> raw, Map<String, String> files, List<String> readOnly) {}

  @SuppressWarnings("unchecked")
  static Input input(String json) {
    Object parsed = JsonTree.parse(json);
    if (!(parsed instanceof Map)) throw new IllegalStateException("a job input must be an object");
    Map<String, Object> raw = (Map<String, Object>) parsed;
    Map<String, String> files = new LinkedHashMap<>();
    Object fl = raw.get("files");
    if (fl instanceof List<?> l) {
      for (Object o : l) {
        Map<String, Object> f = (Map<String, Object>) o;
        files.put((String) f.get("path"), (String) f.get("content"));
      }
    }
    List<String> readOnly = new ArrayList<>();
    Object ro = raw.get("readonly_paths");
    if (ro instanceof List<?> l) for (Object o : l) readOnly.add((String) o);
    if (readOnly.isEmpty()) readOnly.add(PatchPolicy.DEFAULT_READ_ONLY);
    return new Input(raw, files, readOnly);
  }

  PatchPolicy policy(Input in) {
    return PatchPolicy.builder(kind.mode()).readOnlyPrefixes(in.readOnly()).build();
  }

  /** The context block: the job's material, the read-only paths and the files, each fenced; redacted. */
  String context(Input in) {
    StringBuilder sb = new StringBuilder();
    kind.context().accept(in.raw(), sb);
    sb.append("# Read-only paths (never change anything under them)\n");
    for (String p : in.readOnly()) sb.append("- ").append(p).append('\n');
    sb.append('\n');
    if (in.files().isEmpty()) {
      sb.append("# Files\n(none were sent)\n");
    } else {
      sb.append("# Files (each is the complete, exact current content)\n");
      for (Map.Entry<String, String> f : in.files().entrySet()) {
        sb.append("## ").append(f.getKey()).append('\n');
        fenced(sb, "", f.getValue());
      }
    }
    return SecretRedactor.redact(sb.toString()).text();
  }

  LlmRequest request(String callId, String context, List<LlmRequest.Message> extra) {
    List<LlmRequest.Message> messages = new ArrayList<>();
    messages.add(new LlmRequest.Message("user", List.of(new LlmRequest.Block(context, true), new LlmRequest.Block(kind.task(), false))));
    messages.addAll(extra);
    return new LlmRequest(callId, "routed", List.of(new LlmRequest.Block(kind.instructions(), true)), messages,
        MAX_OUTPUT_TOKENS, null, true);
  }

  long firstStepWorstCaseMicros(String inputJson) {
    return gateway.worstCaseAnyModel(kind.type(), request("estimate", context(input(inputJson)), List.of()));
  }

  /** The outcome of checking one answer: the diff and its application, or the problems to quote. */
  record Evaluation(String patch, UnifiedDiff diff, PatchApplier.Result applied, List<String> problems) {
    boolean ok() {
      return problems.isEmpty();
    }
  }

  static Evaluation evaluate(String answer, PatchPolicy policy, Map<String, String> files) {
    String text = extractDiff(answer);
    if (text.isBlank()) return new Evaluation(text, null, null, List.of("the answer contains no unified diff"));
    UnifiedDiff diff;
    try {
      diff = UnifiedDiff.parse(text);
    } catch (PatchParseException e) {
      return new Evaluation(text, null, null, List.of("the diff is malformed at " + e.getMessage()));
    }
    List<String> problems = new ArrayList<>();
    for (PatchPolicy.Violation v : policy.check(diff, files.keySet())) problems.add(printable(v.toString()));
    if (!problems.isEmpty()) return new Evaluation(text, diff, null, cap(problems));
    try {
      return new Evaluation(text, diff, PatchApplier.withOffsets().apply(diff, files), List.of());
    } catch (PatchApplyException e) {
      return new Evaluation(text, diff, null, List.of("the diff does not apply to the files as given: " + printable(e.getMessage())));
    }
  }

  private static List<String> cap(List<String> problems) {
    if (problems.size() <= MAX_PROBLEMS_QUOTED) return problems;
    List<String> out = new ArrayList<>(problems.subList(0, MAX_PROBLEMS_QUOTED));
    out.add("… and " + (problems.size() - MAX_PROBLEMS_QUOTED) + " more");
    return out;
  }

  String run(JobContext ctx) {
    Input in = input(ctx.job().input());
    PatchPolicy policy = policy(in);
    String context = context(in);
    List<LlmRequest.Message> extra = new ArrayList<>();
    String hold = ctx.takeSubmissionHold();
    List<String> problems = List.of();
    for (int attempt = 1; attempt <= 2; attempt++) {
      if (attempt > 1 && ctx.cancelRequested()) throw new io.genrtl.core.llm.LlmException.Canceled("none"); // no retry for a canceled job
      String stepId = ids.newId();
      String callId = ids.newId();
      ctx.emit("step", stepJson(stepId, "running", null));
      LlmGateway.Outcome o;
      try (io.genrtl.core.jobs.DeltaStream deltas = ctx.deltas(stepId)) { // streamed text, coalesced
        o = gateway.call(new LlmGateway.Call(ctx.job().userId(), kind.type(),
            new Attribution(ctx.job().jobId(), stepId, ctx.job().workspaceId()), request(callId, context, extra),
            Duration.ofMinutes(15), hold), deltas, ctx::cancelRequested);
      }
      hold = null;
      String answer = o.response().text();
      Evaluation e = evaluate(answer, policy, in.files());
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("provider", o.model().provider());
      step.put("model", o.model().modelId());
      step.put("call_id", callId);
      step.put("valid", e.ok());
      if (!e.ok()) step.put("problems", e.problems().subList(0, Math.min(5, e.problems().size())));
      ctx.emit("step", stepJson(stepId, "succeeded", step));
      if (e.ok()) return result(e);
      problems = e.problems();
      extra = List.of(new LlmRequest.Message("assistant", List.of(new LlmRequest.Block(answer.isEmpty() ? "(empty)" : answer, false))),
          LlmRequest.Message.user("Your patch was refused:\n- " + String.join("\n- ", problems)
              + "\nAnswer again with the complete corrected unified diff only, following every rule."));
    }
    String summary = String.join("; ", problems.subList(0, Math.min(3, problems.size())));
    if (summary.length() > 600) summary = summary.substring(0, 600) + "…";
    throw new GenRtlException(ErrorCode.PATCH_POLICY_VIOLATION,
        "the model's patch was refused after a corrective retry: " + summary);
  }

  static String result(Evaluation e) {
    List<Map<String, Object>> files = new ArrayList<>();
    for (PatchApplier.FileChange c : e.applied().changes()) {
      Map<String, Object> f = new LinkedHashMap<>();
      f.put("path", c.path());
      if (c.oldPath() != null) f.put("old_path", c.oldPath());
      f.put("status", c.status().wire());
      f.put("added", c.added());
      f.put("removed", c.removed());
      files.add(f);
    }
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("files", e.applied().stats().files());
    stats.put("added", e.applied().stats().added());
    stats.put("removed", e.applied().stats().removed());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("patch", e.patch());
    m.put("files", files);
    m.put("stats", stats);
    return JsonText.write(m);
  }

  private String stepJson(String stepId, String status, Map<String, Object> more) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step_id", stepId);
    m.put("kind", kind.type());
    m.put("status", status);
    if (more != null) m.putAll(more);
    return JsonText.write(m);
  }

  // ---------------------------------------------------------------- answers

  private static final Pattern FENCE_OPEN = Pattern.compile("^(`{3,}|~{3,})[ \\t]*([A-Za-z0-9_+.-]*)[ \\t]*\\r?$");

  /**
   * The diff in a model's answer: the fenced code blocks that hold a diff (in order, concatenated), or else everything
   * from the first diff header line ({@code diff --git}, or {@code ---} followed by {@code +++}) on. Fences count at
   * column 0 only (inside a diff every content line starts with a space, + or -); an unterminated fence runs to the end.
   * Prose after an unfenced diff is left in (and refused by the strict parser); blank lines at the end are left for the
   * parser (which tolerates them after the last hunk, and needs them when they are a hunk's last context lines).
   */
  static String extractDiff(String answer) {
    if (answer == null) return "";
    String[] lines = answer.split("\n", -1);
    StringBuilder fenced = new StringBuilder();
    for (int i = 0; i < lines.length; i++) {
      Matcher m = FENCE_OPEN.matcher(lines[i]);
      if (!m.matches()) continue;
      String fence = m.group(1);
      int j = i + 1;
      while (j < lines.length && !isClosing(lines[j], fence)) j++;
      int end = j == lines.length && lines[j - 1].isEmpty() ? j - 1 : j; // an unterminated fence: not the final empty piece
      List<String> body = List.of(lines).subList(i + 1, Math.max(i + 1, end));
      if (looksLikeDiff(body)) {
        for (String l : body) fenced.append(l).append('\n');
      }
      i = j;
    }
    if (fenced.length() > 0) return fenced.toString();
    int offset = 0;
    for (int k = 0; k < lines.length; k++) {
      if (lines[k].startsWith("diff --git ") || (lines[k].startsWith("--- ") && k + 1 < lines.length && lines[k + 1].startsWith("+++ "))) {
        String rest = answer.substring(offset);
        return rest.endsWith("\n") ? rest : rest + "\n";
      }
      offset += lines[k].length() + 1;
    }
    return "";
  }

  private static boolean isClosing(String line, String fence) {
    String s = line.stripTrailing(); // at column 0: a diff's context line " ```" is not a fence
    if (s.length() < fence.length()) return false;
    for (int k = 0; k < s.length(); k++) if (s.charAt(k) != fence.charAt(0)) return false;
    return true;
  }

  private static boolean looksLikeDiff(List<String> body) {
    for (int k = 0; k < body.size(); k++) {
      String l = body.get(k);
      if (l.startsWith("diff --git ") || (l.startsWith("--- ") && k + 1 < body.size() && body.get(k + 1).startsWith("+++ "))) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- prompt helpers

  /** Appends {@code text} in a fence longer than any backtick run inside it. */
  static void fenced(StringBuilder sb, String info, String text) {
    int longest = 0;
    int run = 0;
    for (int k = 0; k < text.length(); k++) {
      run = text.charAt(k) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(Math.max(3, longest + 1));
    sb.append(fence).append(info).append('\n').append(text);
    if (!text.endsWith("\n")) sb.append('\n');
    sb.append(fence).append("\n\n");
  }

  static void json(StringBuilder sb, String title, Object value) {
    if (value == null) return;
    sb.append("# ").append(title).append('\n');
    fenced(sb, "json", JsonText.write(value));
  }

  /** Control characters (model-written paths) shown as '?', so a quoted problem stays one line. */
  static String printable(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  static final String DIFF_RULES = String.join("\n",
      "Answer with one unified diff and nothing else (no prose; a single ```diff fence around it is fine).",
      "Use git's format: 'diff --git a/<path> b/<path>', then for a new file 'new file mode 100644', '--- /dev/null',",
      "'+++ b/<path>' and '@@ -0,0 +1,N @@'; for a change '--- a/<path>', '+++ b/<path>' and hunks '@@ -a,b +c,d @@'",
      "whose line counts are exact, with context lines copied verbatim from the file.",
      "Rules: paths are relative to the workspace root, normalised (no '.', '..', '//' or backslashes), never absolute;",
      "nothing under a read-only path may be created, changed, renamed or deleted (verified CBBs under vendor/cbb/ are",
      "read-only: adapt the code around them); text files only (no binary patches, symlinks or submodules);",
      "at most one section per file.");
}
