package io.genrtl.core.pool;

import io.genrtl.core.base.Transactor;
import io.genrtl.core.account.AccountStores;
import io.genrtl.core.account.Subscription;
import io.genrtl.core.account.SubscriptionStatus;
import io.genrtl.core.account.User;
import io.genrtl.core.base.ErrorCode;
import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.IdGenerator;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import io.genrtl.core.base.Period;
import io.genrtl.core.plan.Plan;
import io.genrtl.core.plan.PlanCatalog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The USD pool: included balance per period, stackable credits, on-demand spend up to the user's limit, holds, and
 * the append-only usage ledger. Every money-moving call runs in one transaction: an idempotency claim, one
 * conditional debit (never read-then-write), its ledger rows and the idempotency record. A charge that cannot be
 * covered whole changes nothing and fails with {@code insufficient_funds} or {@code spend_limit_reached}.
 */
public final class PoolService {
  public static final int[] THRESHOLDS = {50, 80, 100};
  public static final String OP_CHARGE = "charge";
  public static final String OP_RESERVE = "reserve";
  public static final String OP_REFUND = "refund";
  static final String FREE_SOURCE = "free";

  private final Transactor tx;

  private final AccountStores accountStores;

  private final PoolStores poolStores;
  private final Clock clock;
  private final IdGenerator ids;
  private final PlanCatalog plans;
  private final PoolTelemetry telemetry;
  private final SpendAlertListener listener;
  private final boolean deliverAlerts;
  private final OnDemandDebitListener onDemandDebits;
  private final ItemRefundListener itemRefunds;

  private final io.genrtl.core.audit.AuditService audit;

  /**
   * With {@code deliverAlerts}, each alert also gets a pending row in {@link PoolStores#alertDeliveries()}, written in the
   * transaction that records the alert (so a committed alert is never lost to a host stopping before delivering it).
   * {@code onDemandDebits} is told of every on-demand debit inside its transaction (billing meters them),
   * {@code itemRefunds} of every refunded CBB item (the registry revokes its ownership).
   */
  public PoolService(Transactor tx, AccountStores accountStores, PoolStores poolStores, Clock clock, IdGenerator ids,
      io.genrtl.core.audit.AuditService audit, PlanCatalog plans, SpendAlertListener listener,
      PoolTelemetry telemetry, boolean deliverAlerts, OnDemandDebitListener onDemandDebits,
      ItemRefundListener itemRefunds) {
    this.tx = tx;
    this.accountStores = accountStores;
    this.poolStores = poolStores;
    this.clock = clock;
    this.ids = ids;
    this.plans = plans;
    this.listener = listener;
    this.audit = audit;
    this.telemetry = telemetry;
    this.deliverAlerts = deliverAlerts;
    this.onDemandDebits = onDemandDebits;
    this.itemRefunds = itemRefunds;
  }

  /** The id of the plan the user is on now (the free plan without an active subscription); one read, no writes. */
  public String planIdOf(String userId) {
    return planOf(accountStores.subscriptions().latestForUser(userId)).planId();
  }

  /** The user's account and what their subscription allows right now. */
  private record Context(PoolAccount account, Plan plan, Optional<Subscription> subscription, boolean onDemandAllowed) {}

  // ------------------------------------------------------------------------------------------------ accounts

  /**
   * Opens the pool account of a new user (inside the caller's transaction): the period is the subscription's, or a
   * calendar month from now for free users, and the plan's included amount is granted for it.
   */
  public void openAccount(User user, Optional<Subscription> subscription) {
    long now = clock.millis();
    Plan plan = planOf(subscription);
    long start = subscription.map(Subscription::periodStart).orElse(now);
    long end = subscription.map(Subscription::periodEnd).orElse(Period.addMonth(now));
    PoolAccount a = new PoolAccount(user.userId(), user.tenantId(), 0, 0, 0, 0, 0, 0, start, end, now);
    if (poolStores.accounts().insert(a)) grantPeriod(user.userId(), subscription, plan, start, now);
  }

  private void grantPeriod(String userId, Optional<Subscription> sub, Plan plan, long periodStart, long now) {
    String source = "period:" + sub.map(Subscription::subscriptionId).orElse(FREE_SOURCE + ":" + userId) + ":" + periodStart;
    Grant g = new Grant(ids.newId(), userId, Bucket.INCLUDED, plan.includedMicros(), periodStart, Grant.KIND_PERIOD,
        source, now, null, "included amount of plan " + plan.planId());
    if (poolStores.grants().insert(g)) poolStores.accounts().credit(userId, Bucket.INCLUDED, plan.includedMicros(), true, now);
  }

  private Plan planOf(Optional<Subscription> sub) {
    return sub.filter(s -> s.status() == SubscriptionStatus.ACTIVE || s.status() == SubscriptionStatus.TRIALING
            || s.status() == SubscriptionStatus.PAST_DUE)
        .flatMap(s -> plans.find(s.planId()))
        .orElse(plans.free());
  }

  private static boolean onDemandAllowed(Plan plan, Optional<Subscription> sub) {
    return plan.onDemandAllowed() && sub.map(s -> s.status() == SubscriptionStatus.ACTIVE
        || s.status() == SubscriptionStatus.TRIALING).orElse(false);
  }

