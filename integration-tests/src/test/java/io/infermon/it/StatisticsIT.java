package io.infermon.it;

import static io.infermon.it.MetricAssertions.TOLERANCE;
import static io.infermon.it.MetricAssertions.assertDistribution;
import static io.infermon.it.MetricAssertions.concat;
import static io.infermon.it.MetricAssertions.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every statistic of docs/metrics.md through the real agent and queue, checked against computations made here from the
 * data set and the app's own probabilities; and drift against a reference built from the data set's CSV: none for
 * the same digits, most pixels for inverted ones (16 - x).
 */
class StatisticsIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "statistics");
    private static final String[] KEY = {"model", "digits", "model_version", "1", "signature", "serving_default"};
    private static Path model;
    private static Path reference;

    @BeforeAll
    static void modelAndReference() throws Exception {
        model = TestModels.digits();
        Files.createDirectories(WORK);
        Path csv = WORK.resolve("digits.csv.gz");
        try (InputStream in = StatisticsIT.class.getResourceAsStream("/datasets/digits.csv.gz")) {
            Files.copy(in, csv, StandardCopyOption.REPLACE_EXISTING);
        }
        reference = WORK.resolve("digits-reference.profile");
        ChildJvm.processor().args("reference", "build", "--csv", csv.toString(), "--columns", "0-63",
                "--model", "digits", "--out", reference.toString()).log(WORK.resolve("reference.log")).runOk();
    }

    private static CapturedRun digits(String name, String... extra) throws Exception {
        return CapturedRun.of(WORK.resolve(name), dir -> {
            try {
                return ChildJvm.app("io.infermon.examples.digits.DigitsApp")
                        .args("predict", "--model", model.toString(), "--batch", "50",
                                "--report", dir.resolve("report.txt").toString(),
                                "--probabilities", dir.resolve("probabilities.csv").toString())
                        .args(extra);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "--reference", reference.toString());
    }

    @Test
    void everyStatisticMatchesAnIndependentComputationAndCleanTrafficDoesNotDrift() throws Exception {
        CapturedRun run = digits("clean");
        MetricLines m = run.metrics();

        // volume: 1797 rows in calls of 50 = 36 calls (35 full, one of 47), over a one-day bucket
        assertThat(value(m, KEY, "what", "inference_calls")).isEqualTo(36);
        assertThat(value(m, KEY, "what", "rows_per_second")).isCloseTo(1797 / 86_400.0, within(1e-12));
        assertThat(value(m, KEY, "what", "batch_size", "stat", "mean")).isCloseTo(1797 / 36.0, within(1e-9));
        assertThat(value(m, KEY, "what", "batch_size", "stat", "min")).isEqualTo(47);
        assertThat(value(m, KEY, "what", "batch_size", "stat", "max")).isEqualTo(50);
        double p50 = value(m, KEY, "what", "inference_latency_ms", "stat", "p50");
        double p99 = value(m, KEY, "what", "inference_latency_ms", "stat", "p99");
        assertThat(p50).isPositive().isLessThanOrEqualTo(p99)
                .isLessThanOrEqualTo(value(m, KEY, "what", "inference_latency_ms", "stat", "max"));

        // the agent's own health records, turned into agent_* metrics: every call it saw, it captured
        assertThat(m.sum("what", "agent_calls_captured")).isEqualTo(36);
        assertThat(m.sum("what", "agent_calls_seen")).isEqualTo(36);
        assertThat(m.sum("what", "agent_dropped_ring_full")).isZero();
        assertThat(run.processorOutput()).doesNotContain("rejected");

        // features: pixel counts have at most 17 distinct values, so every statistic is exact
        double[][] columns = TestData.digitsColumns();
        for (int j = 0; j < 64; j++) {
            String[] f = concat(KEY, "feature", "feat_" + j);
            double[] col = columns[j];
            double[] sorted = col.clone();
            Arrays.sort(sorted);
            for (String[] q : new String[][] {{"q01", "0.01"}, {"q05", "0.05"}, {"q25", "0.25"}, {"q50", "0.5"},
                    {"q75", "0.75"}, {"q95", "0.95"}, {"q99", "0.99"}}) {
                int index = (int) Math.ceil(Double.parseDouble(q[1]) * col.length) - 1;
                assertThat(value(m, f, "what", "feature_value", "stat", q[0])).as("feat_%d %s", j, q[0])
                        .isEqualTo(sorted[index]);
            }
            assertThat(value(m, f, "what", "feature_value", "stat", "min")).isEqualTo(sorted[0]);
            assertThat(value(m, f, "what", "feature_value", "stat", "max")).isEqualTo(sorted[col.length - 1]);
            assertThat(value(m, f, "what", "feature_value", "stat", "mean"))
                    .isCloseTo(TestData.mean(col), within(TOLERANCE * Math.max(1, TestData.mean(col))));
            assertThat(value(m, f, "what", "feature_rows", "kind", "valid")).isEqualTo(1797);
            assertThat(value(m, f, "what", "feature_rows", "kind", "nan")).isZero();
            assertThat(value(m, f, "what", "feature_rows", "kind", "zero"))
                    .isEqualTo(Arrays.stream(col).filter(x -> x == 0).count());
            Map<Long, Long> counts = new TreeMap<>();
            Arrays.stream(col).forEach(x -> counts.merge((long) x, 1L, Long::sum));
            assertThat(value(m, f, "what", "feature_distinct")).isEqualTo(counts.size());
            counts.forEach((v, n) -> {
                assertThat(value(m, f, "what", "feature_count", "value", Long.toString(v))).isEqualTo((double) n);
                assertThat(value(m, f, "what", "feature_freq", "value", Long.toString(v)))
                        .isCloseTo(n / 1797.0, within(TOLERANCE));
            });
        }

        // predictions, from the probabilities the app itself saw
        double[][] p = TestData.probabilities(run.dir().resolve("probabilities.csv"));
        double[] entropy = Arrays.stream(p).mapToDouble(row -> -Arrays.stream(row).filter(v -> v > 0)
                .map(v -> v * Math.log(v)).sum()).toArray();
        assertDistribution(m, entropy, KEY, "what", "prediction_entropy");
        for (int c = 0; c < 10; c++) {
            int cls = c;
            double mean = Arrays.stream(p).mapToDouble(row -> row[cls]).sum() / p.length;
            assertThat(value(m, KEY, "what", "class_probability_mean", "class", "class_" + c))
                    .isCloseTo(mean, within(TOLERANCE));
        }
        double[] pred1 = MetricAssertions.pred1(p);
        assertThat(value(m, KEY, "what", "expected_accuracy")).isCloseTo(TestData.mean(pred1), within(TOLERANCE));

        // drift against a reference built from the same rows: none at all
        assertThat(m.where(concat(KEY, "what", "drift_detected"))).hasSize(64)
                .allSatisfy(x -> assertThat(x.value()).isZero());
        assertThat(m.where(concat(KEY, "what", "feature_drift", "method", "psi")))
                .allSatisfy(x -> assertThat(x.value()).isZero());
        assertThat(value(m, KEY, "what", "drift_share")).isZero();
    }

    @Test
    void invertedDigitsDriftOnMostPixels() throws Exception {
        CapturedRun run = digits("inverted", "--invert");
        MetricLines m = run.metrics();
        double[][] columns = TestData.digitsColumns();
        int expected = 0;
        for (int j = 0; j < 64; j++) {
            double[] ref = columns[j];
            double[] cur = Arrays.stream(ref).map(x -> 16 - x).toArray();
            double psi = psi(ref, cur);
            expected += psi > 0.2 ? 1 : 0;
            String[] f = concat(KEY, "feature", "feat_" + j);
            assertThat(value(m, f, "what", "feature_drift", "method", "psi")).as("psi of feat_%d", j)
                    .isCloseTo(psi, within(1e-9));
            assertThat(value(m, f, "what", "drift_detected")).isEqualTo(psi > 0.2 ? 1 : 0);
        }
        assertThat(expected).isGreaterThan(48);
        assertThat(value(m, KEY, "what", "drift_share")).isCloseTo(expected / 64.0, within(1e-12));
    }

    /** PSI over the reference's deciles (inverted-CDF rule, duplicates dropped), shares floored at 1e-4. */
    private static double psi(double[] ref, double[] cur) {
        double[] sorted = ref.clone();
        Arrays.sort(sorted);
        double[] edges = java.util.stream.IntStream.rangeClosed(1, 9)
                .mapToDouble(i -> sorted[(int) Math.ceil(i / 10.0 * sorted.length) - 1]).distinct().toArray();
        double sum = 0;
        for (int b = 0; b <= edges.length; b++) {
            double lo = b == 0 ? Double.NEGATIVE_INFINITY : edges[b - 1];
            double hi = b == edges.length ? Double.POSITIVE_INFINITY : edges[b];
            double r = Math.max(1e-4, Arrays.stream(ref).filter(x -> x > lo && x <= hi).count() / (double) ref.length);
            double c = Math.max(1e-4, Arrays.stream(cur).filter(x -> x > lo && x <= hi).count() / (double) cur.length);
            sum += (c - r) * Math.log(c / r);
        }
        return sum;
    }
}
