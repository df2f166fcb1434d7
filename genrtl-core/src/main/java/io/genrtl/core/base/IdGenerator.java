package io.genrtl.core.base;

import java.time.Clock;

/** Creates object ids. The default makes monotonic ULIDs: 26 alphanumeric characters that sort by time. */
public interface IdGenerator {
  String newId();

  static IdGenerator ulid(Clock clock) {
    return Ulid.generator(clock);
  }
}
