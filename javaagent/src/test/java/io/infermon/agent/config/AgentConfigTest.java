package io.infermon.agent.config;

import io.infermon.config.ConfigProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
    private static final String FULL = """
            enabled: true
            queue:
              dir: /var/lib/infermon/q
              roll_cycle: daily
              retention:
                hours: 48
                bytes: 2GiB
            model:
              name: digits
              version: "7"
            sampling:
              rate: 0.25
              max_calls_per_second: 500
            capture:
              max_record_bytes: 1MiB
              oversize: truncate
            buffer:
              bytes: 16MiB
            health:
              interval_seconds: 30
            tensorflow:
              signatures:
                include: [serving_*]
              fetches:
                exclude: [debug_*]
              roles:
                features: [pixels]
                probabilities: probs
            methods:
              - class: com.acme.Scorer
                method: score
                parameters: ["float[]"]
                arguments: {0: features}
                return: probabilities
              - implements: com.acme.web.Handler
                method: handle
                arguments:
                  0: {role: id, getter: getRequestId}
              - name: feedback
                class: "com.acme.*Feedback"
                method: outcome
                arguments: {0: id, 1: label}
            """;

    private static AgentConfig read(Map<String, String> props, Map<String, String> env, String args)
            throws InvalidConfigException {
        return ConfigReader.read(props::get, env, args);
    }

    @Test
    void defaults() throws Exception {
        AgentConfig c = read(Map.of(), Map.of(), null);
        assertThat(c.enabled()).isTrue();
        assertThat(c.strict()).isFalse();
        assertThat(c.queueDir()).isEqualTo(Path.of("infermon-queue").toAbsolutePath());
        assertThat(c.rollCycle()).isEqualTo(RollCycles.FAST_HOURLY);
        assertThat(c.retentionHours()).isEqualTo(24);
        assertThat(c.retentionBytes()).isEqualTo(4L << 30);
        assertThat(c.modelName()).isNull();
        assertThat(c.samplingRate()).isEqualTo(1.0);
        assertThat(c.maxCallsPerSecond()).isZero();
        assertThat(c.bufferBytes()).isEqualTo(32 << 20);
        assertThat(c.maxRecordBytes()).isEqualTo(4 << 20);
        assertThat(c.truncateOversize()).isFalse();
        assertThat(c.tensorflow().enabled()).isTrue();
        assertThat(c.methods()).isEmpty();
    }

    @Test
    void readsEveryKeyOfAFullFileNamedInTheAgentArgument(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), FULL);
        AgentConfig c = read(Map.of(), Map.of(), "config=" + file);
        assertThat(c.configFile()).isEqualTo(file);
        assertThat(c.queueDir()).isEqualTo(Path.of("/var/lib/infermon/q"));
        assertThat(c.rollCycle()).isEqualTo(RollCycles.FAST_DAILY);
        assertThat(c.retentionHours()).isEqualTo(48);
        assertThat(c.retentionBytes()).isEqualTo(2L << 30);
        assertThat(c.modelName()).isEqualTo("digits");
        assertThat(c.modelVersion()).isEqualTo("7");
        assertThat(c.samplingRate()).isEqualTo(0.25);
        assertThat(c.maxCallsPerSecond()).isEqualTo(500);
        assertThat(c.maxRecordBytes()).isEqualTo(1 << 20);
        assertThat(c.truncateOversize()).isTrue();
        assertThat(c.bufferBytes()).isEqualTo(16 << 20);
        assertThat(c.healthIntervalSeconds()).isEqualTo(30);
        assertThat(c.tensorflow().signatures().include()).containsExactly("serving_*");
        assertThat(c.tensorflow().fetches().exclude()).containsExactly("debug_*");
        assertThat(c.tensorflow().features()).containsExactly("pixels");
        assertThat(c.tensorflow().probabilities()).containsExactly("probs");

        assertThat(c.methods()).hasSize(3);
        MethodPoint scorer = c.methods().get(0);
        assertThat(scorer.name()).isEqualTo("method.Scorer.score");
        assertThat(scorer.match()).isEqualTo(MethodPoint.ClassMatch.EXACT);
        assertThat(scorer.parameterTypes()).containsExactly("float[]");
        assertThat(scorer.argumentRoles()[0]).isEqualTo(Role.FEATURES);
        assertThat(scorer.returnRole()).isEqualTo(Role.PROBABILITIES);
        MethodPoint handler = c.methods().get(1);
        assertThat(handler.match()).isEqualTo(MethodPoint.ClassMatch.IMPLEMENTATIONS_OF);
        assertThat(handler.idArgument()).isZero();
        assertThat(handler.idGetter()).isEqualTo("getRequestId");
        assertThat(handler.capturesValues()).isFalse();
        MethodPoint feedback = c.methods().get(2);
        assertThat(feedback.name()).isEqualTo("feedback");
        assertThat(feedback.match()).isEqualTo(MethodPoint.ClassMatch.GLOB);
        assertThat(feedback.isLabelPoint()).isTrue();
    }

    @Test
    void theFileIsFoundThroughTheSystemPropertyOrTheEnvironmentToo(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("a.yaml"), "model:\n  name: from-file\n");
        assertThat(read(Map.of("infermon.config", file.toString()), Map.of(), null).modelName())
                .isEqualTo("from-file");
        assertThat(read(Map.of(), Map.of("INFERMON_CONFIG", file.toString()), null).modelName())
                .isEqualTo("from-file");
    }

    @Test
    void systemPropertiesWinOverEnvironmentWhichWinsOverTheAgentArgumentWhichWinsOverTheFile(@TempDir Path tmp)
            throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), FULL);
        Map<String, String> props = Map.of("infermon.queue.dir", "/from/property");
        Map<String, String> env = Map.of("INFERMON_QUEUE_DIR", "/from/env", "INFERMON_MODEL_NAME", "env-model",
                "INFERMON_SAMPLING_RATE", "0.5", "INFERMON_QUEUE_RETENTION_HOURS", "6");
        AgentConfig c = read(props, env, "config=" + file + ",queue.dir=/from/args,model.version=9,"
                + "sampling.max_calls_per_second=7");
        assertThat(c.queueDir()).isEqualTo(Path.of("/from/property"));
        assertThat(c.modelName()).isEqualTo("env-model");
        assertThat(c.samplingRate()).isEqualTo(0.5);
        assertThat(c.retentionHours()).isEqualTo(6);
        assertThat(c.modelVersion()).isEqualTo("9");
        assertThat(c.maxCallsPerSecond()).isEqualTo(7);
        assertThat(c.rollCycle()).isEqualTo(RollCycles.FAST_DAILY); // nothing overrides it: the file's
    }

    @Test
    void everyProblemIsReportedWithFileLineAndKey(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), """
                enabled: maybe
                queue:
                  dri: /tmp/q
                  roll_cycle: fortnightly
                sampling:
                  rate: 1.5
                buffer:
                  bytes: 1000000
                methods:
                  - class: com.acme.Scorer
                    arguments: {0: feature, 9: features}
                  - implements: com.acme.Model
                    method: predict
                """);
        List<ConfigProblem> problems = ConfigReader.validate(file);
        assertThat(problems).extracting(ConfigProblem::toString).containsExactlyInAnyOrder(
                file + ":1: enabled: must be true or false, not 'maybe'",
                file + ":3: queue.dri: unknown key (did you mean 'dir'?); known here: dir, retention, roll_cycle",
                file + ":4: queue.roll_cycle: must be one of five_minutely, ten_minutely, twenty_minutely, "
                        + "half_hourly, hourly, two_hourly, four_hourly, six_hourly, daily, weekly, not 'fortnightly'",
                file + ":6: sampling.rate: must be between 0 and 1 (the share of calls captured), not 1.5",
                file + ":8: buffer.bytes: must be a power of two (65536, 1MiB, 32MiB...), not 1000000",
                file + ":10: methods[0]: needs 'method' (the method's name)",
                file + ":11: methods[0].arguments.0: unknown role 'feature'; roles are features, probabilities, "
                        + "prediction, id, label",
                file + ":11: methods[0].arguments.9: argument positions are 0 to 5 (counting from 0), not '9'",
                file + ":12: methods[1]: captures nothing: give an argument or the return value a role (features, "
                        + "probabilities, prediction, id, label)");
    }

    @Test
    void badYamlAndOverridesAreReportedWithTheirSource(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "queue:\n  dir: [unclosed\n");
        assertThat(ConfigReader.validate(file)).singleElement().asString()
                .startsWith(file + ":").contains("not valid YAML");

        assertThatThrownBy(() -> read(Map.of("infermon.sampling.rate", "lots"), Map.of(), null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.strict()).isFalse())
                .hasMessage("-Dinfermon.sampling.rate: sampling.rate: must be a number, not 'lots'");
        assertThatThrownBy(() -> read(Map.of(), Map.of("INFERMON_CAPTURE_MAX_RECORD_BYTES", "8MiB",
                "INFERMON_STRICT", "true"), null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.strict()).isTrue())
                .hasMessageContaining("INFERMON_CAPTURE_MAX_RECORD_BYTES: capture.max_record_bytes: must be at most "
                        + "an eighth of buffer.bytes");
        assertThatThrownBy(() -> read(Map.of(), Map.of(), "/etc/agent.yaml"))
                .hasMessageContaining("agent argument: '/etc/agent.yaml' is not a list of key=value pairs")
                .hasMessageContaining("config=/path/agent.yaml");
        assertThatThrownBy(() -> read(Map.of("infermon.config", tmp.resolve("missing.yaml").toString()), Map.of(),
                null)).hasMessageContaining("-Dinfermon.config: config: cannot read the configuration file");
    }

    @Test
    void strictInTheFileMakesProblemsFatal(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("agent.yaml"), "strict: true\nsampling: {rate: -1}\n");
        assertThatThrownBy(() -> read(Map.of(), Map.of(), "config=" + file))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.strict()).isTrue());
    }
}
