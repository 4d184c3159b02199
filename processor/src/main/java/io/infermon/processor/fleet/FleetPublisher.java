package io.infermon.processor.fleet;

import io.infermon.anodot.AnodotMetric;
import io.infermon.processor.labels.LabelJoin;
import io.infermon.processor.profile.BucketProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A host processor's side of the fleet: each closed bucket's profile goes to the profiles topic, keyed by its model
 * key, and then the host's watermark goes to every partition of it, so that in each partition a host's profiles come
 * before the watermark that covers them (docs/fleet.md). Label windows' statistics (keyed by model key) and the
 * buckets' agent health summed over the host's agents (one key for all) go the same way, and a label watermark goes
 * to every partition just before each watermark.
 *
 * <p>The processor hands each profile to {@link #offer} at the bucket boundary, before its checkpoint; the profile
 * waits in the {@link FleetOutbox} until Kafka has acknowledged it. A background thread sends what waits, then the
 * watermark ({@code writtenThrough}: every bucket ending at or before it was handed over), every two seconds, also
 * when nothing new came. Kafka away: the processor goes on, the outbox grows (bounded, counted) and the thread
 * retries with back-off. A bucket sent twice (a restart between Kafka's acknowledgement and the file's removal, or
 * a bucket the restarted processor writes again) is harmless: the aggregator keeps one profile per host and bucket.
 */
public final class FleetPublisher implements AutoCloseable {
    private static final long HEARTBEAT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final FleetSettings settings;
    private final String host;
    private final long widthMillis;
    private final LongSupplier writtenThrough;
    private final LongSupplier labelWindowsThrough;
    private final FleetOutbox outbox;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile boolean running = true;
    private KafkaProducer<byte[], byte[]> producer;
    private volatile long bucketsPublished;
    private volatile long failures;
    private volatile String lastFailure;
    private boolean topicKnown;
    private boolean announced;

    private FleetPublisher(FleetSettings settings, String host, long widthMillis, LongSupplier writtenThrough,
                           LongSupplier labelWindowsThrough, FleetOutbox outbox) {
        this.settings = settings;
        this.host = host;
        this.widthMillis = widthMillis;
        this.writtenThrough = writtenThrough;
        this.labelWindowsThrough = labelWindowsThrough;
        this.outbox = outbox;
        this.thread = new Thread(this::run, "infermon-fleet-publisher");
        this.thread.setDaemon(true);
    }

    /**
     * Starts publishing for host {@code host}; what is owed waits in {@code outboxDir} (at most {@code maxBytes}).
     *
     * @param writtenThrough      the processor's {@code writtenThrough()}
     * @param labelWindowsThrough the processor's {@code labelWindowsThrough()}
     */
    public static FleetPublisher start(FleetSettings settings, String host, Duration width, Path outboxDir,
                                       long maxBytes, LongSupplier writtenThrough, LongSupplier labelWindowsThrough)
            throws IOException {
        FleetPublisher p = new FleetPublisher(settings, host, width.toMillis(), writtenThrough, labelWindowsThrough,
                new FleetOutbox(outboxDir, maxBytes));
        p.thread.start();
        return p;
    }

    /** Takes a closed bucket's profile (as written to OUT/profiles) into the outbox. Called at a bucket boundary. */
    public void offer(BucketProfile profile, byte[] encoded) throws IOException {
        String stem = profile.fileName().substring(0, profile.fileName().length() - ".profile".length());
        outbox.add(profile.startMillis(), stem, FleetRecords.encode(new FleetRecords.HostBucket(host,
                profile.model(), profile.startMillis(), profile.endMillis(), encoded)));
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Takes a label window's statistics into the outbox, as {@link #offer} takes a bucket's profile: at the bucket
     * boundary that wrote it, before the checkpoint, under a name that is the same when a restart emits it again.
     */
    public void offerLabelWindow(LabelJoin.Emission w) throws IOException {
        outbox.add(w.bucketStartMillis(), BucketProfile.fileStem(w.model(), w.bucketStartMillis()) + ".labels_"
                + w.window(),
                FleetRecords.encode(new FleetRecords.HostLabelWindow(host, w.model(), w.bucketStartMillis(),
                        w.bucketStartMillis() + widthMillis, w.window(), w.maturityMillis(),
                        w.statistics().get().encode())));
        wake();
    }

    /**
     * Takes a bucket's agent health into the outbox, each {@code agent_<counter>} summed over the host's agents
     * (the metrics as the processor writes them, one per agent and counter).
     */
    public void offerAgentHealth(long bucketStartMillis, List<AnodotMetric> metrics) throws IOException {
        java.util.TreeMap<String, Long> sums = new java.util.TreeMap<>();
        for (AnodotMetric m : metrics) {
            String what = m.property("what");
            if (what != null && what.startsWith("agent_")) {
                sums.merge(what.substring("agent_".length()), Math.round(m.value()), Long::sum);
            }
        }
        if (sums.isEmpty()) {
            return;
        }
        outbox.add(bucketStartMillis, "infermon.agents", FleetRecords.encode(new FleetRecords.HostAgentHealth(host,
                bucketStartMillis, bucketStartMillis + widthMillis, sums)));
        wake();
    }

    private void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        long backoff = TimeUnit.SECONDS.toNanos(1);
        while (running) {
            long pause = HEARTBEAT_NANOS;
            try {
                publish(false);
                backoff = TimeUnit.SECONDS.toNanos(1);
            } catch (Exception e) {
                failed(e);
                pause = backoff;
                backoff = Math.min(backoff * 2, BACKOFF_MAX_NANOS);
            }
            synchronized (wake) {
                if (running) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(wake, pause);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    private synchronized void failed(Exception e) {
        failures++;
        String message = "infermon: cannot publish to Kafka at " + settings.bootstrap() + " (" + e + "); "
                + "buckets wait in the fleet outbox and are sent when Kafka is back";
        if (lastFailure == null) {
            System.err.println(message);
        }
        lastFailure = message;
        if (producer != null) {
            producer.close(Duration.ZERO); // a fresh producer next time: it finds the cluster again
            producer = null;
        }
    }

    /**
     * Sends what the outbox holds, then the watermark; files leave the outbox once Kafka acknowledged them.
     * Synchronized: {@link #close} sends a last time while the thread may still be at it.
     */
    private synchronized void publish(boolean last) throws Exception {
        // read first: every profile and label window they cover is in the outbox by now
        long through = writtenThrough.getAsLong();
        long labelsThrough = labelWindowsThrough.getAsLong();
        List<Path> files = outbox.pending();
        if (files.isEmpty() && through == Long.MIN_VALUE && announced) {
            return; // nothing closed yet, and the fleet knows this host: it holds the fleet's buckets until it has
        }
        KafkaProducer<byte[], byte[]> p = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>(files.size());
        List<Path> sending = new ArrayList<>(files.size());
        for (Path f : files) {
            byte[] record = Files.readAllBytes(f);
            FleetRecords.HostRecord r = FleetRecords.decodeHostRecord(record);
            byte[] key;
            if (r instanceof FleetRecords.HostBucket b) {
                key = FleetRecords.key(b.model());
            } else if (r instanceof FleetRecords.HostLabelWindow w) {
                key = FleetRecords.key(w.model()); // beside its model's buckets
            } else if (r instanceof FleetRecords.HostAgentHealth) {
                key = FleetRecords.AGENTS_KEY;
            } else {
                throw new IOException("an outbox file that is not a bucket's record: " + f);
            }
            sent.add(p.send(new ProducerRecord<>(settings.profilesTopic(), key, record)));
            sending.add(f);
        }
        p.flush();
        for (int i = 0; i < sent.size(); i++) {
            sent.get(i).get(); // throws if Kafka did not take it: the file stays
            outbox.remove(sending.get(i));
            bucketsPublished++;
        }
        {
            // also with nothing closed yet (the first time): the fleet then waits for this host's first bucket
            byte[] key = host.getBytes(StandardCharsets.UTF_8);
            byte[] watermark = FleetRecords.encode(new FleetRecords.HostWatermark(host, through, widthMillis, last));
            // the label watermark first: when the aggregator hears of this host in a partition, it knows how far its
            // label windows are, and does not close one without it
            byte[] labelMark = FleetRecords.encode(new FleetRecords.HostLabelWatermark(host,
                    last ? Long.MAX_VALUE : labelsThrough));
            List<Future<RecordMetadata>> marks = new ArrayList<>();
            for (PartitionInfo partition : p.partitionsFor(settings.profilesTopic())) {
                marks.add(p.send(new ProducerRecord<>(settings.profilesTopic(), partition.partition(), key,
                        labelMark)));
                marks.add(p.send(new ProducerRecord<>(settings.profilesTopic(), partition.partition(), key,
                        watermark)));
            }
            p.flush();
            for (Future<RecordMetadata> m : marks) {
                m.get();
            }
            announced = true;
        }
        if (lastFailure != null) {
            System.err.println("infermon: publishing to Kafka again");
            lastFailure = null;
        }
    }

    private KafkaProducer<byte[], byte[]> producer() throws Exception {
        if (!topicKnown) {
            FleetTopics.create(settings);
            topicKnown = true;
        }
        if (producer == null) {
            producer = new KafkaProducer<>(settings.clientConfig(Map.of(
                    ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                    ProducerConfig.LINGER_MS_CONFIG, 5,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) FleetSettings.CLIENT_TIMEOUT.toMillis(),
                    ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) FleetSettings.CLIENT_TIMEOUT.toMillis(),
                    ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) FleetSettings.CLIENT_TIMEOUT.toMillis() * 3,
                    ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20,
                    ProducerConfig.CLIENT_ID_CONFIG, "infermon-host-" + host)),
                    new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    /** Profiles acknowledged by Kafka so far. */
    public long bucketsPublished() {
        return bucketsPublished;
    }

    /** Failed attempts to reach Kafka so far. */
    public long failures() {
        return failures;
    }

    /** Profiles waiting in the outbox. */
    public int backlog() throws IOException {
        return outbox.pending().size();
    }

    /** Profiles dropped because the outbox was full. */
    public long dropped() {
        return outbox.dropped();
    }

    /**
     * Stops: one last try (within {@code timeout}) to send what waits and the last watermark, which tells the
     * aggregator that this host holds nothing back any more. What Kafka did not take stays in the outbox for the next
     * run.
     */
    public void close(Duration timeout, boolean lastWatermark) {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        try {
            thread.join(timeout.toMillis());
            publish(lastWatermark);
        } catch (Exception e) {
            failed(e);
        } finally {
            if (producer != null) {
                producer.close(timeout);
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10), true);
    }
}
