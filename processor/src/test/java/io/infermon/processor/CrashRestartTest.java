package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import io.infermon.processor.checkpoint.Checkpoint;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Exactly-once buckets across crashes: while a producer appends a known sequence of captures (real breast-cancer
 * rows, enough distinct values that the quantile sketches compact; agent health records; watermark records as an
 * agent writes them; damaged records; a second model whose calls stop, so that it gets empty buckets), the processor
 * runs live in a child JVM and is killed with SIGKILL at 20 random moments, restarted each time. Its final outputs
 * must equal, byte for byte, those of one uninterrupted run over the same queue.
 */
class CrashRestartTest {
    private static final long T0 = 1_795_500_000_000L;
    private static final int RECORDS = 2_400;
    private static final int ROWS = 8;
    private final List<Process> children = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    /** Calls of the second model: only the first minute, then its buckets are empty. */
    private static final int FRAUD_RECORDS = 600;

    /** Record {@code i}: 8 breast-cancer rows (shifted by i, so values keep changing), 100 ms of event time apart. */
    private static byte[] record(int i, double[][] cancer) {
        return record(i, cancer, "cancer");
    }

    private static byte[] record(int i, double[][] cancer, String model) {
        float[][] x = new float[ROWS][30];
        float[][] p = new float[ROWS][2];
        for (int r = 0; r < ROWS; r++) {
            double[] row = cancer[(i * ROWS + r) % cancer.length];
            for (int j = 0; j < 30; j++) {
                x[r][j] = (float) (row[j] * (1 + i / 1000.0));
            }
            float p1 = (float) (1 / (1 + Math.exp(-(row[0] - 14) / 3)));
            p[r] = new float[] {1 - p1, p1};
        }
        return Records.encode(Records.call(T0 + i * 100L, model, x, p));
    }

    private static byte[] health(int i) {
        Map<String, Long> c = new LinkedHashMap<>();
        c.put("calls_seen", (long) i);
        c.put("calls_captured", (long) i);
        c.put("capture_enabled", 1L);
        ByteBuffer b = CaptureCodec.encodeHealth(new AgentHealth((T0 + i * 100L) * 1_000_000L, 5_000_000_000L,
                "7@host", T0 * 1_000_000L, c));
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return bytes;
    }

    private static void append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    /** Appends the sequence, paced so that the processor reads while it is written. */
    private void produce(Path queue, AtomicBoolean done) {
        double[][] cancer = Datasets.breastCancer();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int i = 0; i < RECORDS; i++) {
                byte[] r = record(i, cancer);
                if (i % 97 == 13) {
                    byte[] bad = r.clone();
                    bad[40 + i % 100] ^= 0x5A;
                    append(a, bad);
                }
                append(a, r);
                if (i < FRAUD_RECORDS) {
                    append(a, record(i, cancer, "fraud"));
                }
                if (i % 50 == 49) {
                    append(a, health(i + 1));
                }
                if (i % 10 == 9) {
                    // the agent's promise: what follows starts at or after this (the next call, 100 ms on)
                    append(a, Records.watermark(T0 + (i + 1) * 100L, T0 * 1_000_000L, false));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(4)); // ~10 s of traffic
            }
        } finally {
            done.set(true);
        }
    }

    private Process processor(Path queue, Path out, Path log, String... extra) throws Exception {
        // alert rules come from processor.yaml; alerts.jsonl must come out as exactly as metrics.jsonl
        Path config = dir.resolve("processor.yaml");
        if (!Files.exists(config)) {
            Files.writeString(config, """
                    alerts:
                      - name: feature drifted
                        metric: drift_detected
                        above: 0.5
                      - name: confident
                        metric: max_prediction_proba
                        where: {stat: mean}
                        above: 0.75
                        for: 2
                        resolve_after: 2
                    """);
        }
        List<String> cmd = ProcessorCommand.of("run", "--config", config.toString(),
                "--queue", queue.toString(), "--out", out.toString(), "--bucket", "5s", "--grace", "1s",
                "--reference-buckets", "3");
        cmd.addAll(List.of(extra));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        children.add(p);
        return p;
    }

    @Test
    void killedTwentyTimesItWritesExactlyWhatAnUninterruptedRunWrites() throws Exception {
        Path queue = dir.resolve("queue");
        Path crashed = dir.resolve("crashed");
        Path log = dir.resolve("crashed.log");
        AtomicBoolean produced = new AtomicBoolean();
        Thread producer = new Thread(() -> produce(queue, produced), "producer");
        producer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.isDirectory(queue));
        Random random = new Random(20261124);
        for (int kill = 0; kill < 20; kill++) {
            // die at a random moment after a random amount of progress: 1 or 2 more bucket boundaries, then up to
            // 300 ms into the next (mid-bucket, mid-write or mid-checkpoint, wherever that falls)
            long target = checkpoint(crashed) + 1 + random.nextInt(2);
            Process p = processor(queue, crashed, log);
            await().atMost(Duration.ofSeconds(90)).until(() -> checkpoint(crashed) >= target || produced.get());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(random.nextInt(300)));
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        producer.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(produced).isTrue();
        Process last = processor(queue, crashed, log, "--drain");
        assertThat(last.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("continuing from checkpoint");

        Path clean = dir.resolve("clean");
        Process once = processor(queue, clean, dir.resolve("clean.log"), "--drain");
        assertThat(once.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(once.exitValue()).isZero();

        Map<String, byte[]> expected = OutputFiles.read(clean);
        assertThat(expected.keySet()).contains("metrics.jsonl", "alerts.jsonl")
                .anyMatch(f -> f.startsWith("profiles/reference-"));
        String alerts = new String(expected.get("alerts.jsonl"));
        assertThat(alerts).contains("\"state\":\"open\"").contains("\"state\":\"resolved\"");
        assertThat(expected.keySet().stream().filter(f -> f.startsWith("anodot/cancer-"))).hasSize(48);
        // fraud: 12 buckets of calls, then its 10 empty buckets
        assertThat(expected.keySet().stream().filter(f -> f.startsWith("anodot/fraud-"))).hasSize(22);
        Map<String, byte[]> actual = OutputFiles.read(crashed);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String f : expected.keySet()) {
            if (f.endsWith(".json") || f.endsWith(".jsonl")) {
                // as lines, so that a difference is shown readably
                assertThat(new String(actual.get(f)).lines().toList()).as(f)
                        .containsExactlyElementsOf(new String(expected.get(f)).lines().toList());
            }
            assertThat(actual.get(f)).as(f).isEqualTo(expected.get(f));
        }
        String jsonl = Files.readString(clean.resolve("metrics.jsonl"));
        assertThat(jsonl).contains("\"what\":\"buffer_count\"").contains("\"what\":\"agent_calls_seen\"")
                .contains("\"what\":\"feature_drift\"");
        assertThat(jsonl.lines().filter(l -> l.contains("\"inference_calls\"") && l.contains("\"fraud\"")
                && l.endsWith("\"value\":0.0}"))).hasSize(10);
    }

    /** The number of the last checkpoint the processor wrote to {@code out}, 0 before the first. */
    private static long checkpoint(Path out) {
        try {
            Checkpoint c = Checkpoint.load(out);
            return c == null ? 0 : c.sequence();
        } catch (java.io.IOException e) {
            return 0; // being replaced right now: the rename makes this rare and momentary
        }
    }
}
