package io.genrtl.core.pool;

/**
 * A money-moving call seen before, scoped by (user, operation, key). {@code fingerprint} identifies the request
 * body; {@code resultRef} and {@code resultData} let the service rebuild the original answer.
 */
public record IdempotencyRecord(String userId, String operation, String key, String fingerprint, String resultRef,
    String resultData, long createdAt) {}
