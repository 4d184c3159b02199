package io.infermon.processor.bucket;

import io.infermon.processor.stats.DriftReport;
import io.infermon.processor.stats.BucketStatistics;

/**
 * A bucket that will receive no more records.
 *
 * @param model        whose calls it holds
 * @param startMillis  inclusive start, epoch milliseconds (a multiple of the bucket width)
 * @param endMillis    exclusive end
 * @param statistics   what was computed over its records
 * @param drift        how far it is from the model's reference, or null when there is no reference
 */
public record ClosedBucket(ModelKey model, long startMillis, long endMillis, BucketStatistics statistics,
                           DriftReport drift) {

    public ClosedBucket(ModelKey model, long startMillis, long endMillis, BucketStatistics statistics) {
        this(model, startMillis, endMillis, statistics, null);
    }

    /** False for a model key's empty bucket: traffic stopped (only late records, if any, were counted in it). */
    public boolean hasCalls() {
        return statistics.inferenceCalls() > 0;
    }

    public ClosedBucket withDrift(DriftReport report) {
        return new ClosedBucket(model, startMillis, endMillis, statistics, report);
    }
}
