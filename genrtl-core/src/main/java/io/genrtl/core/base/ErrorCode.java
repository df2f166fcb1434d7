package io.genrtl.core.base;

/**
 * Stable machine codes for every failure a client can see. The {@link Category} tells a host which transport
 * status to use; the code string never changes once published (listed in {@code docs/errors.md}).
 */
public enum ErrorCode {
  VALIDATION_FAILED("validation_failed", Category.INVALID_REQUEST),
  MALFORMED_JSON("malformed_json", Category.INVALID_REQUEST),
  UNAUTHENTICATED("unauthenticated", Category.UNAUTHENTICATED),
  FORBIDDEN("forbidden", Category.FORBIDDEN),
  NOT_FOUND("not_found", Category.NOT_FOUND),
  CONFLICT("conflict", Category.CONFLICT),
  EMAIL_TAKEN("email_taken", Category.CONFLICT),
  SIGN_IN_FAILED("sign_in_failed", Category.UNAUTHENTICATED),
  EMAIL_NOT_VERIFIED("email_not_verified", Category.FORBIDDEN),
  PAYLOAD_TOO_LARGE("payload_too_large", Category.TOO_LARGE),
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", Category.UNSUPPORTED_MEDIA_TYPE),
  METHOD_NOT_ALLOWED("method_not_allowed", Category.METHOD_NOT_ALLOWED),
  UNPROCESSABLE("unprocessable", Category.UNPROCESSABLE),
  INSUFFICIENT_FUNDS("insufficient_funds", Category.PAYMENT_REQUIRED),
  SPEND_LIMIT_REACHED("spend_limit_reached", Category.PAYMENT_REQUIRED),
  SPEND_LIMIT_ABOVE_PLAN_MAXIMUM("spend_limit_above_plan_maximum", Category.UNPROCESSABLE),
  IDEMPOTENCY_KEY_REUSED("idempotency_key_reused", Category.UNPROCESSABLE),
  HOLD_NOT_ACTIVE("hold_not_active", Category.CONFLICT),
  SUBSCRIPTION_EXISTS("subscription_exists", Category.CONFLICT),
  IDEMPOTENCY_IN_FLIGHT("idempotency_in_flight", Category.CONFLICT),
  INVALID_PACKAGE("invalid_package", Category.UNPROCESSABLE),
  INVALID_SIGNATURE("invalid_signature", Category.INVALID_REQUEST),
  MODEL_NOT_ALLOWED("model_not_allowed", Category.UNPROCESSABLE),
  INVALID_MODEL_OUTPUT("invalid_model_output", Category.UNPROCESSABLE),
  PATCH_POLICY_VIOLATION("patch_policy_violation", Category.UNPROCESSABLE),
  RATE_LIMITED("rate_limited", Category.TOO_MANY_REQUESTS),
  TOO_MANY_JOBS("too_many_jobs", Category.TOO_MANY_REQUESTS),
  PROVIDER_UNAVAILABLE("provider_unavailable", Category.UNAVAILABLE),
  UNAVAILABLE("unavailable", Category.UNAVAILABLE),
  // money rules and disabled users (security review H1 and its low findings)
  ACCOUNT_DISABLED("account_disabled", Category.UNAUTHENTICATED),
  SPEND_LIMIT_ABOVE_TENANT_BUDGET("spend_limit_above_tenant_budget", Category.UNPROCESSABLE),
  PARTIAL_REFUND_NOT_ALLOWED("partial_refund_not_allowed", Category.UNPROCESSABLE),
  PURCHASE_REFUNDED("purchase_refunded", Category.FORBIDDEN),
  /** Tool runs are refused on this host: its sandbox (bubblewrap, or the weaker level an operator chose) cannot contain them. */
  TOOL_SANDBOX_UNAVAILABLE("tool_sandbox_unavailable", Category.UNAVAILABLE),
  INTERNAL("internal_error", Category.INTERNAL);

  /** Transport-neutral failure classes. */
  public enum Category {
    INVALID_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE,
    METHOD_NOT_ALLOWED, UNPROCESSABLE, PAYMENT_REQUIRED, TOO_MANY_REQUESTS, UNAVAILABLE, INTERNAL
  }

  private final String code;
  private final Category category;

  ErrorCode(String code, Category category) {
    this.code = code;
    this.category = category;
  }

  public String code() {
    return code;
  }

  public Category category() {
    return category;
  }
}
