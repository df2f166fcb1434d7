package io.genrtl.core.pool;

/** Told of each spend alert after the transaction that raised it commits. Must not throw; must be quick. */
@FunctionalInterface
public interface SpendAlertListener {
  SpendAlertListener NONE = alert -> {};

  void onAlert(SpendAlert alert);
}
