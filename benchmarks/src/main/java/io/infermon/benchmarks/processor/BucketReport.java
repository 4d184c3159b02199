package io.infermon.benchmarks.processor;

import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import io.infermon.processor.stats.FeatureSummary;
import io.infermon.processor.stats.PredictionSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * What a bucket reports when it closes, in one shape for every peer: the statistics the processor emits for the
 * features and predictions (docs/metrics.md). Both Java peers end a bucket by producing one, so the benchmark
 * times the same work, and the tests can compare the two.
 *
 * @param rows        rows in the bucket
 * @param features    one entry per input column
 * @param predictions what the model predicted
 */
public record BucketReport(long rows, List<Feature> features, Predictions predictions) {
    /** The quantiles the processor emits ({@code q01} ... {@code q99}). */
    public static final double[] QUANTILES = {0.01, 0.05, 0.25, 0.50, 0.75, 0.95, 0.99};
    /** Values per integral feature reported with their counts, as the processor does. */
    public static final int TOP_VALUES = 20;

    /**
     * The finite values of one distribution.
     *
     * @param quantiles at {@link #QUANTILES}, by the inclusive (inverted-CDF) rule
     */
    public record Distribution(long count, double mean, double std, double min, double max, double[] quantiles) {
    }

    /**
     * One input column.
     *
     * @param distinct  distinct values of an integral column, NaN otherwise
     * @param topValues the most frequent values of an integral column, most frequent first (ties by value)
     * @param topCounts their counts
     */
    public record Feature(long nan, long infinite, long zero, Distribution values, double distinct, long[] topValues,
                          long[] topCounts) {
    }

    /**
     * The model's outputs.
     *
     * @param classCounts     rows predicted as each class
     * @param meanProbability mean probability of each class
     */
    public record Predictions(long[] classCounts, double[] meanProbability, Distribution pred1,
                              Distribution spread12, Distribution entropy) {
    }

    /** The report of infermon's own statistics: what the processor reads out of them when a bucket closes. */
    public static BucketReport of(BucketStatistics s) {
        List<Feature> features = new ArrayList<>(s.features().size());
        for (FeatureSummary f : s.features()) {
            long[] values = new long[0];
            long[] counts = new long[0];
            if (f.isIntegral()) {
                List<FeatureSummary.ValueCount> top = f.mostFrequent(TOP_VALUES);
                values = new long[top.size()];
                counts = new long[top.size()];
                for (int i = 0; i < top.size(); i++) {
                    values[i] = top.get(i).value();
                    counts[i] = top.get(i).count();
                }
            }
            features.add(new Feature(f.nanCount(), f.infiniteCount(), f.zeroCount(), of(f.values()),
                    f.distinctCount(), values, counts));
        }
        PredictionSummary p = s.predictions();
        long[] classCounts = p.classCounts();
        double[] mean = new double[classCounts.length];
        for (int c = 0; c < mean.length; c++) {
            mean[c] = p.meanProbability(c);
        }
        return new BucketReport(s.rows(), features, new Predictions(classCounts, mean, of(p.maxProbability()),
                of(p.spread12()), of(p.entropy())));
    }

    private static Distribution of(DistributionSummary d) {
        double[] q = new double[QUANTILES.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = d.quantile(QUANTILES[i]);
        }
        return new Distribution(d.count(), d.mean(), d.std(), d.min(), d.max(), q);
    }
}
