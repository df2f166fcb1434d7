package io.genrtl.core.pool;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;

public interface AlertStore {
  /** Records the alert unless one with the same key exists for the user; returns whether it was recorded. */
  boolean insert(SpendAlert alert);

  /** Newest first. */
  Page<SpendAlert> list(String userId, PageRequest page);
}
