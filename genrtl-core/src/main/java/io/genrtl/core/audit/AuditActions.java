package io.genrtl.core.audit;

import io.genrtl.core.account.AccountAudit;

/** The action names written to the audit log (stable: clients filter on them). */
public final class AuditActions {
  public static final String SIGN_IN = "auth.sign_in";
  public static final String KEY_CREATE = AccountAudit.KEY_CREATE;
  public static final String KEY_REVOKE = AccountAudit.KEY_REVOKE;
  public static final String ROLE_CHANGE = "user.role_change";
  public static final String GRANT = "pool.grant";
  public static final String REFUND = "pool.refund";
  public static final String SPEND_LIMIT = "pool.spend_limit";
  public static final String CBB_CHECKOUT = "cbb.checkout";
  public static final String BILLING_CHECKOUT = "billing.checkout";
  public static final String CBB_PUBLISH = "cbb.publish";
  public static final String CBB_YANK = "cbb.yank";
  public static final String SUBSCRIPTION_OVERRIDE = "subscription.override";
  public static final String JOB_RETRY = "job.retry";
  public static final String JOB_CANCEL = "job.cancel";
  /** A signed payment-provider webhook that could not be applied (no tenant: super admins see it). */
  public static final String WEBHOOK_REJECTED = "webhook.rejected";
  public static final String USER_DISABLE = AccountAudit.USER_DISABLE;
  public static final String USER_ENABLE = AccountAudit.USER_ENABLE;
  public static final String SPEND_BUDGET = "tenant.spend_budget";

  private AuditActions() {}
}
