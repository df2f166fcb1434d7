package io.genrtl.toolrunner;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs one sandboxed command: output (stdout and stderr merged) captured up to a cap, a wall-clock deadline, a
 * cancel check, and the whole process tree killed when any of them trips. CPU time comes from the shell wrapper's
 * {@code times} (the user and system time of everything the command ran and waited for), printed after a marker
 * line only the wrapper knows.
 */
final class Exec {
  enum Stop { NONE, WALL_CLOCK, OUTPUT, CANCELED, LIMIT }

  /**
   * @param limit with {@link Stop#LIMIT}: what the watch reported ({@code write_bytes}, {@code file_count}), else null
   */
  record Result(int exitCode, Stop stop, long durationMs, long cpuMs, boolean cpuMeasured, String output, long outputBytes,
      String limit) {}

  /** How often the watch (the run directory's size) is asked while a command runs. */
  static final long WATCH_EVERY_NANOS = 200_000_000L;

  private static final Pattern TIMES = Pattern.compile("(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s");

  private Exec() {}

  /**
   * @param argv the full command (sandbox wrapper, limits, {@code sh -c …}, the tool)
   * @param marker the line the wrapper prints before {@code times}
   * @param watch asked every {@link #WATCH_EVERY_NANOS} while the command runs (null: none); a non-null answer names a
   *     limit the command went past, and the command is killed
   */
  static Result run(List<String> argv, Path cwd, Map<String, String> env, Duration wall, long maxOutput,
      BooleanSupplier canceled, String marker, boolean groupLeader, Supplier<String> watch) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(argv).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    long start = System.nanoTime();
    Process p = pb.start();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    AtomicBoolean over = new AtomicBoolean();
    long[] total = {0};
    Thread reader = new Thread(() -> {
      byte[] buf = new byte[16 * 1024];
      try (InputStream in = p.getInputStream()) {
        int n;
        while ((n = in.read(buf)) >= 0) {
          synchronized (captured) {
            total[0] += n;
            int room = (int) Math.max(0, Math.min(n, maxOutput + 4096 - captured.size()));
            captured.write(buf, 0, room);
            if (total[0] > maxOutput + 4096) over.set(true);
          }
        }
      } catch (IOException e) {
        // the process was killed or the stream closed
      }
    }, "genrtl-toolrunner-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = start + wall.toNanos();
    Stop stop = Stop.NONE;
    long lastCancelCheck = System.nanoTime();
    long lastWatch = System.nanoTime();
    String limit = null;
    try {
      while (!p.waitFor(50, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (now >= deadline) {
          stop = Stop.WALL_CLOCK;
        } else if (over.get()) {
          stop = Stop.OUTPUT;
        } else if (watch != null && now - lastWatch > WATCH_EVERY_NANOS && (limit = watch.get()) != null) {
          stop = Stop.LIMIT;
        } else if (now - lastCancelCheck > 1_000_000_000L) {
          lastCancelCheck = now;
          if (canceled.getAsBoolean()) stop = Stop.CANCELED;
        }
        if (now - lastWatch > WATCH_EVERY_NANOS) lastWatch = now;
        if (stop != Stop.NONE) {
          killTree(p, groupLeader);
          break;
        }
      }
      p.waitFor(10, TimeUnit.SECONDS);
      reader.join(2_000);
    } catch (InterruptedException e) {
      killTree(p, groupLeader);
      Thread.currentThread().interrupt();
      stop = Stop.CANCELED;
    } finally {
      if (p.isAlive()) killTree(p, groupLeader);
      try {
        p.getInputStream().close();
      } catch (IOException ignored) {
        // closing a pipe of a dead process
      }
    }
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    if (stop == Stop.NONE && over.get()) stop = Stop.OUTPUT;
    int exit = p.isAlive() ? -1 : p.exitValue();
    String text;
    long bytes;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
      bytes = total[0];
    }
    long cpuMs = -1;
    int at = text.lastIndexOf("\n" + marker + "\n");
    if (at >= 0) {
      String tail = text.substring(at + marker.length() + 2);
      Matcher m = TIMES.matcher(tail);
      long ms = 0;
      int found = 0;
      while (m.find() && found < 2) {
        ms += seconds(m.group(1), m.group(2)) + seconds(m.group(3), m.group(4));
        found++;
      }
      if (found == 2) cpuMs = ms;
      text = text.substring(0, at);
      bytes = Math.max(0, bytes - (tail.length() + marker.length() + 2));
    }
    if (stop == Stop.OUTPUT && text.length() > maxOutput) text = text.substring(0, (int) maxOutput);
    return new Result(exit, stop, durationMs, cpuMs < 0 ? durationMs : cpuMs, cpuMs >= 0, text, bytes, limit);
  }

  private static long seconds(String minutes, String secs) {
    return Long.parseLong(minutes) * 60_000 + Math.round(Double.parseDouble(secs) * 1000);
  }

  /** Kills the process, its process group (the wrapper is a session leader) and every descendant still known. */
  static void killTree(Process p, boolean groupLeader) {
    List<ProcessHandle> all = new ArrayList<>();
    try {
      p.toHandle().descendants().forEach(all::add);
    } catch (RuntimeException ignored) {
      // the process list is best effort
    }
    if (groupLeader) try {
      new ProcessBuilder("kill", "-KILL", "--", "-" + p.pid()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(5, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException ignored) {
      // no kill(1): the handles below still go
    }
    p.destroyForcibly();
    for (ProcessHandle h : all) h.destroyForcibly();
  }
}
