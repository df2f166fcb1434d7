package io.genrtl.core.pool;

import java.util.Objects;

/** Filters over one user's ledger; null fields do not filter. The range is [{@code from}, {@code to}). */
public record LedgerQuery(String userId, Long from, Long to, UsageKind kind, String jobId, String workspaceId) {
  public LedgerQuery {
    Objects.requireNonNull(userId, "userId");
  }

  public static LedgerQuery all(String userId) {
    return new LedgerQuery(userId, null, null, null, null, null);
  }
}
