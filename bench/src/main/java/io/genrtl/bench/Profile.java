package io.genrtl.bench;

import io.genrtl.bench.ChargeBenchmark.Config;
import io.genrtl.bench.ChargeBenchmark.Target;
import io.genrtl.bench.Floor.Extra;
import io.genrtl.core.GenRtl;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code --profile}: where the service's time goes. (1) A ladder of raw-JDBC transactions that add the service's
 * extra statements one at a time to the floor, next to the service itself, so each statement's marginal cost and
 * the cost of the layers above JDBC can be read off. (2) The time per JDBC call of one service charge and one floor
 * charge at one thread, measured through a timing wrapper around the same pool.
 */
final class Profile {
  private Profile() {}

  static String run(Target t, Config cfg, Set<String> svcUsers, Set<String> floorUsers, PrintStream log)
      throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    out.println("profile, " + t.name + ": raw JDBC ladder (each thread its own user) next to the service");
    String head = String.format(Locale.ROOT, "  %7s  %-62s %5s %9s %10s %13s %14s", "threads", "transaction", "stmts",
        "ops/s", "ms/charge", "+ms vs floor", "client CPU us");
    out.println(head);
    out.println("  " + "-".repeat(head.length() - 2));
    for (int threads : cfg.threads()) {
      List<String> names = new ArrayList<>();
      List<Integer> stmts = new ArrayList<>();
      List<Load.Op> ops = new ArrayList<>();
      for (EnumSet<Extra> extras : ChargeBenchmark.LADDER) {
        String[] users = ChargeBenchmark.users(t.genrtl, threads, "floor");
        floorUsers.addAll(List.of(users));
        names.add(ladderName(extras));
        stmts.add(2 + extras.size());
        ops.add(ChargeBenchmark.floorOp(new Floor(t.ds, t.least, t.genrtl.clock(), t.genrtl.ids(), extras), users));
      }
      String[] users = ChargeBenchmark.users(t.genrtl, threads, "svc");
      svcUsers.addAll(List.of(users));
      names.add("service: PoolService.charge (Jdbi)");
      stmts.add(6);
      ops.add(ChargeBenchmark.serviceOp(t.genrtl.pool(), users));
      log.printf(Locale.ROOT, "profile %s, %d thread(s): ladder of %d transactions, interleaved%n", t.name, threads,
          ops.size());
      List<Load.Result> results = Load.interleaved(threads, cfg.warmupNanos(), cfg.measureNanos(), cfg.rounds(), ops,
          () -> {});
      double floorMs = Double.NaN;
      for (int i = 0; i < ops.size(); i++) {
        Load.Result r = results.get(i);
        double ms = r.ops() == 0 ? Double.NaN : threads * 1000.0 / r.opsPerSecond();
        if (i == 0) floorMs = ms;
        out.printf(Locale.ROOT, "  %7d  %-62s %5d %9.0f %10.3f %13.3f %14.0f%s%n", threads, names.get(i),
            stmts.get(i), r.opsPerSecond(), ms, ms - floorMs, r.cpuMicrosPerOp(),
            r.errors() > 0 ? "  (" + r.errors() + " failed)" : "");
      }
    }
    out.println("  (ms/charge = threads / throughput, the mean time a charge holds a thread; client CPU = CPU time of the");
    out.println("   load threads per charge: service code, Jdbi and the JDBC driver, not the database server)");
    out.println();

