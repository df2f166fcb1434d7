package io.genrtl.client;

import java.time.Duration;

/** Waits between retries and polls; tests inject one that takes no real time. */
@FunctionalInterface
public interface Sleeper {
  void sleep(Duration duration) throws InterruptedException;

  /** {@link Thread#sleep}. */
  static Sleeper system() {
    return d -> Thread.sleep(Math.max(0, d.toMillis()));
  }
}
