package io.genrtl.llm.http;

import java.time.Duration;

/** Waits between attempts. Injected so that tests record the waits instead of taking them. */
@FunctionalInterface
public interface Sleeper {
  /** {@link Thread#sleep(long)} for the given duration. */
  Sleeper SYSTEM = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
