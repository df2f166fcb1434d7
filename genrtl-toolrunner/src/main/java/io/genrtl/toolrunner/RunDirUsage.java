package io.genrtl.toolrunner;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** What a run directory holds (bytes of its regular files, and its entries), and whether a run wrote past its limits. */
final class RunDirUsage {
  record Usage(long bytes, long entries) {}

  private RunDirUsage() {}

  /** Walks {@code dir} without following links; entries that cannot be read are skipped. */
  static Usage measure(Path dir) {
    long[] t = {0, 0};
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
          if (!d.equals(dir)) t[1]++;
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
          t[1]++;
          if (a.isRegularFile()) t[0] += a.size();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path f, IOException e) {
          t[1]++;
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // a vanished directory: what was counted stands
    }
    return new Usage(t[0], t[1]);
  }

  /** {@code write_bytes} or {@code file_count} when the run added more than {@code limits} allow since {@code baseline}. */
  static String over(Path dir, Usage baseline, ToolRunner.WriteLimits limits) {
    Usage now = measure(dir);
    if (now.bytes() - baseline.bytes() > limits.bytes()) return "write_bytes";
    if (now.entries() - baseline.entries() > limits.files()) return "file_count";
    return null;
  }
}
