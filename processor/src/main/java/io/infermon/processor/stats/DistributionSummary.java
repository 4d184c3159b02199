package io.infermon.processor.stats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.DoublesSortedView;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The distribution of one stream of finite values: exact count, mean, population standard deviation, minimum and
 * maximum (Welford's online algorithm, merged with Chan's formula), and the shape of the distribution for quantiles
 * and drift.
 *
 * <p>The shape is kept exactly while the stream has at most {@link #EXACT_LIMIT} distinct values (a
 * {@link ValueCounts} table: quantiles, frequencies and distinct counts are then exact). At the first value beyond
 * that it moves, once, to a DataSketches KLL sketch with {@code k} = {@link #SKETCH_K}; its quantiles' normalized
 * rank is within {@link #rankError()} (1.33%) of the true one with 99% confidence. Both forms merge, so bucket
 * summaries roll up into hours and days without the raw values.
 *
 * <p>Quantiles follow the inclusive (inverted-CDF) rule: {@code quantile(q)} is the smallest value {@code v} whose
 * share of values {@code <= v} is at least {@code q}.
 *
 * <p>Only finite values enter; NaN and infinities are left to the caller to count.
 */
public final class DistributionSummary {
    public static final int SKETCH_K = 200;
    /** Distinct values kept exactly before the summary moves to a sketch. */
    public static final int EXACT_LIMIT = 256;

    private long count;
    private double mean;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    /** Exact counts while there are few distinct values; null once {@link #sketch} took over. */
    private ValueCounts exact = new ValueCounts(EXACT_LIMIT);
    private KllDoublesSketch sketch;

    /** Adds a finite value. */
    public void add(double x) {
        count++;
        double delta = x - mean;
        mean += delta / count;
        m2 += delta * (x - mean);
        if (x < min) {
            min = x;
        }
        if (x > max) {
            max = x;
        }
        if (exact != null) {
            if (exact.add(x, 1)) {
                return;
            }
            moveToSketch();
        }
        sketch.update(x);
    }

    private void moveToSketch() {
        sketch = KllDoublesSketch.newHeapInstance(SKETCH_K);
        ValueCounts.Sorted s = exact.sorted();
        for (int i = 0; i < s.values().length; i++) {
            sketch.update(s.values()[i], s.counts()[i]);
        }
        exact = null;
    }

    /** Folds {@code other} into this summary, as if its values had been added here. */
    public void merge(DistributionSummary other) {
        if (other.count == 0) {
            return;
        }
        if (count == 0) {
            count = other.count;
            mean = other.mean;
            m2 = other.m2;
        } else {
            long n = count + other.count;
            double delta = other.mean - mean;
            mean += delta * other.count / n;
            m2 += other.m2 + delta * delta * ((double) count * other.count / n);
            count = n;
        }
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        if (other.exact != null) {
            ValueCounts.Sorted s = other.exact.sorted();
            for (int i = 0; i < s.values().length; i++) {
                if (exact != null && !exact.add(s.values()[i], s.counts()[i])) {
                    moveToSketch();
                }
                if (exact == null) {
                    sketch.update(s.values()[i], s.counts()[i]);
                }
            }
        } else {
            if (exact != null) {
                moveToSketch();
            }
            sketch.merge(other.sketch);
        }
    }

    public long count() {
        return count;
    }

    public double mean() {
        return count == 0 ? Double.NaN : mean;
    }

    /** Population standard deviation: {@code sqrt(sum((x - mean)^2) / n)}. */
    public double std() {
        return count == 0 ? Double.NaN : Math.sqrt(Math.max(0, m2 / count));
    }

    public double min() {
        return count == 0 ? Double.NaN : min;
    }

    public double max() {
        return count == 0 ? Double.NaN : max;
    }

    public double range() {
        return count == 0 ? Double.NaN : max - min;
    }

    /** True while every value is counted exactly (at most {@link #EXACT_LIMIT} distinct values so far). */
    public boolean isExact() {
        return exact != null;
    }

    /** The exact value counts, or null once the summary is a sketch. Do not modify. */
    public ValueCounts exactCounts() {
        return exact;
    }

    /** The {@code q}-quantile (0 <= q <= 1) by the inclusive rule described above. */
    public double quantile(double q) {
        if (count == 0) {
            return Double.NaN;
        }
        if (exact == null) {
            return sketch.getQuantile(q, QuantileSearchCriteria.INCLUSIVE);
        }
        ValueCounts.Sorted s = exact.sorted();
        long cumulative = 0;
        for (int i = 0; i < s.values().length; i++) {
            cumulative += s.counts()[i];
            if ((double) cumulative / count >= q) {
                return s.values()[i];
            }
        }
        return max;
    }

    /** The distribution as a step CDF: exact, or the sketch's retained items with their weights. */
    public StepCdf cdf() {
        if (count == 0) {
            return new StepCdf(new double[0], new double[0]);
        }
        double[] values;
        long[] cumulativeWeights;
        if (exact != null) {
            ValueCounts.Sorted s = exact.sorted();
            values = s.values();
            cumulativeWeights = new long[values.length];
            long c = 0;
            for (int i = 0; i < values.length; i++) {
                c += s.counts()[i];
                cumulativeWeights[i] = c;
            }
        } else {
            DoublesSortedView view = sketch.getSortedView();
            values = view.getQuantiles();
            cumulativeWeights = view.getCumulativeWeights();
        }
        long n = cumulativeWeights[cumulativeWeights.length - 1];
        // a sketch's sorted view may repeat a value; keep the last (highest) cumulative weight of each
        int k = 0;
        double[] v = new double[values.length];
        double[] f = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            if (k > 0 && v[k - 1] == values[i]) {
                k--;
            }
            v[k] = values[i];
            f[k] = (double) cumulativeWeights[i] / n;
            k++;
        }
        return new StepCdf(java.util.Arrays.copyOf(v, k), java.util.Arrays.copyOf(f, k));
    }

    /** The sketch's normalized rank error for single quantile queries, at 99% confidence. */
    public static double rankError() {
        return KllDoublesSketch.getNormalizedRankError(SKETCH_K, false);
    }

    /** Serialized form, part of the profile format (docs/profile-format.md). */
    public void writeTo(DataOutput out, SketchForm form) throws IOException {
        out.writeLong(count);
        out.writeDouble(mean);
        out.writeDouble(m2);
        out.writeDouble(min);
        out.writeDouble(max);
        if (exact != null) {
            out.writeByte(0);
            exact.writeTo(out);
        } else {
            // the compact form where asked for and where it holds the sketch within its stated bound
            byte[] compact = form == SketchForm.COMPACT ? CompactKll.encode(sketch) : null;
            byte[] bytes = compact != null ? compact : sketch.toByteArray();
            out.writeByte(compact != null ? 2 : 1);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    public static DistributionSummary readFrom(DataInput in) throws IOException {
        DistributionSummary d = new DistributionSummary();
        d.count = in.readLong();
        d.mean = in.readDouble();
        d.m2 = in.readDouble();
        d.min = in.readDouble();
        d.max = in.readDouble();
        int form = in.readByte();
        if (form == 0) {
            d.exact = ValueCounts.readFrom(in, EXACT_LIMIT);
        } else if (form == 1 || form == 2) {
            int length = in.readInt();
            if (length < 0 || length > (64 << 20)) {
                throw new IOException("sketch of " + length + " bytes");
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            if (form == 2) {
                d.sketch = CompactKll.decode(bytes);
            } else {
                try {
                    d.sketch = KllDoublesSketch.heapify(Memory.wrap(bytes));
                } catch (RuntimeException e) {
                    throw new IOException("unreadable quantile sketch: " + e.getMessage(), e);
                }
            }
            d.exact = null;
        } else {
            throw new IOException("unknown distribution form " + form);
        }
        if (d.count < 0) {
            throw new IOException("negative count " + d.count);
        }
        return d;
    }
}
