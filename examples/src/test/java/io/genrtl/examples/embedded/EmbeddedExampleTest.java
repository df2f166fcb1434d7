package io.genrtl.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedExampleTest {
  @TempDir Path dir;

  @Test
  void theExampleRunsAndPrintsWhatItDid() throws Exception {
    PrintStream old = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      EmbeddedExample.main(new String[] {dir.toString()});
    } finally {
      System.setOut(old);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("plan:       Pro").contains("workspace:  ").contains("uart-bringup");
    assertThat(printed).doesNotContain("grtl_");
    assertThat(dir.resolve("genrtl.db")).exists();
  }
}
