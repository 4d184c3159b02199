package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.apache.datasketches.kll.KllDoublesSketch;

/** Checks of metric lines against values computed independently in the test. */
final class MetricAssertions {
    /** The rank error the docs state for sketched quantiles (KLL sketch, k = 200, 99% confidence). */
    static final double RANK_ERROR = KllDoublesSketch.getNormalizedRankError(200, false);
    static final double TOLERANCE = 1e-9;

    private MetricAssertions() {
    }

    /** Checks every {@code stat} of one distribution metric against the values it summarizes. */
    static void assertDistribution(MetricLines m, double[] values, String[] key, String... selector) {
        String[] k = concat(key, selector);
        String what = String.join(" ", selector);
        double mean = TestData.mean(values);
        double std = TestData.std(values);
        double min = java.util.Arrays.stream(values).min().orElseThrow();
        double max = java.util.Arrays.stream(values).max().orElseThrow();
        assertThat(value(m, k, "stat", "mean")).as("%s mean", what)
                .isCloseTo(mean, within(TOLERANCE * Math.max(1, Math.abs(mean))));
        assertThat(value(m, k, "stat", "std")).as("%s std", what)
                .isCloseTo(std, within(TOLERANCE * Math.max(1, std)));
        assertThat(value(m, k, "stat", "range")).as("%s range", what)
                .isCloseTo(max - min, within(TOLERANCE * Math.max(1, max - min)));
        // every distribution has its tails (docs/metrics.md): min and max (exact but for the test's own rounding of
        // a derived value such as the entropy), q01 ... q99 by rank
        assertThat(value(m, k, "stat", "min")).as("%s min", what)
                .isCloseTo(min, within(TOLERANCE * Math.max(1, Math.abs(min))));
        assertThat(value(m, k, "stat", "max")).as("%s max", what)
                .isCloseTo(max, within(TOLERANCE * Math.max(1, Math.abs(max))));
        for (String[] q : new String[][] {{"q01", "0.01"}, {"q05", "0.05"}, {"q25", "0.25"}, {"q50", "0.5"},
                {"median", "0.5"}, {"q75", "0.75"}, {"q95", "0.95"}, {"q99", "0.99"}}) {
            double reported = value(m, k, "stat", q[0]);
            double[] ranks = TestData.rankInterval(values, reported);
            double target = Double.parseDouble(q[1]);
            assertThat(target).as("%s %s = %s has ranks [%s, %s]", what, q[0], reported, ranks[0], ranks[1])
                    .isBetween(ranks[0] - RANK_ERROR, ranks[1] + RANK_ERROR);
        }
        assertThat(value(m, k, "stat", "iqr"))
                .isEqualTo(value(m, k, "stat", "q75") - value(m, k, "stat", "q25"));
    }

    static double[] pred1(double[][] probabilities) {
        return java.util.Arrays.stream(probabilities).mapToDouble(p -> java.util.Arrays.stream(p).max().orElseThrow())
                .toArray();
    }

    static double[] spread12(double[][] probabilities) {
        return java.util.Arrays.stream(probabilities).mapToDouble(p -> {
            double[] sorted = p.clone();
            java.util.Arrays.sort(sorted);
            return sorted[sorted.length - 1] - sorted[sorted.length - 2];
        }).toArray();
    }

    static double value(MetricLines m, String[] key, String... more) {
        return m.value(concat(key, more));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
