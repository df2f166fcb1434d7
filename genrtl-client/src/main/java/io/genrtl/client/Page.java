package io.genrtl.client;

import java.util.List;

/** One page of a list: its items and the cursor of the next page (null on the last page). */
public record Page<T>(List<T> items, String nextCursor) {
  public Page {
    items = List.copyOf(items);
  }

  public boolean hasMore() {
    return nextCursor != null;
  }
}
