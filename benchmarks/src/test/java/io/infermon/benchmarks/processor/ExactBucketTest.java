package io.infermon.benchmarks.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.processor.stats.DistributionSummary;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The two Java peers must compute the same statistics, or the benchmark compares unlike work. On the digits
 * traffic every feature has at most 17 distinct values, so infermon's feature statistics are exact and must equal
 * the sorted-column baseline; the prediction distributions are sketched and must be within the sketch's bound.
 */
class ExactBucketTest {
    private static final int CALLS = 300; // 19,200 rows: past the sketch's exact phase, and quick
    private static final DigitsTraffic TRAFFIC = DigitsTraffic.load();
    private static final ByteBuffer[] RECORDS = TRAFFIC.sealedRecords();

    @Test
    void featureStatisticsEqualTheSortedColumns() throws Exception {
        BucketReport ours = ProcessorThroughputBenchmark.infermon(RECORDS, CALLS);
        BucketReport exact = ProcessorThroughputBenchmark.exactJava(RECORDS, CALLS);

        assertThat(ours.rows()).isEqualTo(exact.rows()).isEqualTo(CALLS * 64L);
        assertThat(ours.features()).hasSize(64);
        assertThat(exact.features()).hasSize(64);
        int constant = 0;
        for (int j = 0; j < 64; j++) {
            BucketReport.Feature a = ours.features().get(j);
            BucketReport.Feature b = exact.features().get(j);
            assertThat(a.nan()).isEqualTo(b.nan()).isZero();
            assertThat(a.infinite()).isEqualTo(b.infinite()).isZero();
            assertThat(a.zero()).as("zeros of feat_%d", j).isEqualTo(b.zero());
            assertThat(a.values().count()).isEqualTo(b.values().count()).isEqualTo(CALLS * 64L);
            assertThat(a.values().mean()).as("mean of feat_%d", j).isCloseTo(b.values().mean(), within(1e-9));
            assertThat(a.values().std()).as("std of feat_%d", j).isCloseTo(b.values().std(), within(1e-9));
            assertThat(a.values().min()).isEqualTo(b.values().min());
            assertThat(a.values().max()).isEqualTo(b.values().max());
            assertThat(a.values().quantiles()).as("quantiles of feat_%d", j).containsExactly(b.values().quantiles());
            assertThat(a.distinct()).as("distinct values of feat_%d", j).isEqualTo(b.distinct());
            assertThat(a.topValues()).as("most frequent values of feat_%d", j).containsExactly(b.topValues());
            assertThat(a.topCounts()).containsExactly(b.topCounts());
            if (b.distinct() == 1) {
                constant++;
            }
        }
        // real pixels: the border columns are (almost) always blank, the centre ones spread over 0..16
        assertThat(constant).isLessThan(64);
        assertThat(exact.features().get(36).distinct()).isEqualTo(17);
    }

    @Test
    void predictionStatisticsAgreeWithinTheSketchBound() throws Exception {
        BucketReport ours = ProcessorThroughputBenchmark.infermon(RECORDS, CALLS);
        BucketReport exact = ProcessorThroughputBenchmark.exactJava(RECORDS, CALLS);
        BucketReport.Predictions a = ours.predictions();
        BucketReport.Predictions b = exact.predictions();

        assertThat(a.classCounts()).containsExactly(b.classCounts());
        assertThat(Arrays.stream(b.classCounts()).sum()).isEqualTo(CALLS * 64L);
        assertThat(Arrays.stream(b.classCounts()).filter(c -> c > 0).count()).isGreaterThan(2);
        for (int c = 0; c < 10; c++) {
            assertThat(a.meanProbability()[c]).isCloseTo(b.meanProbability()[c], within(1e-9));
        }

        // pred1 computed independently from the data set, to check both peers' quantiles by rank
        int n = CALLS * 64;
        double[] pred1 = new double[n];
        for (int k = 0; k < n; k++) {
            float[] p = TRAFFIC.probabilities(k % TRAFFIC.rows());
            double top = 0;
            for (float v : p) {
                top = Math.max(top, v);
            }
            pred1[k] = top;
        }
        Arrays.sort(pred1);
        double bound = DistributionSummary.rankError();
        for (int i = 0; i < BucketReport.QUANTILES.length; i++) {
            double q = BucketReport.QUANTILES[i];
            double exactValue = b.pred1().quantiles()[i];
            // the definition itself: the smallest value whose share at or below it reaches q
            assertThat((double) countBelow(pred1, exactValue, true) / n).as("exact pred1 q%.2f", q)
                    .isGreaterThanOrEqualTo(q);
            assertThat((double) countBelow(pred1, exactValue, false) / n).isLessThan(q);
            double v = a.pred1().quantiles()[i];
            double below = (double) countBelow(pred1, v, false) / n;
            double atOrBelow = (double) countBelow(pred1, v, true) / n;
            assertThat(q).as("rank of infermon's pred1 q%.2f = %s", q, v)
                    .isBetween(below - bound, atOrBelow + bound);
        }
        assertThat(a.pred1().mean()).isCloseTo(b.pred1().mean(), within(1e-9));
        assertThat(a.spread12().std()).isCloseTo(b.spread12().std(), within(1e-9));
        assertThat(a.entropy().mean()).isCloseTo(b.entropy().mean(), within(1e-9));
        assertThat(a.entropy().max()).isEqualTo(b.entropy().max());
    }

