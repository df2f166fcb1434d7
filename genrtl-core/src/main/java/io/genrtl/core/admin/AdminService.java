package io.genrtl.core.admin;

import io.genrtl.core.ErrorCode;
import io.genrtl.core.GenRtlException;
import io.genrtl.core.Page;
import io.genrtl.core.PageRequest;
import io.genrtl.core.account.AccountService;
import io.genrtl.core.account.Principal;
import io.genrtl.core.account.Role;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.account.User;
import io.genrtl.core.audit.AuditActions;
import io.genrtl.core.audit.AuditEntry;
import io.genrtl.core.audit.AuditQuery;
import io.genrtl.core.audit.AuditService;
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
import io.genrtl.core.port.IdGenerator;
import io.genrtl.core.port.Stores;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The admin API's operations. A {@code tenant_admin} acts on its own tenant's users and objects, a {@code super_admin} on
 * all; a {@code user} is refused (403) before anything is looked up; an object outside the admin's reach is not found
 * (404). Every mutation takes a reason and writes its audit entry in the same transaction as the change; those that move
 * money (grants, refunds, job retries) take an idempotency key.
 */
public final class AdminService {
  public static final int MAX_REASON_LENGTH = 500;

  private final Stores stores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PlanCatalog plans;
  private final PoolService pool;
  private final JobService jobs;
  private final AuditService audit;

