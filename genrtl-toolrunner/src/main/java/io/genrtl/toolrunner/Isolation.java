package io.genrtl.toolrunner;

/**
 * How a run is isolated from the host. The level in force is reported in every {@link EvidenceBundle} and chosen
 * once when the {@link ToolRunner} is created ({@link #AUTO}: the best one that works on this machine).
 */
public enum Isolation {
  /** Pick BWRAP if it works here, else UNSHARE, else NONE (with a logged warning). */
  AUTO("auto"),
  /**
   * bubblewrap: new user, mount, PID, network, IPC and UTS namespaces ({@code --unshare-all}); only {@code /usr}
   * (read-only), a fresh {@code /tmp}, {@code /proc} and {@code /dev} are visible besides the run directory, which is the
   * only writable bind; the sandbox dies with the runner.
   */
  BWRAP("bwrap"),
  /**
   * {@code unshare -rn}: a new user and network namespace only (no network), the host's file system otherwise
   * visible with the runner's permissions. Weaker: it relies on the source pre-scan for file access.
   */
  UNSHARE("unshare"),
  /** No isolation: the tools run as the runner's user; only the pre-scan and the resource limits apply. */
  NONE("none");

  private final String wire;

  Isolation(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static java.util.Optional<Isolation> parse(String s) {
    for (Isolation v : values()) if (v.wire.equals(s)) return java.util.Optional.of(v);
    return java.util.Optional.empty();
  }
}
