package io.genrtl.core.account;

import java.util.Objects;

/**
 * A request to create a user. {@code tenantName} null: a personal tenant named after the email. {@code planId}
 * null or {@code free}: no subscription. A paid plan starts a {@code manual} subscription that renews monthly.
 */
public record NewUser(String email, String tenantName, Role role, String planId) {
  public NewUser {
    Objects.requireNonNull(role, "role");
  }

  public static NewUser of(String email) {
    return new NewUser(email, null, Role.USER, null);
  }
}
