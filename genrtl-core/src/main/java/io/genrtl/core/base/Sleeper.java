package io.genrtl.core.base;

import java.time.Duration;

/** Waits; injected wherever a service backs off, so tests never really wait. */
@FunctionalInterface
public interface Sleeper {
  /** Sleeps with {@link Thread#sleep}. */
  Sleeper REAL = d -> Thread.sleep(Math.max(0, d.toMillis()));

  void sleep(Duration duration) throws InterruptedException;
}
