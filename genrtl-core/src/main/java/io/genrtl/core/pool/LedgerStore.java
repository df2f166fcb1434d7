package io.genrtl.core.pool;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The append-only usage ledger. There is no update and no delete. {@link #insert} also adds the row to the usage
 * rollups ({@link io.genrtl.core.pool.UsageRollups}) in the same transaction, so the summaries and bucket sums read
 * O(days or groups), never O(rows).
 */
public interface LedgerStore {
  void insert(LedgerEntry entry);

  Optional<LedgerEntry> find(String entryId);

  /** The rows of one charge, in id order. */
  List<LedgerEntry> findByCall(String userId, String callId);

  /** Newest first (by id); {@code page.after()} is the last id of the previous page. */
  Page<LedgerEntry> list(LedgerQuery query, PageRequest page);

  /** Every matching row, newest first, without loading them all at once. */
  void forEach(LedgerQuery query, Consumer<LedgerEntry> consumer);

  /** Every group, sorted by group (days ascending, names ascending, null last) then bucket; from the rollups. */
  List<UsageTotal> summarize(LedgerQuery query, GroupBy groupBy);

  /**
   * One page of groups in the order of {@link #summarize(LedgerQuery, GroupBy)}; {@code page.limit()} counts groups
   * (one item per bucket a group touched), {@code nextAfter} is the last group's key.
   */
  Page<UsageTotal> summarize(LedgerQuery query, GroupBy groupBy, PageRequest page);

  /** The query's totals per bucket (group null), from the rollups. */
  List<UsageTotal> total(LedgerQuery query);

  /** Sum of {@code usdMicros} per bucket for the user; only rows of {@code periodStart} unless it is null (rollups). */
  Map<Bucket, Long> sumByBucket(String userId, Long periodStart);

  /**
   * The same totals as {@link #summarize(LedgerQuery, GroupBy)} ({@code groupBy} null: {@link #total}) computed by
   * scanning the rows: the reference the rollups are checked against, and the "before" side of the benchmarks.
   */
  List<UsageTotal> summarizeByScan(LedgerQuery query, GroupBy groupBy);

  /** {@link #sumByBucket} by scanning the rows. */
  Map<Bucket, Long> sumByBucketByScan(String userId, Long periodStart);

  /** Every difference between the user's rollup rows and a full scan of the user's ledger rows; empty when equal. */
  List<String> checkRollups(String userId);

  /** Total already refunded against a row (a positive number). */
  long refundedAgainst(String entryId);
}
