package io.genrtl.host.http;

import io.genrtl.core.base.GenRtlException;
import io.javalin.http.Context;

/** Optional query parameters as the listing routes read them: short text, and times as RFC 3339 or plain UTC dates. */
final class QueryParams {
  private QueryParams() {}

  /** The parameter, or null when absent or empty; 400 when longer than 100 characters. */
  static String text(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return null;
    if (v.length() > 100) throw GenRtlException.invalid(name, name + " is too long");
    return v;
  }

  /**
   * Epoch milliseconds of an RFC 3339 timestamp or of a date's UTC midnight; null when absent; 400 otherwise, also for
   * a time outside {@link Times#RANGE}.
   */
  static Long time(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null || v.isEmpty()) return null;
    return Times.timestampOrDate(name, v).toEpochMilli();
  }
}
