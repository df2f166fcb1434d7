package io.genrtl.core.pool;

/**
 * Told when a refund takes back a CBB item, inside the refund's transaction: revokes the user's ownership of the item
 * if it was bought through the purchase's receipt, and returns whether it did (the CBB registry's receipts;
 * {@code GenRtl} wires it).
 */
@FunctionalInterface
public interface ItemRefundListener {
  boolean itemRefunded(String userId, CbbPurchase purchase);
}
