package io.genrtl.core.account;

import java.util.Optional;

/**
 * Told of each user {@link AccountService#createUser} creates, inside the creating transaction (the pool opens the
 * user's account; {@code GenRtl} wires {@link io.genrtl.core.pool.PoolService#openAccount}).
 */
@FunctionalInterface
public interface NewUserListener {
  void userCreated(User user, Optional<Subscription> subscription);
}
