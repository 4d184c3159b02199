package io.infermon.processor.stats;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The distribution of one stream of values within a bucket: exact count, mean, population standard deviation, minimum
 * and maximum (Welford's online algorithm, merged with Chan's formula), and quantiles from a DataSketches KLL sketch.
 * Both halves are mergeable, so bucket summaries roll up into hours and days without the raw values.
 *
 * <p>Only finite values enter the summary; NaN and infinities are left to the caller to count.
 *
 * <p>Quantiles follow the sketch's inclusive rule: {@code quantile(q)} is the smallest retained value {@code v} whose
 * estimated normalized rank (the share of values {@code <= v}) is at least {@code q}. With {@link #SKETCH_K} = 200
 * that rank is within {@link #rankError()} (1.33%) of the true one with 99% confidence; up to 200 values the
 * sketch keeps them all and quantiles are exact.
 */
public final class DistributionSummary {
    public static final int SKETCH_K = 200;

    private long count;
    private double mean;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private final KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(SKETCH_K);

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
        sketch.update(x);
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
        sketch.merge(other.sketch);
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

    /** The {@code q}-quantile (0 <= q <= 1) by the inclusive rule described above. */
    public double quantile(double q) {
        return count == 0 ? Double.NaN : sketch.getQuantile(q, QuantileSearchCriteria.INCLUSIVE);
    }

    /** The sketch's normalized rank error for single quantile queries, at 99% confidence. */
    public static double rankError() {
        return KllDoublesSketch.getNormalizedRankError(SKETCH_K, false);
    }
}
