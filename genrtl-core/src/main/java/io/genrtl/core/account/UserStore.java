package io.genrtl.core.account;

import io.genrtl.core.base.DuplicateKeyException;
import java.util.Optional;

public interface UserStore {
  /** Inserts a user; a taken email throws {@link DuplicateKeyException}. Emails are stored as given (lower-case). */
  void insert(User user);

  Optional<User> find(String userId);

  Optional<User> findByEmail(String email);

  long countByRole(Role role);

  /** Users ordered by id; only the tenant's when {@code tenantId} is not null. */
  io.genrtl.core.base.Page<User> list(String tenantId, io.genrtl.core.base.PageRequest page);

  /** Sets the user's role only if it is still {@code expected}; returns whether it changed. */
  boolean updateRole(String userId, Role expected, Role role);

  /** Disables the user (sets {@code disabled_at}) only if they are enabled; returns whether it changed. */
  boolean disable(String userId, long at);

  /** Enables the user (clears {@code disabled_at}) only if they are disabled; returns whether it changed. */
  boolean enable(String userId);
}
