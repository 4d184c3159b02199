package io.infermon.it;

import static io.infermon.it.MetricAssertions.assertDistribution;
import static io.infermon.it.MetricAssertions.pred1;
import static io.infermon.it.MetricAssertions.spread12;
import static io.infermon.it.MetricAssertions.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TensorFlow Java version matrix: the digits example, one source compiled against each version (0.4.2, 0.5.0,
 * 1.0.0; 1.1.0 is the module's own, covered by {@link WalkingSkeletonIT}), exports its model with that version's own
 * exporter and serves it through both paths: signature calls ({@code TensorFunction.call}) for even-numbered batches,
 * session runs for odd ones. Every call must be captured once, under the right key, with the statistics of exactly
 * its rows; the app's results must be the same without the agent.
 */
class TensorFlowVersionsIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "tensorflow-versions");
    private static final String APP = "io.infermon.examples.versions.VersionedDigitsApp";
    private static final int BATCH = 64;

    @ParameterizedTest
    @ValueSource(strings = {"0.4.2", "0.5.0", "1.0.0"})
    void signatureAndSessionCallsAreCapturedOnEveryVersion(String version) throws Exception {
        String cp = RuntimeClasspaths.of("tensorflow-" + version);
        Path work = WORK.resolve(version);
        Path model = work.resolve("models/digits/1");
        CapturedRun.deleteRecursively(work.resolve("models"));
        ChildJvm.classpath(cp, APP).args("export", "--out", model.toString()).log(work.resolve("export.log")).runOk();

        CapturedRun run = CapturedRun.of(work.resolve("run"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", model.toString(), "--batch", "" + BATCH,
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertThat(run.appOutput()).contains("[infermon-agent] capturing model digits version 1 from " + model)
                .doesNotContain("could not be captured");
        MetricLines m = run.metrics();
        double[][] probabilities = TestData.probabilities(run.dir().resolve("probabilities.csv"));
        double[][] columns = TestData.digitsColumns();
        // 29 batches: 15 even-numbered ones (901 rows) through the signature, 14 (896 rows) through a runner
        assertKey(m, new String[] {"model", "digits", "model_version", "1", "signature", "serving_default"},
                15, row -> row / BATCH % 2 == 0, columns, probabilities);
        MetricLines noSignature = MetricLines.of(m.all().stream()
                .filter(x -> !x.properties().containsKey("signature")).toList());
        assertKey(noSignature, new String[] {"model", "digits", "model_version", "1"}, 14,
                row -> row / BATCH % 2 == 1, columns, probabilities);
        assertThat(m.sum("what", "inference_calls")).isEqualTo(29);

        Path plain = run.dir().resolve("without-agent");
        Files.createDirectories(plain);
        ChildJvm.classpath(cp, APP).args("predict", "--model", model.toString(), "--batch", "" + BATCH,
                "--probabilities", plain.resolve("probabilities.csv").toString()).log(plain.resolve("app.log")).runOk();
        assertThat(run.dir().resolve("probabilities.csv")).hasSameBinaryContentAs(plain.resolve("probabilities.csv"));
    }

    private static void assertKey(MetricLines m, String[] key, int calls, IntPredicate rows, double[][] columns,
                                  double[][] probabilities) {
        int[] selected = IntStream.range(0, probabilities.length).filter(rows).toArray();
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(calls);
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(selected.length);
        double[][] p = Arrays.stream(selected).mapToObj(r -> probabilities[r]).toArray(double[][]::new);
        for (int c = 0; c < 10; c++) {
            int cls = c;
            long expected = Arrays.stream(p).filter(row -> argmax(row) == cls).count();
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .as("%s prediction_count class_%d", String.join(" ", key), c).isEqualTo((double) expected);
        }
        for (int j = 0; j < 64; j++) {
            double[] column = columns[j];
            assertDistribution(m, Arrays.stream(selected).mapToDouble(r -> column[r]).toArray(), key,
                    "what", "feature_value", "feature", "feat_" + j);
        }
        assertDistribution(m, pred1(p), key, "what", "max_prediction_proba");
        assertDistribution(m, spread12(p), key, "what", "spread12_prediction_proba");
    }

    /** The predicted class: the highest probability, the lowest index on ties (as the apps' reports count it). */
    private static int argmax(double[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            if (row[c] > row[best]) {
                best = c;
            }
        }
        return best;
    }
}
