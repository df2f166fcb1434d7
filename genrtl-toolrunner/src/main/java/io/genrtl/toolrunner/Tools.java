package io.genrtl.toolrunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Finding programs on the PATH and asking them their version. */
final class Tools {
  private Tools() {}

  /** The absolute path of {@code name} on the runner's PATH (then the sandbox's), or null. */
  static String find(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":" + Sandbox.PATH + ":/usr/sbin:/sbin";
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) continue;
      Path p = Path.of(dir, name);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toString();
    }
    return null;
  }

  /** The first line {@code argv} prints (within 20 s), or null. */
  static String firstLine(String... argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readNBytes(4096);
      }
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String s = new String(out, StandardCharsets.UTF_8).strip();
      int nl = s.indexOf('\n');
      return nl < 0 ? s : s.substring(0, nl).strip();
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
