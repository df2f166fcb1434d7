package io.genrtl.core.account;

import java.util.Objects;

/**
 * A person (or service account) who calls the API. Email is stored lower-cased and is unique. {@code disabledAt} is
 * set while an admin has disabled the user: their keys and sessions are refused and they cannot sign in.
 */
public record User(String userId, String tenantId, String email, Role role, long createdAt, Long disabledAt) {
  public User {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(role, "role");
  }

  /** An enabled user. */
  public User(String userId, String tenantId, String email, Role role, long createdAt) {
    this(userId, tenantId, email, role, createdAt, null);
  }

  public boolean disabled() {
    return disabledAt != null;
  }

  public User withRole(Role newRole) {
    return new User(userId, tenantId, email, newRole, createdAt, disabledAt);
  }

  public User withDisabledAt(Long at) {
    return new User(userId, tenantId, email, role, createdAt, at);
  }
}
