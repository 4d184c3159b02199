package io.infermon.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
    @Test
    void defaults() {
        AgentConfig c = AgentConfig.from(k -> null, Map.of(), null);
        assertThat(c.enabled()).isTrue();
        assertThat(c.queueDir()).isEqualTo(Path.of("infermon-queue").toAbsolutePath());
        assertThat(c.modelName()).isNull();
        assertThat(c.bufferBytes()).isEqualTo(32 << 20);
        assertThat(c.maxRecordBytes()).isEqualTo(4 << 20);
    }

    @Test
    void systemPropertiesWinOverEnvironmentVariablesWhichWinOverTheAgentArgument() {
        Map<String, String> props = Map.of("infermon.queue.dir", "/from/property");
        Map<String, String> env = Map.of("INFERMON_QUEUE_DIR", "/from/env", "INFERMON_MODEL_NAME", "digits",
                "INFERMON_ENABLED", "false");
        AgentConfig c = AgentConfig.from(props::get, env, "queue.dir=/from/args,model.version=7");
        assertThat(c.queueDir()).isEqualTo(Path.of("/from/property"));
        assertThat(c.modelName()).isEqualTo("digits");
        assertThat(c.enabled()).isFalse();
        assertThat(c.modelVersion()).isEqualTo("7"); // only the agent argument sets it
    }

    @Test
    void explainsABadAgentArgument() {
        assertThatThrownBy(() -> AgentConfig.from(k -> null, Map.of(), "/etc/agent.yaml"))
                .hasMessageContaining("not a list of key=value pairs").hasMessageContaining("/etc/agent.yaml");
    }

    @Test
    void explainsABadBufferSize() {
        assertThatThrownBy(() -> AgentConfig.from(Map.of("infermon.buffer.bytes", "1000000")::get, Map.of(), null))
                .hasMessageContaining("infermon.buffer.bytes must be a power of two");
        assertThatThrownBy(() -> AgentConfig.from(Map.of("infermon.buffer.bytes", "32MB")::get, Map.of(), null))
                .hasMessageContaining("whole number of bytes, not '32MB'");
    }
}
