package io.genrtl.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The app jar's command line is the host's plus {@code demo}: listed in the help, and its arguments checked. */
class MainTest {
  record Cli(int code, String out, String err) {}

  private static Cli run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = io.genrtl.host.Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), Main.COMMANDS);
    return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheHostsCommandsAndTheDemoBeforeHelp() {
    Cli cli = run("help");
    assertThat(cli.code()).isZero();
    assertThat(cli.out()).contains("  serve ", "  migrate ", "  cbb publish FILE", "  demo [--keep] ", "  help ");
    assertThat(cli.out().indexOf("cbb publish")).isLessThan(cli.out().indexOf("demo [--keep]"))
        .isLessThan(cli.out().indexOf("  help "));
  }

  @Test
  void demoWithABadArgumentIsAUsageErrorAndStartsNothing() {
    Cli cli = run("demo", "--nope");
    assertThat(cli.code()).isEqualTo(2);
    assertThat(cli.err()).contains("unexpected argument: --nope").contains("demo [--keep]");
  }

  @Test
  void withoutTheAppTheHostAloneHasNoDemo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = io.genrtl.host.Main.run(new String[] {"demo"}, Map.of(), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8), java.util.List.of());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command: demo").doesNotContain("demo [--keep]");
  }
}
