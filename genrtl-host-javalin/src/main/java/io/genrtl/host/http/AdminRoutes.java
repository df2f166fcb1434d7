package io.genrtl.host.http;

import io.genrtl.core.GenRtl;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.User;
import io.genrtl.core.admin.AdminService;
import io.genrtl.core.audit.AuditEntry;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.Money;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API under {@code /api/admin/}: tenant-scoped for {@code tenant_admin}, global for {@code super_admin}.
 * The order of checks is {@link AdminService}'s: 403 for users (first), 404 for objects outside the admin's reach,
 * 403 for the operation's rule (super-admin only, not on yourself), all before the body is read. Every mutation needs
 * a {@code reason}; grants, refunds and job retries an {@code Idempotency-Key} header. The CBB publish and yank routes
 * live in {@link CbbRoutes} (super admins only).
 */
final class AdminRoutes {
  private final GenRtl genrtl;
  private final GenRtlApp.Settings settings;
  private final JobRoutes jobs;

  AdminRoutes(GenRtl genrtl, GenRtlApp.Settings settings, JobRoutes jobs) {
    this.genrtl = genrtl;
    this.settings = settings;
    this.jobs = jobs;
  }

  void register(RoutesConfig r) {
    r.get("/api/admin/users", this::users);
    r.get("/api/admin/users/{user_id}", this::user);
    r.put("/api/admin/users/{user_id}/role", this::role);
    r.put("/api/admin/users/{user_id}/plan", this::plan);
    r.put("/api/admin/users/{user_id}/spend-limit", this::spendLimit);
    r.post("/api/admin/users/{user_id}/grants", this::grant);
    r.post("/api/admin/users/{user_id}/disable", this::disable);
    r.post("/api/admin/users/{user_id}/enable", this::enable);
    r.put("/api/admin/tenants/{tenant_id}/spend-budget", this::spendBudget);
    r.post("/api/admin/ledger/{entry_id}/refund", this::refund);
    r.post("/api/admin/jobs/{job_id}/retry", this::retry);
    r.post("/api/admin/jobs/{job_id}/cancel", this::cancel);
    r.get("/api/admin/plans", this::plans);
    r.get("/api/admin/audit", this::audit);
  }

  private static Principal admin(Context ctx) {
    Principal p = GenRtlApp.principal(ctx);
    AdminService.requireAdmin(p);
    return p;
  }

  private JsonBody body(Context ctx) {
    return Bodies.json(ctx, settings.maxBodyBytes());
  }

  private static String reason(JsonBody body) {
    return body.string("reason", AdminService.MAX_REASON_LENGTH);
  }

  private static String idempotencyKey(Context ctx) {
    String k = ctx.header("Idempotency-Key");
    if (k == null || k.isBlank()) {
      throw GenRtlException.invalid("Idempotency-Key", "send an Idempotency-Key header: this call moves money");
    }
    if (k.length() > 200) throw GenRtlException.invalid("Idempotency-Key", "Idempotency-Key is at most 200 characters");
    return k;
  }

  // ------------------------------------------------------------------ users

