package io.infermon.processor.cli;

import io.infermon.processor.config.ProcessorConfig;
import io.infermon.processor.fleet.FleetSettings;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** How the fleet's Kafka topics are named and reached: the same options for `run --publish-kafka` and `fleet`. */
public final class FleetOptions {
    @Option(names = "--fleet-topic-prefix", defaultValue = FleetSettings.DEFAULT_PREFIX, paramLabel = "PREFIX",
            description = "The fleet's topics are PREFIX.profiles and PREFIX.buckets. Default: ${DEFAULT-VALUE}.")
    String topicPrefix;

    @Option(names = "--fleet-partitions", defaultValue = "6", paramLabel = "N",
            description = "Partitions of the topics when infermon creates them (the most aggregator instances that "
                    + "share the work). Default: ${DEFAULT-VALUE}.")
    int partitions;

    @Option(names = "--fleet-replication", defaultValue = "1", paramLabel = "N",
            description = "Replication factor of the topics when infermon creates them. Default: ${DEFAULT-VALUE}.")
    int replication;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "More Kafka client properties (security, for instance); they win over infermon's own.")
    Path clientProperties;

    /**
     * Takes the topics' settings from a processor.yaml (its {@code fleet:} section, or the flat keys) where the
     * command line did not give them, so that {@code infermon fleet --config} shares the hosts' file.
     */
    void defaults(ProcessorConfig.Resolved file, CommandLine.ParseResult given) {
        if (!given.hasMatchedOption("--fleet-topic-prefix") && file.text("fleet-topic-prefix") != null) {
            topicPrefix = file.text("fleet-topic-prefix");
        }
        if (!given.hasMatchedOption("--fleet-partitions") && file.text("fleet-partitions") != null) {
            partitions = Integer.parseInt(file.text("fleet-partitions"));
        }
        if (!given.hasMatchedOption("--fleet-replication") && file.text("fleet-replication") != null) {
            replication = Integer.parseInt(file.text("fleet-replication"));
        }
        if (!given.hasMatchedOption("--kafka-properties") && file.text("kafka-properties") != null) {
            clientProperties = Path.of(file.text("kafka-properties"));
        }
    }

    FleetSettings settings(String bootstrap) {
        if (replication > Short.MAX_VALUE) {
            throw new IllegalArgumentException("--fleet-replication is at most " + Short.MAX_VALUE);
        }
        return new FleetSettings(bootstrap, topicPrefix, partitions, (short) replication, clientProperties);
    }
}
