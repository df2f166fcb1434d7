package io.genrtl.host;

import java.io.PrintStream;
import java.util.Map;

/** {@link Main#run} for tests in other packages (the demo's). */
public final class MainAccess {
  private MainAccess() {}

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return Main.run(args, env, out, err);
  }
}
