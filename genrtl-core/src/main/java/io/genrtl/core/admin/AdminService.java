package io.genrtl.core.admin;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.pool.PoolStores;
import io.genrtl.core.account.AccountService;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.account.Tenant;
import io.genrtl.core.account.User;
import io.genrtl.core.audit.AuditActions;
import io.genrtl.core.audit.AuditEntry;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.audit.AuditService;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.base.Period;
import io.genrtl.core.jobs.Job;
import io.genrtl.core.jobs.JobService;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import io.genrtl.core.pool.Balance;
import io.genrtl.core.pool.ChargeResult;
import io.genrtl.core.pool.Grant;
import io.genrtl.core.pool.LedgerEntry;
import io.genrtl.core.pool.Money;
import io.genrtl.core.pool.PoolService;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The admin API's operations. A {@code tenant_admin} acts on its own tenant's users and objects, a {@code super_admin} on
 * all. Every operation on a user (or on a ledger row, whose owner is the target) checks, in this order:
 * <ol>
 *   <li>the caller has an admin role, else 403 {@code forbidden} before anything is looked up;</li>
 *   <li>the target is within the admin's reach (a tenant admin: its tenant), else 404 {@code not_found};</li>
 *   <li>the operation's rule ({@link Operation}), else 403 {@code forbidden} with a {@code reason}: money comes from
 *       payments or from a super admin, so grants, refunds and plan changes are super-admin operations
 *       ({@code super_admin_only}); nobody acts on their own money, role or account ({@code self}); a tenant admin
 *       disables and enables only plain members ({@code admin_target}) and changes no {@code super_admin} role;</li>
 *   <li>the body (400 {@code validation_failed});</li>
 *   <li>the value rules: a tenant admin only lowers a member's on-demand limit (403, reason {@code raise}) and never
 *       above the tenant's spend budget (422 {@code spend_limit_above_tenant_budget}).</li>
 * </ol>
 * Hosts call {@link #target} (or {@link #refundTarget}) before they read the body, so steps 1-3 never depend on it; the
 * mutation checks them again inside its transaction. Every mutation takes a reason and writes its audit entry in the
 * same transaction as the change; those that move money (grants, refunds, job retries) take an idempotency key.
 */
public final class AdminService {
  public static final int MAX_REASON_LENGTH = AccountService.MAX_REASON_LENGTH;

  private final Transactor tx;

  private final AccountStores accountStores;

  private final PoolStores poolStores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PlanCatalog plans;
  private final PoolService pool;
  private final JobService jobs;
  private final AuditService audit;
  private final AccountService accounts;

  public AdminService(Transactor tx, AccountStores accountStores, PoolStores poolStores, Clock clock,
      IdGenerator ids, PlanCatalog plans, PoolService pool, JobService jobs, AuditService audit,
      AccountService accounts) {
    this.accounts = accounts;
    this.tx = tx;
    this.accountStores = accountStores;
    this.poolStores = poolStores;
    this.clock = clock;
    this.ids = ids;
    this.plans = plans;
    this.pool = pool;
    this.jobs = jobs;
    this.audit = audit;
  }

  /** A user as an admin sees them: the user, their latest subscription and balance. */
  public record UserDetail(User user, Optional<Subscription> subscription, Balance balance) {}

  /** Refuses a caller without an admin role (403). */
  public static void requireAdmin(Principal p) {
    if (p.role() == Role.USER) throw new GenRtlException(ErrorCode.FORBIDDEN, "an admin role is required");
  }

  /** Refuses a caller who is not a super admin (403, reason {@code super_admin_only}). */
  public static void requireSuperAdmin(Principal p, String what) {
    if (p.role() != Role.SUPER_ADMIN) throw forbidden("only a super admin may " + what, "super_admin_only");
  }

  /** The admin operations on a user, each with its rule (step 3 of the order of checks). */
  public enum Operation {
    /** A role change: not your own; a tenant admin neither grants nor changes {@code super_admin} (checked with the body). */
    ROLE("change a role"),
    /** A plan override: super admins only, not on yourself. */
    PLAN("change a plan"),
    /** An on-demand limit: not your own; tenant admins only lower it (checked with the value). */
    SPEND_LIMIT("change a spend limit"),
    /** A manual grant of credits: super admins only, not to yourself. */
    GRANT("grant credits"),
    /** A refund of a ledger row: super admins only, not of your own row. */
    REFUND("refund usage"),
    /** Disabling a user: not yourself; a tenant admin only plain members of its tenant. */
    DISABLE("disable a user"),
    /** Enabling a user: as for disabling. */
    ENABLE("enable a user");

    private final String what;

    Operation(String what) {
      this.what = what;
    }
  }

  /**
   * The target of an admin operation on a user after steps 1-3 of the order of checks (role 403, reach 404, the
   * operation's rule 403); hosts call it before they read the body.
   */
  public User target(Principal admin, Operation op, String userId) {
    User u = user(admin, userId);
    check(admin, op, u.userId(), u.role());
    return u;
  }

  /** The ledger row a refund names, after steps 1-3 (its owner is the target: 404 outside the reach, 403 if it is yours). */
  public LedgerEntry refundTarget(Principal admin, String entryId) {
    requireAdmin(admin);
    LedgerEntry e = poolStores.ledger().find(entryId).orElseThrow(() -> GenRtlException.notFound("ledger row"));
    if (!admin.canAccess(e.userId(), e.tenantId())) throw GenRtlException.notFound("ledger row");
    check(admin, Operation.REFUND, e.userId(), null);
    return e;
  }

  private static void check(Principal admin, Operation op, String targetUserId, Role targetRole) {
    boolean self = targetUserId.equals(admin.userId());
    switch (op) {
      case GRANT, PLAN, REFUND -> requireSuperAdmin(admin, op.what);
      case DISABLE, ENABLE -> {
        if (!self && admin.role() == Role.TENANT_ADMIN && targetRole != Role.USER) {
          throw forbidden("a tenant admin may only " + op.what + " with the user role; ask a super admin", "admin_target");
        }
      }
      case ROLE, SPEND_LIMIT -> { }
    }
    if (self) {
      String what = switch (op) {
        case ROLE -> "you cannot change your own role";
        case DISABLE, ENABLE -> "you cannot disable or enable yourself";
        case REFUND -> "you cannot refund your own usage";
        default -> "you cannot " + op.what + " for yourself: nobody acts on their own money";
      };
      throw new GenRtlException(ErrorCode.FORBIDDEN, what, Map.of("field", "user_id", "reason", "self"));
    }
  }

  private static GenRtlException forbidden(String message, String reason) {
    return new GenRtlException(ErrorCode.FORBIDDEN, message, Map.of("reason", reason));
  }

  // ------------------------------------------------------------------------------------------------ users

  /** The admin's users (a tenant admin: their tenant's; a filter on another tenant finds nothing). */
  public Page<User> users(Principal admin, String tenantId, PageRequest page) {
    requireAdmin(admin);
    String t = tenantId;
    if (admin.role() == Role.TENANT_ADMIN) {
      if (t != null && !t.equals(admin.tenantId())) return new Page<>(java.util.List.of(), null);
      t = admin.tenantId();
    }
    return accountStores.users().list(t, page);
  }

  /** A user within the admin's reach, else not found. */
  public User user(Principal admin, String userId) {
    requireAdmin(admin);
    User u = accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
    if (!admin.canAccess(u.userId(), u.tenantId())) throw GenRtlException.notFound("user");
    return u;
  }

  public UserDetail userDetail(Principal admin, String userId) {
    User u = user(admin, userId);
    return new UserDetail(u, accountStores.subscriptions().latestForUser(u.userId()), pool.balance(u.userId()));
  }

  /**
   * Changes a user's role. A tenant admin may not grant {@code super_admin} nor change a super admin; nobody changes
   * their own role (so the last super admin cannot demote themselves by accident).
   */
  public User changeRole(Principal admin, String userId, Role role, String reason) {
    String why = reason(reason);
    if (role == null) throw GenRtlException.invalid("role", "role must be one of user, tenant_admin, super_admin");
    return audited(admin, () -> {
      User u = target(admin, Operation.ROLE, userId);
      if (admin.role() != Role.SUPER_ADMIN && (role == Role.SUPER_ADMIN || u.role() == Role.SUPER_ADMIN)) {
        throw new GenRtlException(ErrorCode.FORBIDDEN, "only a super admin may grant or change the super_admin role",
            Map.of("field", "role", "reason", "super_admin_only"));
      }
      if (u.role() == role) return u;
      if (!accountStores.users().updateRole(u.userId(), u.role(), role)) {
        throw new GenRtlException(ErrorCode.CONFLICT, "the user's role changed meanwhile; retry");
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("from", u.role().wire());
      d.put("to", role.wire());
      d.put("reason", why);
      audit.record(AuditActions.ROLE_CHANGE, "user", u.userId(), u.tenantId(), d);
      return u.withRole(role);
    });
  }

  // ------------------------------------------------------------------------------------------------ plans, quota

  /**
   * Puts a user on a plan with a {@code manual} subscription (an override: it starts now, renews monthly, and the
   * account moves into its first period with the plan's included amount). Refused (409) while a payment provider
   * bills the user, whose events would overwrite it. Super admins only, never on themselves.
   */
  public Subscription setPlan(Principal admin, String userId, String planId, String reason) {
    target(admin, Operation.PLAN, userId);
    String why = reason(reason);
    Plan plan = plans.find(planId == null ? "" : planId)
        .orElseThrow(() -> GenRtlException.invalid("plan", "unknown plan: " + planId));
    return audited(admin, () -> {
      User u = target(admin, Operation.PLAN, userId);
      Optional<Subscription> prev = accountStores.subscriptions().latestForUser(u.userId());
      if (prev.isPresent() && !Subscription.PROVIDER_MANUAL.equals(prev.get().provider())
          && prev.get().status() != SubscriptionStatus.CANCELED && prev.get().status() != SubscriptionStatus.ENDED) {
        throw new GenRtlException(ErrorCode.SUBSCRIPTION_EXISTS, "the user has an active " + prev.get().provider()
            + " subscription; cancel it at the provider first", Map.of("provider", prev.get().provider()));
      }
      long now = clock.millis();
      long end = Period.addMonth(now);
      Subscription s = new Subscription(ids.newId(), u.userId(), plan.planId(), Subscription.PROVIDER_MANUAL,
          SubscriptionStatus.ACTIVE, now, end, now);
      accountStores.subscriptions().insert(s);
      pool.grantPaidPeriod(u.userId(), s.subscriptionId(), now, end);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("plan", plan.planId());
      d.put("previous_plan", prev.map(Subscription::planId).orElse(null));
      d.put("subscription_id", s.subscriptionId());
      d.put("reason", why);
      audit.record(AuditActions.SUBSCRIPTION_OVERRIDE, "user", u.userId(), u.tenantId(), d);
      return s;
    });
  }

  /**
   * A user's on-demand limit (0 turns on-demand off), never your own. A super admin overrides it, past the plan's
   * maximum and the tenant's spend budget if need be; a tenant admin may only lower it, and never above the tenant's
   * spend budget ({@link PoolService#lowerOnDemandLimit}).
   */
  public Balance setSpendLimit(Principal admin, String userId, long limitMicros, String reason) {
    target(admin, Operation.SPEND_LIMIT, userId);
    String why = reason(reason);
    return audited(admin, () -> {
      User u = target(admin, Operation.SPEND_LIMIT, userId);
      return admin.role() == Role.SUPER_ADMIN ? pool.overrideOnDemandLimit(u.userId(), limitMicros, why)
          : pool.lowerOnDemandLimit(u.userId(), limitMicros, why);
    });
  }

  /** A tenant's spend budget after a change, and how many members' limits it lowered. */
  public record SpendBudget(Tenant tenant, int loweredAccounts) {}

  /**
   * Sets (or with null removes) a tenant's spend budget: the highest on-demand limit a tenant admin or the member may
   * set for a member. Super admins only (403 before the tenant is looked up; 404 for an unknown tenant). Members'
   * limits above the new budget are lowered to it in the same transaction; a super admin may still override one
   * member past it afterwards. Audited as {@code tenant.spend_budget}.
   */
  public SpendBudget setSpendBudget(Principal admin, String tenantId, Long capMicros, String reason) {
    Tenant before = budgetTarget(admin, tenantId);
    String why = reason(reason);
    if (capMicros != null && capMicros < 0) {
      throw GenRtlException.invalid("member_on_demand_cap_usd", "member_on_demand_cap_usd must not be negative");
    }
    return audited(admin, () -> {
      Tenant t = accountStores.tenants().find(before.tenantId()).orElseThrow(() -> GenRtlException.notFound("tenant"));
      accountStores.tenants().setMemberOnDemandCap(t.tenantId(), capMicros);
      int lowered = capMicros == null ? 0 : pool.capTenantOnDemandLimits(t.tenantId(), capMicros);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("previous_member_on_demand_cap_usd", t.memberOnDemandCapMicros() == null ? null : Money.toUsd(t.memberOnDemandCapMicros()));
      d.put("member_on_demand_cap_usd", capMicros == null ? null : Money.toUsd(capMicros));
      d.put("lowered_accounts", lowered);
      d.put("reason", why);
      audit.record(AuditActions.SPEND_BUDGET, "tenant", t.tenantId(), t.tenantId(), d);
      return new SpendBudget(new Tenant(t.tenantId(), t.name(), t.createdAt(), capMicros), lowered);
    });
  }

  /** The tenant whose spend budget a super admin sets: 403 for anyone else (before the lookup), 404 if unknown. */
  public Tenant budgetTarget(Principal admin, String tenantId) {
    requireSuperAdmin(admin, "set a tenant's spend budget");
    return accountStores.tenants().find(tenantId == null ? "" : tenantId).orElseThrow(() -> GenRtlException.notFound("tenant"));
  }

  // ------------------------------------------------------------------------------------------------ disable, enable

  /**
   * Disables a user (see {@link AccountService#disableUser}): a tenant admin a plain member of its tenant, a super admin
   * anyone; nobody themselves.
   */
  public User disableUser(Principal admin, String userId, String reason) {
    target(admin, Operation.DISABLE, userId);
    String why = reason(reason);
    return audited(admin, () -> accounts.disableUser(target(admin, Operation.DISABLE, userId).userId(), why));
  }

  /** Enables a disabled user again, under the rules of {@link #disableUser}. */
  public User enableUser(Principal admin, String userId, String reason) {
    target(admin, Operation.ENABLE, userId);
    String why = reason(reason);
    return audited(admin, () -> accounts.enableUser(target(admin, Operation.ENABLE, userId).userId(), why));
  }

  // ------------------------------------------------------------------------------------------------ money

  /** The outcome of a manual grant: false when the key had already granted (nothing changed). */
  public record Granted(boolean created, Balance balance) {}

  /**
   * A manual grant of credits, once per (user, idempotency key); recorded as a {@code manual} grant with the admin's id.
   * Super admins only, never to themselves.
   */
  public Granted grant(Principal admin, String userId, long amountMicros, String reason, String idempotencyKey) {
    target(admin, Operation.GRANT, userId);
    String why = reason(reason);
    String key = key(idempotencyKey);
    if (amountMicros <= 0) throw GenRtlException.invalid("amount_usd", "amount_usd must be positive");
    return audited(admin, () -> {
      User u = target(admin, Operation.GRANT, userId);
      boolean created = pool.grantCredits(u.userId(), amountMicros, "admin:" + key, Grant.KIND_MANUAL, admin.userId(), why);
      if (!created) {
        // a replay must be the same request: another amount under the same key is refused, not silently ignored
        Grant first = poolStores.grants().listForUser(u.userId()).stream().filter(g -> g.sourceKey().equals("admin:" + key))
            .findFirst().orElseThrow();
        if (first.amountMicros() != amountMicros) {
          throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this idempotency key was used for a grant of $"
              + usd(first.amountMicros()), Map.of("field", "idempotency_key"));
        }
      }
      return new Granted(created, pool.balance(u.userId()));
    });
  }

  /**
   * Refunds a ledger row (its whole cost when {@code amountMicros} is null) with a refund row naming the
   * admin and the reason; idempotent per (row owner, key). Super admins only, never their own rows. A {@code cbb} row
   * is refunded whole with its item, whose ownership and delivery are revoked ({@link PoolService#refund(String, Long,
   * String, String, String)}); a partial amount for it is 422 {@code partial_refund_not_allowed}.
   */
  public ChargeResult refund(Principal admin, String entryId, Long amountMicros, String reason, String idempotencyKey) {
    refundTarget(admin, entryId);
    String why = reason(reason);
    String key = key(idempotencyKey);
    return audited(admin, () -> {
      refundTarget(admin, entryId);
      return pool.refund(entryId, amountMicros, key, admin.userId(), why);
    });
  }

  // ------------------------------------------------------------------------------------------------ jobs

  /** Retries a failed or canceled job as a new job (see {@link JobService#retry}). */
  public Job retryJob(Principal admin, String jobId, String reason, String idempotencyKey) {
    String why = reason(reason);
    String key = key(idempotencyKey);
    requireAdmin(admin);
    jobs.get(admin, jobId);
    return audited(admin, () -> {
      JobService.Retried r = jobs.retry(admin, jobId, key);
      if (!r.replayed()) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("new_job_id", r.job().jobId());
        d.put("reason", why);
        audit.record(AuditActions.JOB_RETRY, "job", jobId, r.job().tenantId(), d);
      }
      return r.job();
    });
  }

  /** Cancels a job of the admin's reach (a queued one at once; a running one is asked to stop). */
  public Job cancelJob(Principal admin, String jobId, String reason) {
    String why = reason(reason);
    requireAdmin(admin);
    return audited(admin, () -> {
      Job before = jobs.get(admin, jobId);
      Job j = jobs.cancel(admin, jobId);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("status_before", before.status().wire());
      d.put("status", j.status().wire());
      d.put("reason", why);
      audit.record(AuditActions.JOB_CANCEL, "job", jobId, j.tenantId(), d);
      return j;
    });
  }

  // ------------------------------------------------------------------------------------------------ audit

  public Page<AuditEntry> audit(Principal admin, AuditQuery query, PageRequest page) {
    requireAdmin(admin);
    return audit.query(admin, query, page);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  /** Runs {@code work} in one transaction with {@code admin} as the audited actor. */
  private <T> T audited(Principal admin, Supplier<T> work) {
    requireAdmin(admin);
    return AuditService.actingAs(admin, () -> tx.inTransaction(work));
  }

  static String reason(String reason) {
    return AccountService.requireReason(reason);
  }

  static String key(String key) {
    if (key == null || key.isBlank()) {
      throw GenRtlException.invalid("idempotency_key", "send an Idempotency-Key header: this call moves money");
    }
    if (key.length() > 200) throw GenRtlException.invalid("idempotency_key", "the Idempotency-Key is at most 200 characters");
    return key;
  }

  static String usd(long micros) {
    return Money.toUsd(micros).toPlainString();
  }
}
