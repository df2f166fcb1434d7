package io.genrtl.core.base;

/** Installation-wide markers, for things that must happen once even when several hosts start together. */
public interface MetaStore {
  /**
   * Records {@code name} once. Returns true for the one caller that recorded it; false for everyone after, even
   * when several callers race (a concurrent caller waits for the first one's transaction to end).
   */
  boolean claimOnce(String name, long at);

  /**
   * The installation-wide value stored under {@code name}, storing {@code candidate} first if there is none; every
   * host gets the same value (used for the download-signing key).
   */
  String getOrCreate(String name, String candidate, long at);
}
