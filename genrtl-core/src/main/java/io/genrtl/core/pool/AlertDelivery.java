package io.genrtl.core.pool;

import java.util.Objects;

/**
 * The delivery state of one spend alert to the alert webhook (table {@code alert_deliveries}), written in the alert's
 * transaction when the library is built to deliver alerts ({@code GenRtl.Builder.deliverAlerts}). {@code pending}
 * until a deliverer got a 2xx ({@code delivered}) or gave up ({@code failed}). A claim counts the attempt, names its
 * {@code leaseOwner} and moves {@code nextAttemptAt} to {@code leaseUntil}, so nobody else takes it until the lease
 * ends; a deliverer that dies holding it leaves it to be claimed again after that (delivery is at least once).
 * {@code finishedAt} is when it was delivered or given up.
 */
public record AlertDelivery(
    SpendAlert alert,
    Status status,
    int attempts,
    long nextAttemptAt,
    String leaseOwner,
    Long leaseUntil,
    String lastError,
    Long finishedAt,
    long createdAt) {

  public enum Status {
    PENDING("pending"), DELIVERED("delivered"), FAILED("failed");

    private final String wire;

    Status(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Status fromWire(String s) {
      for (Status x : values()) if (x.wire.equals(s)) return x;
      throw new IllegalArgumentException("unknown alert delivery status: " + s);
    }
  }

  public AlertDelivery {
    Objects.requireNonNull(alert, "alert");
    Objects.requireNonNull(status, "status");
  }

  public String alertId() {
    return alert.alertId();
  }
}
