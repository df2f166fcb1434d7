package io.genrtl.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Job shapes: the requests of {@code POST /api/jobs/plan|implement|repair} and {@code POST /api/tools/run} (the
 * bodies of issues #5 and #7), the job as {@code GET /api/jobs/{id}} shows it, and its Server-Sent Events.
 * Free-form parts (a plan, CBB manifests, an evidence bundle, a job's result) are JSON trees: maps, lists, strings,
 * {@link java.math.BigDecimal}s, booleans and nulls.
 */
public final class Jobs {
  private Jobs() {}

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String CANCELED = "canceled";

  /**
   * A file sent with a job or a tool run: a relative path and its text. On the wire a tool run names the text {@code
   * text} ({@code POST /api/tools/run}), an implement or repair job {@code content} ({@code POST /api/jobs/implement},
   * {@code /repair}).
   */
  public record FileText(String path, String text) {
    public FileText {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(text, "text");
    }

    /** {@code {path, text}}: a tool run's file. */
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", path);
      m.put("text", text);
      return m;
    }

    /** {@code {path, content}}: an implement or repair job's file. */
    Map<String, Object> toPatchJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("path", path);
      m.put("content", text);
      return m;
    }
  }

  /** {@code POST /api/jobs/plan} {@code {workspace_id, spec, constraints?}}. */
  public record PlanRequest(String workspaceId, String spec, Map<String, Object> constraints) {
    public PlanRequest {
      Objects.requireNonNull(workspaceId, "workspaceId");
      Objects.requireNonNull(spec, "spec");
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workspace_id", workspaceId);
      m.put("spec", spec);
      if (constraints != null) m.put("constraints", constraints);
      return m;
    }
  }

  /**
   * {@code POST /api/jobs/implement} {@code {workspace_id, plan, resolved_cbbs, policy: {readonly_paths}, files?}}:
   * {@code plan} is the plan tree (a plan job's {@code result.plan}), {@code resolvedCbbs} the manifests of the CBBs
   * bought, {@code readonlyPaths} typically {@code ["vendor/cbb/"]}.
   */
  public record ImplementRequest(String workspaceId, Object plan, List<Map<String, Object>> resolvedCbbs,
      List<String> readonlyPaths, List<FileText> files) {
    public ImplementRequest {
      Objects.requireNonNull(workspaceId, "workspaceId");
      Objects.requireNonNull(plan, "plan");
      resolvedCbbs = resolvedCbbs == null ? List.of() : List.copyOf(resolvedCbbs);
      readonlyPaths = readonlyPaths == null ? List.of("vendor/cbb/") : List.copyOf(readonlyPaths);
      files = files == null ? null : List.copyOf(files);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workspace_id", workspaceId);
      m.put("plan", plan);
      m.put("resolved_cbbs", resolvedCbbs);
      m.put("policy", Map.of("readonly_paths", readonlyPaths));
      if (files != null) m.put("files", files.stream().map(FileText::toPatchJson).toList());
      return m;
    }
  }

  /** A few lines of a file the diagnostics point at, for a repair's evidence. */
  public record Snippet(String file, int startLine, String text) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file);
      m.put("start_line", startLine);
      m.put("text", text);
      return m;
    }
  }

  /**
   * {@code POST /api/jobs/repair} {@code {workspace_id, plan?, evidence, files?, allow_full_upload?}}: {@code evidence}
   * is the EvidenceBundle a tool run returned, plus what the client adds (see {@link #evidence}).
   */
  public record RepairRequest(String workspaceId, Object plan, Map<String, Object> evidence, List<FileText> files,
      boolean allowFullUpload) {
    public RepairRequest {
      Objects.requireNonNull(workspaceId, "workspaceId");
      Objects.requireNonNull(evidence, "evidence");
      files = files == null ? null : List.copyOf(files);
    }

    /** The tool run's bundle with the client's {@code snippets}, {@code diff} and {@code lockfile_summary} added. */
    public static Map<String, Object> evidence(Map<String, Object> bundle, List<Snippet> snippets, String diff,
        String lockfileSummary) {
      Map<String, Object> m = new LinkedHashMap<>(bundle);
      if (snippets != null) m.put("snippets", snippets.stream().map(Snippet::toJson).toList());
      if (diff != null) m.put("diff", diff);
      if (lockfileSummary != null) m.put("lockfile_summary", lockfileSummary);
      return m;
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workspace_id", workspaceId);
      if (plan != null) m.put("plan", plan);
      m.put("evidence", evidence);
      if (files != null) m.put("files", files.stream().map(FileText::toPatchJson).toList());
      if (allowFullUpload) m.put("allow_full_upload", true);
      return m;
    }
  }

  /** A CBB owned by receipt, to compile with a tool run. */
  public record CbbRef(String receiptId, String cbbId, String version) {
    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("receipt_id", receiptId);
      m.put("cbb_id", cbbId);
      m.put("version", version);
      return m;
    }
  }

  /**
   * {@code POST /api/tools/run} {@code {workspace_id, job_id?, simulator, files, cbbs, top, filelist?, args?,
   * timeout_s?}}; the job it starts (type {@code tool}) has the EvidenceBundle as its result. {@code filelist} is the
   * path of one of {@code files}, a {@code -f} list of the sources to compile (null: every {@code .v}/{@code .sv} file
   * sent, after the CBBs' own filelists).
   */
  public record ToolRunRequest(String workspaceId, String jobId, String simulator, List<FileText> files,
      List<CbbRef> cbbs, String top, String filelist, List<String> args, Integer timeoutSeconds) {
    public ToolRunRequest {
      Objects.requireNonNull(workspaceId, "workspaceId");
      Objects.requireNonNull(simulator, "simulator");
      files = files == null ? List.of() : List.copyOf(files);
      cbbs = cbbs == null ? List.of() : List.copyOf(cbbs);
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("workspace_id", workspaceId);
      if (jobId != null) m.put("job_id", jobId);
      m.put("simulator", simulator);
      m.put("files", files.stream().map(FileText::toJson).toList());
      m.put("cbbs", cbbs.stream().map(CbbRef::toJson).toList());
      m.put("top", top);
      if (filelist != null) m.put("filelist", filelist);
      if (args != null) m.put("args", args);
      if (timeoutSeconds != null) m.put("timeout_s", timeoutSeconds);
      return m;
    }
  }

  /** Token counts and cost of a job or a step. */
  public record Usage(long inputTokens, long outputTokens, long cachedInputTokens, long cacheWriteTokens, long usdMicros) {
    static final Usage ZERO = new Usage(0, 0, 0, 0, 0);

    static Usage from(Map<String, Object> m) {
      if (m == null) return ZERO;
      return new Usage(Json.lng(m, "input_tokens", 0), Json.lng(m, "output_tokens", 0), Json.lng(m, "cached_input_tokens", 0),
          Json.lng(m, "cache_write_tokens", 0), Json.micros(m, "usd"));
    }
  }

  public record Step(String stepId, String kind, String status, String provider, String model, Instant startedAt,
      Instant finishedAt, Usage usage) {
    static Step from(Map<String, Object> m) {
      return new Step(Json.str(m, "step_id"), Json.str(m, "kind"), Json.str(m, "status"), Json.str(m, "provider"),
          Json.str(m, "model"), Json.time(m, "started_at"), Json.time(m, "finished_at"), Usage.from(Json.obj(m, "usage")));
    }
  }

  public record Error(String code, String message) {}

  /**
   * A job. A submit answered 202 carries only {@code jobId} and {@code status} (the rest empty or null); {@link
   * GenRtlClient#awaitDone} returns the finished one. {@code result} is a tree: {@code {plan}} for plan jobs,
   * {@code {patch, files, stats}} for implement and repair, the EvidenceBundle for tool runs.
   */
  public record Job(String jobId, String type, String status, String workspaceId, Instant createdAt, Instant startedAt,
      Instant finishedAt, List<Step> steps, Usage usage, Error error, Object result) {
    static Job from(Map<String, Object> m) {
      Map<String, Object> e = Json.obj(m, "error");
      List<Step> steps = new ArrayList<>();
      for (Map<String, Object> s : Json.objects(m, "steps")) steps.add(Step.from(s));
      return new Job(Json.requiredStr(m, "job_id"), Json.str(m, "type"), Json.requiredStr(m, "status"),
          Json.str(m, "workspace_id"), Json.time(m, "created_at"), Json.time(m, "started_at"), Json.time(m, "finished_at"),
          List.copyOf(steps), Usage.from(Json.obj(m, "usage")), e == null ? null : new Error(Json.str(e, "code"),
          Json.str(e, "message")), m.get("result"));
    }

    /** Succeeded, failed or canceled. */
    public boolean isFinal() {
      return SUCCEEDED.equals(status) || FAILED.equals(status) || CANCELED.equals(status);
    }

    public boolean succeeded() {
      return SUCCEEDED.equals(status);
    }

    /** {@code result} as an object tree (null when there is none or it is not an object). */
    public Map<String, Object> resultObject() {
      return result instanceof Map ? Json.cast(result) : null;
    }

    /** {@code result} as JSON text (null without a result). */
    public String resultJson() {
      return result == null ? null : Json.write(result);
    }
  }

  /** One Server-Sent Event of a job: {@code id} (its sequence number), {@code event} name and {@code data}. */
  public record Event(String id, String event, String data) {
    /** {@code data} parsed as JSON. */
    public Object json() {
      return Json.parse(data);
    }
  }
}
