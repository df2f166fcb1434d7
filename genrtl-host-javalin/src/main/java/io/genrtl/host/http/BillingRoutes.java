package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.account.Principal;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.Bucket;
import io.genrtl.core.pool.GroupBy;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.LedgerQuery;
import io.genrtl.core.pool.Money;
import io.genrtl.core.pool.SpendAlert;
import io.genrtl.core.pool.UsageKind;
import io.genrtl.core.pool.UsageTotal;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /api/billing/*} and {@code /api/usage*}: balances, the spend limit, alerts, the itemised statement. */
final class BillingRoutes {
  static final String CSV_HEADER = "id,timestamp,kind,bucket,usd_cost,call_id,job_id,step_id,workspace_id,provider,model,"
      + "input_tokens,output_tokens,cached_input_tokens,cache_write_tokens,cbb_id,cbb_version,cbb_price_usd,receipt_id,"
      + "refund_of,overrun";

  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;

  BillingRoutes(GenRtl genrtl, GenRtlApp.Settings settings) {
    this.genrtl = genrtl;
    this.settings = settings;
  }

  void register(RoutesConfig r) {
    r.get("/api/billing/balance", this::balance);
    r.put("/api/billing/spend-limit", this::spendLimit);
    r.get("/api/billing/alerts", this::alerts);
    r.get("/api/usage", this::usage);
    r.get("/api/usage/summary", this::summary);
    r.get("/api/usage/export.csv", this::export);
    r.get("/api/models", this::models);
  }

  private void models(Context ctx) {
    List<Map<String, Object>> items = new ArrayList<>();
    for (io.genrtl.core.llm.ModelPrice p : genrtl.prices().all().stream()
        .sorted(java.util.Comparator.comparing(io.genrtl.core.llm.ModelPrice::modelId)).toList()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", p.modelId());
      m.put("provider", p.provider());
      m.put("steps", p.steps());
      Map<String, Object> pricing = new LinkedHashMap<>();
      pricing.put("input_usd_per_mtok", p.inputPerMtok().stripTrailingZeros());
      pricing.put("cached_input_usd_per_mtok", p.cachedInputPerMtok().stripTrailingZeros());
      pricing.put("cache_write_usd_per_mtok", p.cacheWritePerMtok().stripTrailingZeros());
      pricing.put("output_usd_per_mtok", p.outputPerMtok().stripTrailingZeros());
      m.put("pricing", pricing);
      items.add(m);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("items", items);
    ctx.json(body);
  }

  static BigDecimal usd(long micros) {
    return Money.toUsd(micros);
  }

  static Map<String, Object> balanceView(Balance b) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("plan", b.planId());
    m.put("subscription_status", b.subscriptionStatus());
    m.put("period_start", Views.time(b.periodStart()));
    m.put("period_end", Views.time(b.periodEnd()));
    m.put("included_usd_balance", usd(b.includedMicros()));
    m.put("credits_usd_balance", usd(b.creditsMicros()));
    m.put("on_demand_usd", usd(b.onDemandSpentMicros()));
    m.put("on_demand_limit_usd", usd(b.onDemandLimitMicros()));
    m.put("on_demand_allowed", b.onDemandAllowed());
    m.put("holds_usd", usd(b.holdsMicros()));
    m.put("available_usd", usd(b.availableMicros()));
    return m;
  }

  private void balance(Context ctx) {
    ctx.json(balanceView(genrtl.pool().balance(GenRtlApp.principal(ctx).userId())));
  }

  private void spendLimit(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    JsonBody body = Bodies.json(ctx, settings.maxBodyBytes());
    AccountRoutes.requireSelf(p, body);
    BigDecimal limit = body.optNumber("on_demand_limit_usd")
        .orElseThrow(() -> GenRtlException.invalid("on_demand_limit_usd", "on_demand_limit_usd is required"));
    ctx.json(balanceView(genrtl.pool().setOnDemandLimit(p.userId(), Money.toMicros("on_demand_limit_usd", limit))));
  }

  private void alerts(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    ctx.json(Paging.response(genrtl.pool().alerts(p.userId(), Paging.request(ctx)), BillingRoutes::alertView));
  }

  static Map<String, Object> alertView(SpendAlert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("alert_id", a.alertId());
    m.put("kind", a.kind());
    m.put("threshold_percent", a.thresholdPercent());
    m.put("period_start", Views.time(a.periodStart()));
    m.put("amount_usd", usd(a.amountMicros()));
    m.put("limit_usd", usd(a.limitMicros()));
    m.put("entry_id", a.entryId());
    m.put("created_at", Views.time(a.createdAt()));
    return m;
  }

