package io.infermon.processor.bucket;

import io.infermon.processor.stats.BucketStatistics;

/**
 * A bucket that will receive no more records.
 *
 * @param model        whose calls it holds
 * @param startMillis  inclusive start, epoch milliseconds (a multiple of the bucket width)
 * @param endMillis    exclusive end
 * @param statistics   what was computed over its records
 */
public record ClosedBucket(ModelKey model, long startMillis, long endMillis, BucketStatistics statistics) {
}
