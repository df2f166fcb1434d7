package io.genrtl.core.pool;

import java.util.List;
import java.util.Optional;

public interface HoldStore {
  void insert(Hold hold);

  Optional<Hold> find(String holdId);

  /** Moves a hold from {@code from} to {@code to} only if it is still in {@code from}; returns whether it moved. */
  boolean transition(String holdId, HoldStatus from, HoldStatus to, long at, String callId);

  /** Active holds whose expiry is at or before {@code now}, oldest first. */
  List<Hold> expiredActive(long now, int limit);

  long activeSum(String userId);
}
