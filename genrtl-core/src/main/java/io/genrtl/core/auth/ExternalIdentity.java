package io.genrtl.core.auth;

import java.util.Objects;

/**
 * Who an identity provider says signed in: the provider's name ({@code google}, {@code github}, {@code jwt:auth0}),
 * its stable subject id, and the email with whether the provider verified it. Only a verified email creates a user
 * or joins an existing one.
 */
public record ExternalIdentity(String provider, String subject, String email, boolean emailVerified) {
  public ExternalIdentity {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(subject, "subject");
  }
}
