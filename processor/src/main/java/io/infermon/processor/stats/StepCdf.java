package io.infermon.processor.stats;

/**
 * A distribution as a right-continuous step function: {@code F(x)} = share of values {@code <= x}, jumping to
 * {@code cumulative[i]} at {@code values[i]}. Exact when it comes from a {@link ValueCounts} table, the sketch's own
 * approximation when it comes from a KLL sketch's sorted view. The drift measures work on this form only, so
 * they are computed the same way whichever kind of summary is behind it.
 *
 * @param values     distinct values, ascending
 * @param cumulative share of values at or below {@code values[i]}, ascending, the last one 1
 */
public record StepCdf(double[] values, double[] cumulative) {

    /** F(x): the share of values at or below {@code x}. */
    public double at(double x) {
        int lo = 0;
        int hi = values.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= x) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? 0.0 : cumulative[found];
    }

    /** The smallest value whose share at or below it is at least {@code q} (the inverted-CDF quantile). */
    public double quantile(double q) {
        for (int i = 0; i < values.length; i++) {
            if (cumulative[i] >= q) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }

    public boolean isEmpty() {
        return values.length == 0;
    }
}
