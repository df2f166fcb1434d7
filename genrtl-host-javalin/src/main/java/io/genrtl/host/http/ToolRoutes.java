package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.jobs.Job;
import io.genrtl.toolrunner.ToolJob;
import io.genrtl.toolrunner.RunRequest;
import io.genrtl.toolrunner.Simulator;
import io.genrtl.toolrunner.ToolRunner;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/tools/run}: validates a simulation request (paths, filelist, arguments, packages owned by receipt)
 * and submits it as a {@code tool} job, answered like every job submission ({@link JobRoutes#answer}).
 */
final class ToolRoutes {
  static final int MAX_TIMEOUT_S = 3600;
  private static final Path NOT_FETCHED = Path.of("not-fetched");

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;
  private final JobRoutes jobs;

  ToolRoutes(GenRtl genrtl, GenRtlApp.Settings settings, JobRoutes jobs) {
    this.genrtl = genrtl;
    this.settings = settings;
    this.jobs = jobs;
  }

  void register(RoutesConfig r) {
    r.post("/api/tools/run", this::run);
  }

  private void run(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    String ws = body.string("workspace_id", 64);
    String parent = body.optString("job_id", 64).orElse(null);
    String simName = body.string("simulator", 32);
    Simulator sim = Simulator.parse(simName)
        .orElseThrow(() -> GenRtlException.invalid("simulator", "simulator must be \"iverilog\" or \"verilator\""));
    String top = body.string("top", 128);
    String filelist = body.optString("filelist", 512).orElse(null);
    List<String> args = body.optStrings("args", 64, 512);
    Integer timeout = null;
    if (body.has("timeout_s")) {
      BigDecimal t = body.optNumber("timeout_s").orElseThrow();
      if (t.stripTrailingZeros().scale() > 0 || t.compareTo(BigDecimal.ONE) < 0
          || t.compareTo(BigDecimal.valueOf(MAX_TIMEOUT_S)) > 0) {
        throw GenRtlException.invalid("timeout_s", "timeout_s must be a whole number of seconds from 1 to " + MAX_TIMEOUT_S);
      }
      timeout = t.intValueExact();
    }
    List<Object> rawFiles = body.optList("files", 1000);
    Map<String, String> files = new LinkedHashMap<>();
    List<Map<String, Object>> fileJson = new ArrayList<>();
    for (int i = 0; i < rawFiles.size(); i++) {
      JsonBody f = JsonBody.element("files", i, rawFiles.get(i));
      String path = field("files[" + i + "]", () -> f.string("path", 1024));
      String text = field("files[" + i + "]", () -> f.string("text", Integer.MAX_VALUE));
      if (files.put(path, text) != null) throw GenRtlException.invalid("files[" + i + "].path", "duplicate path " + path);
      Map<String, Object> fj = new LinkedHashMap<>();
      fj.put("path", path);
      fj.put("text", text);
      fileJson.add(fj);
    }
    List<Object> rawCbbs = body.optList("cbbs", 32);
    List<RunRequest.Cbb> cbbs = new ArrayList<>();
    List<Map<String, Object>> cbbJson = new ArrayList<>();
    for (int i = 0; i < rawCbbs.size(); i++) {
      JsonBody c = JsonBody.element("cbbs", i, rawCbbs.get(i));
      String prefix = "cbbs[" + i + "]";
      String receipt = field(prefix, () -> c.string("receipt_id", 64));
      String id = field(prefix, () -> c.string("cbb_id", 64));
      String version = field(prefix, () -> c.string("version", 128));
      cbbs.add(new RunRequest.Cbb(id, version, NOT_FETCHED));
      Map<String, Object> cj = new LinkedHashMap<>();
      cj.put("receipt_id", receipt);
      cj.put("cbb_id", id);
      cj.put("version", version);
      cbbJson.add(cj);
    }
    ToolRunner.validate(new RunRequest(sim, files, cbbs, top, filelist, args, timeout == null ? null : Duration.ofSeconds(timeout)));
    genrtl.accounts().getWorkspace(p, ws); // 404 before looking at anything else of the workspace
    if (parent != null) {
      Job pj = genrtl.jobs().get(p, parent);
      if (!ws.equals(pj.workspaceId())) {
        throw new GenRtlException(ErrorCode.NOT_FOUND, "job not found in this workspace", Map.of("field", "job_id"));
      }
    }
    for (int i = 0; i < cbbJson.size(); i++) {
      Map<String, Object> c = cbbJson.get(i);
      ToolJob.owned(genrtl, p.userId(), (String) c.get("receipt_id"), (String) c.get("cbb_id"), (String) c.get("version"),
          "cbbs[" + i + "]");
    }
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("job_id", parent);
    input.put("simulator", sim.wire());
    input.put("files", fileJson);
    input.put("cbbs", cbbJson);
    input.put("top", top);
    input.put("filelist", filelist);
    input.put("args", args == null ? List.of() : args);
    input.put("timeout_s", timeout);
    String key = ctx.header("Idempotency-Key");
    if (key != null && key.length() > 255) throw GenRtlException.invalid("Idempotency-Key", "Idempotency-Key is too long");
    Job job = genrtl.jobs().submit(p, ToolJob.TYPE, ws, Json.write(input), key);
    jobs.answer(ctx, p, job);
  }

  /** Reads an element's member, naming the element in the problem's field ({@code files[2].path}). */
  private static <T> T field(String prefix, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (GenRtlException e) {
      Object f = e.details().get("field");
      if (e.code() != ErrorCode.VALIDATION_FAILED || f == null) throw e;
      throw GenRtlException.invalid(prefix + "." + f, e.getMessage());
    }
  }
}
