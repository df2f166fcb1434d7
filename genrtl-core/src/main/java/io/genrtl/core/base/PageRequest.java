package io.genrtl.core.base;

/**
 * Keyset pagination: at most {@code limit} rows whose key sorts after {@code after} (null: from the start).
 * Keys are the objects' ids, which are time-ordered ULIDs.
 */
public record PageRequest(int limit, String after) {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 200;

  public PageRequest {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw GenRtlException.invalid("limit", "limit must be between 1 and " + MAX_LIMIT);
    }
  }

  public static PageRequest first(int limit) {
    return new PageRequest(limit, null);
  }

  public static PageRequest firstDefault() {
    return new PageRequest(DEFAULT_LIMIT, null);
  }
}
