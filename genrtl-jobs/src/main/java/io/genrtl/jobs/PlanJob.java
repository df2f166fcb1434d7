package io.genrtl.jobs;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.internal.JsonSchema;
import io.genrtl.core.internal.JsonText;
import io.genrtl.core.internal.JsonTree;
import io.genrtl.core.jobs.JobContext;
import io.genrtl.core.jobs.JobHandler;
import io.genrtl.core.llm.LlmGateway;
import io.genrtl.core.llm.LlmRequest;
import io.genrtl.core.llm.PriceTable;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.base.IdGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Plan step: a spec in, a plan out. The answer must be JSON matching the published plan schema (strict
 * structured output); an invalid answer gets one corrective retry quoting the validation errors, then the job fails
 * with {@code invalid_model_output}. Every call is charged, valid or not. The answer is read by the core's strict
 * {@link JsonTree} and checked by its {@link JsonSchema} (draft 2020-12).
 *
 * <p>Input (JSON, written by {@code POST /api/jobs/plan}): {@code spec} (string), {@code constraints} (any).
 * Register it with {@link GenRtlJobs#install} or {@link GenRtlJobs#plan()}.
 */
public final class PlanJob implements JobHandler {
  public static final String TYPE = "plan";
  static final String SCHEMA_RESOURCE = "/io/genrtl/jobs/plan.schema.json";
  static final int MAX_OUTPUT_TOKENS = 8_000;
  static final String INSTRUCTIONS = String.join("\n",
      "You are genRTL's planner for digital hardware designs written in SystemVerilog.",
      "Given a specification, produce a plan: the modules to build, which of them should come from verified common",
      "building blocks (CBBs: FIFOs, UARTs, SPI and I2C masters, APB/AXI-Lite register files, CRCs, arbiters, timers)",
      "and which must be written as custom RTL, the CBB requirements to look up (id, semver range, tags, simulator,",
      "language standard, or free text; null when you do not constrain a field), and a verification plan",
      "(testbenches, assertions, coverage points). Answer with JSON only, matching the schema exactly.");

  static final int MAX_ERRORS_QUOTED = 20;
  private static final String SCHEMA_TEXT = schemaText();
  private static final JsonSchema SCHEMA = JsonSchema.load(SCHEMA_TEXT);

  private final LlmGateway gateway;
  private final IdGenerator ids;

  PlanJob(LlmGateway gateway, IdGenerator ids) {
    this.gateway = gateway;
    this.ids = ids;
  }

  /** The published plan schema ({@code GET /api/schemas/plan}, {@code docs/plan.schema.json}). */
  public static String schemaText() {
    try (InputStream in = PlanJob.class.getResourceAsStream(SCHEMA_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private LlmRequest request(String callId, String input, List<LlmRequest.Message> extra) {
    List<LlmRequest.Message> messages = new ArrayList<>();
    messages.add(LlmRequest.Message.user(input));
    messages.addAll(extra);
    return new LlmRequest(callId, "routed", List.of(new LlmRequest.Block(INSTRUCTIONS, true)), messages, MAX_OUTPUT_TOKENS,
        new LlmRequest.JsonSchema("genrtl_plan", SCHEMA_TEXT, true), true);
  }

  @Override
  public long firstStepWorstCaseMicros(String input) {
    return gateway.worstCaseAnyModel(PriceTable.PLAN, request("estimate", input, List.of()));
  }

  /** The validation errors of an answer (empty when it is a valid plan). */
  static List<String> validate(String text) {
    if (text == null || text.isBlank()) return List.of("the answer is empty");
    Object tree;
    try {
      tree = JsonTree.parse(text);
    } catch (JsonTree.SyntaxException e) {
      return List.of("the answer is not JSON: " + e.getMessage());
    }
    return SCHEMA.validate(tree).stream().sorted().limit(MAX_ERRORS_QUOTED).toList();
  }

  @Override
  public String run(JobContext ctx) {
    String input = io.genrtl.core.patch.SecretRedactor.redact(ctx.job().input()).text(); // the host redacts at submission too
    List<LlmRequest.Message> extra = new ArrayList<>();
    String hold = ctx.takeSubmissionHold();
    for (int attempt = 1; attempt <= 2; attempt++) {
      String stepId = ids.newId();
      String callId = ids.newId();
      ctx.emit("step", stepJson(stepId, "running", null));
      LlmGateway.Outcome o;
      try (io.genrtl.core.jobs.DeltaStream deltas = ctx.deltas(stepId)) { // streamed text, coalesced
        o = gateway.call(new LlmGateway.Call(ctx.job().userId(), PriceTable.PLAN,
            new Attribution(ctx.job().jobId(), stepId, ctx.job().workspaceId()), request(callId, input, extra),
            Duration.ofMinutes(15), hold), deltas, ctx::cancelRequested);
      }
      hold = null;
      List<String> errors = validate(o.response().text());
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("provider", o.model().provider());
      step.put("model", o.model().modelId());
      step.put("call_id", callId);
      step.put("valid", errors.isEmpty());
      ctx.emit("step", stepJson(stepId, "succeeded", step));
      if (errors.isEmpty()) {
        return "{\"plan\":" + o.response().text().strip() + "}";
      }
      extra = List.of(new LlmRequest.Message("assistant", List.of(new LlmRequest.Block(o.response().text(), false))),
          LlmRequest.Message.user("Your answer does not match the plan schema:\n- " + String.join("\n- ", errors)
              + "\nAnswer again with JSON that matches the schema exactly."));
    }
    throw new GenRtlException(ErrorCode.INVALID_MODEL_OUTPUT,
        "the model's plan did not match the schema after a corrective retry");
  }

  private static String stepJson(String stepId, String status, Map<String, Object> more) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step_id", stepId);
    m.put("kind", TYPE);
    m.put("status", status);
    if (more != null) m.putAll(more);
    return JsonText.write(m);
  }
}
