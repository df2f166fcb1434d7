package io.genrtl.cbb.pkg;

import io.genrtl.core.cbb.PackageLimits;

/**
 * The caps of one inspection, checked as bytes come out of the decompressor (never from what headers claim) and
 * also, to refuse early, against what headers claim. Unpacked bytes are the decompressor's output: for a zip the
 * entries' data, for a tar.gz the whole tar stream (512-byte headers and padding included).
 */
final class Budget {
  /** The ratio cap only applies past this many unpacked bytes: a tiny tar.gz is mostly tar padding. */
  static final long RATIO_FLOOR = 1L << 20;

  private final PackageLimits limits;
  private final long packedBytes;
  private final long ratioCap;
  private int entries;
  private long unpacked;

  Budget(PackageLimits limits, long packedBytes) {
    this.limits = limits;
    this.packedBytes = packedBytes;
    long cap = multiplyCapped(limits.maxCompressionRatio(), Math.max(packedBytes, 1));
    this.ratioCap = Math.max(cap, RATIO_FLOOR);
  }

  /** Counts one more entry (directories included; tar's own PAX and long-name headers are not entries). */
  void entry(String name) {
    if (++entries > limits.maxEntries()) {
      throw Reasons.reject(Reasons.TOO_MANY_ENTRIES, name, "the archive has more than " + limits.maxEntries()
          + " entries");
    }
  }

  /** Entries counted in advance (a zip's central directory says how many there are). */
  void expectEntries(long count) {
    if (count > limits.maxEntries()) {
      throw Reasons.reject(Reasons.TOO_MANY_ENTRIES, null, "the archive has " + count + " entries, more than "
          + limits.maxEntries());
    }
  }

  /** Refuses when {@code unpackedTotal} bytes (a total that headers announce) would break a cap. */
  void expect(String name, long unpackedTotal) {
    check(name, unpackedTotal, "would unpack to");
  }

  /** Counts {@code n} bytes that just came out of the decompressor. */
  void consume(String name, long n) {
    unpacked += n;
    check(name, unpacked, "unpacks to more than");
  }

  private void check(String name, long total, String verb) {
    if (total < 0 || total > limits.maxUnpackedBytes()) {
      throw Reasons.reject(Reasons.TOO_LARGE, name, "the archive " + verb + " " + limits.maxUnpackedBytes()
          + " bytes (the cap)");
    }
    if (total > ratioCap) {
      throw Reasons.reject(Reasons.COMPRESSION_RATIO, name, "the archive " + verb + " " + ratioCap
          + " bytes, more than " + limits.maxCompressionRatio() + " times its " + packedBytes + " packed bytes");
    }
  }

  int entries() {
    return entries;
  }

  long unpacked() {
    return unpacked;
  }

  PackageLimits limits() {
    return limits;
  }

  private static long multiplyCapped(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
  }
}
