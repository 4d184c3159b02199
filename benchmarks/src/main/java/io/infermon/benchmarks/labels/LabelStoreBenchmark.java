package io.infermon.benchmarks.labels;

import io.infermon.benchmarks.processor.DigitsTraffic;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.labels.Label;
import io.infermon.processor.labels.LabelJoin;
import io.infermon.processor.labels.LabelSettings;
import io.infermon.processor.state.StateStore;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The label join's store at scale, as the processor drives it: {@code --predictions} predictions with request ids
 * (one digits row a call: 64 float features, 10 softmax probabilities) spread evenly over {@code --hours} of event
 * time, and labels for 90 % of them (every prediction but each tenth), each arriving 0 to 20 minutes of event time
 * after its prediction, in time order with the predictions. At every bucket boundary (60 s) the join advances and
 * the checkpoint is committed, as the processor does: the join's state and the store's pending batch in one atomic,
 * synced RocksDB write.
 *
 * <p>Printed per boundary (and written to {@code OUT/boundaries.csv}): predictions stored, those added and labels
 * applied since the last boundary, the bytes the commit wrote besides the checkpoint (the changes not yet written on)
 * and the join's state in the checkpoint, what RocksDB wrote to disk since the last boundary (write-ahead log, memtable
 * flushes, compactions) and how long the commit took.
 * At the end: labels joined per second (time in {@code LabelJoin.apply} alone), and the heap the join holds with
 * every prediction stored (heap after a full GC, less the same before the join existed).
 *
 * <pre>
 * java -Xmx2g -cp benchmarks/target/benchmarks.jar io.infermon.benchmarks.labels.LabelStoreBenchmark \
 *      --predictions 10000000 --hours 1 --out benchmarks/target/label-store
 * </pre>
 */
public final class LabelStoreBenchmark {
    private static final long T0 = 1_795_478_400_000L; // 2026-11-24T00:00:00Z
    private static final long BUCKET_MILLIS = 60_000L;
    private static final long MAX_LABEL_DELAY = 20 * 60_000L;

    private LabelStoreBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long predictions = 10_000_000L;
        double hours = 1;
        Path out = Path.of("benchmarks/target/label-store");
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--predictions" -> predictions = Long.parseLong(args[i + 1]);
                case "--hours" -> hours = Double.parseDouble(args[i + 1]);
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        long spanMillis = (long) (hours * 3_600_000L);
        double stepMillis = (double) spanMillis / predictions;
        DigitsTraffic digits = DigitsTraffic.load();
        int boundaries = (int) ((spanMillis + MAX_LABEL_DELAY) / BUCKET_MILLIS) + 2;
        // which predictions get their label in which minute of label time (every tenth gets none)
        int[][] labelsByMinute = labelSchedule(predictions, stepMillis, boundaries);

