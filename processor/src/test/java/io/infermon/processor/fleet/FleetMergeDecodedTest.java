package io.infermon.processor.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.profile.BucketProfile;
import io.infermon.processor.profile.ProfileCodec;
import io.infermon.processor.profile.ProfileCodecTestAccess;
import io.infermon.processor.stats.BucketStatistics;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

/**
 * FleetMerge keeps open buckets decoded between host profiles; the store stays the truth. Driven directly, with
 * in-memory stores standing in for Kafka Streams' (FleetTest runs it on a real broker).
 */
class FleetMergeDecodedTest {
    private static final ModelKey MODEL = ProfileCodecTestAccess.MODEL;
    private static final long WIDTH = 60_000;

    private final Map<String, NavigableMap<Bytes, byte[]>> stores = new TreeMap<>();
    private final List<Record<byte[], byte[]>> forwarded = new ArrayList<>();

    private FleetMerge start() {
        FleetMerge merge = new FleetMerge(new FleetAggregator.Settings(FleetSettings.of("unused:9092"), WIDTH, 0,
                600_000, 3_600_000, 0, "test", Path.of("unused")), new FleetCounters());
        merge.init(context());
        return merge;
    }

    private static byte[] hostBucket(String host, int from, int to) {
        BucketStatistics s = ProfileCodecTestAccess.digitCalls(from, to);
        return FleetRecords.encode(new FleetRecords.HostBucket(host, MODEL, 0, WIDTH,
                ProfileCodec.encode(new BucketProfile(MODEL, 0, WIDTH, s))));
    }

    private static void send(FleetMerge merge, byte[] record) {
        merge.process(new Record<>(FleetRecords.key(MODEL), record, 0));
    }

    /** The merged profile of the one open bucket, as the store holds it. */
    private BucketProfile open() throws Exception {
        NavigableMap<Bytes, byte[]> open = stores.get(FleetMerge.OPEN);
        assertThat(open).hasSize(1);
        return ProfileCodec.decode(FleetRecords.decodeFleetBucket(open.firstEntry().getValue()).profile());
    }

    @Test
    void hostsMergedIntoTheDecodedBucketGiveWhatMergingTheStoredOnesGives() throws Exception {
        FleetMerge merge = start();
        send(merge, hostBucket("a", 0, 600));
        send(merge, hostBucket("b", 600, 1200));
        send(merge, hostBucket("c", 1200, 1797));
        BucketProfile merged = open();
        assertThat(merged.statistics().rows()).isEqualTo(1797);
        ProfileCodecTestAccess.assertSame(merged.statistics(), ProfileCodecTestAccess.digitCalls(0, 1797));
    }

    @Test
    void aStoreRolledBackUnderTheDecodedBucketIsReadAgain() throws Exception {
        FleetMerge merge = start();
        send(merge, hostBucket("a", 0, 600));
        NavigableMap<Bytes, byte[]> open = stores.get(FleetMerge.OPEN);
        Map.Entry<Bytes, byte[]> afterA = open.firstEntry();
        byte[] b = hostBucket("b", 600, 1200);
        send(merge, b);
        // an aborted transaction: the store goes back to its state after host a, and host b's record comes again
        open.put(afterA.getKey(), afterA.getValue());
        send(merge, b);
        send(merge, hostBucket("c", 1200, 1797));
        BucketProfile merged = open();
        // host b once: the decoded bucket, which already held b, was not used against the older store
        assertThat(merged.statistics().rows()).isEqualTo(1797);
        assertThat(FleetRecords.decodeFleetBucket(open.firstEntry().getValue()).reporting())
                .containsExactly("a", "b", "c");
        ProfileCodecTestAccess.assertSame(merged.statistics(), ProfileCodecTestAccess.digitCalls(0, 1797));
    }

    @Test
    void aRepeatedHostLeavesTheDecodedBucketAsItWas() throws Exception {
        FleetMerge merge = start();
        send(merge, hostBucket("a", 0, 600));
        send(merge, hostBucket("b", 600, 1200));
        send(merge, hostBucket("b", 600, 1200));
        send(merge, hostBucket("c", 1200, 1797));
        assertThat(open().statistics().rows()).isEqualTo(1797);
    }

    @SuppressWarnings("unchecked")
    private ProcessorContext<byte[], byte[]> context() {
        return (ProcessorContext<byte[], byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ProcessorContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getStateStore" -> store((String) args[0]);
                    case "recordMetadata" -> Optional.empty();
                    case "forward" -> forwarded.add((Record<byte[], byte[]>) args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private KeyValueStore<Bytes, byte[]> store(String name) {
        NavigableMap<Bytes, byte[]> map = stores.computeIfAbsent(name, n -> new TreeMap<>());
        return (KeyValueStore<Bytes, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> switch (method.getName()) {
                    // copies in and out, as RocksDB gives
                    case "get" -> map.containsKey((Bytes) args[0]) ? map.get((Bytes) args[0]).clone() : null;
                    case "put" -> {
                        map.put((Bytes) args[0], ((byte[]) args[1]).clone());
                        yield null;
                    }
                    case "delete" -> map.remove((Bytes) args[0]);
                    case "all" -> iterator(new ArrayList<>(map.entrySet()).iterator());
                    case "name" -> name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @SuppressWarnings("unchecked")
    private static KeyValueIterator<Bytes, byte[]> iterator(Iterator<Map.Entry<Bytes, byte[]>> entries) {
        return (KeyValueIterator<Bytes, byte[]>) Proxy.newProxyInstance(FleetMergeDecodedTest.class.getClassLoader(),
                new Class<?>[] {KeyValueIterator.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "hasNext" -> entries.hasNext();
                    case "next" -> {
                        Map.Entry<Bytes, byte[]> e = entries.next();
                        yield KeyValue.pair(e.getKey(), e.getValue().clone());
                    }
                    case "close" -> null;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
