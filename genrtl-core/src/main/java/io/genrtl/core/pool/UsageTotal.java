package io.genrtl.core.pool;

/**
 * Totals of one (group, bucket) pair. For {@link GroupBy#DAY} the group is the UTC day number (epoch days) as a
 * string; a null group collects rows without the grouped attribute (e.g. rows without a model).
 */
public record UsageTotal(String group, Bucket bucket, long rows, long usdMicros, long inputTokens, long outputTokens,
    long cachedInputTokens, long cacheWriteTokens) {}
