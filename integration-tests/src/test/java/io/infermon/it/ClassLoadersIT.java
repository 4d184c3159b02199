package io.infermon.it;

import static io.infermon.it.MetricAssertions.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Capture wherever the host loads TensorFlow (or ONNX Runtime) from. The JVM's class path holds only a launcher; the
 * digits app and its runtime are loaded by a {@code URLClassLoader} that is either a child of the application loader
 * (a Spring Boot fat jar, a servlet container's web-app loader) or isolated, with the platform loader as parent.
 * Advice inlined into the runtime's classes can then see neither the agent's classes nor (when isolated) the class
 * path; it reaches the agent only through the dispatcher in the bootstrap loader.
 */
class ClassLoadersIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "class-loaders");
    private static final String LAUNCHER = "io.infermon.examples.loaders.LoaderLauncher";
    private static Path model;
    private static Path launcherDir;
    private static Path appClasspath;
    private static Path onnxModel;
    private static Path onnxClasspath;

    @BeforeAll
    static void prepare() throws Exception {
        model = TestModels.digits();
        CapturedRun.deleteRecursively(WORK);
        // the launcher's class alone, as a fat jar's launcher sits apart from the classes it loads
        String classFile = LAUNCHER.replace('.', '/') + ".class";
        launcherDir = WORK.resolve("launcher");
        Files.createDirectories(launcherDir.resolve(classFile).getParent());
        Files.copy(Path.of(System.getProperty("infermon.app.classes"), classFile), launcherDir.resolve(classFile));
        appClasspath = Files.writeString(WORK.resolve("app-classpath.txt"), ChildJvm.appClasspath());
        onnxClasspath = Files.writeString(WORK.resolve("onnx-classpath.txt"),
                RuntimeClasspaths.onnxRuntimeOfTheModule());
        onnxModel = WORK.resolve("models/digits.onnx");
        ChildJvm.classpath(RuntimeClasspaths.onnxRuntimeOfTheModule(), "io.infermon.examples.onnx.OnnxDigitsApp")
                .args("export", "--out", onnxModel.toString()).log(WORK.resolve("export-onnx.log")).runOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {"child", "isolated"})
    void onnxRuntimeCallsAreCapturedFromOnnxRuntimeInAnAppClassLoader(String loader) throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve("onnx-" + loader), dir -> ChildJvm.classpath(
                        launcherDir.toString(), LAUNCHER).args(loader, onnxClasspath.toString(),
                        "io.infermon.examples.onnx.OnnxDigitsApp", "predict", "--model", onnxModel.toString(),
                        "--batch", "64", "--report", dir.resolve("report.txt").toString()));
        assertThat(run.appOutput()).contains("loaded io.infermon.examples.onnx.OnnxDigitsApp", "in app-" + loader,
                "[infermon-agent] capturing ONNX model digits version").doesNotContain("could not be captured");
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        String[] key = {"model", "digits"};
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(29);
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(1797);
        for (int c = 0; c < 10; c++) {
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .as("class_%d", c).isEqualTo((double) report.get("class_" + c));
        }
        assertThat(m.sum("what", "agent_dropped_capture_error")).isZero();
        assertThat(m.sum("what", "agent_handler_errors")).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"child", "isolated"})
    void signatureCallsAreCapturedFromTensorFlowInAnAppClassLoader(String loader) throws Exception {
        CapturedRun run = CapturedRun.of(WORK.resolve(loader), dir -> ChildJvm.classpath(launcherDir.toString(),
                        LAUNCHER).args(loader, appClasspath.toString(), "io.infermon.examples.digits.DigitsApp",
                        "predict", "--model", model.toString(), "--batch", "64",
                        "--report", dir.resolve("report.txt").toString()));
        assertThat(run.appOutput()).contains("loaded io.infermon.examples.digits.DigitsApp and TensorFlow in app-"
                + loader, "[infermon-agent] capturing model digits version 1").doesNotContain("could not be captured");
        MetricLines m = run.metrics();
        Map<String, Long> report = TestData.report(run.dir().resolve("report.txt"));
        String[] key = {"model", "digits", "model_version", "1", "signature", "serving_default"};
        assertThat(value(m, key, "what", "inference_calls")).isEqualTo(29);
        assertThat(value(m, key, "what", "buffer_count")).isEqualTo(1797);
        for (int c = 0; c < 10; c++) {
            assertThat(value(m, key, "what", "prediction_count", "class", "class_" + c))
                    .as("class_%d", c).isEqualTo((double) report.get("class_" + c));
        }
        assertThat(m.sum("what", "agent_dropped_capture_error")).isZero();
        assertThat(m.sum("what", "agent_handler_errors")).isZero();
    }
}
