package io.genrtl.core.cbb;

import io.genrtl.core.base.Page;
import io.genrtl.core.base.PageRequest;
import java.util.Map;
import java.util.Optional;

public interface ReceiptStore {
  void insert(Receipt receipt);

  Optional<Receipt> find(String receiptId);

  /** The receipt through which the user first got each version they own: {@code "id@version" -> receipt id}. */
  Map<String, String> owned(String userId);

  /**
   * Revokes the user's ownership of {@code cbbId@version} if it was bought through {@code receiptId} (a refund):
   * the ownership row is deleted, the receipt stays as it was. Returns whether the user owned it through that receipt.
   */
  boolean revoke(String userId, String cbbId, String version, String receiptId);

  /** The user's receipts, newest first. */
  Page<Receipt> list(String userId, PageRequest page);
}