  // ------------------------------------------------------------------ statement

  private LedgerQuery query(Context ctx) {
    Long from = QueryParams.time(ctx, "from");
    Long to = QueryParams.time(ctx, "to");
    if (from != null && to != null && to < from) throw GenRtlException.invalid("to", "to must not be before from");
    String kind = ctx.queryParam("kind");
    UsageKind k = null;
    if (kind != null && !kind.isEmpty()) {
      k = UsageKind.parse(kind).orElseThrow(() -> GenRtlException.invalid("kind", "kind must be llm, cbb, tool or refund"));
    }
    return new LedgerQuery(GenRtlApp.principal(ctx).userId(), from, to, k, QueryParams.text(ctx, "job_id"),
        QueryParams.text(ctx, "workspace_id"));
  }

  static Map<String, Object> entryView(LedgerEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.entryId());
    m.put("user_id", e.userId());
    m.put("tenant_id", e.tenantId());
    m.put("timestamp", Views.time(e.timestamp()));
    m.put("kind", e.kind().wire());
    m.put("bucket", e.bucket().wire());
    m.put("usd_cost", usd(e.usdMicros()));
    m.put("call_id", e.callId());
    m.put("job_id", e.attribution().jobId());
    m.put("step_id", e.attribution().stepId());
    m.put("workspace_id", e.attribution().workspaceId());
    if (e.tokens() != null) {
      m.put("provider", e.tokens().provider());
      m.put("model", e.tokens().model());
      m.put("input_tokens", e.tokens().inputTokens());
      m.put("output_tokens", e.tokens().outputTokens());
      m.put("cached_input_tokens", e.tokens().cachedInputTokens());
      m.put("cache_write_tokens", e.tokens().cacheWriteTokens());
    }
    if (e.cbb() != null) {
      m.put("cbb_id", e.cbb().cbbId());
      m.put("cbb_version", e.cbb().version());
      m.put("cbb_price_usd", usd(e.cbb().priceMicros()));
      m.put("receipt_id", e.cbb().receiptId());
    }
    m.put("idempotency_key", e.idempotencyKey());
    m.put("refund_of", e.refundOf());
    m.put("overrun", e.overrun());
    return m;
  }

  private void usage(Context ctx) {
    LedgerQuery q = query(ctx);
    PageRequest page = Paging.request(ctx);
    ctx.json(Paging.response(genrtl.pool().usage(q, page), BillingRoutes::entryView));
  }

  private void summary(Context ctx) {
    LedgerQuery q = query(ctx);
    String g = ctx.queryParam("group_by");
    GroupBy groupBy = g == null || g.isEmpty() ? GroupBy.DAY
        : GroupBy.parse(g).orElseThrow(() -> GenRtlException.invalid("group_by", "group_by must be day, model, kind or job"));
    PageRequest page = Paging.request(ctx);
    // one page of groups (limit counts groups, default 50); "total" covers every page of the query
    Page<UsageTotal> totals = genrtl.pool().summary(q, groupBy, page);
    Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
    for (UsageTotal t : totals.items()) {
      String key = t.group() == null ? null : groupBy == GroupBy.DAY
          ? LocalDate.ofEpochDay(Long.parseLong(t.group())).toString() : t.group();
      Map<String, Object> grp = groups.computeIfAbsent(String.valueOf(key), k -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("key", key);
        m.put("rows", 0L);
        m.put("usd", 0L);
        m.put("input_tokens", 0L);
        m.put("output_tokens", 0L);
        m.put("cached_input_tokens", 0L);
        m.put("cache_write_tokens", 0L);
        m.put("by_bucket", new EnumMap<Bucket, Long>(Bucket.class));
        return m;
      });
      add(grp, "rows", t.rows());
      add(grp, "usd", t.usdMicros());
      add(grp, "input_tokens", t.inputTokens());
      add(grp, "output_tokens", t.outputTokens());
      add(grp, "cached_input_tokens", t.cachedInputTokens());
      add(grp, "cache_write_tokens", t.cacheWriteTokens());
      @SuppressWarnings("unchecked") Map<Bucket, Long> bb = (Map<Bucket, Long>) grp.get("by_bucket");
      bb.merge(t.bucket(), t.usdMicros(), Long::sum);
    }
    long[] all = new long[6];
    Map<Bucket, Long> allBuckets = new EnumMap<>(Bucket.class);
    for (UsageTotal t : genrtl.pool().summaryTotal(q)) {
      allBuckets.merge(t.bucket(), t.usdMicros(), Long::sum);
      all[0] += t.rows();
      all[1] += t.usdMicros();
      all[2] += t.inputTokens();
      all[3] += t.outputTokens();
      all[4] += t.cachedInputTokens();
      all[5] += t.cacheWriteTokens();
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Map<String, Object> grp : groups.values()) {
      grp.put("usd", usd((Long) grp.get("usd")));
      @SuppressWarnings("unchecked") Map<Bucket, Long> bb = (Map<Bucket, Long>) grp.get("by_bucket");
      grp.put("by_bucket", bucketView(bb));
      out.add(grp);
    }
    Map<String, Object> total = new LinkedHashMap<>();
    total.put("rows", all[0]);
    total.put("usd", usd(all[1]));
    total.put("input_tokens", all[2]);
    total.put("output_tokens", all[3]);
    total.put("cached_input_tokens", all[4]);
    total.put("cache_write_tokens", all[5]);
    total.put("by_bucket", bucketView(allBuckets));
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("group_by", groupBy.wire());
    body.put("from", q.from() == null ? null : Views.time(q.from()));
    body.put("to", q.to() == null ? null : Views.time(q.to()));
    body.put("groups", out);
    body.put("total", total);
    body.put("next_cursor", Paging.cursor(totals.nextAfter()));
    ctx.json(body);
  }

  private static void add(Map<String, Object> m, String k, long v) {
    m.put(k, (Long) m.get(k) + v);
  }

  private static Map<String, Object> bucketView(Map<Bucket, Long> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Bucket b : Bucket.values()) out.put(b.wire(), usd(m.getOrDefault(b, 0L)));
    return out;
  }

  private void export(Context ctx) {
    LedgerQuery q = query(ctx);
    ctx.contentType("text/csv; charset=utf-8");
    ctx.header("Content-Disposition", "attachment; filename=\"genrtl-usage.csv\"");
    ctx.header("Cache-Control", "private, no-store");
    try {
      Writer w = new BufferedWriter(new OutputStreamWriter(ctx.res().getOutputStream(), StandardCharsets.UTF_8));
      w.write(CSV_HEADER);
      w.write("\r\n");
      genrtl.pool().forEachUsage(q, e -> {
        try {
          w.write(csvRow(e));
          w.write("\r\n");
        } catch (IOException ex) {
          throw new UncheckedIOException(ex);
        }
      });
      w.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String csvRow(LedgerEntry e) {
    List<Object> cells = new ArrayList<>();
    cells.add(e.entryId());
    cells.add(Instant.ofEpochMilli(e.timestamp()).toString());
    cells.add(e.kind().wire());
    cells.add(e.bucket().wire());
    cells.add(usd(e.usdMicros()).toPlainString());
    cells.add(e.callId());
    cells.add(e.attribution().jobId());
    cells.add(e.attribution().stepId());
    cells.add(e.attribution().workspaceId());
    cells.add(e.tokens() == null ? null : e.tokens().provider());
    cells.add(e.tokens() == null ? null : e.tokens().model());
    cells.add(e.tokens() == null ? null : e.tokens().inputTokens());
    cells.add(e.tokens() == null ? null : e.tokens().outputTokens());
    cells.add(e.tokens() == null ? null : e.tokens().cachedInputTokens());
    cells.add(e.tokens() == null ? null : e.tokens().cacheWriteTokens());
    cells.add(e.cbb() == null ? null : e.cbb().cbbId());
    cells.add(e.cbb() == null ? null : e.cbb().version());
    cells.add(e.cbb() == null ? null : usd(e.cbb().priceMicros()).toPlainString());
    cells.add(e.cbb() == null ? null : e.cbb().receiptId());
    cells.add(e.refundOf());
    cells.add(e.overrun());
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) sb.append(',');
      sb.append(csvCell(cells.get(i)));
    }
    return sb.toString();
  }

  /** RFC 4180 quoting; cells that a spreadsheet would run as a formula are prefixed with a quote. */
  static String csvCell(Object v) {
    if (v == null) return "";
    String s = v.toString();
    if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 && !(v instanceof Number) && !s.matches("-?\\d+(\\.\\d+)?")) {
      s = "'" + s;
    }
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      s = "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
