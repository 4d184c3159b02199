package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Generic {@code method} points on a plain Java service (no TensorFlow): {@code double[][] predict(double[][])} and
 * {@code float[] score(float[])} captured with their roles, request ids taken from a handler's argument through a
 * getter and carried to the calls made inside it, labels from a feedback method; and the validate command and a bad
 * configuration, which must leave the service running.
 */
class MethodPointsIT {
    private static final Path WORK = Path.of(System.getProperty("infermon.it.work"), "method-points");
    private static final String APP = "io.infermon.examples.plain.PlainScorerApp";
    private static final String CONFIG = """
            model:
              name: plain
              version: "1"
            tensorflow:
              enabled: false
            methods:
              - name: handler
                class: io.infermon.examples.plain.PlainScorerApp$Handler
                method: handle
                arguments:
                  0: {role: id, getter: getRequestId}
              - name: softmax
                class: io.infermon.examples.plain.PlainScorerApp$SoftmaxModel
                method: predict
                parameters: ["double[][]"]
                arguments: {0: features}
                return: probabilities
              - name: scorer
                class: "io.infermon.examples.plain.*Scorer"
                method: score
                model: {name: scorer}
                arguments: {0: features}
                return: probabilities
              - name: feedback
                class: io.infermon.examples.plain.PlainScorerApp$Feedback
                method: outcome
                arguments: {0: id, 1: label}
            """;

