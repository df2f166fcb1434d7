package io.genrtl.host.obs;

import io.genrtl.core.patch.SecretRedactor;
import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Structured logs ({@code GENRTL_LOG_FORMAT=json}): one JSON object per line on stderr with {@code ts}, {@code level},
 * {@code logger}, {@code msg}, {@code request_id}, {@code job_id} (and {@code error} with the exception's class and
 * stack frames, never its message). Messages pass through {@link SecretRedactor} (API keys, provider keys, bearer
 * tokens, private keys) as a last line of defence; the code already never logs secrets, prompts or completions.
 *
 * <p>It is an slf4j 2 provider selected with the {@code slf4j.provider} system property (set by {@code Logging} before
 * the first logger exists), so slf4j-simple stays the provider of the text format; java.util.logging (the core's
 * JobRunner) is routed here by {@link #julHandler()}.
 */
public final class JsonLogs implements SLF4JServiceProvider {
  /** {@code trace}, {@code debug}, {@code info}, {@code warn}, {@code error} or {@code off}. */
  public static final String LEVEL_PROPERTY = "genrtl.log.level";

  private final BasicMarkerFactory markers = new BasicMarkerFactory();
  private final BasicMDCAdapter mdc = new BasicMDCAdapter();
  private final ILoggerFactory factory = JsonLogger::new;

  @Override
  public ILoggerFactory getLoggerFactory() {
    return factory;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  static int threshold(String logger) {
    String level = System.getProperty(LEVEL_PROPERTY, "info").toLowerCase(Locale.ROOT);
    // chatty libraries are held at warn, as in the text format
    if ((logger.startsWith("org.eclipse.jetty") || logger.startsWith("com.zaxxer.hikari") || logger.startsWith("io.javalin"))
        && rank(level) < rank("warn")) {
      level = "warn";
    }
    return rank(level);
  }

  static int rank(String level) {
    return switch (level) {
      case "trace" -> 0;
      case "debug" -> 1;
      case "info" -> 2;
      case "warn", "warning" -> 3;
      case "error", "severe" -> 4;
      default -> 5; // off
    };
  }

  /** One log line as JSON. */
  public static String line(long epochMillis, String level, String logger, String msg, String requestId, String jobId,
      Throwable error) {
    StringBuilder b = new StringBuilder(160);
    b.append("{\"ts\":\"").append(Instant.ofEpochMilli(epochMillis)).append('"');
    field(b, "level", level);
    field(b, "logger", logger);
    field(b, "msg", msg == null ? null : SecretRedactor.redact(msg).text());
    field(b, "request_id", requestId);
    field(b, "job_id", jobId);
    if (error != null) field(b, "error", describe(error));
    return b.append('}').toString();
  }

  /** The exception's class and frames (and its causes' classes): messages may carry user input, so they are left out. */
  static String describe(Throwable t) {
    StringBuilder s = new StringBuilder();
    int depth = 0;
    for (Throwable c = t; c != null && depth < 5; c = c.getCause(), depth++) {
      if (depth > 0) s.append(" caused by ");
      s.append(c.getClass().getName());
      StackTraceElement[] st = c.getStackTrace();
      for (int i = 0; i < Math.min(st.length, depth == 0 ? 12 : 4); i++) s.append(" at ").append(st[i]);
    }
    return s.toString();
  }

  private static void field(StringBuilder b, String name, String value) {
    b.append(",\"").append(name).append("\":");
    if (value == null) {
      b.append("null");
      return;
    }
    io.genrtl.core.internal.JsonText.string(b, value);
  }

  static void write(String line) {
    PrintStream err = System.err; // looked up at each write (tests swap it)
    synchronized (err) {
      err.println(line);
    }
  }

  /** A java.util.logging handler writing the same lines (request and job ids from this thread's context). */
  public static Handler julHandler() {
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        int rank = r.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue() ? 4
            : r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue() ? 3
            : r.getLevel().intValue() >= java.util.logging.Level.INFO.intValue() ? 2 : 1;
        String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
        if (rank < threshold(name)) return;
        String msg = r.getMessage();
        if (msg != null && r.getParameters() != null && r.getParameters().length > 0) {
          try {
            msg = java.text.MessageFormat.format(msg, r.getParameters());
          } catch (IllegalArgumentException ignored) {
            // keep the pattern
          }
        }
        write(line(r.getMillis(), new String[] {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"}[rank], name, msg,
            RequestContext.requestId(), RequestContext.jobId(), r.getThrown()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  /** One named logger; the level is read from {@link #LEVEL_PROPERTY} when it is created. */
  static final class JsonLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final int threshold;

    JsonLogger(String name) {
      this.name = name;
      this.threshold = threshold(name);
    }

    @Override
    public boolean isTraceEnabled() {
      return threshold <= 0;
    }

    @Override
    public boolean isDebugEnabled() {
      return threshold <= 1;
    }

    @Override
    public boolean isInfoEnabled() {
      return threshold <= 2;
    }

    @Override
    public boolean isWarnEnabled() {
      return threshold <= 3;
    }

    @Override
    public boolean isErrorEnabled() {
      return threshold <= 4;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
      String msg = MessageFormatter.basicArrayFormat(pattern, args);
      write(line(System.currentTimeMillis(), level.name(), name, msg, MDC.get("request_id"), MDC.get("job_id"), t));
    }
  }
}
