package io.genrtl.host;

/** slf4j-simple settings, applied before the first logger is created. Logs go to stderr; stdout stays for output. */
final class Logging {
  private Logging() {}

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