  public AdminService(Stores stores, Clock clock, IdGenerator ids, PlanCatalog plans, PoolService pool, JobService jobs,
      AuditService audit) {
    this.stores = stores;
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

  // ------------------------------------------------------------------------------------------------ users

  /** The admin's users (a tenant admin: their tenant's; a filter on another tenant finds nothing). */
  public Page<User> users(Principal admin, String tenantId, PageRequest page) {
    requireAdmin(admin);
    String t = tenantId;
    if (admin.role() == Role.TENANT_ADMIN) {
      if (t != null && !t.equals(admin.tenantId())) return new Page<>(java.util.List.of(), null);
      t = admin.tenantId();
    }
    return stores.users().list(t, page);
  }

  /** A user within the admin's reach, else not found. */
  public User user(Principal admin, String userId) {
    requireAdmin(admin);
    User u = stores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
    if (!admin.canAccess(u.userId(), u.tenantId())) throw GenRtlException.notFound("user");
    return u;
  }

  public UserDetail userDetail(Principal admin, String userId) {
    User u = user(admin, userId);
    return new UserDetail(u, stores.subscriptions().latestForUser(u.userId()), pool.balance(u.userId()));
  }

  /**
   * Changes a user's role. A tenant admin may not grant {@code super_admin} nor change a super admin; nobody changes
   * their own role (so the last super admin cannot demote themselves by accident).
   */
  public User changeRole(Principal admin, String userId, Role role, String reason) {
    String why = reason(reason);
    if (role == null) throw GenRtlException.invalid("role", "role must be one of user, tenant_admin, super_admin");
    return audited(admin, () -> {
      User u = user(admin, userId);
      if (u.userId().equals(admin.userId())) {
        throw new GenRtlException(ErrorCode.FORBIDDEN, "you cannot change your own role", Map.of("field", "user_id"));
      }
      if (admin.role() != Role.SUPER_ADMIN && (role == Role.SUPER_ADMIN || u.role() == Role.SUPER_ADMIN)) {
        throw new GenRtlException(ErrorCode.FORBIDDEN, "only a super admin may grant or change the super_admin role",
            Map.of("field", "role"));
      }
      if (u.role() == role) return u;
      if (!stores.users().updateRole(u.userId(), u.role(), role)) {
        throw new GenRtlException(ErrorCode.CONFLICT, "the user's role changed meanwhile; retry");
      }
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("from", u.role().wire());
      d.put("to", role.wire());
      d.put("reason", why);
      audit.record(AuditActions.ROLE_CHANGE, "user", u.userId(), u.tenantId(), d);
      return new User(u.userId(), u.tenantId(), u.email(), role, u.createdAt());
    });
  }

  // ------------------------------------------------------------------------------------------------ plans, quota

  /**
   * Puts a user on a plan with a {@code manual} subscription (an override: it starts now, renews monthly, and the
   * account moves into its first period with the plan's included amount). Refused (409) while a payment provider
   * bills the user, whose events would overwrite it.
   */
  public Subscription setPlan(Principal admin, String userId, String planId, String reason) {
    String why = reason(reason);
    Plan plan = plans.find(planId == null ? "" : planId)
        .orElseThrow(() -> GenRtlException.invalid("plan", "unknown plan: " + planId));
    return audited(admin, () -> {
      User u = user(admin, userId);
      Optional<Subscription> prev = stores.subscriptions().latestForUser(u.userId());
      if (prev.isPresent() && !Subscription.PROVIDER_MANUAL.equals(prev.get().provider())
          && prev.get().status() != SubscriptionStatus.CANCELED && prev.get().status() != SubscriptionStatus.ENDED) {
        throw new GenRtlException(ErrorCode.SUBSCRIPTION_EXISTS, "the user has an active " + prev.get().provider()
            + " subscription; cancel it at the provider first", Map.of("provider", prev.get().provider()));
      }
      long now = clock.millis();
      long end = AccountService.addMonth(now);
      Subscription s = new Subscription(ids.newId(), u.userId(), plan.planId(), Subscription.PROVIDER_MANUAL,
          SubscriptionStatus.ACTIVE, now, end, now);
      stores.subscriptions().insert(s);
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

  /** Quota override: the user's on-demand limit, past the plan's maximum if need be (0 turns on-demand off). */
  public Balance setSpendLimit(Principal admin, String userId, long limitMicros, String reason) {
    String why = reason(reason);
    return audited(admin, () -> {
      User u = user(admin, userId);
      return pool.overrideOnDemandLimit(u.userId(), limitMicros, why);
    });
  }

  // ------------------------------------------------------------------------------------------------ money

  /** The outcome of a manual grant: false when the key had already granted (nothing changed). */
  public record Granted(boolean created, Balance balance) {}

  /** A manual grant of credits, once per (user, idempotency key); recorded as a {@code manual} grant with the admin's id. */
  public Granted grant(Principal admin, String userId, long amountMicros, String reason, String idempotencyKey) {
    String why = reason(reason);
    String key = key(idempotencyKey);
    if (amountMicros <= 0) throw GenRtlException.invalid("amount_usd", "amount_usd must be positive");
    return audited(admin, () -> {
      User u = user(admin, userId);
      boolean created = pool.grantCredits(u.userId(), amountMicros, "admin:" + key, Grant.KIND_MANUAL, admin.userId(), why);
      if (!created) {
        // a replay must be the same request: another amount under the same key is refused, not silently ignored
        Grant first = stores.grants().listForUser(u.userId()).stream().filter(g -> g.sourceKey().equals("admin:" + key))
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
   * admin and the reason; idempotent per (row owner, key).
   */
  public ChargeResult refund(Principal admin, String entryId, Long amountMicros, String reason, String idempotencyKey) {
    String why = reason(reason);
    String key = key(idempotencyKey);
    requireAdmin(admin);
    LedgerEntry e = stores.ledger().find(entryId).orElseThrow(() -> GenRtlException.notFound("ledger row"));
    if (!admin.canAccess(e.userId(), e.tenantId())) throw GenRtlException.notFound("ledger row");
    long amount = amountMicros != null ? amountMicros : e.usdMicros();
    return audited(admin, () -> pool.refund(entryId, amount, key, admin.userId(), why));
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
    return AuditService.actingAs(admin, () -> stores.transactor().inTransaction(work));
  }

  static String reason(String reason) {
    if (reason == null || reason.isBlank()) throw GenRtlException.invalid("reason", "a reason is required");
    String r = reason.strip();
    if (r.length() > MAX_REASON_LENGTH) {
      throw GenRtlException.invalid("reason", "reason must be at most " + MAX_REASON_LENGTH + " characters");
    }
    return r;
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