        long heapBefore = liveHeap();
        LabelSettings settings = new LabelSettings(LabelSettings.DEFAULT_MATURITIES, LabelSettings.DEFAULT_HORIZON,
                (int) Math.max(LabelSettings.DEFAULT_MAX_PREDICTIONS, predictions), LabelSettings.DEFAULT_MAX_WAITING,
                LabelSettings.DEFAULT_GRACE);
        try (StateStore store = StateStore.onDisk(out.resolve("state"), false, true);
             PrintWriter csv = new PrintWriter(Files.newBufferedWriter(out.resolve("boundaries.csv")), true)) {
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofMillis(BUCKET_MILLIS), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS);
            LabelJoin join = new LabelJoin(settings, Duration.ofMillis(BUCKET_MILLIS), 0.5, store);
            // batch_bytes: what the commit itself wrote besides the checkpoint (the rest went on as it came);
            // wal_bytes, flush_bytes, compaction_bytes: what RocksDB wrote to disk since the last boundary
            String head = "boundary,stored,added,labels,batch_bytes,state_bytes,wal_bytes,flush_bytes,compaction_bytes,"
                    + "commit_ms";
            csv.println(head);
            System.out.println(head);
            long applyNanos = 0;
            long applied = 0;
            long next = 0;
            long storedBefore = 0;
            List<double[]> rows = new ArrayList<>(); // boundary stats for the summary
            StateStore.Written writtenBefore = store.written();
            for (int b = 0; b < boundaries; b++) {
                long end = T0 + (b + 1) * BUCKET_MILLIS;
                long added = 0;
                // the predictions of this minute, and their bucket statistics (probabilities only: the join needs
                // the bucket's predicted rows; the features' statistics are another benchmark's)
                for (; next < predictions && T0 + (long) (next * stepMillis) < end; next++) {
                    int row = (int) (next % digits.rows());
                    long t = T0 + (long) (next * stepMillis);
                    buckets.add(scores(t, digits.probabilities(row)));
                    // one queue, in time order: the watermark is the latest capture time (grace 0)
                    List<ClosedBucket> closed = buckets.advanceTo(t);
                    join.addPredictions(call(t, "req-" + next, digits.features(row), digits.probabilities(row)),
                            buckets.lastModel(), buckets.lastStart());
                    closed.forEach(join::bucketClosed);
                    added++;
                }
                long t0 = System.nanoTime();
                for (int i : labelsByMinute[b]) {
                    long time = labelTime(i, stepMillis);
                    join.apply(new Label("req-" + i, DigitsTraffic.CLASSES - 1 - (i % DigitsTraffic.CLASSES), time),
                            buckets.watermark());
                }
                applyNanos += System.nanoTime() - t0;
                applied += labelsByMinute[b].length;
                if (next >= predictions && b == boundaries - 1) {
                    buckets.closeAll().forEach(join::bucketClosed);
                }
                join.advance(buckets.watermark());
                ByteArrayOutputStream state = new ByteArrayOutputStream();
                join.writeState(new DataOutputStream(state));
                long batchBytes = store.pendingBytes();
                long c0 = System.nanoTime();
                store.commit(state.toByteArray(), true);
                double commitMs = (System.nanoTime() - c0) / 1e6;
                StateStore.Written w = store.written();
                String line = String.format(java.util.Locale.ROOT, "%d,%d,%d,%d,%d,%d,%d,%d,%d,%.2f", b + 1,
                        join.storedPredictions(), added, labelsByMinute[b].length, batchBytes, state.size(),
                        w.walBytes() - writtenBefore.walBytes(), w.flushBytes() - writtenBefore.flushBytes(),
                        w.compactionBytes() - writtenBefore.compactionBytes(), commitMs);
                writtenBefore = w;
                csv.println(line);
                System.out.println(line);
                rows.add(new double[] {join.storedPredictions(), added, batchBytes, commitMs,
                        w.walBytes(), w.flushBytes(), w.compactionBytes()});
                storedBefore = join.storedPredictions();
            }
            long heapAfter = liveHeap();
            summary(rows, applied, applyNanos, heapAfter - heapBefore, store, storedBefore);
            // a label two hours after the last prediction moves the label clock past every bucket's 1 h window:
            // the windows read their buckets' predictions back from the store
            join.apply(new Label("req-1", 0, T0 + spanMillis + 2 * 3_600_000L), buckets.watermark());
            long w0 = System.nanoTime();
            int windows = join.advance(buckets.watermark()).size();
            System.out.printf(java.util.Locale.ROOT, "1 h windows of %d buckets (every stored prediction read "
                    + "back once): %.1f s%n", windows, (System.nanoTime() - w0) / 1e9);
            // keep the join reachable until the heap is measured
            if (join.storedPredictions() < 0) {
                throw new AssertionError();
            }
        }
    }

    private static void summary(List<double[]> rows, long applied, long applyNanos, long heapBytes,
                                StateStore store, long stored) throws IOException {
        double[] last = rows.get(rows.size() - 1);
        double[] commits = rows.stream().filter(r -> r[0] >= 0.9 * stored).mapToDouble(r -> r[3]).sorted()
                .toArray();
        System.out.printf(java.util.Locale.ROOT, "%nstored at the end: %,d predictions%n", stored);
        System.out.printf(java.util.Locale.ROOT, "write-ahead log bytes per prediction (with its label): %.0f%n",
                last[4] / stored);
        System.out.printf(java.util.Locale.ROOT, "commit with >= 90%% of the store filled (%d boundaries): median "
                + "%.1f ms, 90th percentile %.1f ms, max %.1f ms%n", commits.length, commits[commits.length / 2],
                commits[(int) (0.9 * (commits.length - 1))], commits[commits.length - 1]);
        System.out.printf(java.util.Locale.ROOT, "RocksDB wrote in all: WAL %,d B, flushes %,d B, compactions %,d B%n",
                (long) last[4], (long) last[5], (long) last[6]);
        System.out.printf(java.util.Locale.ROOT, "labels applied: %,d in %.2f s of LabelJoin.apply: %,.0f labels/s%n",
                applied, applyNanos / 1e9, applied / (applyNanos / 1e9));
        System.out.printf(java.util.Locale.ROOT, "heap held by the join (live heap after - before): %.1f MB%n",
                heapBytes / 1e6);
        System.out.printf(java.util.Locale.ROOT, "RocksDB: %,d keys (estimate), %,d bytes of tables on disk%n",
                store.property("rocksdb.estimate-num-keys"), store.property("rocksdb.total-sst-files-size"));
    }

    /** The prediction indexes labelled in each minute of label time, in label time order within the minute. */
    private static int[][] labelSchedule(long predictions, double stepMillis, int minutes) {
        int[] counts = new int[minutes];
        for (long i = 0; i < predictions; i++) {
            if (i % 10 != 0) {
                counts[minute(labelTime(i, stepMillis))]++;
            }
        }
        int[][] byMinute = new int[minutes][];
        for (int m = 0; m < minutes; m++) {
            byMinute[m] = new int[counts[m]];
        }
        int[] filled = new int[minutes];
        for (long i = 0; i < predictions; i++) {
            if (i % 10 != 0) {
                int m = minute(labelTime(i, stepMillis));
                byMinute[m][filled[m]++] = (int) i;
            }
        }
        for (int[] m : byMinute) {
            // by label time within the minute
            Integer[] order = new Integer[m.length];
            for (int k = 0; k < m.length; k++) {
                order[k] = m[k];
            }
            Arrays.sort(order, (x, y) -> Long.compare(labelTime(x, stepMillis), labelTime(y, stepMillis)));
            for (int k = 0; k < m.length; k++) {
                m[k] = order[k];
            }
        }
        return byMinute;
    }

    private static int minute(long labelTime) {
        return (int) ((labelTime - T0) / BUCKET_MILLIS);
    }

    /** When prediction {@code i}'s label is known: 0 to 20 minutes after it, spread by a fixed hash. */
    private static long labelTime(long i, double stepMillis) {
        long h = i * 0x9E3779B97F4A7C15L;
        long delay = Math.floorMod(h >>> 17, MAX_LABEL_DELAY);
        return T0 + (long) (i * stepMillis) + delay;
    }

    private static CaptureRecord call(long millis, String id, float[] features, float[] probabilities) {
        return new CaptureRecord(1, RecordKind.INFERENCE, 0, millis * 1_000_000L, 50_000L, "digits", "1",
                "serving_default", "tensorflow.signature", id, List.of(tensor("pixels", TensorRole.INPUT, features),
                tensor("scores", TensorRole.OUTPUT, probabilities)));
    }

    private static CaptureRecord scores(long millis, float[] probabilities) {
        return new CaptureRecord(1, RecordKind.INFERENCE, 0, millis * 1_000_000L, 50_000L, "digits", "1",
                "serving_default", "tensorflow.signature", "", List.of(tensor("scores", TensorRole.OUTPUT,
                probabilities)));
    }

    private static CapturedTensor tensor(String name, TensorRole role, float[] row) {
        ByteBuffer b = ByteBuffer.allocate(row.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : row) {
            b.putFloat(v);
        }
        return new CapturedTensor(name, role, TensorMeaning.UNSPECIFIED, DType.FLOAT.code(),
                new long[] {1, row.length}, b.flip());
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
