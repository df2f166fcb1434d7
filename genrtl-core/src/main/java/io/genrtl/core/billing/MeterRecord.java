package io.genrtl.core.billing;

import java.util.Objects;

/**
 * One on-demand ledger row waiting to be (or already) reported to the provider's usage meter: the meter outbox. It is
 * written in the same transaction as its ledger row. {@code identifier} is derived from the ledger row id alone, so a
 * resend after a crash carries the same identifier and the provider (Stripe dedupes on it) counts it once.
 * {@code usdMicros} is the value reported (the meter counts micro-USD). {@code nextAttemptAt} is when the row may be
 * tried next (a claim pushes it out by a lease; a failure by the backoff).
 */
public record MeterRecord(
    String entryId,
    String identifier,
    String userId,
    String customerId,
    long usdMicros,
    long timestamp,
    Status status,
    int attempts,
    long nextAttemptAt,
    Long reportedAt,
    String lastError) {

  /** {@code pending} until sent ({@code reported}) or found to have nobody to bill at the provider ({@code skipped}). */
  public enum Status {
    PENDING("pending"), REPORTED("reported"), SKIPPED("skipped");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Status fromWire(String s) {
      for (Status x : values()) if (x.wire.equals(s)) return x;
      throw new IllegalArgumentException("unknown meter status: " + s);
    }
  }

  public static final String IDENTIFIER_PREFIX = "genrtl-od-";

  public MeterRecord {
    Objects.requireNonNull(entryId, "entryId");
    Objects.requireNonNull(identifier, "identifier");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(status, "status");
  }

  /** The meter identifier of a ledger row: a pure function of its id. */
  public static String identifierFor(String entryId) {
    return IDENTIFIER_PREFIX + entryId;
  }

  /** A new outbox row for an on-demand ledger row, due at once. */
  public static MeterRecord pending(String entryId, String userId, String customerId, long usdMicros, long timestamp) {
    return new MeterRecord(entryId, identifierFor(entryId), userId, customerId, usdMicros, timestamp, Status.PENDING, 0,
        timestamp, null, null);
  }
}