  /**
   * Loads the account inside the current transaction, opening it if missing and rolling a free or manual account
   * into the period that contains now (included set to the plan's amount, on-demand spend back to zero).
   */
  private Context current(String userId) {
    long now = clock.millis();
    // the common case in one statement: the account is open and in its current period
    Optional<PoolStore.AccountAndSubscription> both = poolStores.accounts().findWithSubscription(userId);
    if (both.isPresent() && now < both.get().account().periodEnd()) {
      Optional<Subscription> s = both.get().subscription();
      Plan plan = planOf(s);
      return new Context(both.get().account(), plan, s, onDemandAllowed(plan, s));
    }
    Optional<Subscription> sub = accountStores.subscriptions().latestForUser(userId);
    PoolAccount acct = poolStores.accounts().find(userId).orElse(null);
    if (acct == null) {
      User user = accountStores.users().find(userId).orElseThrow(() -> GenRtlException.notFound("user"));
      openAccount(user, sub);
      acct = poolStores.accounts().find(userId).orElseThrow();
    }
    boolean selfRenewing = sub.map(s -> Subscription.PROVIDER_MANUAL.equals(s.provider())).orElse(true);
    while (selfRenewing && now >= acct.periodEnd()) {
      Period p = Period.monthContaining(acct.periodEnd(), now);
      long start = p.start();
      long end = p.end();
      Plan plan = planOf(sub);
      if (poolStores.accounts().rollPeriod(userId, acct.periodStart(), start, end, 0, now)) {
        grantPeriod(userId, sub, plan, start, now);
        final long s = start;
        sub.ifPresent(x -> accountStores.subscriptions().updatePeriod(x.subscriptionId(), x.periodStart(), s, end));
      }
      acct = poolStores.accounts().find(userId).orElseThrow();
      sub = accountStores.subscriptions().latestForUser(userId);
    }
    Plan plan = planOf(sub);
    return new Context(acct, plan, sub, onDemandAllowed(plan, sub));
  }

  // ------------------------------------------------------------------------------------------------ reading

  public Balance balance(String userId) {
    Context c = tx(() -> current(userId));
    PoolAccount a = c.account();
    return new Balance(c.plan().planId(), c.subscription().map(s -> s.status().wire()).orElse(null), a.periodStart(),
        a.periodEnd(), a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(), a.onDemandLimitMicros(),
        a.holdsMicros(), a.availableMicros(c.onDemandAllowed()), c.onDemandAllowed());
  }

  public Page<LedgerEntry> usage(LedgerQuery query, PageRequest page) {
    return poolStores.ledger().list(query, page);
  }

  public void forEachUsage(LedgerQuery query, Consumer<LedgerEntry> consumer) {
    poolStores.ledger().forEach(query, consumer);
  }

  /** Every group of the summary (from the usage rollups). */
  public List<UsageTotal> summary(LedgerQuery query, GroupBy groupBy) {
    return poolStores.ledger().summarize(query, groupBy);
  }

  /** One page of the summary's groups; {@code page.limit()} counts groups. */
  public Page<UsageTotal> summary(LedgerQuery query, GroupBy groupBy, PageRequest page) {
    return poolStores.ledger().summarize(query, groupBy, page);
  }

  /** The totals per bucket of everything the query matches (every page of its summary together). */
  public List<UsageTotal> summaryTotal(LedgerQuery query) {
    return poolStores.ledger().total(query);
  }

  public Page<SpendAlert> alerts(String userId, PageRequest page) {
    return poolStores.alerts().list(userId, page);
  }

  // ------------------------------------------------------------------------------------------------ settings

  /**
   * Sets the on-demand limit: 0 turns on-demand off; above the plan's maximum is refused, and so is a limit above the
   * tenant's spend budget ({@link io.genrtl.core.account.Tenant#memberOnDemandCapMicros()}) when a super admin set one.
   */
  public Balance setOnDemandLimit(String userId, long limitMicros) {
    if (limitMicros < 0) throw GenRtlException.invalid("on_demand_limit_usd", "on_demand_limit_usd must not be negative");
    tx(() -> {
      Context c = current(userId);
      long max = c.plan().onDemandAllowed() ? c.plan().maxOnDemandLimitMicros() : 0;
      if (limitMicros > max) {
        throw new GenRtlException(ErrorCode.SPEND_LIMIT_ABOVE_PLAN_MAXIMUM, "plan " + c.plan().planId()
            + (max == 0 ? " does not allow on-demand spending" : " allows an on-demand limit of at most $" + Money.toUsd(max).toPlainString()),
            Map.of("field", "on_demand_limit_usd", "max_on_demand_limit_usd", Money.toUsd(max)));
      }
      requireWithinTenantBudget(c, limitMicros);
      poolStores.accounts().setOnDemandLimit(userId, limitMicros, clock.millis());
      recordLimit(c, limitMicros, null);
      return null;
    });
    return balance(userId);
  }

