package io.genrtl.client;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Billing shapes: balance, the itemised usage statement, its summary and the model price list. Dollar amounts are
 * integer micro-USD ({@code …Micros}); prices per million tokens stay decimals (they are rates, not amounts).
 */
public final class Billing {
  private Billing() {}

  /** {@code GET /api/billing/balance}. */
  public record Balance(String plan, String subscriptionStatus, Instant periodStart, Instant periodEnd,
      long includedMicros, long creditsMicros, long onDemandSpentMicros, long onDemandLimitMicros,
      boolean onDemandAllowed, long holdsMicros, long availableMicros) {
    static Balance from(Map<String, Object> m) {
      return new Balance(Json.str(m, "plan"), Json.str(m, "subscription_status"), Json.time(m, "period_start"),
          Json.time(m, "period_end"), Json.micros(m, "included_usd_balance"), Json.micros(m, "credits_usd_balance"),
          Json.micros(m, "on_demand_usd"), Json.micros(m, "on_demand_limit_usd"), Json.bool(m, "on_demand_allowed"),
          Json.micros(m, "holds_usd"), Json.micros(m, "available_usd"));
    }
  }

  /** One row of the statement ({@code GET /api/usage}): an LLM call, a CBB purchase or a tool run, per bucket. */
  public record UsageEntry(String id, Instant timestamp, String kind, String bucket, long usdMicros, String callId,
      String jobId, String stepId, String workspaceId, String provider, String model, Long inputTokens,
      Long outputTokens, Long cachedInputTokens, Long cacheWriteTokens, String cbbId, String cbbVersion,
      String receiptId, boolean overrun) {
    static UsageEntry from(Map<String, Object> m) {
      return new UsageEntry(Json.requiredStr(m, "id"), Json.time(m, "timestamp"), Json.str(m, "kind"),
          Json.str(m, "bucket"), Json.micros(m, "usd_cost"), Json.str(m, "call_id"), Json.str(m, "job_id"),
          Json.str(m, "step_id"), Json.str(m, "workspace_id"), Json.str(m, "provider"), Json.str(m, "model"),
          Json.lng(m, "input_tokens"), Json.lng(m, "output_tokens"), Json.lng(m, "cached_input_tokens"),
          Json.lng(m, "cache_write_tokens"), Json.str(m, "cbb_id"), Json.str(m, "cbb_version"),
          Json.str(m, "receipt_id"), Json.bool(m, "overrun"));
    }
  }

  /**
   * Filters of {@code GET /api/usage} and {@code /api/usage/summary}; every field may be null. {@code from} is
   * included, {@code to} excluded.
   */
  public record UsageQuery(Instant from, Instant to, String kind, String jobId, String workspaceId) {
    public static UsageQuery all() {
      return new UsageQuery(null, null, null, null, null);
    }

    public static UsageQuery forJob(String jobId) {
      return new UsageQuery(null, null, null, jobId, null);
    }

    Map<String, String> params() {
      Map<String, String> p = new LinkedHashMap<>();
      if (from != null) p.put("from", from.toString());
      if (to != null) p.put("to", to.toString());
      if (kind != null) p.put("kind", kind);
      if (jobId != null) p.put("job_id", jobId);
      if (workspaceId != null) p.put("workspace_id", workspaceId);
      return p;
    }
  }

  /** {@code GET /api/usage/summary}: totals per group and per bucket. */
  public record UsageSummary(String groupBy, Instant from, Instant to, List<Group> groups, Group total) {
    static UsageSummary from(Map<String, Object> m) {
      return new UsageSummary(Json.str(m, "group_by"), Json.time(m, "from"), Json.time(m, "to"),
          Json.objects(m, "groups").stream().map(Group::from).toList(), Group.from(Json.obj(m, "total")));
    }
  }

  /** One group of a summary (the total has a null key). {@code byBucketMicros}: bucket name to micro-USD. */
  public record Group(String key, long rows, long usdMicros, long inputTokens, long outputTokens, long cachedInputTokens,
      long cacheWriteTokens, Map<String, Long> byBucketMicros) {
    static Group from(Map<String, Object> m) {
      Map<String, Long> buckets = new LinkedHashMap<>();
      Map<String, Object> bb = Json.obj(m, "by_bucket");
      if (bb != null) for (String k : bb.keySet()) buckets.put(k, Json.micros(bb, k));
      return new Group(Json.str(m, "key"), Json.lng(m, "rows", 0), Json.micros(m, "usd"), Json.lng(m, "input_tokens", 0),
          Json.lng(m, "output_tokens", 0), Json.lng(m, "cached_input_tokens", 0), Json.lng(m, "cache_write_tokens", 0),
          Map.copyOf(buckets));
    }
  }

  /** {@code GET /api/models}: a model the router uses and its prices in USD per million tokens. */
  public record Model(String id, String provider, List<String> steps, BigDecimal inputUsdPerMtok,
      BigDecimal cachedInputUsdPerMtok, BigDecimal cacheWriteUsdPerMtok, BigDecimal outputUsdPerMtok) {
    static Model from(Map<String, Object> m) {
      Map<String, Object> p = Json.obj(m, "pricing");
      return new Model(Json.requiredStr(m, "id"), Json.str(m, "provider"), Json.strings(m, "steps"),
          Json.decimal(p, "input_usd_per_mtok"), Json.decimal(p, "cached_input_usd_per_mtok"),
          Json.decimal(p, "cache_write_usd_per_mtok"), Json.decimal(p, "output_usd_per_mtok"));
    }
  }
}
