package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged and odd input never stops the processor, never poisons a bucket, and is counted by reason. */
class HostileInputTest {
    private static final long T0 = 1_795_500_000_000L;

    @TempDir
    Path dir;

    private static long append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            long payload = dc.wire().bytes().writePosition();
            dc.wire().bytes().write(bytes);
            return payload;
        }
    }

    /** Drains the queue in-process with 10 s buckets and returns the metrics written. */
    private List<AnodotMetric> drain(Path queue, Path out) throws Exception {
        List<ClosedBucket> closed = new ArrayList<>();
        try (MergedQueues reader = new MergedQueues(List.of(queue)); MetricFiles files = new MetricFiles(out)) {
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(10), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS, 3);
            try (Processor p = new Processor(reader, buckets, References.none(), files, closed::add, out, null,
                    Duration.ofHours(1))) {
                p.run(true);
            }
        }
        List<AnodotMetric> all = new ArrayList<>();
        try (Stream<Path> s = Files.list(out.resolve("anodot"))) {
            for (Path f : s.sorted().toList()) {
                all.addAll(io.infermon.anodot.AnodotFiles.read(f));
            }
        }
        return all;
    }

    private static double sum(List<AnodotMetric> m, String what, String... keyValues) {
        return m.stream().filter(x -> x.what().equals(what)).filter(x -> {
            for (int i = 0; i < keyValues.length; i += 2) {
                if (!keyValues[i + 1].equals(x.property(keyValues[i]))) {
                    return false;
                }
            }
            return true;
        }).mapToDouble(AnodotMetric::value).sum();
    }

    @Test
    void thousandsOfDamagedRecordsNeverStopItAndEveryGoodRecordCounts() throws Exception {
        Path queue = dir.resolve("queue");
        double[][] digits = Datasets.digits();
        Random random = new Random(42);
        int good = 0;
        int damaged = 0;
        long rows = 0;
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int i = 0; i < 3000; i++) {
                int n = 1 + random.nextInt(4);
                float[][] x = new float[n][64];
                for (int r = 0; r < n; r++) {
                    for (int j = 0; j < 64; j++) {
                        x[r][j] = (float) digits[(i * 4 + r) % digits.length][j];
                    }
                }
                byte[] record = Records.encode(Records.call(T0 + i * 20L, "digits", x, null));
                append(a, record);
                good++;
                rows += n;
                byte[] bad = damage(record, random);
                if (bad != null) {
                    append(a, bad);
                    damaged++;
                }
            }
        }
        List<AnodotMetric> m = drain(queue, dir.resolve("out"));
        assertThat(damaged).isGreaterThan(2500);
        assertThat(sum(m, "inference_calls")).isEqualTo(good);
        assertThat(sum(m, "buffer_count")).isEqualTo(rows);
        assertThat(sum(m, "processor_records_rejected")).isEqualTo(damaged);
        assertThat(m.stream().filter(x -> x.what().equals("processor_records_rejected")).map(x -> x.property("reason"))
                .distinct()).contains("checksum_mismatch", "truncated", "bad_magic", "unknown_version");
    }

    /** A damaged copy: bits flipped, cut short, grown, or foreign bytes; null for about one record in ten. */
    private static byte[] damage(byte[] record, Random random) {
        byte[] b = record.clone();
        switch (random.nextInt(10)) {
            case 0:
                return null;
            case 1:
                return Arrays.copyOf(b, random.nextInt(b.length));
            case 2:
                return Arrays.copyOf(b, b.length + 1 + random.nextInt(64));
            case 3:
                byte[] junk = new byte[random.nextInt(200)];
                random.nextBytes(junk);
                return junk;
            case 4:
                b[4] = (byte) (2 + random.nextInt(200)); // an unknown wire version
                return b;
            default:
                for (int k = 1 + random.nextInt(8); k > 0; k--) {
                    b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
                }
                return b;
        }
    }

    @Test
    void oddTensorsAndClocksAreCountedWithoutPoisoningTheBucket() throws Exception {
        Path queue = dir.resolve("queue");
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            append(a, Records.encode(Records.call(T0, "m", new float[][] {{1, Float.NaN}, {Float.POSITIVE_INFINITY, 4}},
                    new float[][] {{0.9f, 0.1f}, {0.4f, 0.6f}})));
            // the model's class count changes mid-stream: 2, then 3 classes
            append(a, Records.encode(Records.call(T0 + 1_000, "m", new float[][] {{2, 2}},
                    new float[][] {{0.1f, 0.2f, 0.7f}})));
            // zero rows, a string tensor, a rank-4 input, and a byte count that does not fit the shape
            append(a, Records.encode(Records.call(T0 + 2_000, "m", new float[0][2], null)));
            append(a, Records.encode(Records.record(T0 + 2_100, "m", tensor(DType.STRING, new long[] {2}, 16))));
            append(a, Records.encode(Records.record(T0 + 2_200, "m", tensor(DType.FLOAT, new long[] {1, 2, 2, 2}, 32))));
            append(a, Records.encode(Records.record(T0 + 2_300, "m", tensor(DType.FLOAT, new long[] {3, 5}, 8))));
            // a host whose clock jumped a year ahead, then one that jumped back a minute
            append(a, Records.encode(Records.call(System.currentTimeMillis() + 365L * 86_400_000, "m",
                    new float[][] {{9, 9}}, null)));
            append(a, Records.encode(Records.call(T0 + 30_000, "m", new float[][] {{3, 3}}, null)));
            append(a, Records.encode(Records.call(T0 - 60_000, "m", new float[][] {{5, 5}}, null)));
            // more model keys than the bound of 3
            for (String model : new String[] {"a", "b", "c"}) {
                append(a, Records.encode(Records.call(T0 + 31_000, model, new float[][] {{1, 1}}, null)));
            }
        }
        List<AnodotMetric> m = drain(queue, dir.resolve("out"));
        // seven calls: the future one is refused and the late one dropped (each counted below)
        assertThat(sum(m, "inference_calls", "model", "m")).isEqualTo(7);
        assertThat(sum(m, "feature_rows", "model", "m", "feature", "feat_1", "kind", "nan")).isEqualTo(1);
        assertThat(sum(m, "feature_rows", "model", "m", "feature", "feat_0", "kind", "inf")).isEqualTo(1);
        // the first bucket's feat_1 saw NaN, 4 and 2 (the zero-row call adds nothing): its maximum is 4
        assertThat(m.stream().filter(x -> x.what().equals("feature_value") && "m".equals(x.property("model"))
                && "feat_1".equals(x.property("feature")) && "max".equals(x.property("stat"))
                && x.timestamp() == T0 / 1000).findFirst().orElseThrow().value()).isEqualTo(4);
        assertThat(sum(m, "prediction_count", "model", "m", "class", "class_2")).isEqualTo(1);
        assertThat(sum(m, "prediction_count", "model", "m")).isEqualTo(3);
        assertThat(sum(m, "processor_records_rejected", "reason", "future_timestamp")).isEqualTo(1);
        assertThat(sum(m, "late_records", "model", "m")).isEqualTo(1);
        // keys a and b fit the bound of 3 models with m; c is counted under __other__
        assertThat(sum(m, "inference_calls", "model", "__other__")).isEqualTo(1);
        assertThat(sum(m, "processor_models_folded")).isEqualTo(1);
    }

    private static CapturedTensor tensor(DType dtype, long[] shape, int bytes) {
        return new CapturedTensor("x", TensorRole.INPUT, TensorMeaning.UNSPECIFIED, dtype.code(), shape,
                ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN).asReadOnlyBuffer());
    }

    @Test
    void aDocumentChronicleCannotReadIsCountedAndSteppedOver() throws Exception {
        Path queue = dir.resolve("queue");
        long broken;
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            append(a, Records.encode(Records.call(T0, "m", new float[][] {{1, 1}}, null)));
            broken = append(a, Records.encode(Records.call(T0 + 1_000, "m", new float[][] {{2, 2}}, null)));
            append(a, Records.encode(Records.call(T0 + 2_000, "m", new float[][] {{3, 3}}, null)));
        }
        Path cycle;
        try (Stream<Path> s = Files.list(queue)) {
            cycle = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(cycle.toFile(), "rw")) {
            // Chronicle's 4-byte header before the document: a length far beyond the file, as a torn write leaves
            f.seek(broken - 4);
            f.writeInt(Integer.reverseBytes(0x3FFF_FFF0));
        }
        List<AnodotMetric> m = drain(queue, dir.resolve("out"));
        assertThat(sum(m, "processor_records_rejected", "reason", "unreadable")).isEqualTo(1);
        assertThat(sum(m, "inference_calls", "model", "m")).isBetween(1.0, 2.0);
        // a restart whose checkpoint lies past the damaged document goes on and counts no good record twice (the
        // damaged one may be met, and counted, again on the way: Chronicle scans across it to reach the position)
        try (MergedQueues reader = new MergedQueues(List.of(queue))) {
            io.infermon.processor.checkpoint.Checkpoint c =
                    io.infermon.processor.checkpoint.Checkpoint.load(dir.resolve("out"));
            MetricFiles files = new MetricFiles(dir.resolve("out"), c.jsonlLength());
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(10), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS, 3);
            Processor p = new Processor(reader, buckets, References.none(), files, b -> { }, dir.resolve("out"), c,
                    Duration.ofHours(1));
            p.run(true);
            p.close();
            files.close();
            assertThat(reader.unreadable()).isPositive();
            assertThat(p.recordsRead()).isEqualTo(c.recordsRead());
        }
    }
}
