package io.genrtl.core.cbb;

import java.util.List;
import java.util.Objects;

/**
 * A checkout: what a user bought (and what they already owned) for a workspace and job. {@code balancesAfter}
 * is the encoded balance snapshot right after the charge, returned again on replays.
 */
public record Receipt(String receiptId, String userId, String tenantId, String workspaceId, String jobId,
    String idempotencyKey, long createdAt, List<Item> items) {
  public Receipt {
    Objects.requireNonNull(receiptId, "receiptId");
    Objects.requireNonNull(userId, "userId");
    items = List.copyOf(items);
  }

  /** One line: a CBB version, its price at purchase (0 if already owned) and where it was bought first. */
  public record Item(int index, String cbbId, String version, long priceMicros, boolean alreadyOwned, String ownedVia) {}
}
