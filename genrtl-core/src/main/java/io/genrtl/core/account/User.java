package io.genrtl.core.account;

import java.util.Objects;

/** A person (or service account) who calls the API. Email is stored lower-cased and is unique. */
public record User(String userId, String tenantId, String email, Role role, long createdAt) {
  public User {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(email, "email");
    Objects.requireNonNull(role, "role");
  }
}
