package io.genrtl.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Best-effort removal of the host's temporary trees (package builds, tool-run inputs, the demo's directory). */
public final class Trees {
  private Trees() {}

  /** Deletes {@code root} and everything under it, children first; what cannot be deleted stays (temp dirs). */
  public static void delete(Path root) {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // best effort
        }
      });
    } catch (IOException ignored) {
      // best effort: the system's temporary directory is cleaned eventually
    }
  }
}
