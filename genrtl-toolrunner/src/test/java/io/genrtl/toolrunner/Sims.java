package io.genrtl.toolrunner;

import org.junit.jupiter.api.Assumptions;

/**
 * Simulator presence for tests: a missing simulator skips the test with a message, unless
 * {@code GENRTL_REQUIRE_SIMULATORS=1} (CI) makes it a failure.
 */
public final class Sims {
  private Sims() {}

  public static boolean env(String name) {
    String v = System.getenv(name);
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  public static void require(Simulator sim) {
    if (ToolRunner.available(sim)) return;
    String msg = sim.wire() + " is not installed (apt-get install " + sim.wire() + ")";
    if (env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(msg + " and GENRTL_REQUIRE_SIMULATORS=1");
    System.err.println("*** skipped: " + msg + " ***");
    Assumptions.abort(msg);
  }

  /** bubblewrap must work for the containment tests; CI installs it, elsewhere they skip. */
  public static void requireBwrap(ToolRunner runner) {
    if (runner.isolation() == Isolation.BWRAP && runner.sandboxProblem().isEmpty()) return;
    String msg = "bubblewrap is not usable here (" + runner.sandboxProblem().orElse("isolation " + runner.isolation().wire()) + ")";
    if (env("GENRTL_REQUIRE_SIMULATORS")) throw new AssertionError(msg + " and GENRTL_REQUIRE_SIMULATORS=1");
    System.err.println("*** skipped: " + msg + " ***");
    Assumptions.abort(msg);
  }

  /**
   * A test's temporary directory with search permission for others (mode 0711), returned: when the tests run as root,
   * the tools run as the sandbox uid, which must reach the run directories inside it (JUnit makes them 0700).
   */
  public static java.nio.file.Path reachable(java.nio.file.Path dir) {
    try {
      java.nio.file.Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return dir;
  }

  /** Verilator's {@code -j}: {@code VERILATOR_JOBS} (CI sets it), else 1. */
  public static int verilatorJobs() {
    String v = System.getenv("VERILATOR_JOBS");
    try {
      return v == null ? 1 : Math.max(1, Integer.parseInt(v.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
