package io.infermon.benchmarks.processor;

import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CorruptRecordException;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.SketchForm;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Locale;
import org.openjdk.jol.info.GraphLayout;

/**
 * Shows that a bucket's statistics stay the same size however many rows it holds. Fills one
 * {@code BucketStatistics} per bucket size and kind of features from the benchmark's records and prints
 * <ul>
 *   <li>its serialized size ({@code writeTo}, the profile format);</li>
 *   <li>the size of its object graph on the heap (JOL's {@code GraphLayout}: every object reachable from it);</li>
 *   <li>the heap it keeps alive: heap in use after a full GC while the bucket is reachable, minus the same once it
 *       is not (coarser: the collector's own bookkeeping moves it by some kilobytes);</li>
 * </ul>
 * next to the row data a keep-the-rows approach holds at that size (4 bytes per feature and probability value;
 * computed, not allocated).
 *
 * <pre>java -Djdk.attach.allowAttachSelf=true -cp benchmarks/target/benchmarks.jar \
 *     io.infermon.benchmarks.processor.BucketMemory [rows ...]</pre>
 * (the property lets JOL measure object sizes exactly)
 */
public final class BucketMemory {
    /** Holds the bucket being measured: reachable from a static field, so surely alive until released. */
    private static volatile Object sink;

    private BucketMemory() {
    }

    public static void main(String[] args) throws CorruptRecordException, IOException {
        long[] sizes = args.length == 0 ? new long[] {100_000, 1_000_000, 10_000_000} : new long[args.length];
        for (int i = 0; i < args.length; i++) {
            sizes[i] = Long.parseLong(args[i]);
        }
        System.out.printf(Locale.ROOT, "%-9s %12s %18s %18s %18s %24s%n", "features", "rows", "serialized bytes",
                "object graph bytes", "heap after GC", "rows held by exact peers");
        for (DigitsTraffic.Features kind : DigitsTraffic.Features.values()) {
            ByteBuffer[] records = DigitsTraffic.load(kind).sealedRecords();
            // one unreported round first: the first heap measurement after new data is off by megabytes (what the
            // previous round left behind), and every class, sketch and JOL's own tables get used once
            measure(kind, records, 100_000, false);
            for (long rows : sizes) {
                measure(kind, records, rows, true);
            }
        }
    }

    private static void measure(DigitsTraffic.Features kind, ByteBuffer[] records, long rows, boolean report)
            throws CorruptRecordException, IOException {
        sink = fill(records, rows);
        long withBucket = heapAfterGc();
        long[] sizes = sizes((BucketStatistics) sink); // in its own frame: nothing of it outlives the call
        sink = null;
        long retained = withBucket - heapAfterGc();
        long bucketRows = sizes[0];
        long held = bucketRows * (DigitsTraffic.FEATURES + DigitsTraffic.CLASSES) * (long) Float.BYTES;
        if (!report) {
            return;
        }
        System.out.printf(Locale.ROOT, "%-9s %,12d %,18d %,18d %,18d %,24d%n", kind.id(), bucketRows,
                sizes[1], sizes[2], retained, held);
    }

    /** Rows, serialized bytes and object graph bytes of a bucket. */
    private static long[] sizes(BucketStatistics bucket) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bucket.writeTo(new DataOutputStream(bytes), SketchForm.FULL); // the checkpoint form
        return new long[] {bucket.rows(), bytes.size(), GraphLayout.parseInstance(bucket).totalSize()};
    }

    private static BucketStatistics fill(ByteBuffer[] records, long rows) throws CorruptRecordException {
        long calls = (rows + DigitsTraffic.BATCH_ROWS - 1) / DigitsTraffic.BATCH_ROWS;
        BucketStatistics bucket = new BucketStatistics();
        for (long i = 0; i < calls; i++) {
            bucket.add(CaptureCodec.decode(records[(int) (i % records.length)]));
        }
        return bucket;
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
