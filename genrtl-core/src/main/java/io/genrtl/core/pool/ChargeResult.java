package io.genrtl.core.pool;

import java.util.List;

/** The ledger rows one charge wrote (one per bucket used) and the balances right after it. */
public record ChargeResult(String callId, List<LedgerEntry> entries, Snapshot after, boolean replayed) {
  public ChargeResult {
    entries = List.copyOf(entries);
  }

  public long totalMicros() {
    return entries.stream().mapToLong(LedgerEntry::usdMicros).sum();
  }

  /** Balances after the charge. */
  public record Snapshot(long includedMicros, long creditsMicros, long onDemandSpentMicros, long onDemandLimitMicros) {
    /** A compact text form for idempotency records ({@link #decode} reads it back). */
    public String encode() {
      return includedMicros + "," + creditsMicros + "," + onDemandSpentMicros + "," + onDemandLimitMicros;
    }

    public static Snapshot decode(String s) {
      String[] p = s.split(",");
      return new Snapshot(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
    }

    public static Snapshot of(PoolAccount a) {
      return new Snapshot(a.includedMicros(), a.creditsMicros(), a.onDemandSpentMicros(), a.onDemandLimitMicros());
    }
  }
}
