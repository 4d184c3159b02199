package io.infermon.it;

import static io.infermon.it.MetricAssertions.TOLERANCE;
import static io.infermon.it.MetricAssertions.assertDistribution;
import static io.infermon.it.MetricAssertions.pred1;
import static io.infermon.it.MetricAssertions.spread12;
import static io.infermon.it.MetricAssertions.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime without code change: the ONNX example app (a digits classifier written as an ONNX model, no infermon
 * code) run with the agent on the ONNX Runtime the module compiles against and on the newest one served; the
 * processor's numbers compared with the app's own report and with statistics computed here from the data set. The
 * app's results must be the same with and without the agent, and an ONNX Runtime version the agent does not know
 * must be left alone.
 */
class OnnxRuntimeIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "onnxruntime");
    private static final String APP = "io.infermon.examples.onnx.OnnxDigitsApp";
    private static Path tensorModel;
    private static Path zipMapModel;

    @BeforeAll
    static void exportModels() throws Exception {
        String cp = RuntimeClasspaths.onnxRuntimeOfTheModule();
        tensorModel = WORK.resolve("models/digits.onnx");
        zipMapModel = WORK.resolve("models/sklearn/digits.onnx");
        ChildJvm.classpath(cp, APP).args("export", "--out", tensorModel.toString())
                .log(WORK.resolve("export.log")).runOk();
        ChildJvm.classpath(cp, APP).args("export", "--out", zipMapModel.toString(), "--zipmap")
                .log(WORK.resolve("export-zipmap.log")).runOk();
    }

    @Test
    void tensorOutputsBecomeExactBucketMetricsAndTheHostsResultsAreUnchanged() throws Exception {
        String cp = RuntimeClasspaths.onnxRuntimeOfTheModule();
        CapturedRun run = CapturedRun.of(WORK.resolve("tensors"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", tensorModel.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        String[] key = {"model", "digits", "model_version", sha256Prefix(Files.readAllBytes(tensorModel))};
        assertDigitsMetrics(run, key);
        assertThat(run.appOutput()).contains("[infermon-agent] capturing ONNX model digits version " + key[3]
                + " from " + tensorModel + " (inputs [pixels], outputs [probabilities, label])");
        assertSameResultsWithoutTheAgent(run, cp, tensorModel);
    }

    @Test
    void scikitLearnsSequenceOfMapsIsReadAsProbabilitiesFromASessionMadeOfBytes() throws Exception {
        String cp = RuntimeClasspaths.onnxRuntimeOfTheModule();
        CapturedRun run = CapturedRun.of(WORK.resolve("zipmap"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", zipMapModel.toString(), "--batch", "64", "--from-bytes",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        // from bytes there is no file name: model "default", version the bytes' hash
        assertDigitsMetrics(run, new String[] {"model", "default", "model_version",
                sha256Prefix(Files.readAllBytes(zipMapModel))});
        assertSameResultsWithoutTheAgent(run, cp, zipMapModel, "--from-bytes");
    }

    @Test
    void theNewestOnnxRuntimeServedIsCapturedAlike() throws Exception {
        String cp = RuntimeClasspaths.of("onnxruntime-1.29.0");
        CapturedRun run = CapturedRun.of(WORK.resolve("newest"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", zipMapModel.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertDigitsMetrics(run, new String[] {"model", "digits", "model_version",
                sha256Prefix(Files.readAllBytes(zipMapModel))});
    }

    @Test
    void anOnnxRuntimeVersionTheAgentDoesNotKnowIsLeftAloneWithOneLogLine() throws Exception {
        String cp = RuntimeClasspaths.of("onnxruntime-1.19.2");
        CapturedRun run = CapturedRun.of(WORK.resolve("unknown-version"), dir -> ChildJvm.classpath(cp, APP)
                .args("predict", "--model", tensorModel.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertThat(run.appOutput().lines().filter(l -> l.startsWith("[infermon-agent]")))
                .containsExactly("[infermon-agent] capturing TensorFlow and ONNX Runtime inference to " + run.queue(),
                        "[infermon-agent] ONNX Runtime 1.19.2 is not a version infermon knows (1.20 to 1.29): its"
                                + " calls are not captured, and its classes are left unchanged");
        assertThat(run.processorOutput()).contains("infermon: 0 records, 0 buckets");
        assertThat(run.metrics().sum("what", "agent_calls_seen")).isZero();
        assertThat(run.metrics().sum("what", "agent_handler_errors")).isZero();
        assertSameResultsWithoutTheAgent(run, cp, tensorModel);
    }

    @Test
    void anAgentWhoseHandlerThrowsLeavesTheHostsResultsUnchangedAndCountsIt() throws Exception {
        String cp = RuntimeClasspaths.onnxRuntimeOfTheModule();
        CapturedRun run = CapturedRun.of(WORK.resolve("handler-throws"), dir -> ChildJvm.classpath(cp, APP)
                .jvmArg("-Dinfermon.testing.handler_throws=true")
                .args("predict", "--model", zipMapModel.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString(),
                        "--probabilities", dir.resolve("probabilities.csv").toString()));
        assertThat(run.processorOutput()).contains("infermon: 0 records");
        // each run call and each session creation reached the throwing handler: 29 enters, 29 exits, 1 creation
        assertThat(run.metrics().sum("what", "agent_handler_errors")).isEqualTo(59);
        assertSameResultsWithoutTheAgent(run, cp, zipMapModel);
    }

    /** Counts, classes, features and confidence of the 1797 digits predicted in batches of 64. */
    private static void assertDigitsMetrics(CapturedRun run, String[] key) throws Exception {
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(1797);
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
        assertThat(m.sum("what", "agent_dropped_capture_error")).isZero();
    }

    /** The app run again without the agent prints the same and writes byte-identical results. */
    private static void assertSameResultsWithoutTheAgent(CapturedRun run, String cp, Path model, String... more)
            throws Exception {
        Path plain = run.dir().resolve("without-agent");
        Files.createDirectories(plain);
        String output = ChildJvm.classpath(cp, APP).args("predict", "--model", model.toString(), "--batch", "64",
                        "--report", plain.resolve("report.txt").toString(),
                        "--probabilities", plain.resolve("probabilities.csv").toString())
                .args(more).log(plain.resolve("app.log")).runOk();
        assertThat(run.appOutput().lines().filter(l -> !l.startsWith("[infermon-agent]")))
                .containsExactlyElementsOf(output.lines().toList());
        assertThat(run.dir().resolve("report.txt")).hasSameBinaryContentAs(plain.resolve("report.txt"));
        assertThat(run.dir().resolve("probabilities.csv")).hasSameBinaryContentAs(plain.resolve("probabilities.csv"));
    }

    static String sha256Prefix(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 6);
    }
}
