package io.infermon.processor.fleet;

import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.labels.LabelWindowStatistics;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The fleet's merge, one task per partition of the profiles topic: it merges the hosts' profiles of each model key
 * and bucket, keeps each host's watermark, and closes a fleet bucket once every live host's watermark has passed its
 * end plus the grace; it does the same for label windows and agent health. Its state is in five Kafka Streams stores
 * (RocksDB, with changelogs; exactly-once with the input offsets and the output):
 * <ul>
 *   <li>{@value #OPEN}: model key and bucket start → the merge so far and the hosts in it;</li>
 *   <li>{@value #HOSTS}: host → its latest watermark, and the latest host watermark when it was first heard of;</li>
 *   <li>{@value #CLOSED}: model key → the end up to which its fleet buckets are closed, and the start of its latest
 *       one with calls (for empty buckets, as a host processor makes them: docs/metrics.md);</li>
 *   <li>{@value #LABELS}: the open label windows (model key, bucket start, maturity → the merged statistics and the
 *       hosts in them), each host's label watermark, and per model key and maturity how far windows are closed;</li>
 *   <li>{@value #AGENTS}: the open agent health buckets (start → counters summed so far, hosts in them) and how far
 *       they are closed.</li>
 * </ul>
 * Label windows close once every live host's label watermark has passed their cutoff (bucket end plus maturity) plus
 * the grace; agent health buckets close with the fleet's buckets.
 * A host is <em>missing</em> while its watermark lags the latest host's by more than the host timeout (in event time,
 * so the decision depends on the records alone, not on when they are processed): it no longer holds buckets back, and
 * each bucket closed meanwhile counts it. A host that announced itself (its publisher starts with a watermark of
 * nothing yet) holds every bucket back until it has closed one, or for the host timeout. A host whose processor stopped says so and is forgotten; a missing one is
 * forgotten after {@code forget}. A profile of a host that already gave one for the bucket, or of a closed bucket, is
 * counted and dropped, which makes a host's re-publication after a restart harmless.
 */
final class FleetMerge implements Processor<byte[], byte[], byte[], byte[]> {
    static final String OPEN = "fleet-open";
    static final String HOSTS = "fleet-hosts";
    static final String CLOSED = "fleet-closed";
    static final String LABELS = "fleet-labels";
    static final String AGENTS = "fleet-agents";
    /** Key prefixes of {@value #LABELS}: an open window, a host's label watermark, how far windows are closed. */
    private static final byte LABEL_WINDOW = 'w';
    private static final byte LABEL_HOST = 'h';
    private static final byte LABELS_CLOSED = 'c';
    /** Key prefix of an open agent health bucket in {@value #AGENTS}; the closed-through is the key {'c'}. */
    private static final byte AGENTS_BUCKET = 's';
    private static final Bytes AGENTS_CLOSED = Bytes.wrap(new byte[] {'c'});

    /** Open buckets kept decoded between records, at most this many (the most recently merged). */
    static final int DECODED_BUCKETS = 64;

    private final FleetAggregator.Settings settings;
    private final FleetCounters counters;
    /**
     * The merge of an open bucket as last written to {@link #OPEN}, decoded: the next host profile of the bucket is
     * merged into it without decoding the store's copy again (decoding is a third of a merge's time with the compact
     * sketches). The store stays the truth: an entry is used only while its bytes equal the store's, so a store rolled
     * back by an aborted transaction, or restored on another instance, is decoded afresh.
     */
    private final Map<Bytes, Decoded> decoded = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Bytes, Decoded> eldest) {
            return size() > DECODED_BUCKETS;
        }
    };
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> open;
    private KeyValueStore<Bytes, byte[]> hosts;
    private KeyValueStore<Bytes, byte[]> closed;
    private KeyValueStore<Bytes, byte[]> labels;
    private KeyValueStore<Bytes, byte[]> agents;

    FleetMerge(FleetAggregator.Settings settings, FleetCounters counters) {
        this.settings = settings;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.open = context.getStateStore(OPEN);
        this.hosts = context.getStateStore(HOSTS);
        this.closed = context.getStateStore(CLOSED);
        this.labels = context.getStateStore(LABELS);
        this.agents = context.getStateStore(AGENTS);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        FleetRecords.HostRecord r;
        try {
            r = FleetRecords.decodeHostRecord(record.value());
        } catch (IOException e) {
            counters.refused("a record on " + settings.topics().profilesTopic() + " that is not a fleet record of this"
                    + " version (" + e.getMessage() + "), at " + where());
            return;
        }
        if (r instanceof FleetRecords.HostBucket b) {
            add(b);
        } else if (r instanceof FleetRecords.HostWatermark w) {
            watermark(w);
        } else if (r instanceof FleetRecords.HostLabelWindow w) {
            addLabelWindow(w);
        } else if (r instanceof FleetRecords.HostLabelWatermark w) {
            labelWatermark(w);
        } else if (r instanceof FleetRecords.HostAgentHealth h) {
            addAgentHealth(h);
        }
    }

    // ---- label windows ----

    /** Merges a host's label window into the fleet's open one (the first of each host counts; later ones repeat). */
    private void addLabelWindow(FleetRecords.HostLabelWindow w) {
        if (w.endMillis() - w.startMillis() != settings.widthMillis()) {
            counters.refused("host " + w.host() + " publishes label windows of " + (w.endMillis() - w.startMillis())
                    + " ms buckets, the fleet has " + settings.widthMillis() + " ms (" + where() + ")");
            return;
        }
        LabelWindowStatistics incoming;
        try {
            incoming = LabelWindowStatistics.decode(w.statistics());
        } catch (IOException e) {
            counters.refused("a damaged label window of host " + w.host() + " (" + e.getMessage() + ") at " + where());
            return;
        }
        Bytes closedKey = labelsClosedKey(w.model(), w.maturityMillis());
        byte[] through = labels.get(closedKey);
        if (through != null && w.endMillis() <= ByteBuffer.wrap(through).getLong()) {
            counters.count(FleetCounters.LATE); // the fleet window was written: a host re-publishing, or too late
            return;
        }
        Bytes key = labelWindowKey(w.model(), w.startMillis(), w.maturityMillis());
        byte[] held = labels.get(key);
        FleetRecords.FleetLabelWindow merged;
        try {
            if (held == null) {
                merged = new FleetRecords.FleetLabelWindow(w.model(), w.startMillis(), w.endMillis(), w.window(),
                        w.maturityMillis(), List.of(w.host()), w.statistics());
            } else {
                FleetRecords.FleetLabelWindow so = (FleetRecords.FleetLabelWindow) FleetRecords.decodeFleetRecord(held);
                if (so.reporting().contains(w.host())) {
                    counters.count(FleetCounters.REPEATED);
                    return;
                }
                TreeSet<String> in = new TreeSet<>(so.reporting());
                in.add(w.host());
                merged = new FleetRecords.FleetLabelWindow(w.model(), w.startMillis(), w.endMillis(), w.window(),
                        w.maturityMillis(), List.copyOf(in),
                        LabelWindowStatistics.decode(so.statistics()).merge(incoming).encode());
            }
        } catch (IOException e) {
            counters.refused("an open label window in the store that does not decode (" + e.getMessage() + ")");
            return;
        }
        labels.put(key, FleetRecords.encode(merged));
        counters.count(FleetCounters.MERGED_LABEL_WINDOWS);
    }

    private void labelWatermark(FleetRecords.HostLabelWatermark w) {
        Bytes key = labelHostKey(w.host());
        byte[] before = labels.get(key);
        long millis = before == null ? w.millis() : Math.max(ByteBuffer.wrap(before).getLong(), w.millis());
        labels.put(key, ByteBuffer.allocate(8).putLong(millis).array());
        closeDue();
    }

    /**
     * Closes every open label window whose cutoff (bucket end plus maturity) every live host's label watermark has
     * reached, less the grace. A live host that never sent a label watermark (a processor from before label
     * windows) holds nothing back; a missing one neither.
     */
    private void closeLabelsDue(List<String> live) {
        long through = Long.MAX_VALUE;
        boolean any = false;
        for (String h : live) {
            byte[] v = labels.get(labelHostKey(h));
            if (v != null) {
                through = Math.min(through, ByteBuffer.wrap(v).getLong());
                any = true;
            }
        }
        if (!any || through == Long.MIN_VALUE) {
            return;
        }
        long closing = through - settings.graceMillis();
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = labels.prefixScan(Bytes.wrap(new byte[] {LABEL_WINDOW}),
                new org.apache.kafka.common.serialization.BytesSerializer())) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                byte[] k = e.key.get();
                long start = ByteBuffer.wrap(k, k.length - 16, 8).getLong();
                long maturity = ByteBuffer.wrap(k, k.length - 8, 8).getLong();
                if (start + settings.widthMillis() + maturity <= closing) {
                    due.add(e);
                }
            }
        }
        for (KeyValue<Bytes, byte[]> e : due) {
            labels.delete(e.key);
            FleetRecords.FleetLabelWindow w;
            try {
                w = (FleetRecords.FleetLabelWindow) FleetRecords.decodeFleetRecord(e.value);
            } catch (IOException ex) {
                counters.refused("an open label window in the store that does not decode (" + ex.getMessage() + ")");
                continue;
            }
            context.forward(new Record<>(FleetRecords.key(w.model()), e.value, w.startMillis()));
            counters.count(FleetCounters.CLOSED_LABEL_WINDOWS);
            Bytes closedKey = labelsClosedKey(w.model(), w.maturityMillis());
            byte[] before = labels.get(closedKey);
            if (before == null || ByteBuffer.wrap(before).getLong() < w.endMillis()) {
                labels.put(closedKey, ByteBuffer.allocate(8).putLong(w.endMillis()).array());
            }
        }
    }

    private static Bytes labelWindowKey(ModelKey model, long start, long maturity) {
        byte[] m = FleetRecords.key(model);
        return Bytes.wrap(ByteBuffer.allocate(1 + m.length + 16).put(LABEL_WINDOW).put(m).putLong(start)
                .putLong(maturity).array());
    }

    private static Bytes labelsClosedKey(ModelKey model, long maturity) {
        byte[] m = FleetRecords.key(model);
        return Bytes.wrap(ByteBuffer.allocate(1 + m.length + 8).put(LABELS_CLOSED).put(m).putLong(maturity).array());
    }

    private static Bytes labelHostKey(String host) {
        byte[] h = host.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(1 + h.length).put(LABEL_HOST).put(h).array());
    }

    // ---- agent health ----

    /** Adds a host's agent counters of a bucket to the fleet's (each host once per bucket). */
    private void addAgentHealth(FleetRecords.HostAgentHealth h) {
        if (h.endMillis() - h.startMillis() != settings.widthMillis()) {
            counters.refused("host " + h.host() + " publishes agent health of " + (h.endMillis() - h.startMillis())
                    + " ms buckets, the fleet has " + settings.widthMillis() + " ms (" + where() + ")");
            return;
        }
        byte[] through = agents.get(AGENTS_CLOSED);
        if (through != null && h.endMillis() <= ByteBuffer.wrap(through).getLong()) {
            counters.count(FleetCounters.LATE);
            return;
        }
        Bytes key = agentsKey(h.startMillis());
        byte[] held = agents.get(key);
        FleetRecords.FleetAgentHealth merged;
        if (held == null) {
            merged = new FleetRecords.FleetAgentHealth(h.startMillis(), h.endMillis(), List.of(h.host()), h.counters());
        } else {
            FleetRecords.FleetAgentHealth so;
            try {
                so = (FleetRecords.FleetAgentHealth) FleetRecords.decodeFleetRecord(held);
            } catch (IOException e) {
                counters.refused("an open agent health bucket in the store that does not decode (" + e.getMessage()
                        + ")");
                return;
            }
            if (so.reporting().contains(h.host())) {
                counters.count(FleetCounters.REPEATED);
                return;
            }
            TreeSet<String> in = new TreeSet<>(so.reporting());
            in.add(h.host());
            TreeMap<String, Long> sums = new TreeMap<>(so.counters());
            h.counters().forEach((name, v) -> sums.merge(name, v, Long::sum));
            merged = new FleetRecords.FleetAgentHealth(h.startMillis(), h.endMillis(), List.copyOf(in), sums);
        }
        agents.put(key, FleetRecords.encode(merged));
    }

    /** Closes the agent health buckets ending at or before {@code closing}, as the fleet's buckets close. */
    private void closeAgentsDue(long closing) {
        List<KeyValue<Bytes, byte[]>> due = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = agents.prefixScan(Bytes.wrap(new byte[] {AGENTS_BUCKET}),
                new org.apache.kafka.common.serialization.BytesSerializer())) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                if (ByteBuffer.wrap(e.key.get(), 1, 8).getLong() + settings.widthMillis() <= closing) {
                    due.add(e);
                }
            }
        }
        for (KeyValue<Bytes, byte[]> e : due) { // in start order: the keys' starts are big-endian
            long start = ByteBuffer.wrap(e.key.get(), 1, 8).getLong();
            agents.delete(e.key);
            context.forward(new Record<>(FleetRecords.AGENTS_KEY, e.value, start));
            agents.put(AGENTS_CLOSED, ByteBuffer.allocate(8).putLong(start + settings.widthMillis()).array());
        }
    }

    private static Bytes agentsKey(long start) {
        return Bytes.wrap(ByteBuffer.allocate(9).put(AGENTS_BUCKET).putLong(start).array());
    }

    private String where() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?");
    }

    private void add(FleetRecords.HostBucket b) {
        if (b.endMillis() - b.startMillis() != settings.widthMillis()) {
            counters.refused("host " + b.host() + " publishes " + (b.endMillis() - b.startMillis()) + " ms buckets, "
                    + "the fleet has " + settings.widthMillis() + " ms (" + where() + ")");
            return;
        }
        if (b.endMillis() <= closedThrough(b.model())) {
            counters.count(FleetCounters.LATE); // the fleet bucket was written: a host re-publishing, or too late
            return;
        }
        Bytes key = bucketKey(b.model(), b.startMillis());
        // taken out while merging: an entry that went wrong halfway is never used again
        Decoded kept = decoded.remove(key);
        try {
            BucketProfile incoming = ProfileCodec.decode(b.profile());
            byte[] held = open.get(key);
            FleetRecords.FleetBucket merged;
            BucketProfile profile;
            if (held == null) {
                merged = new FleetRecords.FleetBucket(b.model(), b.startMillis(), b.endMillis(), List.of(b.host()),
                        List.of(), b.profile());
                profile = incoming;
            } else {
                FleetRecords.FleetBucket so = FleetRecords.decodeFleetBucket(held);
                if (so.reporting().contains(b.host())) {
                    counters.count(FleetCounters.REPEATED);
                    if (kept != null && java.util.Arrays.equals(kept.stored(), held)) {
                        decoded.put(key, kept);
                    }
                    return;
                }
                TreeSet<String> in = new TreeSet<>(so.reporting());
                in.add(b.host());
                profile = kept != null && java.util.Arrays.equals(kept.stored(), held) ? kept.profile()
                        : ProfileCodec.decode(so.profile());
                // in place: the decoded merge belongs to this task alone
                profile.statistics().merge(incoming.statistics());
                merged = new FleetRecords.FleetBucket(b.model(), b.startMillis(), b.endMillis(), List.copyOf(in),
                        List.of(), ProfileCodec.encode(profile));
            }
            byte[] stored = FleetRecords.encode(merged);
            open.put(key, stored);
            decoded.put(key, new Decoded(stored, profile));
            counters.count(FleetCounters.MERGED);
        } catch (IOException e) {
            counters.refused("a damaged profile of host " + b.host() + " (" + e.getMessage() + ") at " + where());
            return;
        }
        if (hosts.get(host(b.host())) == null) {
            hosts.put(host(b.host()), new HostState(Long.MIN_VALUE, Long.MIN_VALUE).encode());
        }
    }

    /** An open bucket's record as stored in {@link #OPEN}, and its profile decoded (merged into since). */
    private record Decoded(byte[] stored, BucketProfile profile) {
    }

    /** A host's latest watermark, and the latest watermark of any host when this one was first heard of. */
    private record HostState(long watermark, long since) {
        byte[] encode() {
            return ByteBuffer.allocate(16).putLong(watermark).putLong(since).array();
        }

        static HostState of(byte[] value) {
            return value == null ? null : new HostState(ByteBuffer.wrap(value).getLong(),
                    ByteBuffer.wrap(value).getLong(8));
        }
    }

    private void watermark(FleetRecords.HostWatermark w) {
        if (w.widthMillis() != settings.widthMillis()) {
            counters.refused("host " + w.host() + " has " + w.widthMillis() + " ms buckets, the fleet "
                    + settings.widthMillis() + " ms (" + where() + ")");
            return;
        }
        Bytes host = host(w.host());
        if (w.last()) {
            hosts.delete(host); // stopped: it holds nothing back and is not missing
            labels.delete(labelHostKey(w.host()));
        } else {
            HostState before = HostState.of(hosts.get(host));
            hosts.put(host, new HostState(before == null ? w.millis() : Math.max(before.watermark(), w.millis()),
                    before == null ? Long.MIN_VALUE : before.since()).encode());
        }
        closeDue();
    }

    /** Closes, in start order, every open bucket that every live host's watermark has passed (with the grace). */
    private void closeDue() {
        Map<String, HostState> states = new TreeMap<>();
        long latest = Long.MIN_VALUE;
        try (KeyValueIterator<Bytes, byte[]> it = hosts.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                HostState h = HostState.of(e.value);
                states.put(new String(e.key.get(), java.nio.charset.StandardCharsets.UTF_8), h);
                latest = Math.max(latest, h.watermark());
            }
        }
        if (latest == Long.MIN_VALUE) {
            return; // no host has closed a bucket yet
        }
        List<String> live = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        long fleet = Long.MAX_VALUE;
        for (Map.Entry<String, HostState> e : states.entrySet()) {
            HostState h = e.getValue();
            if (h.watermark() == Long.MIN_VALUE && h.since() == Long.MIN_VALUE) {
                h = new HostState(Long.MIN_VALUE, latest); // announced before any host had a watermark
                hosts.put(host(e.getKey()), h.encode());
            }
            // a host with no watermark yet lags from when it was first heard of
            long lag = latest - (h.watermark() != Long.MIN_VALUE ? h.watermark() : h.since());
            if (lag <= settings.hostTimeoutMillis()) {
                live.add(e.getKey());
                fleet = Math.min(fleet, h.watermark());
            } else if (lag > settings.forgetMillis()) {
                hosts.delete(host(e.getKey())); // gone for good
                labels.delete(labelHostKey(e.getKey()));
            } else {
                missing.add(e.getKey());
            }
        }
        if (fleet == Long.MIN_VALUE) {
            return; // a live host has not closed a bucket yet: it holds every bucket back
        }
        long closing = fleet - settings.graceMillis();
        long width = settings.widthMillis();
        // the due open buckets, per model key in start order
        Map<Bytes, List<KeyValue<Bytes, byte[]>>> due = new TreeMap<>();
        try (KeyValueIterator<Bytes, byte[]> it = open.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                if (startOf(e.key) + width <= closing) {
                    due.computeIfAbsent(modelOf(e.key), k -> new ArrayList<>()).add(e);
                }
            }
        }
        Map<Bytes, long[]> models = new TreeMap<>(); // model key → {closed through, latest start with calls}
        try (KeyValueIterator<Bytes, byte[]> it = closed.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> e = it.next();
                models.put(e.key, new long[] {ByteBuffer.wrap(e.value).getLong(), ByteBuffer.wrap(e.value).getLong(8)});
            }
        }
        due.keySet().forEach(m -> models.putIfAbsent(m, new long[] {Long.MIN_VALUE, Long.MIN_VALUE}));
        List<Closing> out = new ArrayList<>();
        for (Map.Entry<Bytes, long[]> m : models.entrySet()) {
            long[] state = m.getValue();
            for (KeyValue<Bytes, byte[]> e : due.getOrDefault(m.getKey(), List.of())) {
                long start = startOf(e.key);
                empties(m.getKey(), state, start, out);
                out.add(new Closing(start, m.getKey(), e));
                state[0] = start + width;
                state[1] = start;
            }
            empties(m.getKey(), state, closing - width + 1, out);
        }
        out.sort(java.util.Comparator.comparingLong(Closing::start).thenComparing(Closing::model));
        for (Closing c : out) {
            try {
                ModelKey model = decodeModel(c.model().get());
                byte[] profile = c.open() != null ? FleetRecords.decodeFleetBucket(c.open().value).profile()
                        : ProfileCodec.encode(new BucketProfile(model, c.start(), c.start() + width,
                        new BucketStatistics(StatisticsSettings.DEFAULTS)));
                context.forward(new Record<>(c.model().get(), FleetRecords.encode(new FleetRecords.FleetBucket(
                        model, c.start(), c.start() + width, live, missing, profile)), c.start()));
                counters.count(FleetCounters.CLOSED_BUCKETS);
            } catch (IOException ex) {
                counters.refused("an open bucket in the store that does not decode (" + ex.getMessage() + ")");
            }
            if (c.open() != null) {
                open.delete(c.open().key);
                decoded.remove(c.open().key);
            }
        }
        for (Map.Entry<Bytes, long[]> m : models.entrySet()) {
            closed.put(m.getKey(), ByteBuffer.allocate(16).putLong(m.getValue()[0]).putLong(m.getValue()[1]).array());
        }
        closeAgentsDue(closing);
        closeLabelsDue(live);
    }

    /** A fleet bucket to write: an open one ({@code open}), or an empty one ({@code open} null). */
    private record Closing(long start, Bytes model, KeyValue<Bytes, byte[]> open) {
    }

    /**
     * The empty buckets of a model key before {@code before}: after its latest bucket with calls, at most
     * --empty-buckets of them, none it closed already. Moves {@code state}'s closed-through on.
     */
    private void empties(Bytes model, long[] state, long before, List<Closing> out) {
        long width = settings.widthMillis();
        if (state[1] == Long.MIN_VALUE) {
            return; // no bucket with calls yet
        }
        for (long s = Math.max(state[0], state[1] + width); s < before
                && s - state[1] <= settings.emptyBuckets() * width; s += width) {
            out.add(new Closing(s, model, null));
            state[0] = s + width;
        }
    }

    private long closedThrough(ModelKey model) {
        byte[] v = closed.get(Bytes.wrap(FleetRecords.key(model)));
        return v == null ? Long.MIN_VALUE : ByteBuffer.wrap(v).getLong();
    }

    private static Bytes modelOf(Bytes bucketKey) {
        byte[] k = bucketKey.get();
        return Bytes.wrap(java.util.Arrays.copyOf(k, k.length - 8));
    }

    private static ModelKey decodeModel(byte[] key) {
        String[] parts = new String(key, java.nio.charset.StandardCharsets.UTF_8).split("\u0000", -1);
        return new ModelKey(parts[0], parts[1], parts[2]);
    }

    private static Bytes host(String host) {
        return Bytes.wrap(host.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Model key, then the start as 8 big-endian bytes: one model's buckets are neighbours in the store. */
    private static Bytes bucketKey(ModelKey model, long start) {
        byte[] m = FleetRecords.key(model);
        return Bytes.wrap(ByteBuffer.allocate(m.length + 8).put(m).putLong(start).array());
    }

    private static long startOf(Bytes key) {
        byte[] k = key.get();
        return ByteBuffer.wrap(k, k.length - 8, 8).getLong();
    }
}