  static Map<String, Object> userView(User u) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user_id", u.userId());
    m.put("tenant_id", u.tenantId());
    m.put("email", u.email());
    m.put("role", u.role().wire());
    m.put("created_at", Views.time(u.createdAt()));
    m.put("disabled_at", u.disabledAt() == null ? null : Views.time(u.disabledAt()));
    return m;
  }

  private void users(Context ctx) {
    Principal p = admin(ctx);
    String tenant = ctx.queryParam("tenant_id");
    if (tenant != null && (tenant.isBlank() || tenant.length() > 64)) throw GenRtlException.invalid("tenant_id", "tenant_id is not valid");
    ctx.json(Paging.response(genrtl.admin().users(p, tenant, Paging.request(ctx)), AdminRoutes::userView));
  }

  private void user(Context ctx) {
    AdminService.UserDetail d = genrtl.admin().userDetail(admin(ctx), ctx.pathParam("user_id"));
    Map<String, Object> m = userView(d.user());
    m.put("subscription", d.subscription().map(Views::subscription).orElse(null));
    m.put("balance", BillingRoutes.balanceView(d.balance()));
    ctx.json(m);
  }

  private void role(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.ROLE, ctx.pathParam("user_id"));
    JsonBody body = body(ctx);
    String r = body.string("role", 32);
    Role role = Role.parse(r).orElseThrow(() -> GenRtlException.invalid("role", "role must be one of user, tenant_admin, super_admin"));
    ctx.json(userView(genrtl.admin().changeRole(p, target.userId(), role, reason(body))));
  }

  private void plan(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.PLAN, ctx.pathParam("user_id"));
    JsonBody body = body(ctx);
    Subscription s = genrtl.admin().setPlan(p, target.userId(), body.string("plan", 64), reason(body));
    ctx.json(Views.subscription(s));
  }

  private void spendLimit(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.SPEND_LIMIT, ctx.pathParam("user_id"));
    JsonBody body = body(ctx);
    BigDecimal limit = body.optNumber("on_demand_limit_usd")
        .orElseThrow(() -> GenRtlException.invalid("on_demand_limit_usd", "on_demand_limit_usd is required"));
    ctx.json(BillingRoutes.balanceView(genrtl.admin().setSpendLimit(p, target.userId(),
        Money.toMicros("on_demand_limit_usd", limit), reason(body))));
  }

  private void disable(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.DISABLE, ctx.pathParam("user_id"));
    ctx.json(userView(genrtl.admin().disableUser(p, target.userId(), reason(body(ctx)))));
  }

  private void enable(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.ENABLE, ctx.pathParam("user_id"));
    ctx.json(userView(genrtl.admin().enableUser(p, target.userId(), reason(body(ctx)))));
  }

  private void spendBudget(Context ctx) {
    Principal p = admin(ctx);
    String tenantId = genrtl.admin().budgetTarget(p, ctx.pathParam("tenant_id")).tenantId();
    JsonBody body = body(ctx);
    if (!body.present("member_on_demand_cap_usd")) {
      throw GenRtlException.invalid("member_on_demand_cap_usd", "member_on_demand_cap_usd is required (null removes the budget)");
    }
    Long cap = body.optNumber("member_on_demand_cap_usd").map(a -> Money.toMicros("member_on_demand_cap_usd", a)).orElse(null);
    AdminService.SpendBudget b = genrtl.admin().setSpendBudget(p, tenantId, cap, reason(body));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tenant_id", b.tenant().tenantId());
    m.put("name", b.tenant().name());
    m.put("member_on_demand_cap_usd", b.tenant().memberOnDemandCapMicros() == null ? null
        : BillingRoutes.usd(b.tenant().memberOnDemandCapMicros()));
    m.put("lowered_accounts", b.loweredAccounts());
    ctx.json(m);
  }

  // ------------------------------------------------------------------ money

  private void grant(Context ctx) {
    Principal p = admin(ctx);
    User target = genrtl.admin().target(p, AdminService.Operation.GRANT, ctx.pathParam("user_id"));
    JsonBody body = body(ctx);
    BigDecimal amount = body.optNumber("amount_usd")
        .orElseThrow(() -> GenRtlException.invalid("amount_usd", "amount_usd is required"));
    String reason = reason(body);
    String key = idempotencyKey(ctx);
    AdminService.Granted g = genrtl.admin().grant(p, target.userId(), Money.toMicros("amount_usd", amount), reason, key);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("user_id", target.userId());
    m.put("amount_usd", amount);
    m.put("replayed", !g.created());
    m.put("balance", BillingRoutes.balanceView(g.balance()));
    ctx.status(g.created() ? 201 : 200).json(m);
  }

  private void refund(Context ctx) {
    Principal p = admin(ctx);
    String entryId = genrtl.admin().refundTarget(p, ctx.pathParam("entry_id")).entryId();
    JsonBody body = body(ctx);
    Long amount = body.optNumber("amount_usd").map(a -> Money.toMicros("amount_usd", a)).orElse(null);
    String reason = reason(body);
    String key = idempotencyKey(ctx);
    ChargeResult r = genrtl.admin().refund(p, entryId, amount, reason, key);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("refund_of", entryId);
    m.put("replayed", r.replayed());
    m.put("entries", r.entries().stream().map(BillingRoutes::entryView).toList());
    ctx.status(r.replayed() ? 200 : 201).json(m);
  }

  // ------------------------------------------------------------------ jobs

  private void retry(Context ctx) {
    Principal p = admin(ctx);
    Job orig = genrtl.jobs().get(p, ctx.pathParam("job_id"));
    JsonBody body = body(ctx);
    String reason = reason(body);
    String key = idempotencyKey(ctx);
    Job j = genrtl.admin().retryJob(p, orig.jobId(), reason, key);
    Map<String, Object> m = jobs.view(p, j);
    m.put("retry_of", orig.jobId());
    ctx.status(202).json(m);
  }

  private void cancel(Context ctx) {
    Principal p = admin(ctx);
    Job orig = genrtl.jobs().get(p, ctx.pathParam("job_id"));
    JsonBody body = body(ctx);
    Job j = genrtl.admin().cancelJob(p, orig.jobId(), reason(body));
    ctx.status(202).json(jobs.view(p, j));
  }

  // ------------------------------------------------------------------ plans, audit

  private void plans(Context ctx) {
    admin(ctx);
    ctx.json(Map.of("items", genrtl.plans().all().stream().map(AdminRoutes::planView).toList()));
  }

  static Map<String, Object> planView(Plan p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("plan", p.planId());
    m.put("name", p.name());
    m.put("included_usd", BillingRoutes.usd(p.includedMicros()));
    m.put("on_demand_allowed", p.onDemandAllowed());
    m.put("max_on_demand_limit_usd", BillingRoutes.usd(p.maxOnDemandLimitMicros()));
    return m;
  }

  private void audit(Context ctx) {
    Principal p = admin(ctx);
    AuditQuery q = new AuditQuery(QueryParams.text(ctx, "actor"), QueryParams.text(ctx, "action"),
        QueryParams.text(ctx, "target_type"), QueryParams.text(ctx, "target_id"), QueryParams.text(ctx, "tenant_id"),
        QueryParams.time(ctx, "from"), QueryParams.time(ctx, "to"));
    ctx.json(Paging.response(genrtl.admin().audit(p, q, Paging.request(ctx)), AdminRoutes::auditView));
  }

  static Map<String, Object> auditView(AuditEntry e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.entryId());
    m.put("at", Views.time(e.at()));
    Map<String, Object> actor = new LinkedHashMap<>();
    actor.put("user_id", e.actorUserId());
    actor.put("role", e.actorRole());
    actor.put("key_id", e.actorKeyId());
    m.put("actor", e.actorUserId() == null ? null : actor);
    m.put("tenant_id", e.tenantId());
    m.put("action", e.action());
    m.put("target_type", e.targetType());
    m.put("target_id", e.targetId());
    m.put("details", Json.parse(e.detailsJson().getBytes(StandardCharsets.UTF_8)));
    m.put("ip", e.ip());
    m.put("user_agent", e.userAgent());
    m.put("request_id", e.requestId());
    return m;
  }
}