    @Test
    void continuousFeaturesAgreeWithinTheSketchBound() throws Exception {
        DigitsTraffic jittered = DigitsTraffic.load(DigitsTraffic.Features.JITTERED);
        ByteBuffer[] records = jittered.sealedRecords();
        BucketReport ours = ProcessorThroughputBenchmark.infermon(records, CALLS);
        BucketReport exact = ProcessorThroughputBenchmark.exactJava(records, CALLS);
        int n = CALLS * 64;
        double bound = DistributionSummary.rankError();
        for (int j : new int[] {0, 20, 36, 63}) {
            BucketReport.Feature a = ours.features().get(j);
            BucketReport.Feature b = exact.features().get(j);
            assertThat(a.distinct()).as("a continuous column is not integral").isNaN();
            assertThat(b.distinct()).isNaN();
            assertThat(a.topValues()).isEmpty();
            assertThat(b.topValues()).isEmpty();
            assertThat(a.zero()).isEqualTo(b.zero()).isZero();
            assertThat(a.values().mean()).isCloseTo(b.values().mean(), within(1e-9));
            assertThat(a.values().std()).isCloseTo(b.values().std(), within(1e-9));
            assertThat(a.values().min()).isEqualTo(b.values().min());
            assertThat(a.values().max()).isEqualTo(b.values().max());
            double[] column = new double[n];
            for (int k = 0; k < n; k++) {
                column[k] = jittered.features(k % jittered.rows())[j];
            }
            Arrays.sort(column);
            for (int i = 0; i < BucketReport.QUANTILES.length; i++) {
                double q = BucketReport.QUANTILES[i];
                assertThat(b.values().quantiles()[i]).as("exact q%.2f of feat_%d", q, j)
                        .isEqualTo(column[ExactBucket.quantileIndex(q, n)]);
                double v = a.values().quantiles()[i];
                assertThat(q).as("rank of infermon's q%.2f of feat_%d = %s", q, j, v)
                        .isBetween((double) countBelow(column, v, false) / n - bound,
                                (double) countBelow(column, v, true) / n + bound);
            }
        }
    }

    private static int countBelow(double[] sorted, double v, boolean inclusive) {
        int k = 0;
        while (k < sorted.length && (sorted[k] < v || inclusive && sorted[k] == v)) {
            k++;
        }
        return k;
    }

    @Test
    void quantileIndexFollowsTheInclusiveRule() {
        assertThat(ExactBucket.quantileIndex(0.5, 4)).isEqualTo(1);
        assertThat(ExactBucket.quantileIndex(0.25, 4)).isZero();
        assertThat(ExactBucket.quantileIndex(0.26, 4)).isEqualTo(1);
        assertThat(ExactBucket.quantileIndex(0.01, 100)).isZero();
        assertThat(ExactBucket.quantileIndex(0.99, 100)).isEqualTo(98);
        assertThat(ExactBucket.quantileIndex(0.99, 1)).isZero();
        assertThat(ExactBucket.quantileIndex(0.01, 1_000_000)).isEqualTo(9_999);
    }

    @Test
    void npyFilesHoldTheRowsTheRecordsCarry(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        TRAFFIC.writeNpy(dir);
        byte[] npy = java.nio.file.Files.readAllBytes(dir.resolve("probabilities.npy"));
        int headerLength = (npy[8] & 0xFF) | (npy[9] & 0xFF) << 8;
        String header = new String(npy, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
        assertThat((10 + headerLength) % 64).isZero();
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (1797, 10), }")
                .endsWith("\n");
        assertThat(npy.length).isEqualTo(10 + headerLength + 1797 * 10 * 4);
        ByteBuffer data = ByteBuffer.wrap(npy, 10 + headerLength, 1797 * 10 * 4).slice()
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] row5 = TRAFFIC.probabilities(5);
        for (int c = 0; c < 10; c++) {
            assertThat(data.getFloat((5 * 10 + c) * 4)).isEqualTo(row5[c]);
        }
    }
}
