package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.config.ProcessorConfig;
import io.infermon.processor.fleet.FleetSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code infermon fleet --config}: the hosts' processor.yaml gives the fleet its Kafka and topics. */
class FleetCommandConfigTest {
    @TempDir
    Path dir;

    private FleetSettings settings(Path yaml, String... args) {
        FleetCommand command = new FleetCommand();
        CommandLine cli = new CommandLine(command);
        cli.parseArgs(args);
        ProcessorConfig.Resolved file = yaml == null ? null
                : ProcessorConfig.readFile(new CommandLine(new RunCommand()).getCommandSpec(), yaml, cli);
        return command.settings(file, cli);
    }

    @Test
    void theFleetSectionGivesKafkaAndTheTopicsWhereTheCommandLineDoesNot() throws Exception {
        Path yaml = Files.writeString(dir.resolve("processor.yaml"), """
                out: /var/lib/infermon/out
                fleet:
                  kafka: k1:9092
                  host: web-1
                  topic-prefix: prod
                  partitions: 12
                  replication: 3
                  kafka-properties: /etc/infermon/kafka.properties
                """);
        assertThat(settings(yaml, "--out", "/o", "--config", yaml.toString(), "--fleet-partitions", "2"))
                .isEqualTo(new FleetSettings("k1:9092", "prod", 2, (short) 3,
                        Path.of("/etc/infermon/kafka.properties")));
        assertThat(settings(yaml, "--out", "/o", "--config", yaml.toString(), "--kafka", "k2:9092",
                "--fleet-topic-prefix", "test").bootstrap()).isEqualTo("k2:9092");
        Path flat = Files.writeString(dir.resolve("flat.yaml"), "publish-kafka: k3:9092\nfleet-topic-prefix: old\n");
        assertThat(settings(flat, "--out", "/o", "--config", flat.toString()))
                .isEqualTo(new FleetSettings("k3:9092", "old", 6, (short) 1, null));
    }

    @Test
    void withoutKafkaAnywhereTheFleetRefusesToStart() throws Exception {
        Path yaml = Files.writeString(dir.resolve("processor.yaml"), "fleet:\n  topic-prefix: prod\n");
        assertThatThrownBy(() -> settings(yaml, "--out", "/o", "--config", yaml.toString()))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessage("infermon: give --kafka BOOTSTRAP, or a --config file with fleet: kafka: BOOTSTRAP");
        assertThatThrownBy(() -> settings(null, "--out", "/o")).isInstanceOf(CommandLine.ParameterException.class);
    }
}