  /**
   * A tenant admin's change to a member's on-demand limit: it may only lower it (a higher limit than the current one is
   * 403 {@code forbidden}, reason {@code raise}), and never above the tenant's spend budget (422
   * {@code spend_limit_above_tenant_budget}). The account row is locked first, so the comparison is with the limit
   * as it is at commit. Recorded in the audit log with the reason.
   */
  public Balance lowerOnDemandLimit(String userId, long limitMicros, String reason) {
    if (limitMicros < 0) throw GenRtlException.invalid("on_demand_limit_usd", "on_demand_limit_usd must not be negative");
    tx(() -> {
      current(userId);
      poolStores.accounts().lock(userId);
      Context c = current(userId);
      long now = c.account().onDemandLimitMicros();
      if (limitMicros > now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("field", "on_demand_limit_usd");
        d.put("reason", "raise");
        d.put("on_demand_limit_usd", Money.toUsd(now));
        throw new GenRtlException(ErrorCode.FORBIDDEN, "a tenant admin may only lower a member's on-demand limit (now $"
            + Money.toUsd(now).toPlainString() + "); ask a super admin to raise it", d);
      }
      requireWithinTenantBudget(c, limitMicros);
      poolStores.accounts().setOnDemandLimit(userId, limitMicros, clock.millis());
      recordLimit(c, limitMicros, reason);
      return null;
    });
    return balance(userId);
  }

  private void requireWithinTenantBudget(Context c, long limitMicros) {
    Long cap = accountStores.tenants().find(c.account().tenantId()).map(io.genrtl.core.account.Tenant::memberOnDemandCapMicros)
        .orElse(null);
    if (cap != null && limitMicros > cap) {
      throw new GenRtlException(ErrorCode.SPEND_LIMIT_ABOVE_TENANT_BUDGET, "the tenant's spend budget allows an on-demand "
          + "limit of at most $" + Money.toUsd(cap).toPlainString() + " per member",
          Map.of("field", "on_demand_limit_usd", "member_on_demand_cap_usd", Money.toUsd(cap)));
    }
  }

  /**
   * Lowers to {@code capMicros} every on-demand limit of the tenant's accounts that is above it (one statement, inside
   * the caller's transaction: a super admin setting the tenant's spend budget). Returns how many it lowered.
   */
  public int capTenantOnDemandLimits(String tenantId, long capMicros) {
    if (capMicros < 0) throw GenRtlException.invalid("member_on_demand_cap_usd", "member_on_demand_cap_usd must not be negative");
    return tx(() -> poolStores.accounts().capOnDemandLimits(tenantId, capMicros, clock.millis()));
  }

  /**
   * An admin's quota override: sets the on-demand limit without the plan's maximum (0 turns on-demand off); recorded in
   * the audit log with the reason, in the same transaction.
   */
  public Balance overrideOnDemandLimit(String userId, long limitMicros, String reason) {
    if (limitMicros < 0) throw GenRtlException.invalid("on_demand_limit_usd", "on_demand_limit_usd must not be negative");
    tx(() -> {
      Context c = current(userId);
      poolStores.accounts().setOnDemandLimit(userId, limitMicros, clock.millis());
      recordLimit(c, limitMicros, reason);
      return null;
    });
    return balance(userId);
  }

  private void recordLimit(Context c, long limitMicros, String reason) {
    Map<String, Object> d = new java.util.LinkedHashMap<>();
    d.put("previous_limit_usd", Money.toUsd(c.account().onDemandLimitMicros()));
    d.put("on_demand_limit_usd", Money.toUsd(limitMicros));
    d.put("plan", c.plan().planId());
    if (reason != null) d.put("reason", reason);
    audit.record(io.genrtl.core.audit.AuditActions.SPEND_LIMIT, "user", c.account().userId(), c.account().tenantId(), d);
  }

  // ------------------------------------------------------------------------------------------------ charging

  /**
   * Charges now: all of it from included, credits and on-demand (in that order), or nothing. A charge with an
   * idempotency key runs in its own transaction (callers that need a charge inside a larger transaction pass no key
   * and make the larger operation idempotent, as checkout does).
   */
  public ChargeResult charge(ChargeRequest r) {
    String fp = fingerprint("charge", r.kind().wire(), Long.toString(r.amountMicros()), r.attribution().toString(),
        String.valueOf(r.tokens()), String.valueOf(r.cbb()), String.valueOf(r.note()));
    List<SpendAlert> raised = new ArrayList<>();
    ChargeResult result;
    try {
      result = tx(() -> chargeInTransaction(r, fp, raised));
    } catch (KeyTakenMeanwhile e) {
      // a concurrent call with the same key committed first: our debit was rolled back; answer with theirs
      raised.clear();
      result = tx(() -> replayCharge(r.userId(), OP_CHARGE, r.idempotencyKey(), fp));
    }
    raised.forEach(this::notifyListener);
    if (!result.replayed()) telemetry.charged(r.kind(), result.totalMicros());
    return result;
  }

