package io.genrtl.core.account;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.base.MetaStore;
import io.genrtl.core.base.DuplicateKeyException;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.base.Period;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** Tenants, users, workspaces and the super-admin bootstrap. */
public final class AccountService {
  public static final int MAX_NAME_LENGTH = 100;
  public static final int MAX_EMAIL_LENGTH = 254;
  /** The most characters an admin's {@code reason} may have. */
  public static final int MAX_REASON_LENGTH = 500;
  /** The marker {@link #bootstrapSuperAdmin} claims so that only one host ever creates the first admin. */
  public static final String BOOTSTRAP_MARKER = "super_admin_bootstrap";
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{Cntrl}]+@[^@\\s\\p{Cntrl}]+$");

  private final Transactor tx;

  private final MetaStore meta;

  private final AccountStores accountStores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PlanCatalog plans;
  private final ApiKeyService keys;
  private final NewUserListener newUsers;
  private final AccountAudit audit;

  public AccountService(Transactor tx, MetaStore meta, AccountStores accountStores, Clock clock, IdGenerator ids,
      PlanCatalog plans, ApiKeyService keys, NewUserListener newUsers, AccountAudit audit) {
    this.tx = tx;
    this.meta = meta;
    this.accountStores = accountStores;
    this.clock = clock;
    this.ids = ids;
    this.plans = plans;
    this.keys = keys;
    this.newUsers = newUsers;
    this.audit = audit;
  }

  /** Creates a user (and their tenant when it does not exist yet) in one transaction. */
  public CreatedUser createUser(NewUser request) {
    String email = normaliseEmail(request.email());
    Plan plan = request.planId() == null ? plans.free()
        : plans.find(request.planId()).orElseThrow(() -> GenRtlException.invalid("plan", "unknown plan: " + request.planId()));
    String tenantName = request.tenantName() == null ? email : checkName("tenant", request.tenantName());
    long now = clock.millis();
    return tx.inTransaction(() -> {
      Tenant tenant = accountStores.tenants().findByName(tenantName).orElseGet(() -> {
        Tenant t = new Tenant(ids.newId(), tenantName, now);
        try {
          accountStores.tenants().insert(t);
        } catch (DuplicateKeyException e) {
          throw new GenRtlException(ErrorCode.CONFLICT, "tenant '" + tenantName + "' was created concurrently; retry");
        }
        return t;
      });
      User user = new User(ids.newId(), tenant.tenantId(), email, request.role(), now);
      try {
        accountStores.users().insert(user);
      } catch (DuplicateKeyException e) {
        throw new GenRtlException(ErrorCode.EMAIL_TAKEN, "a user with this email already exists", Map.of("field", "email"));
      }
      Optional<Subscription> sub = Optional.empty();
      if (!plan.isFree()) {
        Subscription s = new Subscription(ids.newId(), user.userId(), plan.planId(), Subscription.PROVIDER_MANUAL,
            SubscriptionStatus.ACTIVE, now, Period.addMonth(now), now);
        accountStores.subscriptions().insert(s);
        sub = Optional.of(s);
      }
      newUsers.userCreated(user, sub);
      return new CreatedUser(user, tenant, sub);
    });
  }

  /**
   * On a database without any super admin, creates one (tenant {@code admin}) with a key, exactly once even when
   * several hosts start at the same time. Returns the new admin's key, or empty when nothing was done.
   */
  public Optional<IssuedKey> bootstrapSuperAdmin(String email) {
    return tx.inTransaction(() -> {
      if (accountStores.users().countByRole(Role.SUPER_ADMIN) > 0) return Optional.<IssuedKey>empty();
      if (!meta.claimOnce(BOOTSTRAP_MARKER, clock.millis())) return Optional.<IssuedKey>empty();
      CreatedUser admin = createUser(new NewUser(email, "admin", Role.SUPER_ADMIN, null));
      return Optional.of(keys.issue(admin.user().userId(), "bootstrap admin key", null));
    });
  }

  /**
   * Disables a user at once: from the next request on, their API keys (device and loopback keys included), session
   * tokens and session cookies are refused with 401 {@code account_disabled}, and signing in again is refused too.
   * Nothing is deleted: {@link #enableUser} gives them back. Recorded in the audit log ({@code user.disable}) with the
   * reason, in the same transaction; disabling a disabled user changes and records nothing. The rules of who may do it
   * are the caller's ({@code AdminService}); the command line runs it as the operator.
   */
  public User disableUser(String userId, String reason) {
    String why = requireReason(reason);
    return tx.inTransaction(() -> {
      User u = accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
      long now = clock.millis();
      if (!accountStores.users().disable(u.userId(), now)) return accountStores.users().find(userId).orElseThrow();
      audit.record(AccountAudit.USER_DISABLE, "user", u.userId(), u.tenantId(), Map.of("reason", why));
      return u.withDisabledAt(now);
    });
  }

  /** Enables a disabled user again ({@code user.enable} in the audit log); enabling an enabled user changes nothing. */
  public User enableUser(String userId, String reason) {
    String why = requireReason(reason);
    return tx.inTransaction(() -> {
      User u = accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
      if (!accountStores.users().enable(u.userId())) return accountStores.users().find(userId).orElseThrow();
      audit.record(AccountAudit.USER_ENABLE, "user", u.userId(), u.tenantId(), Map.of("reason", why));
      return u.withDisabledAt(null);
    });
  }

  /** Refuses a disabled user (401 {@code account_disabled}); used wherever a credential or a sign-in resolves to a user. */
  public static User requireEnabled(User user) {
    if (user.disabled()) {
      throw new GenRtlException(ErrorCode.ACCOUNT_DISABLED, "this account is disabled; ask an admin of your organisation");
    }
    return user;
  }

  /** A required, stripped reason of at most {@link #MAX_REASON_LENGTH} characters (400 {@code validation_failed}). */
  public static String requireReason(String reason) {
    if (reason == null || reason.isBlank()) throw GenRtlException.invalid("reason", "a reason is required");
    String r = reason.strip();
    if (r.length() > MAX_REASON_LENGTH) {
      throw GenRtlException.invalid("reason", "reason must be at most " + MAX_REASON_LENGTH + " characters");
    }
    return r;
  }

  public Optional<User> findUser(String userId) {
    return accountStores.users().find(userId);
  }

  public Me me(Principal principal) {
    User user = accountStores.users().find(principal.userId()).orElseThrow(() -> GenRtlException.notFound("user"));
    Tenant tenant = accountStores.tenants().find(user.tenantId()).orElseThrow(() -> GenRtlException.notFound("tenant"));
    Optional<Subscription> sub = accountStores.subscriptions().latestForUser(user.userId());
    Plan plan = sub.filter(s -> s.status() != SubscriptionStatus.ENDED)
        .flatMap(s -> plans.find(s.planId()))
        .orElse(plans.free());
    Page<Workspace> ws = accountStores.workspaces().listForMember(user.userId(), PageRequest.first(PageRequest.MAX_LIMIT));
    return new Me(user, tenant, plan, sub, ws.items());
  }

  /** Creates a workspace in the caller's tenant with the caller as its first member. */
  public Workspace createWorkspace(Principal principal, String name) {
    String n = checkName("name", name);
    long now = clock.millis();
    return tx.inTransaction(() -> {
      Workspace w = new Workspace(ids.newId(), principal.tenantId(), n, principal.userId(), now);
      accountStores.workspaces().insert(w);
      accountStores.workspaces().addMember(w.workspaceId(), principal.userId(), now);
      return w;
    });
  }

  /** A workspace the caller may see (member; tenant admin of its tenant; super admin), else not found. */
  public Workspace getWorkspace(Principal principal, String workspaceId) {
    Workspace w = accountStores.workspaces().find(workspaceId).orElseThrow(() -> GenRtlException.notFound("workspace"));
    if (!canSee(principal, w)) throw GenRtlException.notFound("workspace");
    return w;
  }

  public Page<Workspace> listWorkspaces(Principal principal, PageRequest page) {
    return switch (principal.role()) {
      case SUPER_ADMIN -> accountStores.workspaces().listAll(page);
      case TENANT_ADMIN -> accountStores.workspaces().listForTenant(principal.tenantId(), page);
      case USER -> accountStores.workspaces().listForMember(principal.userId(), page);
    };
  }

  private boolean canSee(Principal p, Workspace w) {
    return switch (p.role()) {
      case SUPER_ADMIN -> true;
      case TENANT_ADMIN -> p.tenantId().equals(w.tenantId());
      case USER -> p.tenantId().equals(w.tenantId()) && accountStores.workspaces().isMember(w.workspaceId(), p.userId());
    };
  }

  static String normaliseEmail(String email) {
    if (email == null || email.isBlank()) throw GenRtlException.invalid("email", "email is required");
    String e = email.strip().toLowerCase(Locale.ROOT);
    if (e.length() > MAX_EMAIL_LENGTH || !EMAIL.matcher(e).matches()) {
      throw GenRtlException.invalid("email", "email is not a valid address");
    }
    return e;
  }

  private static String checkName(String field, String name) {
    if (name == null || name.isBlank()) throw GenRtlException.invalid(field, field + " is required");
    String n = name.strip();
    if (n.length() > MAX_NAME_LENGTH) {
      throw GenRtlException.invalid(field, field + " must be at most " + MAX_NAME_LENGTH + " characters");
    }
    for (int i = 0; i < n.length(); i++) {
      if (Character.isISOControl(n.charAt(i))) throw GenRtlException.invalid(field, field + " must not contain control characters");
    }
    return n;
  }
}
