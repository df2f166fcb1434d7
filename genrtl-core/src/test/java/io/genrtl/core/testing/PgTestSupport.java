package io.genrtl.core.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * PostgreSQL test databases. Tests read {@code GENRTL_PG_URL} (a JDBC URL such as
 * {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}); each test gets its own schema, dropped afterwards.
 * Without the variable the tests are skipped with a loud message, unless {@code GENRTL_REQUIRE_PG=1}, which turns
 * a missing or unreachable server into a failure.
 */
public final class PgTestSupport {
  private static volatile boolean warned;

  private PgTestSupport() {}

  public static boolean required() {
    String v = System.getenv("GENRTL_REQUIRE_PG");
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /** The server URL, or aborts (skips) the calling test when none is configured and PostgreSQL is optional. */
  public static String urlOrSkip() {
    String url = System.getenv("GENRTL_PG_URL");
    if (url == null || url.isBlank()) {
      if (required()) throw new IllegalStateException("GENRTL_REQUIRE_PG=1 but GENRTL_PG_URL is not set");
      if (!warned) {
        warned = true;
        System.err.println("\n*** PostgreSQL tests SKIPPED: set GENRTL_PG_URL=jdbc:postgresql://host:5432/db?user=... "
            + "to run them (GENRTL_REQUIRE_PG=1 makes them mandatory) ***\n");
      }
      Assumptions.abort("GENRTL_PG_URL not set: PostgreSQL tests skipped");
    }
    try (Connection c = DriverManager.getConnection(url)) {
      c.isValid(5);
    } catch (SQLException e) {
      if (required()) throw new IllegalStateException("PostgreSQL at GENRTL_PG_URL is unreachable: " + e.getMessage(), e);
      Assumptions.abort("PostgreSQL unreachable: " + e.getMessage());
    }
    return url;
  }

  /** Creates a fresh, uniquely named schema and returns its name. */
  public static String createSchema(String url) {
    String schema = "genrtl_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    exec(url, "CREATE SCHEMA " + schema);
    return schema;
  }

  public static void dropSchema(String url, String schema) {
    exec(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  private static void exec(String url, String sql) {
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
