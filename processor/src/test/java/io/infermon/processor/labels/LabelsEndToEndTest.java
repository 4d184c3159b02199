package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureRecord;
import io.infermon.processor.Datasets;
import io.infermon.processor.Records;
import io.infermon.processor.cli.InfermonCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The processor with labels from both ends: breast-cancer predictions with request ids in a real queue, a third of
 * their labels as agent label records in the same queue, the rest as label batches (as {@code POST /v1/labels} and
 * {@code labels import} leave them), shuffled, hours to days late, with unknown ids and refused rows. Two
 * {@code run --drain} calls: the first emits the 1h and 1d windows, the second (after more labels) the 7d ones and
 * nothing twice.
 */
class LabelsEndToEndTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    /** A month ago, on a minute: every time in the test, labels included, is in the past. */
    private static final long T0 = (System.currentTimeMillis() - 30 * DAY) / 60_000L * 60_000L;

    @TempDir
    Path dir;

    private static long delay(int i) {
        return switch (i % 3) {
            case 0 -> 20 * 60_000L;
            case 1 -> 5 * HOUR;
            default -> 3 * DAY;
        };
    }

    private static void append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    private static int run(String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            return new CommandLine(new InfermonCli()).execute(args);
        } finally {
            System.setOut(out);
        }
    }

    @Test
    void labelWindowsOfEachBucketAreEmittedOncePerMaturityWithTheLabelsKnownByThen() throws Exception {
        float[][] p = LabelledData.breastCancerProbabilities();
        int[] y = Datasets.breastCancerLabels();
        Path queue = dir.resolve("queue");
        Path out = dir.resolve("out");
        // 569 calls, 250 ms apart: 3 two-minute... buckets of 60 s; rows i % 7 == 0 never get a label
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int i = 0; i < p.length; i++) {
                CaptureRecord call = new CaptureRecord(1, io.infermon.capture.RecordKind.INFERENCE, 0,
                        (T0 + i * 250L) * 1_000_000L, 1000L, "cancer", "", "", "tensorflow.session", "req-" + i,
                        List.of(Records.floats("probs", io.infermon.capture.TensorRole.OUTPUT,
                                new float[][] {p[i]})));
                append(a, Records.encode(call));
                if (i % 3 == 0 && i % 7 != 0) { // agent labels: 20 minutes late, in the queue's time order
                    append(a, Records.encode(LabelJoinTest.labelRecord(T0 + i * 250L + 1, "req-" + i, y[i])));
                }
            }
            // traffic goes on: a call 10 minutes later moves the watermark past the three buckets
            append(a, Records.encode(Records.record(T0 + 10 * 60_000L, "cancer")));
        }
        List<Integer> posted = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            if (i % 3 != 0 && i % 7 != 0) {
                posted.add(i);
            }
        }
        Collections.shuffle(posted, new Random(11));
        Path labels = out.resolve("labels");
        for (int from = 0; from < posted.size(); from += 100) {
            List<Label> batch = new ArrayList<>();
            for (int i : posted.subList(from, Math.min(from + 100, posted.size()))) {
                batch.add(new Label("req-" + i, y[i], T0 + i * 250L + delay(i)));
            }
            batch.add(new Label("nobody-" + from, 1, T0 + 60_000L)); // older than the watermark: unknown
            LabelStream.write(labels, new LabelStream.Batch(batch, 2)); // and 2 rows refused by the writer
        }
        // labels come up to 3 days out of order; the last one, 5.1 days in, moves the label clock past a day
        LabelStream.write(labels, new LabelStream.Batch(List.of(new Label("req-14", y[14], T0 + 5 * DAY + 2 * HOUR)),
                0));
        String[] args = {"run", "--drain", "--queue", queue.toString(), "--out", out.toString(), "--bucket", "60s",
                "--label-grace", "4d"};
        assertThat(run(args)).isZero();

        long[] starts = {T0, T0 + 60_000L, T0 + 120_000L};
        for (long start : starts) {
            for (String w : List.of("1h", "1d")) {
                Path f = out.resolve("anodot").resolve("cancer.labels_" + w + "-" + start / 1000 + ".json");
                assertThat(f).exists();
                check(AnodotFiles.read(f), p, y, start, w.equals("1h") ? HOUR : DAY, false);
            }
            assertThat(out.resolve("anodot").resolve("cancer.labels_7d-" + start / 1000 + ".json")).doesNotExist();
        }
        assertThat(Files.list(labels.resolve("inbox")).toList()).isEmpty();
        assertThat(Files.list(labels.resolve("applied")).toList()).isEmpty(); // the checkpoint holds them

        // later: the label of row 7 (never labelled before) comes, 6 days late; then one 12 days in moves the label
        // clock past 7 days
        LabelStream.write(labels, new LabelStream.Batch(List.of(new Label("req-7", y[7], T0 + 7 * 250L + 6 * DAY),
                new Label("req-21", y[21], T0 + 12 * DAY)), 0));
        assertThat(run(args)).isZero();
        for (long start : starts) {
            Path f = out.resolve("anodot").resolve("cancer.labels_7d-" + start / 1000 + ".json");
            check(AnodotFiles.read(f), p, y, start, 7 * DAY, true);
        }
        List<AnodotMetric> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            lines.add(AnodotJson.readLine(line));
        }
        for (String w : List.of("1h", "1d", "7d")) {
            assertThat(lines.stream().filter(m -> w.equals(m.property("label_window"))
                    && m.property("what").equals("accuracy"))).as("accuracy lines of %s", w).hasSize(3);
        }
        double refused = lines.stream().filter(m -> m.property("what").equals("processor_labels")
                && "rejected_rows".equals(m.property("event"))).mapToDouble(AnodotMetric::value).sum();
        double unknown = lines.stream().filter(m -> m.property("what").equals("processor_labels")
                && "unknown_id".equals(m.property("event"))).mapToDouble(AnodotMetric::value).sum();
        int batches = (posted.size() + 99) / 100;
        assertThat(refused).isEqualTo(2.0 * batches);
        assertThat(unknown).isEqualTo(batches);
    }

    /** The window's metrics against the rows of the bucket whose label time is before its end plus the maturity. */
    private static void check(List<AnodotMetric> metrics, float[][] p, int[] y, long start, long maturity,
                              boolean lateRow7) {
        long cutoff = start + 60_000L + maturity;
        List<Integer> rows = new ArrayList<>();
        List<Integer> labelled = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            long t = T0 + i * 250L;
            if (t < start || t >= start + 60_000L) {
                continue;
            }
            rows.add(i);
            long labelTime = i % 3 == 0 ? t + 1 : t + delay(i);
            boolean has = i % 7 != 0 || (lateRow7 && i == 7) || i == 14 || i == 21;
            if (i == 7) {
                labelTime = t + 6 * DAY;
            } else if (i == 14) {
                labelTime = T0 + 5 * DAY + 2 * HOUR;
            } else if (i == 21) {
                labelTime = T0 + 12 * DAY;
            }
            if (has && labelTime < cutoff) {
                labelled.add(i);
            }
        }
        LabelledData.assertClassificationWindow(metrics, labelled, rows.size(), y, p);
        assertThat(metrics).allSatisfy(m -> assertThat(m.timestamp()).isEqualTo(start / 1000));
    }

}
