package io.genrtl.core.pool;

/** The outcome of one conditional debit: how much each bucket gave, and the account after it. */
public record Debit(long fromIncluded, long fromCredits, long fromOnDemand, PoolAccount after) {
  public long total() {
    return fromIncluded + fromCredits + fromOnDemand;
  }
}
