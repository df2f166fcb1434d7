package io.genrtl.core.pool;

import io.genrtl.core.base.GenRtlException;
import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How every store answers the usage views from its rollups, so that the in-memory and SQL stores agree: a query's
 * whole UTC days are read from the rollup tables, the partial days at the edges of {@code from}/{@code to} from the
 * ledger rows (at most two days of them, through an index). Stores implement {@link Source}; the planning,
 * merging and paging live here.
 *
 * <p>The rollups (maintained in the same transaction as each ledger row, refunds included):
 * <ul>
 *   <li>{@link Table#DAY}: per (user, UTC day, kind, model, bucket);</li>
 *   <li>{@link Table#JOB}: per (user, job, workspace, UTC day, kind, model, bucket), rows without a job too;</li>
 *   <li>{@link Table#WORKSPACE}: per (user, workspace, UTC day, kind, model, bucket), rows with a workspace only;</li>
 *   <li>{@link Table#PERIOD}: per (user, pool period, bucket) (the balance check).</li>
 * </ul>
 * Each holds the row count, usd micros and the four token counts. A missing model, job or workspace is stored as the
 * empty string (the SQL keys cannot hold nulls) and reads back as a null group.
 */
public final class UsageRollups {
  public static final long DAY_MILLIS = 86_400_000L;

  private UsageRollups() {}

  public enum Table { DAY, JOB, WORKSPACE, PERIOD }

  /** The UTC day number (epoch days) of an epoch-millisecond time. */
  public static long day(long ts) {
    return Math.floorDiv(ts, DAY_MILLIS);
  }

  /** A null model, job or workspace as the rollup tables store it. */
  public static String key(String s) {
    return s == null ? "" : s;
  }

  /** A rollup key column back to a group (the empty string is "none"). */
  public static String group(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /** What a store answers from its rollup tables and its rows. */
  public interface Source {
    /**
     * Totals from rollup table {@code t} over whole days [{@code dayFrom}, {@code dayTo}) (null: unbounded), filtered
     * by the query's {@code kind}, {@code jobId} and {@code workspaceId} (never its {@code from}/{@code to}), grouped
     * by {@code g} (null: one group with a null key per bucket). {@link Table#PERIOD} is only read with no filters
     * and {@code g} null (the all-time total).
     */
    List<UsageTotal> rollup(Table t, LedgerQuery q, Long dayFrom, Long dayTo, GroupBy g);

    /**
     * Distinct non-null group keys (days or job ids) greater than {@code after} (null: all) in table {@code t},
     * ascending (days numerically), at most {@code limit}; {@code g} is {@link GroupBy#DAY} or {@link GroupBy#JOB}.
     */
    List<String> rollupKeys(Table t, LedgerQuery q, Long dayFrom, Long dayTo, GroupBy g, String after, int limit);

    /**
     * Totals grouped by {@code g} for the keys in ({@code after}, {@code last}] ({@code after} null: from the first),
     * or of the rows without the grouped attribute when {@code last} is null.
     */
    List<UsageTotal> rollupRange(Table t, LedgerQuery q, Long dayFrom, Long dayTo, GroupBy g, String after, String last);

    /** Totals of the ledger rows matching {@code q}, {@code from}/{@code to} included, grouped by {@code g} (null: one group). */
    List<UsageTotal> scan(LedgerQuery q, GroupBy g);

    /** Every rollup row of the user in table {@code t}: {@link #rowKey} to [rows, usd, in, out, cached, cache-write]. */
    Map<String, long[]> rollupRows(Table t, String userId);

    /** The rows {@code t} should hold for the user, computed from a full scan of the ledger. */
    Map<String, long[]> scanRows(Table t, String userId);
  }

  /** The key {@link Source#rollupRows} and {@link Source#scanRows} use: the table's key columns, '|'-joined. */
  public static String rowKey(Object... parts) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) b.append('|');
      b.append(parts[i] == null ? "" : parts[i]);
    }
    return b.toString();
  }

  /** The rollup table that answers a query: job when filtering or grouping by job, else workspace, else day. */
  public static Table table(LedgerQuery q, GroupBy g) {
    if (q.jobId() != null || g == GroupBy.JOB) return Table.JOB;
    if (q.workspaceId() != null) return Table.WORKSPACE;
    return Table.DAY;
  }

  /** [from, to) as whole days for the rollups plus the partial days at its edges for the rows. */
  public record Split(boolean rollup, Long dayFrom, Long dayTo, List<LedgerQuery> edges) {}

  public static Split split(LedgerQuery q) {
    Long from = q.from();
    Long to = q.to();
    Long d0 = from == null ? null : -Math.floorDiv(-from, DAY_MILLIS);
    Long d1 = to == null ? null : Math.floorDiv(to, DAY_MILLIS);
    if (d0 != null && d1 != null && d0 >= d1) return new Split(false, null, null, List.of(q));
    List<LedgerQuery> edges = new ArrayList<>();
    if (from != null && from < d0 * DAY_MILLIS) edges.add(withRange(q, from, d0 * DAY_MILLIS));
    if (to != null && to > d1 * DAY_MILLIS) edges.add(withRange(q, d1 * DAY_MILLIS, to));
    return new Split(true, d0, d1, edges);
  }

  private static LedgerQuery withRange(LedgerQuery q, long from, long to) {
    return new LedgerQuery(q.userId(), from, to, q.kind(), q.jobId(), q.workspaceId());
  }

  /** Every group of the query, sorted by group (null last) then bucket. */
  public static List<UsageTotal> all(Source s, LedgerQuery q, GroupBy g) {
    if (g == GroupBy.JOB) {
      List<UsageTotal> out = new ArrayList<>();
      PageRequest page = PageRequest.first(PageRequest.MAX_LIMIT);
      while (true) {
        Page<UsageTotal> p = summarize(s, q, g, page);
        out.addAll(p.items());
        if (p.nextAfter() == null) return out;
        page = new PageRequest(PageRequest.MAX_LIMIT, p.nextAfter());
      }
    }
    Split sp = split(q);
    List<UsageTotal> parts = new ArrayList<>();
    if (sp.rollup()) parts.addAll(s.rollup(table(q, g), q, sp.dayFrom(), sp.dayTo(), g));
    for (LedgerQuery e : sp.edges()) parts.addAll(s.scan(e, g));
    return merge(parts, g);
  }

  /** The query's totals per bucket (one group with a null key). */
  public static List<UsageTotal> total(Source s, LedgerQuery q) {
    if (q.from() == null && q.to() == null && q.kind() == null && q.jobId() == null && q.workspaceId() == null) {
      return merge(s.rollup(Table.PERIOD, q, null, null, null), null); // O(periods), not O(days)
    }
    Split sp = split(q);
    List<UsageTotal> parts = new ArrayList<>();
    if (sp.rollup()) parts.addAll(s.rollup(table(q, null), q, sp.dayFrom(), sp.dayTo(), null));
    for (LedgerQuery e : sp.edges()) parts.addAll(s.scan(e, null));
    return merge(parts, null);
  }

  /**
   * One page of groups in group order (days ascending, names ascending, the null group last); {@code page.limit()}
   * counts groups (a group has one item per bucket it touched) and {@code nextAfter} is the last group's key.
   */
  public static Page<UsageTotal> summarize(Source s, LedgerQuery q, GroupBy g, PageRequest page) {
    Objects.requireNonNull(g, "groupBy");
    if (g == GroupBy.JOB || g == GroupBy.DAY) return keyed(s, q, g, page);
    List<UsageTotal> all = all(s, q, g);
    Comparator<String> order = order(g);
    String after = page.after();
    if (after != null) order.compare(after, after); // validates a day cursor
    List<UsageTotal> items = new ArrayList<>();
    Set<String> groups = new HashSet<>();
    String last = null;
    boolean more = false;
    boolean lastNull = false;
    for (UsageTotal t : all) {
      if (after != null && (t.group() == null ? false : order.compare(t.group(), after) <= 0)) continue;
      boolean seen = t.group() == null ? lastNull : groups.contains(t.group());
      if (!seen) {
        if (groups.size() + (lastNull ? 1 : 0) == page.limit()) {
          more = true;
          break;
        }
        if (t.group() == null) lastNull = true;
        else groups.add(t.group());
        last = t.group();
      }
      items.add(t);
    }
    return new Page<>(items, more ? last : null);
  }

  /** Paging in the database: the page's keys first (index order), then the totals of that key range only. */
  private static Page<UsageTotal> keyed(Source s, LedgerQuery q, GroupBy g, PageRequest page) {
    Split sp = split(q);
    Table table = table(q, g);
    Comparator<String> order = order(g);
    String after = page.after();
    if (after != null) order.compare(after, after); // validates a day cursor
    List<UsageTotal> edge = new ArrayList<>();
    for (LedgerQuery e : sp.edges()) edge.addAll(s.scan(e, g));
    TreeSet<String> keys = new TreeSet<>(order);
    if (sp.rollup()) keys.addAll(s.rollupKeys(table, q, sp.dayFrom(), sp.dayTo(), g, after, page.limit() + 1));
    for (UsageTotal t : edge) {
      if (t.group() != null && (after == null || order.compare(t.group(), after) > 0)) keys.add(t.group());
    }
    List<String> pageKeys = new ArrayList<>();
    for (String k : keys) {
      if (pageKeys.size() == page.limit() + 1) break;
      pageKeys.add(k);
    }
    boolean more = pageKeys.size() > page.limit();
    if (more) pageKeys = pageKeys.subList(0, page.limit());
    List<UsageTotal> parts = new ArrayList<>();
    if (!pageKeys.isEmpty()) {
      String last = pageKeys.get(pageKeys.size() - 1);
      if (sp.rollup()) parts.addAll(s.rollupRange(table, q, sp.dayFrom(), sp.dayTo(), g, after, last));
      Set<String> in = new HashSet<>(pageKeys);
      for (UsageTotal t : edge) if (t.group() != null && in.contains(t.group())) parts.add(t);
    }
    if (!more && g != GroupBy.DAY) { // every row has a day
      List<UsageTotal> none = new ArrayList<>();
      if (sp.rollup()) none.addAll(s.rollupRange(table, q, sp.dayFrom(), sp.dayTo(), g, null, null));
      for (UsageTotal t : edge) if (t.group() == null) none.add(t);
      if (!none.isEmpty()) {
        if (pageKeys.size() == page.limit()) more = true;
        else parts.addAll(none);
      }
    }
    return new Page<>(merge(parts, g), more ? pageKeys.get(pageKeys.size() - 1) : null);
  }

  /** Group order: days numerically, names as strings; the null group last. */
  public static Comparator<String> order(GroupBy g) {
    Comparator<String> c = g == GroupBy.DAY ? Comparator.comparingLong(UsageRollups::dayKey) : Comparator.naturalOrder();
    return Comparator.nullsLast(c);
  }

  private static long dayKey(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw GenRtlException.invalid("cursor", "cursor is not one this server issued");
    }
  }

  /** Sums totals of the same (group, bucket) and sorts them by group then bucket. */
  public static List<UsageTotal> merge(List<UsageTotal> parts, GroupBy g) {
    Map<List<Object>, long[]> acc = new LinkedHashMap<>();
    for (UsageTotal t : parts) {
      List<Object> k = new ArrayList<>(2);
      k.add(t.group());
      k.add(t.bucket());
      long[] a = acc.computeIfAbsent(k, x -> new long[6]);
      a[0] += t.rows();
      a[1] += t.usdMicros();
      a[2] += t.inputTokens();
      a[3] += t.outputTokens();
      a[4] += t.cachedInputTokens();
      a[5] += t.cacheWriteTokens();
    }
    List<UsageTotal> out = new ArrayList<>(acc.size());
    acc.forEach((k, a) -> out.add(new UsageTotal((String) k.get(0), (Bucket) k.get(1), a[0], a[1], a[2], a[3], a[4], a[5])));
    out.sort(Comparator.comparing(UsageTotal::group, order(g)).thenComparing(UsageTotal::bucket));
    return out;
  }

  /** Every difference between the user's rollup rows and a full scan of its ledger rows; empty when they agree. */
  public static List<String> check(Source s, String userId) {
    List<String> problems = new ArrayList<>();
    for (Table t : Table.values()) {
      Map<String, long[]> have = new TreeMap<>(s.rollupRows(t, userId));
      Map<String, long[]> want = new TreeMap<>(s.scanRows(t, userId));
      Set<String> keys = new TreeSet<>(have.keySet());
      keys.addAll(want.keySet());
      int reported = 0;
      for (String k : keys) {
        long[] h = have.getOrDefault(k, new long[6]);
        long[] w = want.getOrDefault(k, new long[6]);
        if (!java.util.Arrays.equals(h, w)) {
          if (reported++ < 10) {
            problems.add("usage rollup " + t.name().toLowerCase(java.util.Locale.ROOT) + " [" + k + "] is "
                + fmt(h) + " but the ledger rows say " + fmt(w));
          }
        }
      }
      if (reported > 10) problems.add("usage rollup " + t.name().toLowerCase(java.util.Locale.ROOT) + ": "
          + (reported - 10) + " more differences");
    }
    return problems;
  }

  private static String fmt(long[] a) {
    return "rows=" + a[0] + " usd_micros=" + a[1] + " tokens=" + a[2] + "/" + a[3] + "/" + a[4] + "/" + a[5];
  }
}
