package io.infermon.processor.fleet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The fleet's aggregation, a Kafka Streams application: the profiles topic in, {@link FleetMerge} per partition with
 * its stores in RocksDB (changelogged, so another instance or a restart takes a partition over where it was), closed
 * fleet buckets out to the buckets topic, exactly once ({@code processing.guarantee=exactly_once_v2}: the stores,
 * the input offsets and the output commit together). Run more instances with the same application id to share the
 * partitions.
 */
public final class FleetAggregator implements AutoCloseable {

    /**
     * @param topics         the fleet's topics and client settings
     * @param widthMillis    the bucket width every host must use
     * @param graceMillis    how far past a bucket's end every live host's watermark must be before it closes
     * @param hostTimeoutMillis a host whose watermark lags the latest by more than this is missing
     * @param forgetMillis   a missing host lagging more than this is forgotten
     * @param emptyBuckets   a model key with calls in one of its last N fleet buckets and none in one gets an empty one
     * @param applicationId  Kafka Streams' application id (its consumer group, its internal topics' prefix)
     * @param stateDir       where the stores live on this machine
     */
    public record Settings(FleetSettings topics, long widthMillis, long graceMillis, long hostTimeoutMillis,
                           long forgetMillis, int emptyBuckets, String applicationId, Path stateDir) {
    }

    private final KafkaStreams streams;
    private final FleetCounters counters = new FleetCounters();

    private FleetAggregator(Settings settings) throws IOException {
        Topology topology = new Topology();
        topology.addSource("profiles", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                settings.topics().profilesTopic());
        topology.addProcessor("merge", () -> new FleetMerge(settings, counters), "profiles");
        for (String store : new String[] {FleetMerge.OPEN, FleetMerge.HOSTS, FleetMerge.CLOSED,
                FleetMerge.LABELS, FleetMerge.AGENTS}) {
            topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.Bytes(),
                    Serdes.ByteArray()), "merge");
        }
        topology.addSink("buckets", settings.topics().bucketsTopic(), new ByteArraySerializer(),
                new ByteArraySerializer(), "merge");
        Properties config = new Properties();
        config.putAll(settings.topics().clientConfig(Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId(),
                StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString(),
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200,
                StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.topics().replication(),
                StreamsConfig.producerPrefix("max.request.size"), 16 << 20,
                StreamsConfig.consumerPrefix("max.partition.fetch.bytes"), 16 << 20,
                StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest",
                "processing.exception.handler.global.enabled", true)));
        this.streams = new KafkaStreams(topology, config);
    }

    /** Creates the topics when missing (waiting for Kafka when it is away) and starts processing. */
    public static FleetAggregator start(Settings settings) throws Exception {
        FleetTopics.awaitCreated(settings.topics());
        FleetAggregator a = new FleetAggregator(settings);
        a.streams.setUncaughtExceptionHandler(e -> {
            System.err.println("infermon fleet: the aggregation failed (" + e + "); its thread is replaced and goes"
                    + " on from the last commit");
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
        a.streams.start();
        return a;
    }

    public FleetCounters counters() {
        return counters;
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
    }
}
