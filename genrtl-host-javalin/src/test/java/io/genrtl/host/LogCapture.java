package io.genrtl.host;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Everything logged while installed: System.out and System.err (slf4j-simple writes there, looking the stream up at
 * each write) teed, and java.util.logging records (the core's JobRunner) formatted with their stack traces.
 */
final class LogCapture implements AutoCloseable {
  private final PrintStream out = System.out;
  private final PrintStream err = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final StringBuilder jul = new StringBuilder();
  private final Logger root = Logger.getLogger("");
  private final Handler handler = new Handler() {
    private final SimpleFormatter f = new SimpleFormatter();

    @Override
    public void publish(LogRecord r) {
      synchronized (jul) {
        jul.append(f.format(r));
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  LogCapture() {
    System.setOut(new PrintStream(tee(out), true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(tee(err), true, StandardCharsets.UTF_8));
    handler.setLevel(java.util.logging.Level.ALL);
    root.addHandler(handler);
  }

  private OutputStream tee(PrintStream original) {
    return new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    };
  }

  /** Everything captured so far. */
  String text() {
    synchronized (captured) {
      synchronized (jul) {
        return captured.toString(StandardCharsets.UTF_8) + jul;
      }
    }
  }

  @Override
  public void close() {
    root.removeHandler(handler);
    System.setOut(out);
    System.setErr(err);
  }
}
