package io.genrtl.core.account;

import java.util.Optional;

/** The result of creating a user: the user, their tenant and, for a paid plan, the manual subscription. */
public record CreatedUser(User user, Tenant tenant, Optional<Subscription> subscription) {}
