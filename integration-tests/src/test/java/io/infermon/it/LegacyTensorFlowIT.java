package io.infermon.it;

import static io.infermon.it.MetricAssertions.assertDistribution;
import static io.infermon.it.MetricAssertions.pred1;
import static io.infermon.it.MetricAssertions.spread12;
import static io.infermon.it.MetricAssertions.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The legacy TensorFlow 1.15 Java API ({@code libtensorflow} + {@code libtensorflow_jni}) without code change: a
 * digits app written against it loads a SavedModel with {@code SavedModelBundle.load} and predicts with
 * {@code Session.Runner.run()} and {@code runAndFetchMetadata()}, alternately.
 */
class LegacyTensorFlowIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "tensorflow-legacy");
    private static final String APP = "io.infermon.examples.legacy.LegacyDigitsApp";

    @Test
    void runAndRunAndFetchMetadataOfALoadedSavedModelBecomeExactBucketMetrics() throws Exception {
        String cp = RuntimeClasspaths.of("tensorflow-legacy-1.15.0");
        Path model = WORK.resolve("models/digits/7");
        CapturedRun.deleteRecursively(WORK.resolve("models"));
        ChildJvm.classpath(cp, APP).args("export", "--out", model.toString()).log(WORK.resolve("export.log")).runOk();

        CapturedRun run = CapturedRun.of(WORK.resolve("run"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", model.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertThat(run.appOutput()).contains("[infermon-agent] capturing model digits version 7 from " + model)
                .doesNotContain("could not be captured");
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        String[] key = {"model", "digits", "model_version", "7"};
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(1797);
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(29); // 15 run(), 14 runAndFetchMetadata()
        for (int c = 0; c < 10; c++) {
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .as("prediction_count class_%d", c).isEqualTo((double) report.get("class_" + c));
        }
        double[][] columns = TestData.digitsColumns();
        for (int j = 0; j < 64; j++) {
            assertDistribution(m, columns[j], key, "what", "feature_value", "feature", "feat_" + j);
        }
        double[][] probabilities = TestData.probabilities(run.dir().resolve("probabilities.csv"));
        assertDistribution(m, pred1(probabilities), key, "what", "max_prediction_proba");
        assertDistribution(m, spread12(probabilities), key, "what", "spread12_prediction_proba");
        // a plain session run has no signature
        assertThat(m.all()).allSatisfy(x -> assertThat(x.properties()).doesNotContainKey("signature"));

        Path plain = run.dir().resolve("without-agent");
        Files.createDirectories(plain);
        ChildJvm.classpath(cp, APP).args("predict", "--model", model.toString(), "--batch", "64",
                        "--report", plain.resolve("report.txt").toString(),
                        "--probabilities", plain.resolve("probabilities.csv").toString())
                .log(plain.resolve("app.log")).runOk();
        assertThat(run.dir().resolve("report.txt")).hasSameBinaryContentAs(plain.resolve("report.txt"));
        assertThat(run.dir().resolve("probabilities.csv")).hasSameBinaryContentAs(plain.resolve("probabilities.csv"));
    }
}
