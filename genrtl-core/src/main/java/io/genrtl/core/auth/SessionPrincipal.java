package io.genrtl.core.auth;

import io.genrtl.core.account.Principal;

/** A caller authenticated by a session access token: the principal (no key id) and the session it came from. */
public record SessionPrincipal(Principal principal, String sessionId) {}
