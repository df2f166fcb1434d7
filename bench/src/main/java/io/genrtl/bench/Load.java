package io.genrtl.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** Runs one operation from T threads for a fixed time and reports throughput and latency percentiles. */
final class Load {
  private Load() {}

  /** One charge. {@code thread} is 0..T-1; {@code seq} is unique per thread across warm-up and measurement. */
  @FunctionalInterface
  interface Op {
    void run(int thread, long seq) throws Exception;
  }

  /** What one timed phase measured. Latencies in nanoseconds, sorted. */
  record Result(long ops, long errors, long elapsedNanos, long[] sortedLatencies, Throwable firstError, long cpuNanos) {
    /** CPU time the load threads themselves used per charge (client side: service code, Jdbi, JDBC driver). */
    double cpuMicrosPerOp() {
      return ops == 0 || cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / ops;
    }

    double opsPerSecond() {
      return elapsedNanos == 0 ? 0 : ops * 1e9 / elapsedNanos;
    }

    double percentileMillis(double p) {
      if (sortedLatencies.length == 0) return Double.NaN;
      int i = (int) Math.ceil(p / 100.0 * sortedLatencies.length) - 1;
      return sortedLatencies[Math.max(0, Math.min(sortedLatencies.length - 1, i))] / 1e6;
    }
  }

  /** A warm-up of {@code warmupNanos} (discarded), then a measured phase of {@code measureNanos}. */
  static Result measure(int threads, long warmupNanos, long measureNanos, Op op) throws InterruptedException {
    return interleaved(threads, warmupNanos, measureNanos, 1, List.of(op), () -> {}).get(0);
  }

  /**
   * Measures several operations under the same conditions: each is warmed up for {@code warmupNanos}, then
   * {@code measureNanos} of each is measured in {@code rounds} slices taken in turn (the order rotating from round to
   * round), so a change in machine load during the run hits all of them alike. {@code afterWarmup} runs once
   * between the warm-up and the first measured slice.
   */
  static List<Result> interleaved(int threads, long warmupNanos, long measureNanos, int rounds, List<Op> ops,
      Runnable afterWarmup) throws InterruptedException {
    if (rounds < 1) throw new IllegalArgumentException("rounds must be >= 1");
    List<long[]> seqs = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) seqs.add(new long[threads]);
    if (warmupNanos > 0) for (int i = 0; i < ops.size(); i++) phase(threads, warmupNanos, ops.get(i), seqs.get(i));
    afterWarmup.run();
    List<List<Result>> parts = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) parts.add(new ArrayList<>());
    long slice = measureNanos / rounds;
    for (int r = 0; r < rounds; r++) {
      for (int k = 0; k < ops.size(); k++) {
        int i = (k + r) % ops.size();
        parts.get(i).add(phase(threads, slice, ops.get(i), seqs.get(i)));
      }
    }
    List<Result> out = new ArrayList<>();
    for (List<Result> p : parts) out.add(merge(p));
    return out;
  }

  private static Result merge(List<Result> parts) {
    long ops = 0;
    long errors = 0;
    long elapsed = 0;
    long cpu = 0;
    Throwable first = null;
    for (Result p : parts) {
      cpu = cpu < 0 || p.cpuNanos() < 0 ? -1 : cpu + p.cpuNanos();
      ops += p.ops();
      errors += p.errors();
      elapsed += p.elapsedNanos();
      if (first == null) first = p.firstError();
    }
    long[] all = new long[(int) ops];
    int at = 0;
    for (Result p : parts) {
      System.arraycopy(p.sortedLatencies(), 0, all, at, p.sortedLatencies().length);
      at += p.sortedLatencies().length;
    }
    Arrays.sort(all);
    return new Result(ops, errors, elapsed, all, first, cpu);
  }

  private static Result phase(int threads, long nanos, Op op, long[] seqs) throws InterruptedException {
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    long[][] lat = new long[threads][];
    int[] counts = new int[threads];
    long[] errors = new long[threads];
    long[] ends = new long[threads];
    long[] cpu = new long[threads];
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    boolean cpuTimed = mx.isCurrentThreadCpuTimeSupported();
    long[] start = new long[1];
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      final int me = t;
      Thread th = new Thread(() -> {
        long[] mine = new long[1 << 14];
        int n = 0;
        ready.countDown();
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long deadline = start[0] + nanos;
        long cpu0 = cpuTimed ? mx.getCurrentThreadCpuTime() : 0;
        long now = System.nanoTime();
        while (now < deadline) {
          try {
            op.run(me, seqs[me]++);
            long done = System.nanoTime();
            if (n == mine.length) mine = Arrays.copyOf(mine, n * 2);
            mine[n++] = done - now;
            now = done;
          } catch (Throwable e) {
            errors[me]++;
            firstError.compareAndSet(null, e);
            now = System.nanoTime();
          }
        }
        cpu[me] = cpuTimed ? mx.getCurrentThreadCpuTime() - cpu0 : -1;
        lat[me] = mine;
        counts[me] = n;
        ends[me] = now;
      }, "bench-" + t);
      ts.add(th);
      th.start();
    }
    ready.await();
    start[0] = System.nanoTime();
    go.countDown();
    for (Thread th : ts) th.join();
    long end = 0;
    int total = 0;
    long errs = 0;
    long cpuSum = 0;
    for (int t = 0; t < threads; t++) {
      cpuSum = cpuSum < 0 || cpu[t] < 0 ? -1 : cpuSum + cpu[t];
      end = Math.max(end, ends[t]);
      total += counts[t];
      errs += errors[t];
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < threads; t++) {
      System.arraycopy(lat[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    return new Result(total, errs, end - start[0], all, firstError.get(), cpuSum);
  }
}
