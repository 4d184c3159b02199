package io.infermon.processor.fleet;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.processor.alerts.AlertEvent;
import io.infermon.processor.alerts.Alerts;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.checkpoint.CheckpointFile;
import io.infermon.processor.drift.References;
import io.infermon.processor.labels.LabelJoin;
import io.infermon.processor.labels.LabelWindowMetrics;
import io.infermon.processor.labels.LabelWindowStatistics;
import io.infermon.processor.output.BucketMetrics;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The fleet's outputs: reads closed fleet buckets from the buckets topic (only committed ones) and writes them as the
 * processor writes its own, with {@code scope: fleet} on every metric and {@code fleet_hosts_reporting} and
 * {@code fleet_hosts_missing} beside: {@code OUT/anodot/*.json} (and so the Anodot sender), {@code metrics.jsonl},
 * {@code OUT/profiles}, drift against the given references; closed fleet label windows and agent health buckets
 * the same way as the processor writes its own; and the alert rules of processor.yaml evaluated on all those metrics, as {@code run} evaluates them on a host's, into {@code OUT/alerts.jsonl}.
 *
 * <p>Exactly once, as the processor's outputs: after each batch it saves, atomically, the next offset of each
 * partition with the length of {@code metrics.jsonl}, the references' state, and the alerts' state with the length
 * of {@code alerts.jsonl}; a restart cuts both files back to those lengths and reads on from those offsets, writing
 * any bucket again under the same name with the same content, and any alert event again once.
 */
public final class FleetOutputs implements AutoCloseable {
    static final String CHECKPOINT = "fleet-checkpoint";
    public static final String SCOPE = "scope";
    public static final String HOSTS_REPORTING = "fleet_hosts_reporting";
    public static final String HOSTS_MISSING = "fleet_hosts_missing";

    private final FleetSettings settings;
    private final Path out;
    private final MetricFiles files;
    private final References references;
    private final Alerts alerts;
    private final Consumer<ClosedBucket> onWritten;
    private final Map<Integer, Long> offsets = new TreeMap<>();
    private volatile boolean running = true;
    private KafkaConsumer<byte[], byte[]> consumer;

    /**
     * @param files       where the outputs go, opened with the checkpoint's length of metrics.jsonl ({@link #restore})
     * @param alerts      the alert rules and alerts.jsonl (not yet opened: {@link #run} opens it after the restore)
     * @param onWritten   told of each bucket after it is written (the command line prints a line)
     */
    public FleetOutputs(FleetSettings settings, Path out, MetricFiles files, References references, Alerts alerts,
                        Consumer<ClosedBucket> onWritten) {
        this.settings = settings;
        this.out = out;
        this.files = files;
        this.references = references;
        this.alerts = alerts;
        this.onWritten = onWritten;
    }

    /**
     * The length of metrics.jsonl the last checkpoint holds, to cut the file back to; 0 without a checkpoint (what a
     * writer killed before its first one wrote is written again from the topic's beginning).
     */
    public static long restoredJsonlLength(Path out) throws IOException {
        Path f = out.resolve(CHECKPOINT);
        if (!Files.exists(f)) {
            return 0;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(CheckpointFile.read(f)))) {
            return in.readLong();
        }
    }

    private void restore() throws IOException {
        Path f = out.resolve(CHECKPOINT);
        if (!Files.exists(f)) {
            return;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(CheckpointFile.read(f)))) {
            in.readLong(); // metrics.jsonl's length: MetricFiles was opened with it
            files.restoreCounts(in.readLong(), in.readLong());
            for (int n = in.readInt(); n > 0; n--) {
                offsets.put(in.readInt(), in.readLong());
            }
            references.restoreState(in);
            if (in.available() > 0) { // checkpoints written before fleet alerts end here (alerts.jsonl starts empty)
                alerts.restoreState(in);
            }
        }
    }

    private void checkpoint() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeLong(files.jsonlLength());
            o.writeLong(files.bucketsWritten());
            o.writeLong(files.metricsWritten());
            o.writeInt(offsets.size());
            for (Map.Entry<Integer, Long> e : offsets.entrySet()) {
                o.writeInt(e.getKey());
                o.writeLong(e.getValue());
            }
            references.writeState(o);
            alerts.writeState(o);
        }
        CheckpointFile.write(out.resolve(CHECKPOINT), bytes.toByteArray());
        alerts.commit();
    }

    /** Reads and writes until {@link #stop}; a Kafka outage is waited out. */
    public void run() throws Exception {
        restore();
        alerts.open(true);
        consumer = new KafkaConsumer<>(settings.clientConfig(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 << 20,
                ConsumerConfig.CLIENT_ID_CONFIG, "infermon-fleet-outputs")),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        try {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(settings.bucketsTopic(), Duration.ofMinutes(5))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = offsets.get(tp.partition());
                if (next != null) {
                    consumer.seek(tp, next);
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    write(r);
                    offsets.put(r.partition(), r.offset() + 1);
                }
                checkpoint();
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // stopped
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void write(ConsumerRecord<byte[], byte[]> r) throws IOException {
        FleetRecords.FleetRecord record;
        BucketProfile merged = null;
        LabelWindowStatistics statistics = null;
        try {
            record = FleetRecords.decodeFleetRecord(r.value());
            if (record instanceof FleetRecords.FleetBucket b) {
                merged = ProfileCodec.decode(b.profile());
            } else if (record instanceof FleetRecords.FleetLabelWindow w) {
                statistics = LabelWindowStatistics.decode(w.statistics());
            }
        } catch (IOException e) {
            System.err.println("infermon fleet: skipped a record of " + r.topic() + "-" + r.partition() + "@"
                    + r.offset() + " (" + e.getMessage() + ")");
            return;
        }
        if (record instanceof FleetRecords.FleetBucket b) {
            write(b, merged);
        } else if (record instanceof FleetRecords.FleetLabelWindow w) {
            write(w, statistics);
        } else if (record instanceof FleetRecords.FleetAgentHealth h) {
            write(h);
        }
    }

    /** A fleet label window: the same metrics as a host's, from the merged statistics, with {@code scope: fleet}. */
    private void write(FleetRecords.FleetLabelWindow w, LabelWindowStatistics statistics) throws IOException {
        List<AnodotMetric> metrics = LabelWindowMetrics.of(w.model(), w.startMillis(), w.window(), statistics, SCOPE,
                "fleet");
        List<AlertEvent> events = alerts.evaluate(metrics);
        files.writeLabelWindows(List.of(new LabelJoin.Emission(w.model(), w.startMillis(), w.window(),
                w.maturityMillis(), metrics, () -> statistics)));
        alerts.write(events);
    }

    /**
     * A fleet bucket of agent health: {@code agent_<counter>} summed over the hosts' agents, with {@code scope:
     * fleet} and no {@code agent}.
     */
    private void write(FleetRecords.FleetAgentHealth h) throws IOException {
        List<AnodotMetric> metrics = new ArrayList<>();
        h.counters().forEach((name, value) -> metrics.add(AnodotMetric.builder("agent_" + name,
                        name.equals("capture_enabled") ? TargetType.GAUGE : TargetType.COUNTER)
                .property(SCOPE, "fleet").timestamp(Math.floorDiv(h.startMillis(), 1000L)).value(value)));
        List<AlertEvent> events = alerts.evaluate(metrics);
        files.writeAgentHealth(h.startMillis(), metrics);
        alerts.write(events);
    }

    private void write(FleetRecords.FleetBucket b, BucketProfile merged) throws IOException {
        ClosedBucket bucket = references.attach(new ClosedBucket(b.model(), b.startMillis(), b.endMillis(),
                merged.statistics()));
        List<AnodotMetric> metrics = new ArrayList<>();
        for (AnodotMetric m : BucketMetrics.of(bucket)) {
            metrics.add(m.withProperty(SCOPE, "fleet"));
        }
        metrics.add(hosts(bucket, HOSTS_REPORTING, b.reporting().size()));
        metrics.add(hosts(bucket, HOSTS_MISSING, b.missing().size()));
        List<AlertEvent> events = alerts.evaluate(metrics);
        files.write(List.of(bucket), List.of(metrics));
        alerts.write(events);
        onWritten.accept(bucket);
    }

    private static AnodotMetric hosts(ClosedBucket b, String what, int n) {
        AnodotMetric.Builder m = AnodotMetric.builder(what, TargetType.GAUGE).property("model", b.model().name());
        if (!b.model().version().isEmpty()) {
            m.property("model_version", b.model().version());
        }
        if (!b.model().signature().isEmpty()) {
            m.property("signature", b.model().signature());
        }
        return m.property(SCOPE, "fleet").timestamp(Math.floorDiv(b.startMillis(), 1000L)).value(n);
    }

    public void stop() {
        running = false;
        if (consumer != null) {
            consumer.wakeup();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
