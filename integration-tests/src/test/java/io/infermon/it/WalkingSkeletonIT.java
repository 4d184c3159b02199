package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static io.infermon.it.MetricAssertions.TOLERANCE;
import static io.infermon.it.MetricAssertions.assertDistribution;
import static io.infermon.it.MetricAssertions.concat;
import static io.infermon.it.MetricAssertions.pred1;
import static io.infermon.it.MetricAssertions.spread12;
import static io.infermon.it.MetricAssertions.value;

import io.infermon.it.MetricLines.Metric;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole product on real parts: a TensorFlow Java app that knows nothing of infermon, run in a child JVM with
 * {@code -javaagent}; the processor jar draining the agent's Chronicle Queue; the numbers in its metrics compared
 * with what the app computed and with statistics computed here, independently, from the CSV.
 */
class WalkingSkeletonIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "walking-skeleton");
    private static Path model;

    @BeforeAll
    static void trainDigitsModel() throws Exception {
        model = TestModels.digits();
    }

    @Test
    void savedModelSignatureCallsBecomeExactBucketMetrics() throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("signature"), dir -> app("io.infermon.examples.digits.DigitsApp")
                .args("predict", "--model", model.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        String[] key = {"model", "digits", "model_version", "1", "signature", "serving_default"};

        assertThat(m.where("what", "buffer_count")).hasSize(1);
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(1797);
        // 1797 rows in batches of 64: 29 calls, each captured once (the runner inside the signature call is not
        // captured again) and loading the model (restore, initialisation) is not inference.
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(29);
        for (int c = 0; c < 10; c++) {
            long expected = report.get("class_" + c);
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .as("prediction_count class_%d", c).isEqualTo(expected);
            assertThat(value(m, key, "what", "prediction_freq", "class", "class_" + c))
                    .isCloseTo(expected / 1797.0, within(TOLERANCE));
        }

        double[][] columns = TestData.digitsColumns();
        for (int j = 0; j < 64; j++) {
            assertDistribution(m, columns[j], key, "what", "feature_value", "feature", "feat_" + j);
        }
        double[][] probabilities = TestData.probabilities(run.dir().resolve("probabilities.csv"));
        assertDistribution(m, pred1(probabilities), key, "what", "max_prediction_proba");
        assertDistribution(m, spread12(probabilities), key, "what", "spread12_prediction_proba");

        // The model's Anodot file for the bucket holds exactly its metrics of metrics.jsonl (the agent's own health
        // metrics have a file of their own), all stamped with the bucket start.
        long timestamp = m.all().get(0).timestamp();
        assertThat(timestamp % 86_400).isZero();
        List<Metric> file = MetricLines.readArray(run.out().resolve("anodot/digits-" + timestamp + ".json"));
        assertThat(file).containsExactlyInAnyOrderElementsOf(m.where("model", "digits"));
        List<Metric> agents = MetricLines.readArray(run.out().resolve("anodot/infermon.agents-" + timestamp + ".json"));
        assertThat(agents).isNotEmpty().allSatisfy(x -> assertThat(x.what()).startsWith("agent_"));
        assertThat(m.all()).hasSize(file.size() + agents.size());
        assertThat(m.all()).allSatisfy(x -> assertThat(x.timestamp()).isEqualTo(timestamp));
    }

    @Test
    void sessionRunnerCallsOfAGraphBuiltInCodeAreCaptured() throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("session"), dir -> app("io.infermon.examples.digits.SessionRunApp")
                .args("--data", "breast_cancer", "--path", "session", "--batch", "32",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertBreastCancerMetrics(run, "default");
        // A plain session run has no signature: the property is absent, not empty.
        assertThat(run.metrics().all()).allSatisfy(x -> assertThat(x.properties()).doesNotContainKey("signature"));
    }

    @Test
    void eagerConcreteFunctionCallsAreCaptured() throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("function"), dir -> app("io.infermon.examples.digits.SessionRunApp")
                .args("--data", "breast_cancer", "--path", "function", "--batch", "32",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertBreastCancerMetrics(run, "default", "signature", "classify");
    }

    @Test
    void exportingAndLoadingAModelIsNotMistakenForInference() throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("housekeeping"), dir -> app("io.infermon.examples.digits.DigitsApp")
                .args("train", "--out", dir.resolve("exported/7").toString(), "--epochs", "5"));
        assertThat(run.processorOutput()).contains("infermon: 0 records, 0 buckets");
        // only the agent's health metrics: it saw the export's and the load's session runs and captured none
        assertThat(run.metrics().all()).allSatisfy(x -> assertThat(x.what()).startsWith("agent_"));
        assertThat(run.metrics().sum("what", "agent_calls_captured")).isZero();
    }

    private static void assertBreastCancerMetrics(CapturedRun run, String modelName, String... extraKey)
            throws Exception {
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        String[] key = concat(new String[] {"model", modelName}, extraKey);
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(569);
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(18); // ceil(569 / 32); initialisation excluded
        for (int c = 0; c < 2; c++) {
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .isEqualTo((double) report.get("class_" + c));
        }
        double[][] columns = TestData.breastCancerColumns();
        for (int j = 0; j < 30; j++) {
            assertDistribution(m, columns[j], key, "what", "feature_value", "feature", "feat_" + j);
        }
        double[][] probabilities = TestData.probabilities(run.dir().resolve("probabilities.csv"));
        assertDistribution(m, pred1(probabilities), key, "what", "max_prediction_proba");
        assertDistribution(m, spread12(probabilities), key, "what", "spread12_prediction_proba");
    }

    private static ChildJvm app(String mainClass) {
        try {
            return ChildJvm.app(mainClass);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
