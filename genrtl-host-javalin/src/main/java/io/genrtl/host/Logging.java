package io.genrtl.host;

/** slf4j-simple settings, applied before the first logger is created. Logs go to stderr; stdout stays for output. */
final class Logging {
  private Logging() {}

  /**
   * The text format (slf4j-simple) or, for {@code json}, {@link io.genrtl.host.obs.JsonLogs} as the slf4j provider and
   * the handler of java.util.logging. Must run before the first logger is created.
   */
  static void configure(String level, String format) {
    if ("json".equals(format)) {
      setIfAbsent("slf4j.provider", io.genrtl.host.obs.JsonLogs.class.getName());
      setIfAbsent("slf4j.internal.verbosity", "WARN"); // slf4j's own "provider chosen" note is not a JSON line
      setIfAbsent(io.genrtl.host.obs.JsonLogs.LEVEL_PROPERTY, level);
      java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
      for (java.util.logging.Handler h : root.getHandlers()) root.removeHandler(h);
      root.addHandler(io.genrtl.host.obs.JsonLogs.julHandler());
      return;
    }
    configure(level);
  }

  static void configure(String level) {
    setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", level);
    setIfAbsent("org.slf4j.simpleLogger.logFile", "System.err");
    setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
    setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSX");
    setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
    setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn".equals(level) || "error".equals(level) ? level : "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.com.zaxxer.hikari", "warn");
    setIfAbsent("org.slf4j.simpleLogger.log.org.flywaydb", "warn".equals(level) ? "warn" : "info");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) System.setProperty(key, value);
  }
}
