package io.infermon.processor.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.TensorRole;
import io.infermon.processor.Datasets;
import io.infermon.processor.Records;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.Textbook;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BucketMetricsTest {

    private static double value(List<AnodotMetric> metrics, String what, String key, String keyValue) {
        return metrics.stream().filter(m -> m.what().equals(what) && (key == null || keyValue.equals(m.property(key))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + what + " " + keyValue)).value();
    }

    @Test
    void emitsMlWatchersMetricsWithTheirProperties() {
        BucketStatistics s = new BucketStatistics();
        s.add(Records.call(1_000, "fraud", new float[][] {{1, 10}, {3, 30}},
                new float[][] {{0.7f, 0.2f, 0.1f}, {0.1f, 0.3f, 0.6f}}));
        s.add(Records.call(2_000, "fraud", new float[][] {{5, 50}}, new float[][] {{0.2f, 0.5f, 0.3f}}));
        List<AnodotMetric> m = BucketMetrics.of(new ClosedBucket(new ModelKey("fraud", "2", "serving_default"),
                120_000, 180_000, s));

        assertThat(m).allSatisfy(x -> {
            assertThat(x.timestamp()).isEqualTo(120);
            assertThat(x.property("model")).isEqualTo("fraud");
            assertThat(x.property("model_version")).isEqualTo("2");
            assertThat(x.property("signature")).isEqualTo("serving_default");
        });
        assertThat(value(m, "inference_calls", null, null)).isEqualTo(2);
        assertThat(value(m, "buffer_count", null, null)).isEqualTo(3);
        assertThat(value(m, "prediction_count", "class", "class_0")).isEqualTo(1);
        assertThat(value(m, "prediction_count", "class", "class_1")).isEqualTo(1);
        assertThat(value(m, "prediction_count", "class", "class_2")).isEqualTo(1);
        assertThat(value(m, "prediction_freq", "class", "class_2")).isCloseTo(1 / 3.0, within(1e-12));
        AnodotMetric pred1Mean = m.stream()
                .filter(x -> x.what().equals("max_prediction_proba") && "mean".equals(x.property("stat")))
                .findFirst().orElseThrow();
        assertThat(pred1Mean.value()).isCloseTo((0.7 + 0.6 + 0.5) / 3, within(1e-6));
        assertThat(pred1Mean.property("target_type")).isEqualTo("gauge");
        AnodotMetric spreadRange = m.stream()
                .filter(x -> x.what().equals("spread12_prediction_proba") && "range".equals(x.property("stat")))
                .findFirst().orElseThrow();
        assertThat(spreadRange.value()).isCloseTo(0.5 - 0.2, within(1e-6)); // spreads 0.5, 0.3, 0.2
        assertThat(m.stream().filter(x -> x.what().equals("feature_value") && "feat_1".equals(x.property("feature"))
                && "mean".equals(x.property("stat"))).findFirst().orElseThrow().value()).isEqualTo(30);
        assertThat(value(m, "rows_per_second", null, null)).isCloseTo(3 / 60.0, within(1e-12));
        assertThat(stat(m, "batch_size", null, "mean")).isEqualTo(1.5);
        assertThat(stat(m, "batch_size", null, "max")).isEqualTo(2);
        assertThat(value(m, "class_probability_mean", "class", "class_0"))
                .isCloseTo((0.7 + 0.1 + 0.2) / 3, within(1e-6));
        assertThat(value(m, "expected_accuracy", null, null)).isCloseTo(pred1Mean.value(), within(1e-12));
        double h1 = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
        double h2 = -(0.1 * Math.log(0.1) + 0.3 * Math.log(0.3) + 0.6 * Math.log(0.6));
        double h3 = -(0.2 * Math.log(0.2) + 0.5 * Math.log(0.5) + 0.3 * Math.log(0.3));
        assertThat(stat(m, "prediction_entropy", null, "mean")).isCloseTo((h1 + h2 + h3) / 3, within(1e-6));
        assertThat(stat(m, "feature_value", "feat_0", "q99")).isEqualTo(5);
        assertThat(stat(m, "feature_value", "feat_0", "min")).isEqualTo(1);
        assertThat(m.stream().filter(x -> x.what().equals("feature_count") && "feat_1".equals(x.property("feature"))
                && "30".equals(x.property("value"))).findFirst().orElseThrow().value()).isEqualTo(1);
        assertThat(value(m, "feature_distinct", "feature", "feat_0")).isEqualTo(3);
        assertThat(m.stream().filter(x -> x.what().equals("feature_rows") && "feat_0".equals(x.property("feature"))
                && "valid".equals(x.property("kind"))).findFirst().orElseThrow().value()).isEqualTo(3);
        // 3 volume metrics, 4 batch-size and 5 latency stats; 3 classes x (count, freq, mean probability);
        // 3 prediction distributions x 14 stats and the expected accuracy; per feature 4 feature_rows, 14 value stats,
        // a distinct count and 3 values x (count, freq)
        assertThat(m).hasSize(3 + 4 + 5 + 3 * 3 + 3 * BucketMetrics.VALUE_STATS.size() + 1
                + 2 * (4 + BucketMetrics.VALUE_STATS.size() + 1 + 3 * 2));
    }

    /**
     * The tails of the prediction distributions on real rows: the digits' pixel sums through a softmax over ten
     * classes, 150 rows (few enough distinct values that every quantile is exact), against a direct computation
     * of pred1, spread12 and the entropy per row and the inverted-CDF rule of docs/metrics.md.
     */
    @Test
    void predictionDistributionsHaveTheirTailsLikeFeatures() {
        double[][] digits = Datasets.digits();
        int n = 150;
        float[][] p = new float[n][10];
        float[][] x = new float[n][1];
        double[] pred1 = new double[n];
        double[] spread12 = new double[n];
        double[] entropy = new double[n];
        for (int r = 0; r < n; r++) {
            double[] e = new double[10];
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                e[c] = Math.exp((digits[r][c + 2] + digits[r][c + 34]) / 6.0);
                sum += e[c];
            }
            for (int c = 0; c < 10; c++) {
                p[r][c] = (float) (e[c] / sum);
            }
            double[] row = new double[10];
            for (int c = 0; c < 10; c++) {
                row[c] = p[r][c];
                entropy[r] -= row[c] > 0 ? row[c] * Math.log(row[c]) : 0;
            }
            double[] sorted = row.clone();
            Arrays.sort(sorted);
            pred1[r] = sorted[9];
            spread12[r] = sorted[9] - sorted[8];
        }
        BucketStatistics s = new BucketStatistics();
        for (int start = 0; start < n; start += 25) {
            s.add(Records.call(start, "digits", Arrays.copyOfRange(x, start, start + 25),
                    Arrays.copyOfRange(p, start, start + 25)));
        }
        List<AnodotMetric> m = BucketMetrics.of(new ClosedBucket(new ModelKey("digits", "1", ""), 0, 60_000, s));
        Map<String, double[]> expected = Map.of("max_prediction_proba", pred1,
                "spread12_prediction_proba", spread12, "prediction_entropy", entropy);
        expected.forEach((what, values) -> {
            assertThat(m.stream().filter(x1 -> x1.what().equals(what)).map(x1 -> x1.property("stat")).toList())
                    .as(what).containsExactlyElementsOf(BucketMetrics.VALUE_STATS);
            assertThat(stat(m, what, null, "min")).as(what).isEqualTo(Arrays.stream(values).min().orElseThrow());
            assertThat(stat(m, what, null, "max")).as(what).isEqualTo(Arrays.stream(values).max().orElseThrow());
            for (int q : new int[] {1, 5, 95, 99}) {
                assertThat(stat(m, what, null, String.format("q%02d", q))).as("%s q%02d", what, q)
                        .isEqualTo(Textbook.quantile(values, q / 100.0));
            }
        });
        // the rows were chosen so that the tails differ from the middle: a tail that repeated a middle
        // statistic would not pass
        assertThat(stat(m, "max_prediction_proba", null, "q01")).isLessThan(stat(m, "max_prediction_proba", null,
                "q25"));
        assertThat(stat(m, "prediction_entropy", null, "q99")).isGreaterThan(stat(m, "prediction_entropy", null,
                "q75"));
    }

    private static double stat(List<AnodotMetric> metrics, String what, String feature, String stat) {
        return metrics.stream().filter(x -> x.what().equals(what) && stat.equals(x.property("stat"))
                        && (feature == null || feature.equals(x.property("feature"))))
                .findFirst().orElseThrow(() -> new AssertionError("no " + what + " " + stat)).value();
    }

    @Test
    void aTwoClassOutputPredictsClassOneAboveOneHalf() {
        BucketStatistics s = new BucketStatistics();
        s.add(Records.call(0, "m", new float[][] {{1}, {2}, {3}},
                new float[][] {{0.5f, 0.5f}, {0.49f, 0.51f}, {0.9f, 0.1f}}));
        List<AnodotMetric> m = BucketMetrics.of(new ClosedBucket(new ModelKey("m", "", ""), 0, 60_000, s));
        assertThat(value(m, "prediction_count", "class", "class_0")).isEqualTo(2);
        assertThat(value(m, "prediction_count", "class", "class_1")).isEqualTo(1);
        assertThat(m).noneSatisfy(x -> assertThat(x.properties()).containsKey("model_version"));
    }

    @Test
    void outputsThatAreNotProbabilitiesGiveNoPredictionMetrics() {
        BucketStatistics s = new BucketStatistics();
        // logits: rows do not sum to 1
        s.add(Records.record(0, "m", Records.floats("x", TensorRole.INPUT, new float[][] {{1, 2}}),
                Records.floats("logits", TensorRole.OUTPUT, new float[][] {{2.5f, -1f}})));
        List<AnodotMetric> m = BucketMetrics.of(new ClosedBucket(new ModelKey("m", "", ""), 0, 60_000, s));
        assertThat(m).noneSatisfy(x -> assertThat(x.what()).startsWith("prediction"));
        assertThat(m).noneSatisfy(x -> assertThat(x.what()).isEqualTo("max_prediction_proba"));
        assertThat(value(m, "buffer_count", null, null)).isEqualTo(1);
    }
}
