package io.infermon.processor.profile;

import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;

/**
 * A bucket's statistics with what they cover: the mergeable, serializable form of a closed bucket (and of a
 * reference). Merging profiles of one model gives the profile of the union of their time ranges.
 *
 * @param model       the model key the statistics belong to
 * @param startMillis inclusive start of the covered time, epoch milliseconds
 * @param endMillis   exclusive end
 * @param statistics  the statistics (not copied: a profile owns them)
 */
public record BucketProfile(ModelKey model, long startMillis, long endMillis, BucketStatistics statistics) {

    public static BucketProfile of(ClosedBucket bucket) {
        return new BucketProfile(bucket.model(), bucket.startMillis(), bucket.endMillis(), bucket.statistics());
    }

    /** A new profile covering both; the model keys must be equal. Neither input is changed. */
    public BucketProfile merge(BucketProfile other) {
        if (!model.equals(other.model)) {
            throw new IllegalArgumentException("cannot merge profiles of different models: " + describe(model)
                    + " and " + describe(other.model));
        }
        BucketStatistics merged = new BucketStatistics(statistics.settings());
        merged.merge(statistics);
        merged.merge(other.statistics);
        return new BucketProfile(model, Math.min(startMillis, other.startMillis),
                Math.max(endMillis, other.endMillis), merged);
    }

    /** An empty profile of the same model and time range (merging with it copies this one). */
    public BucketProfile empty() {
        return new BucketProfile(model, startMillis, endMillis, new BucketStatistics(statistics.settings()));
    }

    /** The profile's file name: model key and start, with anything unsafe in a file name replaced by {@code _}. */
    public String fileName() {
        return fileStem(model, startMillis) + ProfileCodec.EXTENSION;
    }

    /** A model key's bucket as a file name without extension: {@code name[_vVERSION][_SIGNATURE]-START_SECONDS}. */
    public static String fileStem(ModelKey model, long startMillis) {
        StringBuilder sb = new StringBuilder(model.name());
        if (!model.version().isEmpty()) {
            sb.append("_v").append(model.version());
        }
        if (!model.signature().isEmpty()) {
            sb.append('_').append(model.signature());
        }
        return sb.toString().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + Math.floorDiv(startMillis, 1000L);
    }

    static String describe(ModelKey m) {
        return m.name() + (m.version().isEmpty() ? "" : " version " + m.version())
                + (m.signature().isEmpty() ? "" : " signature " + m.signature());
    }
}
