package io.genrtl.core.jobs;

/** A job's lifecycle: queued → running → succeeded | failed | canceled. */
public enum JobStatus {
  QUEUED("queued"), RUNNING("running"), SUCCEEDED("succeeded"), FAILED("failed"), CANCELED("canceled");

  private final String wire;

  JobStatus(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELED;
  }

  public static JobStatus fromWire(String s) {
    for (JobStatus j : values()) if (j.wire.equals(s)) return j;
    throw new IllegalArgumentException("unknown job status: " + s);
  }
}