    // (2) time per JDBC call, one thread, through a timing wrapper on the same pool
    Timing svcTiming = new Timing();
    Timing floorTiming = new Timing();
    GenRtl timed = GenRtl.builder().stores(t.storesOn.apply(svcTiming.wrap(t.ds))).build();
    String[] su = ChargeBenchmark.users(t.genrtl, 1, "svc");
    String[] fu = ChargeBenchmark.users(t.genrtl, 1, "floor");
    svcUsers.addAll(List.of(su));
    floorUsers.addAll(List.of(fu));
    log.printf(Locale.ROOT, "profile %s, 1 thread: timed JDBC calls, service and floor interleaved%n", t.name);
    List<Load.Result> sf = Load.interleaved(1, cfg.warmupNanos(), cfg.measureNanos(), cfg.rounds(),
        List.of(ChargeBenchmark.serviceOp(timed.pool(), su),
            ChargeBenchmark.floorOp(new Floor(floorTiming.wrap(t.ds), t.least, timed.clock(), timed.ids()), fu)),
        () -> {
          svcTiming.reset();
          floorTiming.reset();
        });
    Map<String, Map<String, Timing.Line>> by = new LinkedHashMap<>();
    Map<String, Load.Result> totals = new LinkedHashMap<>();
    totals.put("service", sf.get(0));
    totals.put("floor", sf.get(1));
    by.put("service", index(svcTiming));
    by.put("floor", index(floorTiming));
    out.println("profile, " + t.name + ": time per charge by JDBC call, 1 thread (through a timing wrapper)");
    String h2 = String.format(Locale.ROOT, "  %-44s %12s %12s %12s %12s", "JDBC call", "svc calls", "svc us",
        "floor calls", "floor us");
    out.println(h2);
    out.println("  " + "-".repeat(h2.length() - 2));
    List<String> keys = new ArrayList<>(by.get("service").keySet());
    for (String k : by.get("floor").keySet()) if (!keys.contains(k)) keys.add(k);
    double[] sum = new double[2];
    for (String k : keys) {
      double[] calls = new double[2];
      double[] us = new double[2];
      int i = 0;
      for (String side : List.of("service", "floor")) {
        Timing.Line l = by.get(side).get(k);
        long ops = Math.max(1, totals.get(side).ops());
        if (l != null) {
          calls[i] = (double) l.count() / ops;
          us[i] = l.nanos() / 1e3 / ops;
          sum[i] += us[i];
        }
        i++;
      }
      out.printf(Locale.ROOT, "  %-44s %12.2f %12.1f %12.2f %12.1f%n", k, calls[0], us[0], calls[1], us[1]);
    }
    double[] wall = new double[2];
    int i = 0;
    for (String side : List.of("service", "floor")) {
      Load.Result r = totals.get(side);
      wall[i++] = r.ops() == 0 ? Double.NaN : r.elapsedNanos() / 1e3 / r.ops();
    }
    out.printf(Locale.ROOT, "  %-44s %12s %12.1f %12s %12.1f%n", "sum of JDBC calls", "", sum[0], "", sum[1]);
    out.printf(Locale.ROOT, "  %-44s %12s %12.1f %12s %12.1f%n", "outside JDBC (Java, Jdbi, timing wrapper)", "",
        wall[0] - sum[0], "", wall[1] - sum[1]);
    out.printf(Locale.ROOT, "  %-44s %12s %12.1f %12s %12.1f%n", "wall time per charge", "", wall[0], "", wall[1]);
    out.printf(Locale.ROOT, "  %-44s %12s %12.1f %12s %12.1f%n", "client CPU per charge (load thread)", "",
        sf.get(0).cpuMicrosPerOp(), "", sf.get(1).cpuMicrosPerOp());
    out.println();
    return buf.toString(StandardCharsets.UTF_8);
  }

  private static Map<String, Timing.Line> index(Timing t) {
    return t.lines().stream().collect(Collectors.toMap(Timing.Line::what, l -> l, (a, b) -> a, LinkedHashMap::new));
  }

  static String ladderName(Set<Extra> extras) {
    if (extras.isEmpty()) return "floor: debit UPDATE + ledger INSERT";
    if (extras.equals(EnumSet.of(Extra.RECORD_AT_END))) return "floor + one idempotency INSERT at the end (suggested)";
    return switch (extras.size()) {
      case 1 -> "floor + idempotency claim INSERT";
      case 2 -> "floor + claim + subscription SELECT";
      case 3 -> "floor + claim + subscription + account SELECT";
      default -> "floor + claim + sub + account + complete UPDATE (service SQL)";
    };
  }
}
