package io.genrtl.core.base;

import java.security.SecureRandom;
import java.time.Clock;

/**
 * Monotonic ULIDs (Crockford base32, 26 characters): 48 bits of epoch milliseconds, then 80 random bits that are
 * incremented instead of redrawn within the same millisecond, so ids made by one generator always increase.
 * Not API.
 */
final class Ulid implements IdGenerator {
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Clock clock;
  private long lastMillis = -1;
  private long randHi; // 16 bits
  private long randLo; // 64 bits

  private Ulid(Clock clock) {
    this.clock = clock;
  }

  static IdGenerator generator(Clock clock) {
    return new Ulid(clock);
  }

  @Override
  public synchronized String newId() {
    long now = clock.millis();
    if (now > lastMillis) {
      lastMillis = now;
      randHi = RANDOM.nextInt(1 << 16);
      randLo = RANDOM.nextLong();
    } else {
      // same (or an earlier) millisecond: keep the last timestamp and increment the 80-bit random part
      randLo++;
      if (randLo == 0) {
        randHi = (randHi + 1) & 0xFFFF;
        if (randHi == 0) lastMillis++; // overflow: borrow the next millisecond
      }
    }
    return encode(lastMillis, randHi, randLo);
  }

  static String encode(long millis, long hi16, long lo64) {
    char[] out = new char[26];
    // 10 chars of time (50 bits, top 2 always zero for 48-bit time)
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    // 16 chars of randomness = 80 bits: hi16 then lo64
    long lo = lo64;
    long hi = hi16;
    for (int i = 25; i >= 10; i--) {
      out[i] = ALPHABET[(int) (lo & 31)];
      lo = (lo >>> 5) | ((hi & 31) << 59);
      hi >>>= 5;
    }
    return new String(out);
  }
}