    @Test
    void predictAndScoreAreCapturedWithTheirRequestIdsAndLabels() throws Exception {
        Path dir = WORK.resolve("capture");
        CapturedRun.deleteRecursively(dir);
        Path config = Files.createDirectories(dir).resolve("agent.yaml");
        Files.writeString(config, CONFIG);
        Path queue = dir.resolve("queue");
        String plain = ChildJvm.app(APP).args("50", "--report", dir.resolve("plain.csv").toString())
                .log(dir.resolve("plain.log")).runOk();
        String withAgent = ChildJvm.app(APP).args("50", "--report", dir.resolve("report.csv").toString())
                .jvmArg("-javaagent:" + ChildJvm.AGENT_JAR + "=config=" + config + ",queue.dir=" + queue)
                .log(dir.resolve("app.log")).runOk();
        assertThat(withAgent).contains("[infermon-agent] capturing ONNX Runtime inference and 4 method point(s)");
        assertThat(total(withAgent)).isEqualTo(total(plain)); // the host computes exactly the same

        QueueRecords q = QueueRecords.read(queue);
        List<String> report = Files.readAllLines(dir.resolve("report.csv"));
        List<CaptureRecord> softmax = q.calls().stream().filter(r -> r.interceptionPoint().equals("softmax")).toList();
        List<CaptureRecord> scorer = q.calls().stream().filter(r -> r.interceptionPoint().equals("scorer")).toList();
        assertThat(softmax).hasSize(50);
        assertThat(scorer).hasSize(50);
        for (int n = 0; n < 50; n++) {
            String[] line = report.get(n).split(",");
            CaptureRecord call = softmax.get(n);
            assertThat(call.requestId()).isEqualTo("req-" + n);
            assertThat(call.modelName()).isEqualTo("plain");
            assertThat(call.modelVersion()).isEqualTo("1");
            CapturedTensor features = call.tensors().get(0);
            assertThat(features.name()).isEqualTo("arg0");
            assertThat(features.role()).isEqualTo(TensorRole.INPUT);
            assertThat(features.meaning()).isEqualTo(TensorMeaning.FEATURES);
            assertThat(features.dtype()).isEqualTo(DType.DOUBLE);
            assertThat(features.shape()).containsExactly(2, 4);
            assertThat(features.bytes().getDouble(0)).isEqualTo(Double.parseDouble(line[1]));
            CapturedTensor probabilities = call.tensors().get(1);
            assertThat(probabilities.name()).isEqualTo("return");
            assertThat(probabilities.role()).isEqualTo(TensorRole.OUTPUT);
            assertThat(probabilities.meaning()).isEqualTo(TensorMeaning.PROBABILITIES);
            assertThat(probabilities.shape()).containsExactly(2, 3);
            double rowSum = 0;
            for (int c = 0; c < 3; c++) {
                rowSum += probabilities.bytes().getDouble(8 * c);
            }
            assertThat(rowSum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-12));
            assertThat(call.durationNanos()).isPositive();

            CaptureRecord score = scorer.get(n);
            assertThat(score.requestId()).isEqualTo("req-" + n);
            assertThat(score.modelName()).isEqualTo("scorer");
            CapturedTensor in = score.tensors().get(0);
            assertThat(in.dtype()).isEqualTo(DType.FLOAT);
            assertThat(in.shape()).containsExactly(1, 2);
            float x = in.bytes().getFloat(0);
            assertThat(x).isEqualTo((float) Double.parseDouble(line[1]));
            assertThat(score.tensors().get(1).bytes().getFloat(0)).isEqualTo((float) (1 / (1 + Math.exp(-x))));
        }
        assertThat(q.labels()).hasSize(50);
        for (int n = 0; n < 50; n++) {
            CaptureRecord label = q.labels().get(n);
            assertThat(label.requestId()).isEqualTo("req-" + n);
            assertThat(label.tensors()).singleElement().satisfies(t -> {
                assertThat(t.meaning()).isEqualTo(TensorMeaning.LABEL);
                assertThat(t.dtype()).isEqualTo(DType.INT32);
                assertThat(t.bytes().getInt(0)).isEqualTo(0 + (Integer.parseInt(label.requestId().substring(4)) % 3));
            });
        }
        AgentHealth health = q.lastHealth();
        assertThat(health.counters()).containsEntry("calls_seen", 100L).containsEntry("calls_captured", 100L)
                .containsEntry("labels_captured", 50L).containsEntry("dropped_ring_full", 0L)
                .containsEntry("records_written", 150L + q.health().size() - 1);
    }

    @Test
    void theValidateCommandPrintsEachProblemAndABadConfigLeavesTheHostRunning() throws Exception {
        Path dir = WORK.resolve("bad-config");
        CapturedRun.deleteRecursively(dir);
        Path config = Files.createDirectories(dir).resolve("agent.yaml");
        Files.writeString(config, "sampling:\n  rate: 2\nmethods:\n  - class: com.acme.Scorer\n    method: score\n"
                + "    return: probability\n");
        ChildJvm.Result validate = ChildJvm.jar(ChildJvm.AGENT_JAR).args("validate", config.toString())
                .log(dir.resolve("validate.log")).run();
        assertThat(validate.exitCode()).isEqualTo(1);
        assertThat(validate.output()).contains(
                config + ":2: sampling.rate: must be between 0 and 1 (the share of calls captured), not 2",
                config + ":6: methods[0].return: unknown role 'probability'; roles are features, probabilities, "
                        + "prediction, id, label",
                "2 problems in " + config);

        Path good = Files.writeString(dir.resolve("good.yaml"), CONFIG);
        ChildJvm.Result ok = ChildJvm.jar(ChildJvm.AGENT_JAR).args("validate", good.toString())
                .log(dir.resolve("validate-good.log")).run();
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.output()).contains(good + ": valid");

        Path queue = dir.resolve("queue");
        String out = ChildJvm.app(APP).args("5").jvmArg("-javaagent:" + ChildJvm.AGENT_JAR)
                .jvmArg("-Dinfermon.config=" + config).jvmArg("-Dinfermon.queue.dir=" + queue)
                .log(dir.resolve("app.log")).runOk();
        assertThat(out).contains("[infermon-agent] disabled: invalid configuration:",
                config + ":2: sampling.rate: must be between 0 and 1", "the application runs on without capture",
                "total=");
        assertThat(queue).doesNotExist();

        ChildJvm.Result strict = ChildJvm.app(APP).args("5").jvmArg("-javaagent:" + ChildJvm.AGENT_JAR)
                .jvmArg("-Dinfermon.config=" + config).jvmArg("-Dinfermon.strict=true")
                .log(dir.resolve("strict.log")).run();
        assertThat(strict.exitCode()).isNotZero();
        assertThat(strict.output()).contains("invalid infermon agent configuration (strict: true)")
                .doesNotContain("total=");
    }

    private static String total(String output) {
        return output.lines().filter(l -> l.startsWith("total=")).findFirst().orElseThrow();
    }
}
