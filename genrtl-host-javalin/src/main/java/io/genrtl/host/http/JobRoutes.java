package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobEvent;
import io.genrtl.core.jobs.JobService;
import io.genrtl.core.jobs.JobView;
import io.genrtl.core.jobs.JobUploads;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /api/jobs/*}: submit plan, implement and repair jobs, read jobs, cancel them, follow their events (Server-Sent
 * Events).
 */
final class JobRoutes {
  static final int MAX_SPEC_CHARS = 64 * 1024;
  static final int MAX_WAIT_SECONDS = 60;
  private static final Pattern PREFER_WAIT = Pattern.compile("(?i)(?:^|[;,\\s])wait\\s*=\\s*(\\d{1,4})");

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;

  JobRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
  }

  void register(RoutesConfig r) {
    r.post("/api/jobs/plan", this::plan);
    r.post("/api/jobs/implement", this::implement);
    r.post("/api/jobs/repair", this::repair);
    r.get("/api/jobs", this::list);
    r.get("/api/jobs/{job_id}", this::get);
    r.post("/api/jobs/{job_id}/cancel", this::cancel);
    r.get("/api/jobs/{job_id}/events", this::events);
    r.get("/api/schemas/plan", ctx -> ctx.contentType("application/schema+json").result(io.genrtl.jobs.PlanJob.schemaText()));
  }

  private void plan(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    AccountRoutes.requireSelf(p, body);
    String ws = body.string("workspace_id", 64);
    String spec = body.string("spec", MAX_SPEC_CHARS);
    if (spec.isBlank()) throw GenRtlException.invalid("spec", "spec must not be blank");
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("spec", spec);
    input.put("constraints", body.raw("constraints"));
    submit(ctx, p, "plan", ws, Json.write(input));
  }

  /**
   * {@code {workspace_id, plan, resolved_cbbs?, policy?: {readonly_paths}, files?, allow_full_upload?}}: the body is
   * the job's input; {@code JobService.submit} checks the upload caps ({@code JobUploads}) and redacts it.
   */
  private void implement(Context ctx) {
    upload(ctx, "implement");
  }

  /** {@code {workspace_id, evidence, plan?, policy?: {readonly_paths}, files?, allow_full_upload?}} (as implement). */
  private void repair(Context ctx) {
    upload(ctx, "repair");
  }

  private void upload(Context ctx, String type) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, uploadCap());
    AccountRoutes.requireSelf(p, body);
    String ws = body.string("workspace_id", 64);
    submit(ctx, p, type, ws, body.json());
  }

  /** Implement and repair carry files and evidence: their own cap, at least the general one. */
  private long uploadCap() {
    return Math.max(settings.maxBodyBytes(), JobUploads.MAX_BODY_BYTES);
  }

  /**
   * Queues the job under the request's {@code Idempotency-Key} and answers (see {@link #answer}); the library checks
   * and redacts the input (nothing secret is stored or sent to a provider).
   */
  private void submit(Context ctx, Principal p, String type, String ws, String input) {
    String key = ctx.header("Idempotency-Key");
    if (key != null && key.length() > 255) throw GenRtlException.invalid("Idempotency-Key", "Idempotency-Key is too long");
    Job job = genrtl.jobs().submit(p, type, ws, input, key);
    answer(ctx, p, job);
  }

  /**
   * 202 with the queued job, or with {@code Prefer: wait=N} the finished job (200) if it ends within N seconds.
   * Package-visible: other job submitters ({@link ToolRoutes}) answer the same way.
   */
  void answer(Context ctx, Principal p, Job job) {
    int wait = preferWait(ctx.header("Prefer"));
    Job current = job;
    if (wait > 0) {
      try {
        current = genrtl.jobs().await(p, job.jobId(), java.time.Duration.ofSeconds(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        current = genrtl.jobs().get(p, job.jobId());
      }
    }
    if (current.status().isFinal()) {
      if (wait > 0) ctx.header("Preference-Applied", "wait=" + wait);
      ctx.status(200).json(view(p, current));
    } else {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("job_id", current.jobId());
      m.put("status", current.status().wire());
      ctx.status(202).header("Location", "/api/jobs/" + current.jobId()).json(m);
    }
  }

  static int preferWait(String prefer) {
    if (prefer == null) return 0;
    Matcher m = PREFER_WAIT.matcher(prefer);
    return m.find() ? Math.min(MAX_WAIT_SECONDS, Integer.parseInt(m.group(1))) : 0;
  }

  private void list(Context ctx) {
    String ws = ctx.queryParam("workspace_id");
    if (ws == null || ws.isBlank()) throw GenRtlException.invalid("workspace_id", "workspace_id is required");
    Principal p = GenRtlApp.principal(ctx);
    ctx.json(Paging.response(genrtl.jobs().list(p, ws, Paging.request(ctx)), j -> view(p, j)));
  }

  private void get(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    ctx.json(view(p, genrtl.jobs().get(p, ctx.pathParam("job_id"))));
  }

  private void cancel(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    Job j = genrtl.jobs().cancel(p, ctx.pathParam("job_id"));
    ctx.status(202).json(view(p, j));
  }

  /** The job as clients see it ({@code JobService.view}): status, steps, usage (total and per step), error, result. */
  Map<String, Object> view(Principal p, Job job) {
    JobView v = genrtl.jobs().view(p, job);
    Job j = v.job();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", j.jobId());
    m.put("type", j.type());
    m.put("status", j.status().wire());
    m.put("workspace_id", j.workspaceId());
    m.put("created_at", Views.time(j.createdAt()));
    m.put("started_at", Views.time(j.startedAt()));
    m.put("finished_at", Views.time(j.finishedAt()));
    List<Map<String, Object>> stepList = new ArrayList<>();
    for (JobView.Step step : v.steps()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("started_at", Views.time(step.startedAt()));
      s.putAll(step.fields());
      if (step.finishedAt() != null) s.put("finished_at", Views.time(step.finishedAt()));
      s.put("usage", usageView(step.usage()));
      stepList.add(s);
    }
    m.put("steps", stepList);
    m.put("usage", usageView(v.usage()));
    if (j.errorCode() != null) {
      Map<String, Object> err = new LinkedHashMap<>();
      err.put("code", j.errorCode());
      err.put("message", j.errorMessage());
      m.put("error", err);
    } else {
      m.put("error", null);
    }
    m.put("result", j.result() == null ? null : Json.parse(j.result().getBytes(StandardCharsets.UTF_8)));
    return m;
  }

  private static Map<String, Object> usageView(JobView.Usage u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("input_tokens", u.inputTokens());
    m.put("output_tokens", u.outputTokens());
    m.put("cached_input_tokens", u.cachedInputTokens());
    m.put("cache_write_tokens", u.cacheWriteTokens());
    m.put("usd", BillingRoutes.usd(u.usdMicros()));
    return m;
  }

  /**
   * Server-Sent Events {@code status}, {@code step}, {@code delta}, {@code done}, each with its sequence number as
   * {@code id} ({@code Last-Event-ID} resumes). A client that connects after the job ended gets the final events at
   * once.
   */
  private void events(Context ctx) throws Exception {
    Principal p = GenRtlApp.principal(ctx);
    String jobId = ctx.pathParam("job_id");
    JobService jobs = genrtl.jobs();
    Job job = jobs.get(p, jobId); // 404 before the stream starts
    long after = 0;
    String last = ctx.header("Last-Event-ID");
    if (last != null && last.matches("\\d{1,12}")) after = Long.parseLong(last);
    // a job's events are user data: no-store, like every /api/ answer
    ctx.status(200).contentType("text/event-stream; charset=utf-8").header("Cache-Control", "no-store")
        .header("X-Accel-Buffering", "no");
    java.io.OutputStream out = ctx.res().getOutputStream();
    long seq = after;
    long idleSince = System.nanoTime();
    try {
      while (true) {
        List<JobEvent> batch = jobs.events(p, job, seq);
        for (JobEvent e : batch) {
          out.write(("id: " + e.seq() + "\nevent: " + e.name() + "\ndata: " + e.data().replace("\n", "\ndata: ") + "\n\n")
              .getBytes(StandardCharsets.UTF_8));
          seq = e.seq();
          if (e.name().equals("done")) {
            out.flush();
            return;
          }
        }
        if (!batch.isEmpty()) {
          out.flush();
          idleSince = System.nanoTime();
        } else if (System.nanoTime() - idleSince > 15_000_000_000L) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
          out.flush();
          idleSince = System.nanoTime();
        }
        Thread.sleep(100);
      }
    } catch (java.io.IOException e) {
      // the client went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
