package io.infermon.processor.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorRole;
import io.infermon.processor.Datasets;
import io.infermon.processor.ProcessorCommand;
import io.infermon.processor.Records;
import io.infermon.processor.checkpoint.Checkpoint;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels across crashes: digits predictions with request ids stream into a queue with a fifth of their labels as
 * agent label records; the rest are posted over HTTP to the live processor in shuffled batches (each with a malformed
 * row and an unknown id), hours to days late in event time. The processor (a child JVM) is killed with SIGKILL
 * between batches and restarted; its state store writes changes on every 4 KB, so kills fall between changes that
 * reached the store and the checkpoint that would cover them. At the end every label window must equal an independent computation from the data,
 * each emitted once, and the label counts must show nothing lost and nothing applied twice.
 */
class LabelsCrashRestartTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;
    private static final long T0 = (System.currentTimeMillis() - 10 * DAY) / 60_000L * 60_000L;
    private static final long STEP = 10L; // ms of event time between calls: 18 s, four 5 s buckets
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Process> children = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private static long delay(int i) {
        return switch (i % 3) {
            case 0 -> 20 * 60_000L;
            case 1 -> 5 * HOUR;
            default -> 2 * DAY;
        };
    }

    /** When row {@code i}'s label is known, or -1 when it never gets one. */
    private static long labelTime(int i) {
        long t = T0 + i * STEP;
        if (i % 5 == 0) {
            return t + 1;
        }
        if (i == 11) {
            return T0 + 9 * DAY + 60_000L;
        }
        return i % 11 == 0 ? -1 : t + delay(i);
    }

    private static void append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    private static void produce(Path queue, float[][] p, int[] y, AtomicBoolean done) {
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int i = 0; i < p.length; i++) {
                append(a, Records.encode(new CaptureRecord(1, RecordKind.INFERENCE, 0, (T0 + i * STEP) * 1_000_000L,
                        1000L, "digits", "", "", "tensorflow.session", "r" + i,
                        List.of(Records.floats("probs", TensorRole.OUTPUT, new float[][] {p[i]})))));
                if (i % 5 == 0) {
                    append(a, Records.encode(LabelJoinTest.labelRecord(labelTime(i), "r" + i, y[i])));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3));
            }
        } finally {
            done.set(true);
        }
    }

    private Process processor(Path queue, Path out, Path log, int port, String... extra) throws Exception {
        // the state store writes its changes on every 4 KB instead of every megabyte, so that a kill between two
        // checkpoints leaves changes in it that the restart must undo (as it does at volume)
        List<String> cmd = ProcessorCommand.withJvmOptions(List.of("-Dinfermon.testing.state_spill_bytes=4096"),
                "run",
                "--queue", queue.toString(), "--out", out.toString(), "--bucket", "5s", "--label-grace", "2d",
                "--dashboard-port", Integer.toString(port));
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        children.add(p);
        return p;
    }

    private static long checkpoint(Path out) {
        try {
            Checkpoint c = Checkpoint.load(out);
            return c == null ? 0 : c.sequence();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Posts until the (re)started processor answers; the answer must count every row. */
    private static void post(int port, String body, int accepted, int rejected) {
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/labels");
        ObjectMapper json = new ObjectMapper();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(json.readTree(r.body()).get("accepted").asInt()).isEqualTo(accepted);
            assertThat(json.readTree(r.body()).get("rejected").asInt()).isEqualTo(rejected);
            return true;
        });
    }

    @Test
    void killedBetweenBatchesItLosesNoLabelAndCountsNoneTwice() throws Exception {
        float[][] p = LabelledData.digitProbabilities();
        int[] y = Datasets.digitLabels();
        Path queue = dir.resolve("queue");
        Path out = dir.resolve("out");
        Path log = dir.resolve("processor.log");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Integer> posted = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            if (i % 5 != 0 && i % 11 != 0) {
                posted.add(i);
            }
        }
        Collections.shuffle(posted, new Random(24));
        ObjectMapper json = new ObjectMapper();
        List<String> bodies = new ArrayList<>();
        int batches = 12;
        for (int b = 0; b < batches; b++) {
            ArrayNode rows = json.createArrayNode();
            for (int k = b; k < posted.size(); k += batches) {
                int i = posted.get(k);
                rows.addObject().put("id", "r" + i).put("label", y[i])
                        .put("time", Instant.ofEpochMilli(labelTime(i)).toString());
            }
            rows.addObject().put("id", "nobody-" + b).put("label", 1).put("time", (T0 + 1000) / 1000.0);
            rows.addObject().put("id", "r" + b).put("label", "one"); // malformed
            bodies.add(json.writeValueAsString(rows));
        }

        AtomicBoolean produced = new AtomicBoolean();
        Thread producer = new Thread(() -> produce(queue, p, y, produced), "producer");
        producer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(queue));
        Random random = new Random(1124);
        for (int b = 0; b < batches; b++) {
            Process child = processor(queue, out, log, port);
            int rows = bodies.get(b).split("\"id\"").length - 1;
            post(port, bodies.get(b), rows - 1, 1);
            long target = checkpoint(out) + 1;
            await().atMost(Duration.ofSeconds(60)).until(() -> checkpoint(out) >= target || produced.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(200)));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        producer.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(produced).isTrue();
        // the label that moves the label clock 9 days on, past every maturity (the grace is 2 days, the widest spread of label times)
        Process child = processor(queue, out, log, port);
        post(port, "[{\"id\": \"r11\", \"label\": " + y[11] + ", \"time\": \""
                + Instant.ofEpochMilli(labelTime(11)) + "\"}]", 1, 0);
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process last = processor(queue, out, log, port, "--drain");
        assertThat(last.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("continuing from checkpoint");

        List<AnodotMetric> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            lines.add(AnodotJson.readLine(line));
        }
        for (long start = T0; start < T0 + p.length * STEP; start += 5_000L) {
            for (String w : List.of("1h", "1d", "7d")) {
                long s = start;
                Path f = out.resolve("anodot").resolve("digits.labels_" + w + "-" + start / 1000 + ".json");
                assertThat(f).as(Files.readString(log)).exists();
                long maturity = w.equals("1h") ? HOUR : w.equals("1d") ? DAY : 7 * DAY;
                check(AnodotFiles.read(f), p, y, start, maturity);
                assertThat(lines.stream().filter(m -> w.equals(m.property("label_window"))
                        && m.timestamp() == s / 1000 && m.property("what").equals("accuracy"))).hasSize(1);
            }
        }
        assertThat(sum(lines, "joined")).isEqualTo(p.length / 5 + 1 + posted.size() + 1);
        assertThat(sum(lines, "replaced")).isZero();
        assertThat(sum(lines, "late")).isZero();
        assertThat(sum(lines, "unknown_id")).isEqualTo(batches);
        assertThat(sum(lines, "rejected_rows")).isEqualTo(batches);
        assertThat(sum(lines, "predictions_stored")).isEqualTo(p.length);
    }

    private static double sum(List<AnodotMetric> lines, String event) {
        return lines.stream().filter(m -> m.property("what").equals("processor_labels")
                && event.equals(m.property("event"))).mapToDouble(AnodotMetric::value).sum();
    }

    private static void check(List<AnodotMetric> metrics, float[][] p, int[] y, long start, long maturity) {
        long cutoff = start + 5_000L + maturity;
        List<Integer> rows = new ArrayList<>();
        List<Integer> labelled = new ArrayList<>();
        for (int i = 0; i < p.length; i++) {
            long t = T0 + i * STEP;
            if (t >= start && t < start + 5_000L) {
                rows.add(i);
                if (labelTime(i) >= 0 && labelTime(i) < cutoff) {
                    labelled.add(i);
                }
            }
        }
        LabelledData.assertClassificationWindow(metrics, labelled, rows.size(), y, p);
    }

}
