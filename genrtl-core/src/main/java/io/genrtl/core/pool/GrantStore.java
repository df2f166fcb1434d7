package io.genrtl.core.pool;

import java.util.List;

public interface GrantStore {
  /** Records the grant unless one with the same (user, source key) exists; returns whether it was recorded. */
  boolean insert(Grant grant);

  /** Sum of grants to a bucket; only grants of {@code periodStart} unless it is null. */
  long sum(String userId, Bucket bucket, Long periodStart);

  List<Grant> listForUser(String userId);
}
