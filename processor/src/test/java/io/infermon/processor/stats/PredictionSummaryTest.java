package io.infermon.processor.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import io.infermon.processor.Datasets;
import io.infermon.processor.Records;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PredictionSummaryTest {

    /** Ten-class probabilities from real rows: a softmax over the first ten pixels of each digit, as float32. */
    private static float[][] digitSoftmax() {
        return Arrays.stream(Datasets.digits()).map(r -> {
            double[] e = new double[10];
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                e[c] = Math.exp(r[c] / 4.0 + r[c + 20] / 8.0);
                sum += e[c];
            }
            float[] p = new float[10];
            for (int c = 0; c < 10; c++) {
                p[c] = (float) (e[c] / sum);
            }
            return p;
        }).toArray(float[][]::new);
    }

    private static BucketStatistics inBatches(float[][] features, float[][] probabilities, StatisticsSettings s) {
        BucketStatistics b = new BucketStatistics(s);
        for (int start = 0; start < probabilities.length; start += 64) {
            int end = Math.min(start + 64, probabilities.length);
            b.add(Records.call(start, "m", Arrays.copyOfRange(features, start, end),
                    Arrays.copyOfRange(probabilities, start, end)));
        }
        return b;
    }

    @Test
    void probabilityStatisticsMatchADirectComputation() {
        float[][] p = digitSoftmax();
        float[][] x = new float[p.length][1];
        PredictionSummary s = inBatches(x, p, StatisticsSettings.DEFAULTS).predictions();
        long[] counts = new long[10];
        double[] pred1 = new double[p.length];
        double[] spread = new double[p.length];
        double[] entropy = new double[p.length];
        double[] sums = new double[10];
        for (int r = 0; r < p.length; r++) {
            double[] row = new double[10];
            for (int c = 0; c < 10; c++) {
                row[c] = p[r][c];
                sums[c] += row[c];
                if (row[c] > 0) {
                    entropy[r] -= row[c] * Math.log(row[c]);
                }
            }
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = row[c] > row[best] ? c : best;
            }
            counts[best]++;
            double[] sorted = row.clone();
            Arrays.sort(sorted);
            pred1[r] = sorted[9];
            spread[r] = sorted[9] - sorted[8];
        }
        assertThat(s.classCounts()).containsExactly(counts);
        assertThat(s.probabilityRows()).isEqualTo(1797);
        for (int c = 0; c < 10; c++) {
            assertThat(s.meanProbability(c)).isCloseTo(sums[c] / p.length, within(1e-9));
        }
        assertThat(s.maxProbability().mean()).isCloseTo(Textbook.mean(pred1), within(1e-9));
        assertThat(s.spread12().std()).isCloseTo(Textbook.std(spread), within(1e-9));
        assertThat(s.entropy().mean()).isCloseTo(Textbook.mean(entropy), within(1e-9));
        assertThat(s.entropy().std()).isCloseTo(Textbook.std(entropy), within(1e-9));
        assertThat(s.entropy().max()).isEqualTo(Arrays.stream(entropy).max().orElseThrow());
    }

    @Test
    void twoClassesUseTheConfiguredThresholdAndASigmoidColumnIsTheProbabilityOfClassOne() {
        double[] area = Datasets.column(Datasets.breastCancer(), 3);
        double mean = Textbook.mean(area);
        double std = Textbook.std(area);
        float[][] sigmoid = Arrays.stream(area).mapToObj(a -> new float[] {(float) (1 / (1 + Math.exp(-(a - mean) / std)))})
                .toArray(float[][]::new);
        float[][] twoColumns = Arrays.stream(sigmoid).map(p -> new float[] {1 - p[0], p[0]}).toArray(float[][]::new);
        long aboveThreshold = Arrays.stream(sigmoid).filter(p -> p[0] > 0.3f).count();
        StatisticsSettings threshold = new StatisticsSettings(0.3, 1024);
        float[][] x = new float[area.length][1];
        for (float[][] probabilities : new float[][][] {twoColumns}) {
            PredictionSummary s = inBatches(x, probabilities, threshold).predictions();
            assertThat(s.classCounts()).containsExactly(area.length - aboveThreshold, aboveThreshold);
        }
        // a [n, 1] probability column must be marked as probabilities (else it reads as a regression value)
        BucketStatistics b = new BucketStatistics(threshold);
        b.add(Records.record(0, "m", tensor("p", TensorRole.OUTPUT, TensorMeaning.PROBABILITIES, DType.FLOAT,
                new long[] {sigmoid.length, 1}, Arrays.stream(sigmoid).mapToDouble(p -> p[0]).toArray())));
        assertThat(b.predictions().classCounts()).containsExactly(area.length - aboveThreshold, aboveThreshold);
        double[] spread = Arrays.stream(sigmoid).mapToDouble(p -> Math.abs(1 - 2 * (double) p[0])).toArray();
        assertThat(b.predictions().spread12().mean()).isCloseTo(Textbook.mean(spread), within(1e-9));
    }

    @Test
    void oneContinuousOutputIsARegressionValueAndIntegerPredictionsAreClasses() {
        double[] radius = Datasets.column(Datasets.breastCancer(), 0);
        BucketStatistics b = new BucketStatistics();
        b.add(Records.record(0, "m", tensor("y", TensorRole.OUTPUT, TensorMeaning.UNSPECIFIED, DType.DOUBLE,
                new long[] {radius.length}, radius)));
        assertThat(b.predictions().values().count()).isEqualTo(569);
        assertThat(b.predictions().values().mean()).isCloseTo(Textbook.mean(radius), within(1e-9));
        assertThat(b.predictions().classCounts()).isEmpty();
        assertThat(b.rows()).isEqualTo(569);

        int[] labels = Datasets.digitLabels();
        BucketStatistics c = new BucketStatistics();
        c.add(Records.record(0, "m", tensor("cls", TensorRole.OUTPUT, TensorMeaning.PREDICTION, DType.INT64,
                new long[] {labels.length}, Arrays.stream(labels).asDoubleStream().toArray())));
        long[] counts = new long[10];
        Arrays.stream(labels).forEach(l -> counts[l]++);
        assertThat(c.predictions().classCounts()).containsExactly(counts);
        assertThat(c.predictions().maxProbability().count()).isZero();
    }

    static CapturedTensor tensor(String name, TensorRole role, TensorMeaning meaning, DType dtype, long[] shape,
                                 double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case FLOAT -> b.putFloat((float) v);
                case DOUBLE -> b.putDouble(v);
                case INT64 -> b.putLong((long) v);
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return new CapturedTensor(name, role, meaning, dtype.code(), shape, b.flip().asReadOnlyBuffer());
    }
}
