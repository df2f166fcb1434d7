package io.genrtl.toolrunner;

import io.genrtl.core.GenRtl;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.cbb.CbbVersion;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.jobs.JobInputPolicy;
import io.genrtl.core.cbb.CbbService;
import io.genrtl.core.internal.JsonText;
import io.genrtl.core.internal.JsonTree;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.ChargeRequest;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.UsageKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The {@code tool} job: one ToolRunner run of the input written by {@code POST /api/tools/run}. CBB archives come
 * from the blob store, and only for receipts the job's user holds that list the CBB version. The run is charged per
 * CPU second (compile + run, as measured in the sandbox) at {@code GENRTL_TOOL_USD_PER_CPU_SECOND}: one {@code tool}
 * ledger row is always written (also at price 0), attributed to this job and its workspace (the caller's
 * {@code job_id}, when given, is named in the row's note), and idempotent by this job (a retried job never pays
 * twice). A run canceled before it ends is charged for the CPU it used until then ({@link ToolRunner.Canceled#cpuMs()}).
 * Any failure ends the job's step ({@code failed}, or {@code canceled}) and frees the hold. Submissions are refused
 * with 503 {@code tool_sandbox_unavailable} while the runner's sandbox cannot contain runs ({@link #checkAvailable()}).
 * The result is the {@link EvidenceBundle}. The input is stored as given ({@link JobInputPolicy#AS_GIVEN}: the design
 * files run as they are and never reach a model). Register it with {@link #factory}.
 */
public final class ToolJob implements JobHandler {
  public static final String TYPE = "tool";

  private final PoolService pool;
  private final CbbService registry;
  private final Supplier<ToolRunner> runner;
  private final long microsPerCpuSecond;

  ToolJob(PoolService pool, CbbService cbbs, Supplier<ToolRunner> runner, long microsPerCpuSecond) {
    if (microsPerCpuSecond < 0) throw new IllegalArgumentException("the price per CPU second must not be negative");
    this.pool = pool;
    this.registry = cbbs;
    this.runner = runner;
    this.microsPerCpuSecond = microsPerCpuSecond;
  }

  /**
   * The {@code tool} job for {@code GenRtl.builder().jobHandler(ToolJob.TYPE, …)}: runs on {@code runner} (asked for on
   * the first submission, so a host may create it, and probe its sandbox, lazily), charged {@code microsPerCpuSecond}
   * micro-USD per CPU second.
   */
  public static JobHandler.Factory factory(Supplier<ToolRunner> runner, long microsPerCpuSecond) {
    java.util.Objects.requireNonNull(runner, "runner");
    return env -> new ToolJob(env.pool(), env.cbbs(), runner, microsPerCpuSecond);
  }

  @Override
  public JobInputPolicy inputPolicy() {
    return JobInputPolicy.AS_GIVEN;
  }

  /** The price per CPU second in micro-USD. */
  public long microsPerCpuSecond() {
    return microsPerCpuSecond;
  }

  /** At a price above zero: every CPU second the compile and run limits allow. */
  @Override
  public long firstStepWorstCaseMicros(String input) {
    if (microsPerCpuSecond == 0) return 0;
    ToolRunner.Settings s = runner.get().settings();
    long seconds = s.compile().cpuTime().getSeconds() + s.run().cpuTime().getSeconds();
    return Math.multiplyExact(seconds, microsPerCpuSecond);
  }

  /** The cost of {@code cpuMs} of CPU time, rounded up to the micro-dollar. */
  public static long cost(long cpuMs, long microsPerCpuSecond) {
    if (cpuMs <= 0 || microsPerCpuSecond == 0) return 0;
    return Math.addExact(Math.multiplyExact(cpuMs, microsPerCpuSecond), 999) / 1000;
  }

  /** Refuses the submission (503 {@code tool_sandbox_unavailable}) when the runner's sandbox cannot contain runs. */
  @Override
  public void checkAvailable() {
    java.util.Optional<String> refusal = runner.get().sandboxRefusal();
    if (refusal.isPresent()) throw new GenRtlException(ErrorCode.TOOL_SANDBOX_UNAVAILABLE, refusal.get());
  }

  @Override
  @SuppressWarnings("unchecked")
  public String run(JobContext ctx) {
    Job job = ctx.job();
    Map<String, Object> in = JsonTree.parseObject(job.input());
    String stepId = job.jobId();
    String parent = (String) in.get("job_id");
    Simulator sim = Simulator.parse((String) in.get("simulator")).orElseThrow();
    Map<String, String> files = new LinkedHashMap<>();
    for (Object o : (List<Object>) in.get("files")) {
      Map<String, Object> f = (Map<String, Object>) o;
      files.put((String) f.get("path"), (String) f.get("text"));
    }
    Attribution attribution = new Attribution(job.jobId(), stepId, job.workspaceId());
    String forParent = parent == null ? "" : " for job " + parent;
    Path scratch = null;
    String hold = ctx.takeSubmissionHold();
    boolean charged = false;
    Map<String, Object> step = null;
    try {
      scratch = Files.createTempDirectory("genrtl-tool-cbbs-");
      List<RunRequest.Cbb> cbbs = new ArrayList<>();
      for (Object o : (List<Object>) in.get("cbbs")) {
        Map<String, Object> c = (Map<String, Object>) o;
        CbbVersion v = registry.ownedVersion(job.userId(), (String) c.get("receipt_id"), (String) c.get("cbb_id"), (String) c.get("version"), "cbbs");
        Path archive = scratch.resolve(v.cbbId() + "-" + v.version() + "." + v.format().wire());
        try (InputStream blob = registry.blobs().open(v.blobKey(), 0, v.sizeBytes())) {
          Files.copy(blob, archive);
        }
        cbbs.add(new RunRequest.Cbb(v.cbbId(), v.version(), archive));
      }
      Object timeout = in.get("timeout_s");
      RunRequest req = new RunRequest(sim, files, cbbs, (String) in.get("top"), (String) in.get("filelist"),
          (List<String>) in.get("args"), timeout == null ? null : Duration.ofSeconds(((BigDecimal) timeout).longValueExact()));
      step = new LinkedHashMap<>();
      step.put("step_id", stepId);
      step.put("kind", TYPE);
      step.put("status", "running");
      step.put("tool", sim.wire());
      ctx.emit("step", JsonText.write(step));
      EvidenceBundle b;
      try {
        b = runner.get().run(req, ctx::cancelRequested);
      } catch (ToolRunner.Canceled e) {
        // what the run used until it was stopped is charged like a finished run's CPU
        charge(job, hold, e.cpuMs(), "tool " + sim.wire() + " cpu_ms=" + e.cpuMs() + " canceled" + forParent, attribution);
        charged = true;
        step.put("status", "canceled");
        step.put("cpu_ms", e.cpuMs());
        ctx.emit("step", JsonText.write(step));
        return "{\"canceled\":true}";
      }
      charge(job, hold, b.cpuMs(), "tool " + sim.wire() + " cpu_ms=" + b.cpuMs() + " verdict=" + b.verdict() + forParent,
          attribution);
      charged = true;
      step.put("status", "succeeded");
      step.put("verdict", b.verdict());
      step.put("passed", b.passed());
      step.put("cpu_ms", b.cpuMs());
      ctx.emit("step", JsonText.write(step));
      return JsonText.write(b.toMap());
    } catch (IOException | RuntimeException e) {
      // whatever went wrong, the step ends with the job and an unsettled hold is freed
      if (hold != null && !charged) pool.voidHold(hold);
      boolean canceled = ctx.cancelRequested();
      if (step != null && "running".equals(step.get("status"))) {
        step.put("status", canceled ? "canceled" : "failed");
        ctx.emit("step", JsonText.write(step));
      }
      if (canceled && e instanceof GenRtlException) return "{\"canceled\":true}";
      if (e instanceof IOException io) throw new UncheckedIOException("cannot prepare the tool run", io);
      throw (RuntimeException) e;
    } finally {
      if (scratch != null) BuildCache.deleteTree(scratch);
    }
  }

  /**
   * One {@code tool} ledger row for {@code cpuMs}: the submission's hold settled (its row attributed to this job's
   * step, as the job's usage is), or a charge keyed by the job at price 0.
   */
  private void charge(Job job, String hold, long cpuMs, String note, Attribution attribution) {
    long micros = cost(cpuMs, microsPerCpuSecond);
    if (hold != null) {
      pool.settle(hold, micros, new PoolService.Settlement(UsageKind.TOOL, null, null, note, null, attribution));
    } else {
      pool.charge(new ChargeRequest(job.userId(), UsageKind.TOOL, micros, "tool:" + job.jobId(), null, attribution,
          null, null, note));
    }
  }

  /** The CBB version a receipt of {@code userId} covers and the user still owns (see {@code CbbService.ownedVersion}). */
  public static CbbVersion owned(GenRtl g, String userId, String receiptId, String cbbId, String version, String field) {
    return g.cbbs().ownedVersion(userId, receiptId, cbbId, version, field);
  }
}
