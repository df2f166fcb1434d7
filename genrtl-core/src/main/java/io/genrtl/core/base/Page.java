package io.genrtl.core.base;

import java.util.List;
import java.util.function.Function;

/** One page of a list, and the key to continue after it (null on the last page). */
public record Page<T>(List<T> items, String nextAfter) {
  public Page {
    items = List.copyOf(items);
  }

  /**
   * Builds a page from up to {@code request.limit() + 1} fetched rows: the extra row only tells that more exist.
   */
  public static <T> Page<T> fromOverfetch(List<T> rows, PageRequest request, Function<T, String> key) {
    if (rows.size() <= request.limit()) return new Page<>(rows, null);
    List<T> items = rows.subList(0, request.limit());
    return new Page<>(items, key.apply(items.get(items.size() - 1)));
  }

  public <R> Page<R> map(Function<T, R> f) {
    return new Page<>(items.stream().map(f).toList(), nextAfter);
  }
}