  /** Thrown inside a charge's transaction to roll it back when its key was recorded by a concurrent call. */
  private static final class KeyTakenMeanwhile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    KeyTakenMeanwhile() {
      super(null, null, false, false);
    }
  }

  /**
   * Looks the key up (a replay answers from the record), debits, writes the ledger rows, and records the key last in
   * one INSERT: three writes per charge, and none of them before the debit.
   */
  private ChargeResult chargeInTransaction(ChargeRequest r, String fp, List<SpendAlert> raised) {
    {
      long now = clock.millis();
      if (r.idempotencyKey() != null && poolStores.idempotency().find(r.userId(), OP_CHARGE, r.idempotencyKey()).isPresent()) {
        return replayCharge(r.userId(), OP_CHARGE, r.idempotencyKey(), fp);
      }
      Context c = current(r.userId());
      Debit d = poolStores.accounts().debit(r.userId(), r.amountMicros(), c.onDemandAllowed(), 0, true, now)
          .orElseThrow(() -> notEnough(r.userId(), c, r.amountMicros()));
      String callId = r.callId() != null ? r.callId() : ids.newId();
      List<LedgerEntry> rows = writeRows(r.userId(), c.account().tenantId(), now, r.kind(), d, callId, r.attribution(),
          r.tokens(), r.cbb(), r.idempotencyKey(), null, false, r.note());
      raised.addAll(thresholds(d, now, rows));
      ChargeResult.Snapshot after = ChargeResult.Snapshot.of(d.after());
      if (r.idempotencyKey() != null && !poolStores.idempotency().insertCompleted(r.userId(), OP_CHARGE, r.idempotencyKey(), fp,
          callId, after.encode(), now)) {
        throw new KeyTakenMeanwhile();
      }
      return new ChargeResult(callId, rows, after, false);
    }
  }

  private ChargeResult replayCharge(String userId, String op, String key, String fp) {
    IdempotencyRecord rec = poolStores.idempotency().find(userId, op, key)
        .orElseThrow(() -> new GenRtlException(ErrorCode.CONFLICT, "idempotency record vanished; retry"));
    if (!rec.fingerprint().equals(fp)) {
      throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "this idempotency key was used for a different request", Map.of("field", "idempotency_key"));
    }
    return new ChargeResult(rec.resultRef(), poolStores.ledger().findByCall(userId, rec.resultRef()),
        ChargeResult.Snapshot.decode(rec.resultData()), true);
  }

  private GenRtlException notEnough(String userId, Context c, long amount) {
    PoolAccount a = poolStores.accounts().find(userId).orElse(c.account());
    boolean limitBound = c.onDemandAllowed() && a.onDemandLimitMicros() > 0;
    long available = Math.max(0, a.availableMicros(c.onDemandAllowed()));
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("required_usd", Money.toUsd(amount));
    details.put("available_usd", Money.toUsd(available));
    telemetry.paymentRefused(limitBound ? ErrorCode.SPEND_LIMIT_REACHED.code() : ErrorCode.INSUFFICIENT_FUNDS.code());
    if (limitBound) {
      return new GenRtlException(ErrorCode.SPEND_LIMIT_REACHED,
          "this would take on-demand spend past your limit; raise it with PUT /api/billing/spend-limit", details);
    }
    String hint = c.plan().onDemandAllowed() ? "; set an on-demand limit to keep going" : "; upgrade your plan or buy credits";
    return new GenRtlException(ErrorCode.INSUFFICIENT_FUNDS, "not enough balance for this charge" + hint, details);
  }

  /** One row per bucket used (at least one); token counts only on the first. */
  private List<LedgerEntry> writeRows(String userId, String tenantId, long now, UsageKind kind, Debit d, String callId,
      Attribution attribution, TokenUsage tokens, CbbPurchase cbb, String key, String refundOf, boolean overrunPossible,
      String note) {
    Map<Bucket, Long> parts = new EnumMap<>(Bucket.class);
    if (d.fromIncluded() > 0) parts.put(Bucket.INCLUDED, d.fromIncluded());
    if (d.fromCredits() > 0) parts.put(Bucket.CREDITS, d.fromCredits());
    if (d.fromOnDemand() > 0) parts.put(Bucket.ON_DEMAND, d.fromOnDemand());
    if (parts.isEmpty()) parts.put(Bucket.INCLUDED, 0L);
    List<LedgerEntry> rows = new ArrayList<>();
    boolean first = true;
    for (Map.Entry<Bucket, Long> p : parts.entrySet()) {
      boolean overrun = overrunPossible && p.getKey() == Bucket.ON_DEMAND;
      LedgerEntry e = new LedgerEntry(ids.newId(), userId, tenantId, now, kind, p.getKey(), p.getValue(), callId,
          d.after().periodStart(), attribution, first ? tokens : zeroTokens(tokens), cbb, key, refundOf, overrun, note);
      poolStores.ledger().insert(e);
      if (e.bucket() == Bucket.ON_DEMAND && e.usdMicros() > 0 && refundOf == null) {
        // in this transaction: what billing writes (the meter outbox row) commits or rolls back with the ledger row
        onDemandDebits.onDemandDebited(e);
      }
      rows.add(e);
      first = false;
    }
    return rows;
  }

  private static TokenUsage zeroTokens(TokenUsage t) {
    return t == null ? null : new TokenUsage(t.provider(), t.model(), 0, 0, 0, 0);
  }

  /** Alerts for the thresholds this debit crossed (the debit knows exactly what it changed). */
  private List<SpendAlert> thresholds(Debit d, long now, List<LedgerEntry> rows) {
    List<SpendAlert> out = new ArrayList<>();
    PoolAccount a = d.after();
    long granted = a.includedGrantedMicros();
    long usedAfter = granted - a.includedMicros();
    long usedBefore = usedAfter - d.fromIncluded();
    crossed("included", granted, usedBefore, usedAfter, a, now, out);
    long limit = a.onDemandLimitMicros();
    crossed("on_demand", limit, a.onDemandSpentMicros() - d.fromOnDemand(), a.onDemandSpentMicros(), a, now, out);
    for (LedgerEntry e : rows) {
      if (e.overrun()) {
        SpendAlert s = new SpendAlert(ids.newId(), a.userId(), a.periodStart(), "overrun", 100,
            a.onDemandSpentMicros(), limit, e.entryId(), now);
        if (record(s)) out.add(s);
      }
    }
    return out;
  }

  private void crossed(String kind, long base, long before, long after, PoolAccount a, long now, List<SpendAlert> out) {
    if (base <= 0 || after <= before) return;
    for (int t : THRESHOLDS) {
      // after * 100 >= base * t, in exact integer arithmetic (amounts stay far below 2^63 / 100)
      boolean wasBelow = before * 100 < base * t;
      boolean nowAt = after * 100 >= base * t;
      if (wasBelow && nowAt) {
        SpendAlert s = new SpendAlert(ids.newId(), a.userId(), a.periodStart(), kind, t, after, base, null, now);
        if (record(s)) out.add(s);
      }
    }
  }

  /** Records the alert (once per key) and, when alerts are delivered, its pending delivery: same transaction. */
  private boolean record(SpendAlert s) {
    if (!poolStores.alerts().insert(s)) return false;
    if (deliverAlerts) poolStores.alertDeliveries().enqueue(s.alertId(), s.createdAt());
    return true;
  }

  private void notifyListener(SpendAlert a) {
    try {
      listener.onAlert(a);
    } catch (RuntimeException e) {
      // a listener must not undo a committed charge; it is told again by nobody, so it must not fail
    }
  }

  // ------------------------------------------------------------------------------------------------ holds

  /**
   * Sets money aside for work priced afterwards. Concurrent reservations never together exceed what is available.
   * A replay of the same key returns the same hold.
   */
  public Hold reserve(String userId, long amountMicros, Duration ttl, String idempotencyKey, Attribution attribution) {
    if (amountMicros <= 0) throw GenRtlException.invalid("amount", "a hold must be positive");
    if (ttl.isNegative() || ttl.isZero()) throw GenRtlException.invalid("ttl", "a hold needs a positive lifetime");
    if (idempotencyKey == null || idempotencyKey.isBlank()) throw GenRtlException.invalid("idempotency_key", "a hold needs an idempotency key");
    Attribution attr = attribution == null ? Attribution.NONE : attribution;
    String fp = fingerprint("reserve", Long.toString(amountMicros), Long.toString(ttl.toMillis()), attr.toString());
    return tx(() -> {
      long now = clock.millis();
      if (!poolStores.idempotency().claim(userId, OP_RESERVE, idempotencyKey, fp, now)) {
        IdempotencyRecord rec = poolStores.idempotency().find(userId, OP_RESERVE, idempotencyKey).orElseThrow();
        if (!rec.fingerprint().equals(fp)) {
          throw new GenRtlException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "this idempotency key was used for a different request",
              Map.of("field", "idempotency_key"));
        }
        return poolStores.holds().find(rec.resultRef()).orElseThrow();
      }
      Context c = current(userId);
      if (!poolStores.accounts().reserve(userId, amountMicros, c.onDemandAllowed(), now)) throw notEnough(userId, c, amountMicros);
      Hold h = new Hold(ids.newId(), userId, amountMicros, HoldStatus.ACTIVE, now, now + ttl.toMillis(), idempotencyKey,
          attr, null, null);
      poolStores.holds().insert(h);
      poolStores.idempotency().complete(userId, OP_RESERVE, idempotencyKey, h.holdId(), null);
      return h;
    });
  }

  /**
   * What a settled hold pays for. {@code attribution}, when given, replaces the hold's on the ledger rows: a hold
   * placed for a whole job (no step yet) is settled by the step that used it.
   */
  public record Settlement(UsageKind kind, TokenUsage tokens, CbbPurchase cbb, String note, String callId,
      Attribution attribution) {
    public Settlement(UsageKind kind, TokenUsage tokens, CbbPurchase cbb, String note, String callId) {
      this(kind, tokens, cbb, note, callId, null);
    }

    public Settlement(UsageKind kind, TokenUsage tokens, CbbPurchase cbb, String note) {
      this(kind, tokens, cbb, note, null, null);
    }

    public static Settlement of(UsageKind kind) {
      return new Settlement(kind, null, null, null, null);
    }
  }

  /**
   * Charges the actual amount of a hold's work and frees the rest. The actual amount is charged in full even above
   * the hold (the provider has billed it); on-demand spend past the limit is flagged on the row and raises an
   * {@code overrun} alert. Settling again returns the first settlement; a hold that expired in the meantime is
   * still settled (its reservation was already freed).
   */
  public ChargeResult settle(String holdId, long actualMicros, Settlement what) {
    if (actualMicros < 0) throw GenRtlException.invalid("amount", "an actual amount must not be negative");
    List<SpendAlert> raised = new ArrayList<>();
    ChargeResult result = tx(() -> {
      long now = clock.millis();
      Hold h = poolStores.holds().find(holdId).orElseThrow(() -> GenRtlException.notFound("hold"));
      if (h.status() == HoldStatus.SETTLED) return settledResult(h);
      if (h.status() == HoldStatus.VOIDED) throw new GenRtlException(ErrorCode.HOLD_NOT_ACTIVE, "the hold was voided");
      String callId = what.callId() != null ? what.callId() : ids.newId();
      if (!poolStores.holds().transition(holdId, h.status(), HoldStatus.SETTLED, now, callId)) {
        // someone else settled or voided it between our read and this conditional update
        Hold again = poolStores.holds().find(holdId).orElseThrow();
        if (again.status() == HoldStatus.SETTLED) return settledResult(again);
        throw new GenRtlException(ErrorCode.HOLD_NOT_ACTIVE, "the hold is " + again.status().wire());
      }
      Context c = current(h.userId());
      long release = h.status() == HoldStatus.ACTIVE ? h.amountMicros() : 0;
      Debit d = poolStores.accounts().debit(h.userId(), actualMicros, c.onDemandAllowed(), release, false, now).orElseThrow();
      PoolAccount a = d.after();
      boolean overrun = d.fromOnDemand() > 0 && (!c.onDemandAllowed() || a.onDemandSpentMicros() > a.onDemandLimitMicros());
      List<LedgerEntry> rows = writeRows(h.userId(), a.tenantId(), now, what.kind(), d, callId,
          what.attribution() != null ? what.attribution() : h.attribution(), what.tokens(), what.cbb(), "hold:" + holdId,
          null, overrun, what.note());
      raised.addAll(thresholds(d, now, rows));
      return new ChargeResult(callId, rows, ChargeResult.Snapshot.of(a), false);
    });
    raised.forEach(this::notifyListener);
    if (!result.replayed()) telemetry.charged(what.kind(), result.totalMicros());
    return result;
  }

  private ChargeResult settledResult(Hold h) {
    List<LedgerEntry> rows = poolStores.ledger().findByCall(h.userId(), h.callId());
    PoolAccount a = poolStores.accounts().find(h.userId()).orElseThrow();
    return new ChargeResult(h.callId(), rows, ChargeResult.Snapshot.of(a), true);
  }

  public Optional<Hold> findHold(String holdId) {
    return poolStores.holds().find(holdId);
  }

  /** Frees a hold without charging. Voiding twice is fine; voiding a settled hold is a conflict. */
  public Hold voidHold(String holdId) {
    return tx(() -> {
      long now = clock.millis();
      Hold h = poolStores.holds().find(holdId).orElseThrow(() -> GenRtlException.notFound("hold"));
      switch (h.status()) {
        case VOIDED:
          return h;
        case SETTLED:
          throw new GenRtlException(ErrorCode.HOLD_NOT_ACTIVE, "the hold was already settled");
        case EXPIRED:
          poolStores.holds().transition(holdId, HoldStatus.EXPIRED, HoldStatus.VOIDED, now, null);
          return poolStores.holds().find(holdId).orElseThrow();
        default:
          if (poolStores.holds().transition(holdId, HoldStatus.ACTIVE, HoldStatus.VOIDED, now, null)) {
            poolStores.accounts().release(h.userId(), h.amountMicros(), now);
          }
          return poolStores.holds().find(holdId).orElseThrow();
      }
    });
  }

  /** Frees holds past their expiry; returns how many. Safe to run on several hosts at once. */
  public int sweepExpiredHolds() {
    int freed = 0;
    while (true) {
      List<Hold> due = poolStores.holds().expiredActive(clock.millis(), 100);
      if (due.isEmpty()) return freed;
      for (Hold h : due) {
        boolean done = tx(() -> {
          long now = clock.millis();
          if (!poolStores.holds().transition(h.holdId(), HoldStatus.ACTIVE, HoldStatus.EXPIRED, now, null)) return false;
          poolStores.accounts().release(h.userId(), h.amountMicros(), now);
          return true;
        });
        if (done) freed++;
      }
      if (due.size() < 100) return freed;
    }
  }

  /**
   * A provider-billed subscription (Stripe, Creem) was paid for [{@code periodStart}, {@code periodEnd}): the account
   * moves into that period (included set to the plan's amount, nothing rolled over, on-demand spend back to zero) and
   * the grant is recorded once per (subscription, period start), so a redelivered or concurrent event changes nothing.
   * An event for a period older than the subscription's current one changes nothing either (a first paid period may
   * start before the free period the account was in). Returns whether it granted.
   */
  public boolean grantPaidPeriod(String userId, String subscriptionId, long periodStart, long periodEnd) {
    if (periodEnd <= periodStart) throw GenRtlException.invalid("period", "the period must not be empty");
    return tx(() -> {
      long now = clock.millis();
      Context c = current(userId);
      Subscription sub = c.subscription().filter(s -> s.subscriptionId().equals(subscriptionId))
          .orElseThrow(() -> GenRtlException.notFound("subscription"));
      PoolAccount a = c.account();
      // stale: the subscription has already moved past this period (a late or redelivered event)
      if (periodStart < sub.periodStart()) return false;
      if (periodStart != a.periodStart()) {
        if (!poolStores.accounts().rollPeriod(userId, a.periodStart(), periodStart, periodEnd, 0, now)) return false;
      }
      if (periodStart > sub.periodStart()) {
        accountStores.subscriptions().updatePeriod(subscriptionId, sub.periodStart(), periodStart, periodEnd);
      }
      String source = "period:" + subscriptionId + ":" + periodStart;
      Plan plan = plans.find(sub.planId()).orElse(plans.free());
      Grant g = new Grant(ids.newId(), userId, Bucket.INCLUDED, plan.includedMicros(), periodStart, Grant.KIND_PERIOD, source,
          now, null, "included amount of plan " + plan.planId() + " (paid)");
      if (!poolStores.grants().insert(g)) return false;
      poolStores.accounts().credit(userId, Bucket.INCLUDED, plan.includedMicros(), true, now);
      return true;
    });
  }

  // ------------------------------------------------------------------------------------------------ grants, refunds

  /** Adds stackable credits once per source key (a payment id, an admin request). Returns whether it was new. */
  public boolean grantCredits(String userId, long amountMicros, String sourceKey, String kind, String actorUserId, String reason) {
    if (amountMicros <= 0) throw GenRtlException.invalid("amount", "a grant must be positive");
    return tx(() -> {
      long now = clock.millis();
      Context c = current(userId);
      Grant g = new Grant(ids.newId(), userId, Bucket.CREDITS, amountMicros, c.account().periodStart(), kind, sourceKey,
          now, actorUserId, reason);
      if (!poolStores.grants().insert(g)) return false;
      poolStores.accounts().credit(userId, Bucket.CREDITS, amountMicros, false, now);
      Map<String, Object> d = new java.util.LinkedHashMap<>();
      d.put("user_id", userId);
      d.put("amount_usd", Money.toUsd(amountMicros));
      d.put("kind", kind);
      d.put("source_key", sourceKey);
      if (actorUserId != null) d.put("admin_user_id", actorUserId);
      if (reason != null) d.put("reason", reason);
      audit.record(io.genrtl.core.audit.AuditActions.GRANT, "grant", g.grantId(), c.account().tenantId(), d);
      return true;
    });
  }

  /**
   * Refunds part or all of a ledger row with a refund row that references it. The money goes back to the row's
   * bucket when the row is from the current period (or is a credits row), otherwise to credits (an old period's
   * included amount is gone and its on-demand spend already invoiced). Never more than the row's cost in total.
   * A {@code cbb} row is refunded with what it bought: see {@link #refund(String, Long, String, String, String)}.
   */
  public ChargeResult refund(String entryId, long amountMicros, String idempotencyKey, String actorUserId, String reason) {
    return refund(entryId, Long.valueOf(amountMicros), idempotencyKey, actorUserId, reason);
  }

  /**
   * Refunds a ledger row; {@code amountMicros} null means its whole cost (refused if part was refunded). A {@code cbb} row stands for one
   * item of a receipt, whose price may have been taken from several buckets (one row each, one call id): its refund
   * is the whole item or nothing. Every row of the item gets a refund row for what is left of it, and the buyer's
   * ownership of the version (and so every delivery and download of it) is revoked in the same transaction; an
   * {@code amountMicros} other than what is left of the item is 422 {@code partial_refund_not_allowed}.
   */
  public ChargeResult refund(String entryId, Long amountMicros, String idempotencyKey, String actorUserId, String reason) {
    if (amountMicros != null && amountMicros <= 0) throw GenRtlException.invalid("amount", "a refund must be positive");
    LedgerEntry orig = poolStores.ledger().find(entryId).orElseThrow(() -> GenRtlException.notFound("ledger row"));
    if (orig.kind() == UsageKind.REFUND) throw GenRtlException.invalid("entry_id", "a refund row cannot be refunded");
    boolean item = orig.kind() == UsageKind.CBB && orig.cbb() != null;
    long requested = amountMicros != null ? amountMicros : orig.usdMicros();
    String fp = item ? fingerprint("refund", entryId, "item", String.valueOf(amountMicros))
        : fingerprint("refund", entryId, Long.toString(requested));
    return tx(() -> {
      long now = clock.millis();
      if (!poolStores.idempotency().claim(orig.userId(), OP_REFUND, idempotencyKey, fp, now)) {
        return replayCharge(orig.userId(), OP_REFUND, idempotencyKey, fp);
      }
      poolStores.accounts().lock(orig.userId()); // the account row first: refunds of one user are serialised
      Context c = current(orig.userId());
      List<LedgerEntry> rows = item ? itemRows(orig) : List.of(orig);
      Map<LedgerEntry, Long> amounts = new LinkedHashMap<>();
      if (item) {
        long left = 0;
        for (LedgerEntry r : rows) {
          long rest = r.usdMicros() - poolStores.ledger().refundedAgainst(r.entryId());
          if (rest > 0) amounts.put(r, rest);
          left += Math.max(0, rest);
        }
        if (left == 0) throw GenRtlException.invalid("entry_id", "this purchase was already refunded");
        if (amountMicros != null && amountMicros != left) {
          throw new GenRtlException(ErrorCode.PARTIAL_REFUND_NOT_ALLOWED, "a CBB purchase is refunded whole or not at all: "
              + orig.cbb().cbbId() + "@" + orig.cbb().version() + " has $" + Money.toUsd(left).toPlainString()
              + " left to refund (send no amount_usd)", Map.of("field", "amount_usd", "refundable_usd", Money.toUsd(left)));
        }
      } else {
        long refunded = poolStores.ledger().refundedAgainst(entryId);
        if (refunded + requested > orig.usdMicros()) {
          throw GenRtlException.invalid("amount", "refunds would exceed the row's cost of $" + Money.toUsd(orig.usdMicros()).toPlainString());
        }
        amounts.put(orig, requested);
      }
      String callId = ids.newId();
      List<LedgerEntry> written = new ArrayList<>();
      for (Map.Entry<LedgerEntry, Long> a : amounts.entrySet()) {
        LedgerEntry r = a.getKey();
        Bucket to = r.bucket() == Bucket.CREDITS || r.periodStart() == c.account().periodStart() ? r.bucket() : Bucket.CREDITS;
        poolStores.accounts().credit(r.userId(), to, a.getValue(), false, now);
        LedgerEntry row = new LedgerEntry(ids.newId(), r.userId(), r.tenantId(), now, UsageKind.REFUND, to, -a.getValue(),
            callId, c.account().periodStart(), r.attribution(), null, r.cbb(), idempotencyKey, r.entryId(), false, reason);
        poolStores.ledger().insert(row);
        written.add(row);
      }
      boolean revoked = item && itemRefunds.itemRefunded(orig.userId(), orig.cbb());
      PoolAccount after = poolStores.accounts().find(orig.userId()).orElseThrow();
      ChargeResult.Snapshot snap = ChargeResult.Snapshot.of(after);
      poolStores.idempotency().complete(orig.userId(), OP_REFUND, idempotencyKey, callId, snap.encode());
      for (LedgerEntry row : written) {
        Map<String, Object> d = new java.util.LinkedHashMap<>();
        d.put("user_id", orig.userId());
        d.put("refund_entry_id", row.entryId());
        d.put("amount_usd", Money.toUsd(-row.usdMicros()));
        d.put("bucket", row.bucket().wire());
        if (item) {
          d.put("cbb", orig.cbb().cbbId() + "@" + orig.cbb().version());
          d.put("receipt_id", orig.cbb().receiptId());
          d.put("ownership_revoked", revoked);
        }
        if (actorUserId != null) d.put("admin_user_id", actorUserId);
        if (reason != null) d.put("reason", reason);
        audit.record(io.genrtl.core.audit.AuditActions.REFUND, "ledger_entry", row.refundOf(), orig.tenantId(), d);
      }
      return new ChargeResult(callId, written, snap, false);
    });
  }

  /** The rows of the charge that bought one CBB item (same call id, same receipt and version), oldest first. */
  private List<LedgerEntry> itemRows(LedgerEntry orig) {
    List<LedgerEntry> rows = new ArrayList<>();
    for (LedgerEntry r : poolStores.ledger().findByCall(orig.userId(), orig.callId())) {
      if (r.kind() == UsageKind.CBB && r.cbb() != null && r.cbb().receiptId().equals(orig.cbb().receiptId())
          && r.cbb().cbbId().equals(orig.cbb().cbbId()) && r.cbb().version().equals(orig.cbb().version())) {
        rows.add(r);
      }
    }
    return rows;
  }

  // ------------------------------------------------------------------------------------------------ invariants

  /**
   * Checks, under the account's lock, that each balance equals grants minus usage plus refunds for its bucket
   * (included and on-demand per current period, credits over all time), that holds equal the active holds, and that
   * no balance is negative; and that the usage rollups equal a full scan of the user's ledger rows.
   */
  public LedgerCheck verify(String userId) {
    return tx(() -> {
      List<String> problems = new ArrayList<>();
      if (!poolStores.accounts().lock(userId)) return new LedgerCheck(userId, List.of("no pool account"));
      PoolAccount a = poolStores.accounts().find(userId).orElseThrow();
      Map<Bucket, Long> period = poolStores.ledger().sumByBucket(userId, a.periodStart());
      Map<Bucket, Long> all = poolStores.ledger().sumByBucket(userId, null);
      long incGrants = poolStores.grants().sum(userId, Bucket.INCLUDED, a.periodStart());
      long credGrants = poolStores.grants().sum(userId, Bucket.CREDITS, null);
      expect(problems, "included", a.includedMicros(), incGrants - period.getOrDefault(Bucket.INCLUDED, 0L));
      expect(problems, "included granted", a.includedGrantedMicros(), incGrants);
      expect(problems, "credits", a.creditsMicros(), credGrants - all.getOrDefault(Bucket.CREDITS, 0L));
      expect(problems, "on-demand spent", a.onDemandSpentMicros(), period.getOrDefault(Bucket.ON_DEMAND, 0L));
      expect(problems, "holds", a.holdsMicros(), poolStores.holds().activeSum(userId));
      if (a.includedMicros() < 0) problems.add("included is negative: " + a.includedMicros());
      if (a.creditsMicros() < 0) problems.add("credits is negative: " + a.creditsMicros());
      if (a.onDemandSpentMicros() < 0) problems.add("on-demand spent is negative: " + a.onDemandSpentMicros());
      if (a.holdsMicros() < 0) problems.add("holds are negative: " + a.holdsMicros());
      problems.addAll(poolStores.ledger().checkRollups(userId));
      return new LedgerCheck(userId, problems);
    });
  }

  /** {@link #verify} for every account. */
  public List<LedgerCheck> verifyAll() {
    List<LedgerCheck> out = new ArrayList<>();
    PageRequest page = PageRequest.first(PageRequest.MAX_LIMIT);
    while (true) {
      Page<PoolAccount> p = poolStores.accounts().list(page);
      for (PoolAccount a : p.items()) out.add(verify(a.userId()));
      if (p.nextAfter() == null) return out;
      page = new PageRequest(PageRequest.MAX_LIMIT, p.nextAfter());
    }
  }

  private static void expect(List<String> problems, String what, long actual, long expected) {
    if (actual != expected) problems.add(what + " is " + actual + " micro-USD but grants and ledger say " + expected);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private <T> T tx(Supplier<T> work) {
    return tx.inTransaction(work);
  }

  static String fingerprint(String... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        d.update(p.getBytes(StandardCharsets.UTF_8));
        d.update((byte) 0);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
