package io.genrtl.core.auth;

import java.util.Objects;

/** A stored link from (provider, subject) to a user; unique per (provider, subject). */
public record Identity(String provider, String subject, String userId, String email, long createdAt) {
  public Identity {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(userId, "userId");
  }
}
