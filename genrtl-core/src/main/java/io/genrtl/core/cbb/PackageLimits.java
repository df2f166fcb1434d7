package io.genrtl.core.cbb;

/**
 * Caps applied while inspecting an archive, before anything is stored: entry count, total unpacked size, and the
 * ratio of unpacked to packed size (zip bombs).
 */
public record PackageLimits(int maxEntries, long maxUnpackedBytes, long maxCompressionRatio) {
  public static final PackageLimits DEFAULTS = new PackageLimits(10_000, 256L << 20, 100);

  public PackageLimits {
    if (maxEntries < 1 || maxUnpackedBytes < 1 || maxCompressionRatio < 1) throw new IllegalArgumentException("limits must be positive");
  }
}
