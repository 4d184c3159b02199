package io.infermon.processor.stats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.LongsSketch;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * One input feature over a bucket: how many values were finite, NaN (missing), infinite or zero, the distribution of
 * the finite ones, and for a feature whose every finite value is a whole number, how often each value occurred and
 * how many distinct values there were.
 *
 * <p>Frequencies and the distinct count are exact while the distribution is (at most
 * {@link DistributionSummary#EXACT_LIMIT} distinct values). Beyond that a DataSketches frequent-items sketch
 * ({@link #FREQUENT_MAP_SIZE} counters; a count's error is at most {@code 3.5 / 128} of the values seen, reported
 * by {@link #frequencyErrorBound()}) and an HLL sketch (lg k = {@link #HLL_LG_K}: relative standard error about
 * 1.6%) take over.
 */
public final class FeatureSummary {
    public static final int FREQUENT_MAP_SIZE = 128;
    public static final int HLL_LG_K = 12;
    /** Whole numbers beyond 2^53 are not all representable as doubles; such features are not treated as integers. */
    private static final double MAX_EXACT_INTEGER = 0x1p53;

    private DistributionSummary values = new DistributionSummary();
    private long nan;
    private long infinite;
    private long zero;
    private boolean integral = true;
    private LongsSketch frequent;
    private HllSketch distinct;

    public void add(double x) {
        if (Double.isNaN(x)) {
            nan++;
            return;
        }
        if (Double.isInfinite(x)) {
            infinite++;
            return;
        }
        if (x == 0) {
            zero++;
        }
        ValueCounts before = values.exactCounts();
        values.add(x);
        if (!integral) {
            return;
        }
        if (x != Math.rint(x) || Math.abs(x) > MAX_EXACT_INTEGER) {
            integral = false;
            frequent = null;
            distinct = null;
            return;
        }
        if (values.exactCounts() == null) {
            if (frequent == null) {
                startSketches(before == null ? null : before.sorted());
            }
            frequent.update((long) x);
            distinct.update((long) x);
        }
    }

    /** Seeds the frequency sketches from the exact table the distribution just left behind. */
    private void startSketches(ValueCounts.Sorted s) {
        frequent = new LongsSketch(FREQUENT_MAP_SIZE);
        distinct = new HllSketch(HLL_LG_K);
        if (s != null) {
            for (int i = 0; i < s.values().length; i++) {
                frequent.update((long) s.values()[i], s.counts()[i]);
                distinct.update((long) s.values()[i]);
            }
        }
    }

    public void merge(FeatureSummary other) {
        // snapshot first: merging fills this table in place before it may overflow
        ValueCounts.Sorted before = values.exactCounts() == null ? null : values.exactCounts().sorted();
        ValueCounts otherExact = other.values.exactCounts();
        values.merge(other.values);
        nan += other.nan;
        infinite += other.infinite;
        zero += other.zero;
        boolean bothIntegral = integral && other.integral;
        if (!bothIntegral) {
            integral = false;
            frequent = null;
            distinct = null;
            return;
        }
        if (values.exactCounts() != null) {
            return;
        }
        if (frequent == null) {
            startSketches(before);
        }
        if (other.frequent != null) {
            frequent.merge(other.frequent);
            Union u = new Union(HLL_LG_K);
            u.update(distinct);
            u.update(other.distinct);
            distinct = u.getResult();
        } else if (otherExact != null) {
            ValueCounts.Sorted s = otherExact.sorted();
            for (int i = 0; i < s.values().length; i++) {
                frequent.update((long) s.values()[i], s.counts()[i]);
                distinct.update((long) s.values()[i]);
            }
        }
    }

    /** The finite values' distribution. */
    public DistributionSummary values() {
        return values;
    }

    /** Finite values. */
    public long count() {
        return values.count();
    }

    public long nanCount() {
        return nan;
    }

    public long infiniteCount() {
        return infinite;
    }

    public long zeroCount() {
        return zero;
    }

    /** True when the feature had finite values and every one of them was a whole number. */
    public boolean isIntegral() {
        return integral && values.count() > 0;
    }

    /** Distinct finite values of an integral feature: exact while {@link DistributionSummary#isExact()}, else HLL. */
    public double distinctCount() {
        if (!isIntegral()) {
            return Double.NaN;
        }
        ValueCounts exact = values.exactCounts();
        return exact != null ? exact.size() : distinct.getEstimate();
    }

    /** A value and how often it occurred (an estimate once the feature left exact counting). */
    public record ValueCount(long value, long count) {
    }

    /**
     * The {@code limit} most frequent values of an integral feature, most frequent first (ties by value), or nothing
     * for a feature that is not integral.
     */
    public List<ValueCount> mostFrequent(int limit) {
        List<ValueCount> all = new ArrayList<>();
        if (!isIntegral()) {
            return all;
        }
        ValueCounts exact = values.exactCounts();
        if (exact != null) {
            ValueCounts.Sorted s = exact.sorted();
            for (int i = 0; i < s.values().length; i++) {
                all.add(new ValueCount((long) s.values()[i], s.counts()[i]));
            }
        } else {
            for (LongsSketch.Row r : frequent.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)) {
                all.add(new ValueCount(r.getItem(), r.getEstimate()));
            }
        }
        all.sort(Comparator.comparingLong(ValueCount::count).reversed().thenComparingLong(ValueCount::value));
        return all.size() > limit ? new ArrayList<>(all.subList(0, limit)) : all;
    }

    /** The largest error of any count from {@link #mostFrequent}: 0 while exact. */
    public long frequencyErrorBound() {
        return frequent == null ? 0 : frequent.getMaximumError();
    }

    public void writeTo(DataOutput out, SketchForm form) throws IOException {
        values.writeTo(out, form);
        out.writeLong(nan);
        out.writeLong(infinite);
        out.writeLong(zero);
        out.writeBoolean(integral);
        boolean sketches = frequent != null;
        out.writeBoolean(sketches);
        if (sketches) {
            writeBytes(out, frequent.toByteArray());
            writeBytes(out, distinct.toCompactByteArray());
        }
    }

    public static FeatureSummary readFrom(DataInput in) throws IOException {
        FeatureSummary f = new FeatureSummary();
        DistributionSummary d = DistributionSummary.readFrom(in);
        f.values = d;
        f.nan = in.readLong();
        f.infinite = in.readLong();
        f.zero = in.readLong();
        f.integral = in.readBoolean();
        if (in.readBoolean()) {
            try {
                f.frequent = LongsSketch.getInstance(Memory.wrap(readBytes(in)));
                f.distinct = HllSketch.heapify(Memory.wrap(readBytes(in)));
            } catch (RuntimeException e) {
                throw new IOException("unreadable frequency sketch: " + e.getMessage(), e);
            }
        }
        if (f.integral && d.count() > 0 && !d.isExact() && f.frequent == null) {
            throw new IOException("integral feature beyond exact counting without its frequency sketches");
        }
        return f;
    }

    static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static byte[] readBytes(DataInput in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > (64 << 20)) {
            throw new IOException("sketch of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
