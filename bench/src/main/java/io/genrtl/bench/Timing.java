package io.genrtl.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * A {@link DataSource} wrapper that times what the JDBC driver is asked to do, by statement (labelled by what it
 * is), plus preparing and closing statements, pool checkout, BEGIN ({@code setAutoCommit(false)}), COMMIT and the
 * return to the pool. Used by
 * {@code --profile} to show where a service charge spends its time. JDBC calls that never leave the JVM
 * (binding parameters, reading a result set) are not timed.
 */
final class Timing {
  private static final Set<String> EXECUTE = Set.of("execute", "executeQuery", "executeUpdate", "executeLargeUpdate");

  record Line(String what, long count, long nanos) {}

  private static final Map<String, String> KNOWN = new LinkedHashMap<>();

  static {
    KNOWN.put("INSERT INTO idempotency_keys", "idempotency claim INSERT");
    KNOWN.put("SELECT * FROM subscriptions WHERE user_id", "subscription SELECT");
    KNOWN.put("SELECT * FROM pool_accounts WHERE user_id", "account SELECT");
    KNOWN.put("UPDATE pool_accounts SET last_included_taken", "debit UPDATE ... RETURNING");
    KNOWN.put("INSERT INTO usage_ledger", "ledger INSERT");
    KNOWN.put("UPDATE idempotency_keys SET result_ref", "idempotency complete UPDATE");
  }

  private final Map<String, LongAdder[]> stats = new ConcurrentHashMap<>();

  void reset() {
    stats.clear();
  }

  List<Line> lines() {
    List<Line> out = new ArrayList<>();
    stats.forEach((k, v) -> out.add(new Line(k, v[0].sum(), v[1].sum())));
    out.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
    return out;
  }

  private void add(String what, long nanos) {
    LongAdder[] a = stats.computeIfAbsent(what, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
    a[0].increment();
    a[1].add(nanos);
  }

  /** What a statement is, from its text. */
  static String label(String sql) {
    for (Map.Entry<String, String> e : KNOWN.entrySet()) if (sql.startsWith(e.getKey())) return e.getValue();
    String s = sql.replaceAll("\\s+", " ");
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  DataSource wrap(DataSource ds) {
    return (DataSource) Proxy.newProxyInstance(Timing.class.getClassLoader(), new Class<?>[] {DataSource.class},
        (proxy, m, args) -> {
          if (m.getName().equals("getConnection")) {
            long t0 = System.nanoTime();
            Connection c = (Connection) invoke(ds, m, args);
            add("pool checkout (getConnection)", System.nanoTime() - t0);
            return connection(c);
          }
          return invoke(ds, m, args);
        });
  }

  private Connection connection(Connection c) {
    InvocationHandler h = (proxy, m, args) -> {
      String name = m.getName();
      if (name.equals("prepareStatement") && args != null && args[0] instanceof String sql) {
        long t0 = System.nanoTime();
        PreparedStatement ps = (PreparedStatement) invoke(c, m, args);
        add("prepareStatement (all statements)", System.nanoTime() - t0);
        return statement(ps, label(sql));
      }
      if (name.equals("unwrap") || name.equals("isWrapperFor")) return invoke(c, m, args);
      String what = switch (name) {
        case "setAutoCommit" -> Boolean.FALSE.equals(args[0]) ? "BEGIN (setAutoCommit(false))" : "setAutoCommit(true)";
        case "commit" -> "COMMIT";
        case "rollback" -> "ROLLBACK";
        case "close" -> "pool return (close)";
        default -> "Connection." + name;
      };
      long t0 = System.nanoTime();
      try {
        return invoke(c, m, args);
      } finally {
        add(what, System.nanoTime() - t0);
      }
    };
    return (Connection) Proxy.newProxyInstance(Timing.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  private PreparedStatement statement(PreparedStatement ps, String label) {
    InvocationHandler h = (proxy, m, args) -> {
      if (m.getName().equals("close")) {
        long t0 = System.nanoTime();
        try {
          return invoke(ps, m, args);
        } finally {
          add("PreparedStatement.close (all statements)", System.nanoTime() - t0);
        }
      }
      if (!EXECUTE.contains(m.getName())) {
        Object r = invoke(ps, m, args);
        return r == ps ? proxy : r;
      }
      long t0 = System.nanoTime();
      try {
        return invoke(ps, m, args);
      } finally {
        add(label, System.nanoTime() - t0);
      }
    };
    return (PreparedStatement) Proxy.newProxyInstance(Timing.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, h);
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
