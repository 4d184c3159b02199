package io.infermon.processor.bucket;

import io.infermon.capture.CaptureRecord;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.SketchForm;
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
 * <p>The buckets do not decide how far event time has gone: the queues do. {@link #advanceTo} takes the watermark,
 * the event time up to which every record still to come is known to be complete (docs/metrics.md, "Buckets"), and a
 * bucket closes once the watermark reaches its end plus the grace period. {@link #closeAll()} closes the rest (at the
 * end of a drain). A record whose bucket has already closed is late: it is counted and, by {@link LatePolicy},
 * dropped or added to the model's bucket at the watermark; either way a closed bucket is never reopened or emitted
 * twice, also after a restart with another grace.
 *
 * <p>A model key that had calls in one of the last {@code emptyBuckets} buckets and none in a bucket that closes gets
 * an empty bucket (no calls, no statistics), so that traffic that stopped shows as {@code inference_calls 0} rather
 * than as nothing.
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
    /** The latest watermark given to {@link #advanceTo}: every record still to come started at or after it. */
    private long watermarkMillis = Long.MIN_VALUE;
    /** Buckets ending at or before this are closed; it only grows, also across restarts with another grace. */
    private long closedThroughMillis = Long.MIN_VALUE;
    /** Per model key, the start of its latest closed bucket that had calls (for empty buckets). */
    private final Map<ModelKey, Long> lastCalls = new TreeMap<>();
    private final int emptyBuckets;
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

    public EventTimeBuckets(Duration width, Duration grace, LatePolicy latePolicy, StatisticsSettings settings,
                            int maxModels) {
        this(width, grace, latePolicy, settings, maxModels, 0);
    }

    /** Model keys kept apart by default; records of further keys go to {@link ModelKey#OTHER}. */
    public static final int DEFAULT_MAX_MODELS = 100;

    /**
     * @param maxModels    model keys kept apart; the records of any further key are counted in {@link ModelKey#OTHER},
     *                     so memory stays bounded whatever keys the agents send
     * @param emptyBuckets after a model key's last bucket with calls, how many buckets without calls it still gets
     *                     (as empty buckets); 0 for none
     */
    public EventTimeBuckets(Duration width, Duration grace, LatePolicy latePolicy, StatisticsSettings settings,
                            int maxModels, int emptyBuckets) {
        if (maxModels < 1) {
            throw new IllegalArgumentException("max models must be positive, not " + maxModels);
        }
        if (emptyBuckets < 0) {
            throw new IllegalArgumentException("empty buckets must not be negative, not " + emptyBuckets);
        }
        this.emptyBuckets = emptyBuckets;
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
     * Adds a record to its bucket, or counts it late when that bucket has closed. Closing is {@link #advanceTo}'s.
     */
    public void add(CaptureRecord record) {
        long t = Math.floorDiv(record.captureTimeEpochNanos(), 1_000_000L);
        long start = bucketStart(t);
        ModelKey model = admit(ModelKey.of(record));
        lastModel = model;
        if (start + widthMillis <= closedThroughMillis) {
            // late: counted in the model's bucket at the watermark (still open), which takes the record too by policy
            lateRecords++;
            long current = bucketStart(Math.max(watermarkMillis, closedThroughMillis));
            BucketStatistics statistics = open.computeIfAbsent(new Key(current, model),
                    k -> new BucketStatistics(settings));
            statistics.countLate();
            if (latePolicy == LatePolicy.CURRENT) {
                statistics.add(record);
                lastStart = current;
            } else {
                lastStart = NOT_ADDED;
            }
            return;
        }
        lastStart = start;
        open.computeIfAbsent(new Key(start, model), k -> new BucketStatistics(settings)).add(record);
    }

    /**
     * Moves the watermark on (a lower one is ignored: watermarks only grow) and returns every bucket that closed, in
     * start order, with the empty buckets of model keys whose calls stopped among them: {@link #watermarkAt} and then
     * {@link #closeNext} until it has nothing more, for users that keep no checkpoint between the two.
     */
    public List<ClosedBucket> advanceTo(long watermark) {
        watermarkAt(watermark);
        return closeDue(false);
    }

    /** Moves the watermark on (a lower one is ignored: watermarks only grow); {@link #closeNext} does the closing. */
    public void watermarkAt(long watermark) {
        watermarkMillis = Math.max(watermarkMillis, watermark);
    }

    /**
     * Closes the buckets of the earliest start that is due, with the empty buckets due there, and returns them; an
     * empty list when none is due. Due: ending at or before the watermark less the grace or, with {@code all} (the end
     * of a drain), any bucket still open. Empty buckets are made at the start as it closes: for each model key whose
     * last bucket with calls is at most {@code emptyBuckets} back and that has no bucket there. Only starts that hold a
     * bucket or an empty one are visited, so a watermark that jumps a year costs no more than one that moves a minute.
     *
     * <p>One start at a time because a caller writes each start's outputs and then a checkpoint (one bucket
     * boundary), and a checkpoint taken between two starts must still hold the later ones as open buckets: taken off
     * all at once, they were in neither the checkpoint nor the outputs, and a processor killed there lost them. A
     * restart from such a checkpoint closes them first ({@link #hasDue}), before reading on.
     */
    public List<ClosedBucket> closeNext(boolean all) {
        long closing = closing(all);
        long start = dueStart(closing);
        if (start == Long.MAX_VALUE) {
            closedThroughMillis = Math.max(closedThroughMillis, closing);
            return List.of();
        }
        for (Map.Entry<ModelKey, Long> m : lastCalls.entrySet()) {
            if (start > m.getValue() && start - m.getValue() <= emptyBuckets * widthMillis) {
                open.putIfAbsent(new Key(start, m.getKey()), new BucketStatistics(settings));
            }
        }
        List<ClosedBucket> closed = new ArrayList<>();
        while (!open.isEmpty() && open.firstKey().startMillis() == start) {
            Map.Entry<Key, BucketStatistics> first = open.pollFirstEntry();
            ModelKey model = first.getKey().model();
            if (first.getValue().inferenceCalls() > 0) {
                lastCalls.put(model, start);
            }
            closed.add(new ClosedBucket(model, start, start + widthMillis, first.getValue()));
        }
        // closed through this start only while more are due, so that a checkpoint now leaves them to a restart; at
        // the last, through the whole step, as if it had closed at once
        closedThroughMillis = start + widthMillis;
        if (dueStart(closing) == Long.MAX_VALUE) {
            closedThroughMillis = closing;
        }
        return closed;
    }

    /** Whether {@link #closeNext}{@code (all)} would close buckets. */
    public boolean hasDue(boolean all) {
        return dueStart(closing(all)) != Long.MAX_VALUE;
    }

    /** The earliest start not closed yet whose buckets end at or before {@code closing}, or Long.MAX_VALUE for none. */
    private long dueStart(long closing) {
        if (closing <= closedThroughMillis) {
            return Long.MAX_VALUE;
        }
        long start = nextStart(firstOpen());
        return start != Long.MAX_VALUE && start + widthMillis <= closing ? start : Long.MAX_VALUE;
    }

    /** How far buckets are due to close: the watermark less the grace, or with {@code all} past every open one. */
    private long closing(boolean all) {
        long byWatermark = watermarkMillis == Long.MIN_VALUE ? Long.MIN_VALUE : watermarkMillis - graceMillis;
        return all && !open.isEmpty() ? Math.max(byWatermark, open.lastKey().startMillis() + widthMillis)
                : byWatermark;
    }

    /** The start of the first bucket not closed yet (one may be open across {@link #closedThroughMillis}). */
    private long firstOpen() {
        return closedThroughMillis == Long.MIN_VALUE ? Long.MIN_VALUE : bucketStart(closedThroughMillis);
    }

    private List<ClosedBucket> closeDue(boolean all) {
        List<ClosedBucket> closed = new ArrayList<>();
        for (List<ClosedBucket> c; !(c = closeNext(all)).isEmpty(); ) {
            closed.addAll(c);
        }
        return closed;
    }

    /**
     * Whether {@link #advanceTo}{@code (watermark)} would pass a bucket end: from then on, records of the bucket that
     * ends there are late.
     */
    public boolean passesBucketEnd(long watermark) {
        long closing = watermark - graceMillis;
        return watermark > watermarkMillis && closing > closedThroughMillis
                && (closedThroughMillis == Long.MIN_VALUE || bucketStart(closing) > bucketStart(closedThroughMillis));
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

    /** Buckets ending at or before this are closed: the watermark minus grace (or more, after a restart). */
    public long watermark() {
        return closedThroughMillis;
    }

    /**
     * Closes every open bucket, whatever the watermark (end of a drain), with the empty buckets up to the last: {@link
     * #closeNext}{@code (true)} until it has nothing more.
     */
    public List<ClosedBucket> closeAll() {
        return closeDue(true);
    }

    /** The earliest start at or after {@code from} that holds an open bucket or is due an empty one. */
    private long nextStart(long from) {
        long next = open.isEmpty() ? Long.MAX_VALUE : open.firstKey().startMillis();
        for (long last : lastCalls.values()) {
            long candidate = Math.max(last + widthMillis, from);
            if (candidate - last <= emptyBuckets * widthMillis && candidate < next) {
                next = candidate;
            }
        }
        return next;
    }

    /**
     * Watermark, late count and every open bucket: this component's part of a checkpoint. (Its layout is that of
     * checkpoints written before watermarks came from the queues; the rest is in {@link #writeClosing}.)
     */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(watermarkMillis);
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
            e.getValue().writeTo(out, SketchForm.FULL); // a checkpoint gives back the very sketches
        }
    }

    public void restoreState(java.io.DataInput in) throws java.io.IOException {
        watermarkMillis = in.readLong();
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

    /** What closing depends on beyond {@link #writeState}: how far buckets are closed, and each key's last calls. */
    public void writeClosing(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(closedThroughMillis);
        out.writeInt(lastCalls.size());
        for (Map.Entry<ModelKey, Long> e : lastCalls.entrySet()) {
            ModelKey m = e.getKey();
            out.writeUTF(m.name());
            out.writeUTF(m.version());
            out.writeUTF(m.signature());
            out.writeLong(e.getValue());
        }
    }

    public void restoreClosing(java.io.DataInput in) throws java.io.IOException {
        closedThroughMillis = in.readLong();
        lastCalls.clear();
        for (int i = in.readInt(); i > 0; i--) {
            lastCalls.put(new ModelKey(in.readUTF(), in.readUTF(), in.readUTF()), in.readLong());
        }
    }

    /**
     * For a checkpoint written before {@link #writeClosing} existed: buckets were closed up to its watermark (then the
     * latest capture time) minus the grace it was made with.
     */
    public void restoreClosing(long checkpointGraceMillis) {
        closedThroughMillis = watermarkMillis == Long.MIN_VALUE ? Long.MIN_VALUE
                : watermarkMillis - checkpointGraceMillis;
        lastCalls.clear();
    }

    public int openBuckets() {
        return open.size();
    }

    /** Records that arrived after their bucket had closed (dropped or moved, by the late policy). */
    public long lateRecords() {
        return lateRecords;
    }
}
