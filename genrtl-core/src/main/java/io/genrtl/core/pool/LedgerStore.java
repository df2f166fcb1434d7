package io.genrtl.core.pool;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The append-only usage ledger. There is no update and no delete. */
public interface LedgerStore {
  void insert(LedgerEntry entry);

  Optional<LedgerEntry> find(String entryId);

  /** The rows of one charge, in id order. */
  List<LedgerEntry> findByCall(String userId, String callId);

  /** Newest first (by id); {@code page.after()} is the last id of the previous page. */
  Page<LedgerEntry> list(LedgerQuery query, PageRequest page);

  /** Every matching row, newest first, without loading them all at once. */
  void forEach(LedgerQuery query, Consumer<LedgerEntry> consumer);

  List<UsageTotal> summarize(LedgerQuery query, GroupBy groupBy);

  /** Sum of {@code usdMicros} per bucket for the user; only rows of {@code periodStart} unless it is null. */
  Map<Bucket, Long> sumByBucket(String userId, Long periodStart);

  /** Total already refunded against a row (a positive number). */
  long refundedAgainst(String entryId);
}
