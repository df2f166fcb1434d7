package io.genrtl.toolrunner;

/**
 * How a run is isolated from the host. The level in force is reported in every {@link EvidenceBundle} and chosen
 * once when the {@link ToolRunner} is created; a level that does not work, or lets a run read a protected path, makes
 * the runner refuse every run ({@link ToolRunner#sandboxProblem()}). The tools never run as root at any level.
 */
public enum Isolation {
  /** {@link #BWRAP}, and nothing weaker: without a working bubblewrap every run is refused (never a silent fallback). */
  AUTO("auto"),
  /**
   * bubblewrap: new user, mount, PID, network, IPC and UTS namespaces ({@code --unshare-all}); only {@code /usr}
   * (read-only), a fresh {@code /tmp}, {@code /proc} and {@code /dev} are visible besides the run directory, which is the
   * only writable bind; the sandbox dies with the runner.
   */
  BWRAP("bwrap"),
  /**
   * Chosen explicitly, for trusted designs: {@code unshare} (util-linux) into new user, mount, PID, network, IPC and
   * UTS namespaces and a jail with bubblewrap's file view (tmpfs root, read-only {@code /usr}, the run directory at
   * {@code /sim}, {@code pivot_root}, every capability dropped). Weaker than bubblewrap in being our own script.
   */
  UNSHARE("unshare"),
  /**
   * Chosen explicitly, for trusted designs: no namespaces; the tools run as the runner's user (as the sandbox uid
   * when the runner is root) and see what that uid may see, the network included. Accepted only when the protected
   * paths are unreadable from a run.
   */
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
