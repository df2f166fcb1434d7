package io.genrtl.core.llm;

import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.core.pool.Attribution;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.Hold;
import io.genrtl.core.pool.PoolService;
import io.genrtl.core.pool.TokenUsage;
import io.genrtl.core.pool.UsageKind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * The model router and its billing: picks the model for a step (plan policy, allowlist, ordered fallbacks), places a
 * hold for the call's worst case before the provider is contacted, and settles the actual usage afterwards (one
 * {@code llm} ledger row per provider call, keyed by our own call id). A call that cannot be paid for fails with 402
 * and never reaches the provider; a provider outage voids the hold and falls back to the next model.
 */
public final class LlmGateway {
  /** Which models serve a step, in order of preference; per-plan overrides replace the default list of a step. */
  public record Policy(Map<String, List<String>> modelsByStep, Map<String, Map<String, List<String>>> perPlan,
      boolean cheaperModelWhenShortOfFunds) {
    public Policy {
      modelsByStep = Map.copyOf(modelsByStep);
      perPlan = Map.copyOf(perPlan);
    }

    /** plan on gpt-5.1 then gpt-5-mini; implement and repair on Claude Sonnet 4.6 then Haiku 4.5. */
    public static Policy defaults() {
      return new Policy(Map.of(
          PriceTable.PLAN, List.of("gpt-5.1", "gpt-5-mini"),
          PriceTable.IMPLEMENT, List.of("claude-sonnet-4-6", "claude-haiku-4-5"),
          PriceTable.REPAIR, List.of("claude-sonnet-4-6", "claude-haiku-4-5")), Map.of(), false);
    }

    List<String> models(String planId, String step) {
      Map<String, List<String>> override = perPlan.get(planId);
      if (override != null && override.containsKey(step)) return override.get(step);
      return modelsByStep.getOrDefault(step, List.of());
    }
  }

  /** One call to make: who pays, for which step, attributed to what; {@code request.model()} is replaced per candidate. */
  public record Call(String userId, String step, Attribution attribution, LlmRequest request, Duration holdTtl,
      String existingHoldId) {
    public Call(String userId, String step, Attribution attribution, LlmRequest request, Duration holdTtl) {
      this(userId, step, attribution, request, holdTtl, null);
    }

    public Call {
      Objects.requireNonNull(userId, "userId");
      Objects.requireNonNull(step, "step");
      Objects.requireNonNull(request, "request");
      Objects.requireNonNull(holdTtl, "holdTtl");
    }
  }

  /** What happened: the answer, the model that gave it, what was charged, and the models that failed before it. */
  public record Outcome(LlmResponse response, ModelPrice model, ChargeResult charge, long reservedMicros,
      boolean usageMissing, List<String> failedOver) {}

  private final PoolService pool;
  private final PlanCatalog plans;
  private final PriceTable prices;
  private final Policy policy;
  private final Map<String, LlmClient> clients;
  private final LlmTelemetry telemetry;

  public LlmGateway(PoolService pool, PlanCatalog plans, PriceTable prices, Policy policy, Map<String, LlmClient> clientsByProvider) {
    this(pool, plans, prices, policy, clientsByProvider, LlmTelemetry.NONE);
  }

  public LlmGateway(PoolService pool, PlanCatalog plans, PriceTable prices, Policy policy, Map<String, LlmClient> clientsByProvider,
      LlmTelemetry telemetry) {
    this.telemetry = telemetry;
    this.pool = pool;
    this.plans = plans;
    this.prices = prices;
    this.policy = policy;
    this.clients = Map.copyOf(clientsByProvider);
  }

  /** The candidate models for a user's plan and a step, in order, after the plan's allowlist. */
  public List<ModelPrice> candidates(String userId, String step) {
    String planId = pool.balance(userId).planId();
    Plan plan = plans.find(planId).orElse(plans.free());
    List<ModelPrice> out = new ArrayList<>();
    for (String id : policy.models(planId, step)) {
      if (!plan.allowedModels().isEmpty() && !plan.allowedModels().contains(id)) continue;
      prices.find(id).filter(p -> clients.containsKey(p.provider())).ifPresent(out::add);
    }
    if (out.isEmpty()) {
      throw new GenRtlException(ErrorCode.MODEL_NOT_ALLOWED, "no model available for step " + step + " on plan " + planId,
          Map.of("field", "step"));
    }
    return out;
  }

  /**
   * Uses a hold placed earlier (a job's submission hold) when it is still active and covers {@code worst}; otherwise
   * frees it, so the caller reserves a fresh one.
   */
  private Hold adopt(String holdId, long worst) {
    if (holdId == null) return null;
    Hold h = pool.findHold(holdId).orElse(null);
    if (h == null || h.status() != io.genrtl.core.pool.HoldStatus.ACTIVE) return null;
    if (h.amountMicros() >= worst) return h;
    pool.voidHold(holdId);
    return null;
  }

