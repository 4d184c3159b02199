package io.infermon.benchmarks.processor;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CorruptRecordException;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.BucketView;
import io.infermon.processor.history.MetricGroup;
import io.infermon.processor.history.ModelRef;
import io.infermon.processor.output.BucketMetrics;
import io.infermon.processor.stats.BucketStatistics;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/**
 * The dashboard's history per bucket of the 64-feature digits model: the heap that {@link BucketHistory} holds for
 * each bucket, against the whole {@link BucketView}s it held before (a map of start to view per model key, as
 * {@code BucketHistory} kept them). Buckets of 6,400 rows (100 calls of 64) of the benchmark's traffic, their metrics
 * as the processor writes them ({@code BucketMetrics}), {@code n} and then {@code 2n} of them with consecutive
 * starts; each structure's heap is the heap in use after a full GC while it is reachable, less the same once it is
 * not (JOL's graph walk cannot enter the views' lambda comparators); the figure is the growth from {@code n} to
 * {@code 2n} buckets divided by {@code n}, so what every model key holds once (its slot table) is left out.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.infermon.benchmarks.processor.HistoryMemory [n]</pre>
 */
public final class HistoryMemory {
    /** Holds the structure being measured: reachable from a static field, so surely alive until released. */
    private static volatile Object sink;

    private HistoryMemory() {
    }

    /** Heap in use after a full GC with the built structure reachable, less the same once it is not. */
    private static long retained(java.util.function.Supplier<Object> build) {
        heapAfterGc();
        sink = build.get();
        long with = heapAfterGc();
        sink = null;
        return with - heapAfterGc();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    public static void main(String[] args) throws CorruptRecordException {
        int n = args.length == 0 ? 100 : Integer.parseInt(args[0]);
        System.out.printf(Locale.ROOT, "%-9s %8s %22s %22s%n", "features", "metrics", "whole views B/bucket",
                "compact B/bucket");
        for (DigitsTraffic.Features kind : DigitsTraffic.Features.values()) {
            ByteBuffer[] records = DigitsTraffic.load(kind).sealedRecords();
            List<MetricGroup> groups = new ArrayList<>();
            ModelRef ref = new ModelRef("digits", "1", "serving_default");
            for (int b = 0; b < 2 * n; b++) {
                BucketStatistics s = new BucketStatistics();
                for (int c = 0; c < 100; c++) {
                    s.add(CaptureCodec.decode(records[(b * 100 + c) % records.length]));
                }
                long start = 1_795_478_400L + 60L * b;
                List<AnodotMetric> metrics = BucketMetrics.of(new ClosedBucket(
                        new ModelKey("digits", "1", "serving_default"), start * 1000, start * 1000 + 60_000, s));
                groups.add(new MetricGroup(ref, start, null, metrics));
            }
            long[] whole = new long[2];
            long[] compact = new long[2];
            for (int half = 0; half < 2; half++) {
                List<MetricGroup> some = groups.subList(0, (half + 1) * n);
                whole[half] = retained(() -> {
                    TreeMap<Long, BucketView> views = new TreeMap<>();
                    some.forEach(g -> views.put(g.startSeconds(), BucketView.of(g)));
                    return views;
                });
                compact[half] = retained(() -> {
                    BucketHistory history = new BucketHistory(10 * n);
                    some.forEach(history::add);
                    return history;
                });
            }
            System.out.printf(Locale.ROOT, "%-9s %8d %,22d %,22d%n", kind.id(), groups.get(0).metrics().size(),
                    (whole[1] - whole[0]) / n, (compact[1] - compact[0]) / n);
        }
    }
}
