package io.infermon.processor.stats;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** Straightforward exact computations over raw values, the yardstick the summaries are checked against. */
public final class Textbook {
    private Textbook() {
    }

    public static double mean(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Population standard deviation, two passes. */
    public static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    /** Inverted-CDF quantile: the value at sorted index ceil(q * n) - 1 (numpy's method="inverted_cdf"). */
    public static double quantile(double[] x, double q) {
        double[] s = x.clone();
        Arrays.sort(s);
        int i = (int) Math.ceil(q * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, i))];
    }

    /** Share of values at or below {@code v}. */
    public static double cdf(double[] x, double v) {
        return (double) Arrays.stream(x).filter(a -> a <= v).count() / x.length;
    }

    public static Map<Long, Long> counts(double[] x) {
        Map<Long, Long> c = new TreeMap<>();
        for (double v : x) {
            c.merge((long) v, 1L, Long::sum);
        }
        return c;
    }
}
