package io.infermon.processor.fleet;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where the fleet's records go and how the Kafka clients connect (docs/fleet.md): the bootstrap servers, the topics
 * (named from a prefix), how many partitions they get when infermon creates them, and further client properties from
 * a file (security settings, for instance), which win over infermon's own.
 *
 * @param bootstrap     Kafka's bootstrap servers, {@code host:port,...}
 * @param topicPrefix   the topics are {@code <prefix>.profiles} and {@code <prefix>.buckets}
 * @param partitions    partitions of a topic infermon creates: how many aggregator instances can share the work
 * @param replication   replication factor of a topic infermon creates
 * @param clientProperties more client properties, or null
 */
public record FleetSettings(String bootstrap, String topicPrefix, int partitions, short replication,
                            Path clientProperties) {
    public static final String DEFAULT_PREFIX = "infermon";

    public FleetSettings {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("the Kafka bootstrap servers are empty");
        }
        if (!topicPrefix.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("the topic prefix may hold letters, digits, '.', '_' and '-' only, not '"
                    + topicPrefix + "'");
        }
        if (partitions < 1 || replication < 1) {
            throw new IllegalArgumentException("partitions and replication must be at least 1");
        }
    }

    /** The given bootstrap servers with everything else at its default. */
    public static FleetSettings of(String bootstrap) {
        return new FleetSettings(bootstrap, DEFAULT_PREFIX, 6, (short) 1, null);
    }

    /** Hosts' bucket profiles and watermarks, keyed by model key. */
    public String profilesTopic() {
        return topicPrefix + ".profiles";
    }

    /** Closed fleet buckets, written by the aggregator. */
    public String bucketsTopic() {
        return topicPrefix + ".buckets";
    }

    /** The client properties: bootstrap servers, then {@code clientProperties}, then {@code own} where not set. */
    public Map<String, Object> clientConfig(Map<String, Object> own) throws IOException {
        Map<String, Object> config = new HashMap<>(own);
        config.put("bootstrap.servers", bootstrap);
        if (clientProperties != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(clientProperties)) {
                p.load(r);
            }
            p.forEach((k, v) -> config.put((String) k, v));
        }
        return config;
    }

    /** How long a client waits for Kafka before a call gives up and is retried later. */
    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(10);
}
