package io.genrtl.host.http;

import io.genrtl.auth.oidc.ExternalJwtAuthenticator;
import io.genrtl.auth.oidc.OAuthProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The sign-in providers the host offers (by name) and the external JWT issuers it trusts; either may be empty. */
public final class SignInProviders {
  private final Map<String, OAuthProvider> providers = new LinkedHashMap<>();
  private final ExternalJwtAuthenticator jwt;

  public SignInProviders(List<OAuthProvider> providers, ExternalJwtAuthenticator jwt) {
    for (OAuthProvider p : providers) this.providers.put(p.name(), p);
    this.jwt = jwt;
  }

  public static SignInProviders none() {
    return new SignInProviders(List.of(), null);
  }

  Optional<OAuthProvider> find(String name) {
    return Optional.ofNullable(providers.get(name));
  }

  List<String> names() {
    return List.copyOf(providers.keySet());
  }

  Optional<ExternalJwtAuthenticator> jwt() {
    return jwt == null || jwt.isEmpty() ? Optional.empty() : Optional.of(jwt);
  }
}
