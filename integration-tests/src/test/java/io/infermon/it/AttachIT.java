package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.tools.attach.VirtualMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code agentmain}: the agent attached to a JVM that is already serving a model. TensorFlow's classes are loaded by
 * then and must be retransformed; the settings come in the agent argument, since the running JVM's system properties
 * cannot be changed from outside.
 */
class AttachIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "attach");

    @Test
    void attachingToARunningServiceStartsCapturingItsCalls() throws Exception {
        CapturedRun.deleteRecursively(WORK);
        Path model = WORK.resolve("models/digits/1");
        ChildJvm.app("io.infermon.examples.digits.DigitsApp").args("train", "--out", model.toString())
                .log(WORK.resolve("train.log")).runOk();
        Path queue = WORK.resolve("queue");
        Path report = WORK.resolve("report.txt");
        // serving long enough that the attach (Byte Buddy's installation and retransformation, seconds on a loaded
        // machine) always completes before the service ends: loadAgent fails with "Premature EOF" if it ends first
        ChildJvm.Running app = ChildJvm.app("io.infermon.examples.digits.DigitsApp")
                .args("predict", "--model", model.toString(), "--seconds", "15", "--rate", "25",
                        "--report", report.toString())
                .log(WORK.resolve("app.log")).start();
        await().atMost(Duration.ofSeconds(120)).until(() -> app.output().contains("serving"));

        VirtualMachine vm = VirtualMachine.attach(Long.toString(app.process().pid()));
        try {
            vm.loadAgent(ChildJvm.AGENT_JAR.toString(), "queue.dir=" + queue + ",model.name=digits");
        } finally {
            vm.detach();
        }
        assertThat(app.process().waitFor()).isZero();
        assertThat(app.output()).contains("[infermon-agent] capturing TensorFlow inference to " + queue);

        Path out = WORK.resolve("out");
        ChildJvm.processor().args("run", "--queue", queue.toString(), "--out", out.toString(), "--bucket", "1d",
                "--drain").log(WORK.resolve("processor.log")).runOk();
        MetricLines m = MetricLines.read(out.resolve("metrics.jsonl"));
        Map<String, Long> appSaw = TestData.report(report);

        double calls = m.sum("what", "inference_calls", "model", "digits", "signature", "serving_default");
        double rows = m.sum("what", "buffer_count", "model", "digits");
        double predicted = m.sum("what", "prediction_count", "model", "digits");
        // captured from the attach on: some calls, never more than the app made, every row predicted once
        assertThat(calls).isPositive().isLessThanOrEqualTo(appSaw.get("calls"));
        assertThat(rows).isPositive().isLessThanOrEqualTo(appSaw.get("rows")).isEqualTo(predicted);
        assertThat(Files.exists(out.resolve("anodot"))).isTrue();
    }
}
