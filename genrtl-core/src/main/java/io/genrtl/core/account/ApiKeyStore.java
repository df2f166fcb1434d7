package io.genrtl.core.account;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.Optional;

public interface ApiKeyStore {
  void insert(ApiKey key);

  Optional<ApiKey> find(String keyId);

  /** A user's keys, revoked ones included, ordered by id. */
  Page<ApiKey> listForUser(String userId, PageRequest page);

  /** Marks the key revoked at {@code at}; returns false if it does not exist or was already revoked. */
  boolean revoke(String keyId, long at);

  /**
   * Sets {@code last_used_at = now} only if it is unset or at most {@code now - minIntervalMillis}: one conditional
   * write, so busy keys are written at most once per interval. Returns whether a row changed.
   */
  boolean touchLastUsed(String keyId, long now, long minIntervalMillis);
}