  /** The worst case of a request on the dearest model any plan could route the step to (for holds placed early). */
  public long worstCaseAnyModel(String step, LlmRequest request) {
    long bytes = inputBytes(request);
    java.util.Set<String> ids = new java.util.HashSet<>(policy.modelsByStep().getOrDefault(step, List.of()));
    policy.perPlan().values().forEach(m -> ids.addAll(m.getOrDefault(step, List.of())));
    long max = 0;
    boolean served = false;
    for (String id : ids) {
      var p = prices.find(id);
      if (p.isPresent()) {
        max = Math.max(max, p.get().worstCaseMicros(bytes, request.maxOutputTokens()));
        served |= clients.containsKey(p.get().provider());
      }
    }
    if (!served) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "no model provider is configured for step " + step
          + " (the operator sets OPENAI_API_KEY / ANTHROPIC_API_KEY)");
    }
    return max;
  }

  /** The UTF-8 size of everything sent: the bound on input tokens. */
  static long inputBytes(LlmRequest r) {
    return r.inputBytes();
  }

  public Outcome call(Call c, LlmStreamListener listener, BooleanSupplier cancel) {
    List<ModelPrice> models = candidates(c.userId(), c.step());
    long bytes = inputBytes(c.request());
    List<String> failed = new ArrayList<>();
    RuntimeException last = null;
    for (int i = 0; i < models.size(); i++) {
      ModelPrice m = models.get(i);
      long worst = m.worstCaseMicros(bytes, c.request().maxOutputTokens());
      Hold hold = i == 0 ? adopt(c.existingHoldId(), worst) : null;
      try {
        if (hold == null) hold = pool.reserve(c.userId(), worst, c.holdTtl(), c.request().callId() + ":" + m.modelId(), c.attribution());
      } catch (GenRtlException e) {
        boolean shortOfFunds = e.code() == ErrorCode.INSUFFICIENT_FUNDS || e.code() == ErrorCode.SPEND_LIMIT_REACHED;
        if (shortOfFunds && policy.cheaperModelWhenShortOfFunds() && i + 1 < models.size()) {
          last = e;
          continue;
        }
        throw e;
      }
      LlmRequest req = new LlmRequest(c.request().callId(), m.modelId(), c.request().system(), c.request().messages(),
          c.request().maxOutputTokens(), c.request().schema(), c.request().stream());
      LlmResponse res;
      io.genrtl.core.base.Span span = telemetry.providerCallStarted(m.provider(), m.modelId());
      try {
        try {
          res = clients.get(m.provider()).complete(req, listener == null ? LlmStreamListener.NONE : listener, cancel);
        } catch (LlmException.Canceled e) {
          span.end("canceled");
          throw e;
        } catch (RuntimeException e) {
          span.end("error");
          throw e;
        }
        span.end("ok");
        if (res.usage() != null) telemetry.tokens(m.provider(), m.modelId(), res.usage());
      } catch (LlmException.Canceled e) {
        if (e.partialUsage() != null) telemetry.tokens(m.provider(), m.modelId(), e.partialUsage());
        if (e.partialUsage() == null) {
          pool.voidHold(hold.holdId());
        } else { // the provider bills what it produced before the stream was cut: settle that, never above the hold
          LlmUsage u = e.partialUsage();
          pool.settle(hold.holdId(), Math.min(worst, m.costMicros(u)), new PoolService.Settlement(UsageKind.LLM,
              new TokenUsage(m.provider(), m.modelId(), u.inputTokens(), u.outputTokens(), u.cachedInputTokens(),
                  u.cacheWriteTokens()), null, e.estimated()
                  ? "canceled mid-answer: usage up to the cancel, estimated where the provider had not reported it"
                  : "canceled mid-answer: usage up to the cancel", c.request().callId(), c.attribution()));
        }
        throw e;
      } catch (LlmException e) {
        pool.voidHold(hold.holdId());
        if (!e.retriable()) throw e;
        failed.add(m.modelId());
        last = e;
        continue;
      } catch (RuntimeException e) {
        pool.voidHold(hold.holdId());
        throw e;
      }
      boolean missing = res.usage() == null;
      long cost = missing ? worst : m.costMicros(res.usage());
      LlmUsage u = missing ? new LlmUsage(0, 0, 0, 0, 0) : res.usage();
      TokenUsage tokens = new TokenUsage(m.provider(), m.modelId(), u.inputTokens(), u.outputTokens(), u.cachedInputTokens(),
          u.cacheWriteTokens());
      String note = missing ? "usage missing from the provider's answer: charged the reserved worst case" : null;
      ChargeResult charge = pool.settle(hold.holdId(), cost,
          new PoolService.Settlement(UsageKind.LLM, tokens, null, note, c.request().callId(), c.attribution()));
      return new Outcome(res, m, charge, worst, missing, failed);
    }
    if (last instanceof LlmException le) {
      throw new GenRtlException(ErrorCode.PROVIDER_UNAVAILABLE, "every model for step " + c.step() + " failed; last: "
          + le.provider() + " " + le.getMessage(), Map.of("failed_models", failed), le);
    }
    throw last;
  }
}
