package io.infermon.processor.bucket;

import io.infermon.capture.CaptureRecord;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.StatisticsSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tumbling event-time buckets, aligned to the epoch, one set per {@link ModelKey}; the words are Kafka Streams' and
 * Flink's. A record belongs to the bucket {@code [floor(t / width) * width, + width)} of its capture time {@code t}.
 *
 * <p>Stream time is the latest capture time seen; the watermark is stream time minus the grace period. A bucket
 * closes once the watermark reaches its end, and {@link #closeAll()} closes the rest (at the end of a drain). A record
 * whose bucket has already closed is late: it is counted and, by {@link LatePolicy}, dropped or added to the model's
 * bucket at the current stream time; either way a closed bucket is never reopened or emitted twice.
 */
public final class EventTimeBuckets {
    private record Key(long startMillis, ModelKey model) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(startMillis, o.startMillis);
            return c != 0 ? c : model.compareTo(o.model);
        }
    }

    /** What happens to a record whose bucket has already closed. */
    public enum LatePolicy {
        /** Counted and left out. */
        DROP,
        /** Counted and added to the model's bucket at the current stream time instead. */
        CURRENT
    }

    private final long widthMillis;
    private final long graceMillis;
    private final LatePolicy latePolicy;
    private final TreeMap<Key, BucketStatistics> open = new TreeMap<>();
    private long streamTimeMillis = Long.MIN_VALUE;
    private long lateRecords;
    private final StatisticsSettings settings;
    private final int maxModels;
    private final java.util.Set<ModelKey> models = new java.util.TreeSet<>();
    private long modelsFolded;

    public EventTimeBuckets(Duration width, Duration grace) {
        this(width, grace, LatePolicy.DROP, StatisticsSettings.DEFAULTS);
    }

    public EventTimeBuckets(Duration width, Duration grace, LatePolicy latePolicy, StatisticsSettings settings) {
        this(width, grace, latePolicy, settings, DEFAULT_MAX_MODELS);
    }

    /** Model keys kept apart by default; records of further keys go to {@link ModelKey#OTHER}. */
    public static final int DEFAULT_MAX_MODELS = 100;

    /**
     * @param maxModels model keys kept apart; the records of any further key are counted in {@link ModelKey#OTHER},
     *                  so memory stays bounded whatever keys the agents send
     */
    public EventTimeBuckets(Duration width, Duration grace, LatePolicy latePolicy, StatisticsSettings settings,
                            int maxModels) {
        if (maxModels < 1) {
            throw new IllegalArgumentException("max models must be positive, not " + maxModels);
        }
        this.maxModels = maxModels;
        if (width.toMillis() <= 0) {
            throw new IllegalArgumentException("bucket width must be at least 1 ms, not " + width);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, not " + grace);
        }
        this.widthMillis = width.toMillis();
        this.graceMillis = grace.toMillis();
        this.latePolicy = latePolicy;
        this.settings = settings;
    }

    public java.time.Duration grace() {
        return java.time.Duration.ofMillis(graceMillis);
    }

    public java.time.Duration width() {
        return java.time.Duration.ofMillis(widthMillis);
    }

    /** The start of the bucket holding event time {@code t} (epoch millis), aligned to the epoch. */
    public long bucketStart(long t) {
        return Math.floorDiv(t, widthMillis) * widthMillis;
    }

    /**
     * Adds a record to its bucket and returns the buckets its arrival closed (in start order), usually none.
     */
    public List<ClosedBucket> add(CaptureRecord record) {
        long t = Math.floorDiv(record.captureTimeEpochNanos(), 1_000_000L);
        long start = bucketStart(t);
        ModelKey model = admit(ModelKey.of(record));
        lastModel = model;
        if (start + widthMillis <= watermark()) {
            // late: counted in the model's bucket at stream time (still open), which takes the record too by policy
            lateRecords++;
            long current = bucketStart(streamTimeMillis);
            BucketStatistics statistics = open.computeIfAbsent(new Key(current, model),
                    k -> new BucketStatistics(settings));
            statistics.countLate();
            if (latePolicy == LatePolicy.CURRENT) {
                statistics.add(record);
                lastStart = current;
            } else {
                lastStart = NOT_ADDED;
            }
            return List.of();
        }
        lastStart = start;
        open.computeIfAbsent(new Key(start, model), k -> new BucketStatistics(settings)).add(record);
        if (t > streamTimeMillis) {
            streamTimeMillis = t;
            return closeUpTo(watermark());
        }
        return List.of();
    }

    /** {@link #lastStart()} of a record that was dropped. */
    public static final long NOT_ADDED = Long.MIN_VALUE;
    private ModelKey lastModel;
    private long lastStart = NOT_ADDED;

    /** The model key the last record was counted under (its own, or {@link ModelKey#OTHER}). */
    public ModelKey lastModel() {
        return lastModel;
    }

    /** The start of the bucket that took the last record, or {@link #NOT_ADDED} (a late record, dropped). */
    public long lastStart() {
        return lastStart;
    }

    public StatisticsSettings settings() {
        return settings;
    }

    private ModelKey admit(ModelKey key) {
        if (models.contains(key)) {
            return key;
        }
        if (models.size() < maxModels) {
            models.add(key);
            return key;
        }
        modelsFolded++;
        return ModelKey.OTHER;
    }

    /** Records counted under {@link ModelKey#OTHER} because their key came after {@code maxModels} others. */
    public long modelsFolded() {
        return modelsFolded;
    }

    /** Stream time minus grace: buckets ending at or before it are complete. */
    public long watermark() {
        return streamTimeMillis == Long.MIN_VALUE ? Long.MIN_VALUE : streamTimeMillis - graceMillis;
    }

    /** Closes every open bucket, whatever the watermark (end of a drain). */
    public List<ClosedBucket> closeAll() {
        return closeUpTo(Long.MAX_VALUE);
    }

    private List<ClosedBucket> closeUpTo(long watermark) {
        List<ClosedBucket> closed = new ArrayList<>();
        while (!open.isEmpty()) {
            Map.Entry<Key, BucketStatistics> first = open.firstEntry();
            long end = first.getKey().startMillis() + widthMillis;
            if (watermark != Long.MAX_VALUE && end > watermark) {
                break;
            }
            open.pollFirstEntry();
            closed.add(new ClosedBucket(first.getKey().model(), first.getKey().startMillis(), end, first.getValue()));
        }
        return closed;
    }

    /** Stream time, late count and every open bucket: this component's part of a checkpoint. */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(streamTimeMillis);
        out.writeLong(lateRecords);
        out.writeLong(modelsFolded);
        out.writeInt(models.size());
        for (ModelKey m : models) {
            out.writeUTF(m.name());
            out.writeUTF(m.version());
            out.writeUTF(m.signature());
        }
        out.writeInt(open.size());
        for (Map.Entry<Key, BucketStatistics> e : open.entrySet()) {
            out.writeLong(e.getKey().startMillis());
            ModelKey m = e.getKey().model();
            out.writeUTF(m.name());
            out.writeUTF(m.version());
            out.writeUTF(m.signature());
            e.getValue().writeTo(out);
        }
    }

    public void restoreState(java.io.DataInput in) throws java.io.IOException {
        streamTimeMillis = in.readLong();
        lateRecords = in.readLong();
        modelsFolded = in.readLong();
        models.clear();
        for (int i = in.readInt(); i > 0; i--) {
            models.add(new ModelKey(in.readUTF(), in.readUTF(), in.readUTF()));
        }
        open.clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long start = in.readLong();
            ModelKey m = new ModelKey(in.readUTF(), in.readUTF(), in.readUTF());
            open.put(new Key(start, m), BucketStatistics.readFrom(in, settings));
        }
    }

    public int openBuckets() {
        return open.size();
    }

    /** Records that arrived after their bucket had closed (dropped or moved, by the late policy). */
    public long lateRecords() {
        return lateRecords;
    }
}
