package io.genrtl.app;

import io.genrtl.demo.Demo;
import java.util.List;

/** The main class of {@code target/genrtl.jar}: the host's command line ({@link io.genrtl.host.Main}) plus {@code demo}. */
public final class Main {
  static final List<io.genrtl.host.Main.Command> COMMANDS = List.of(Demo.COMMAND);

  private Main() {}

  public static void main(String[] args) {
    io.genrtl.host.Main.main(args, COMMANDS);
  }
}
