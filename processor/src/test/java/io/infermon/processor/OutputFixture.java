package io.infermon.processor;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RecordKind;
import io.infermon.capture.TensorRole;
import io.infermon.processor.cli.InfermonCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import picocli.CommandLine;

/**
 * A real processor output directory for the tail, dashboard and /metrics tests: a queue written with the shared
 * codec (UCI digits as features, a stable and a canary version of one model, one agent's health records), then
 * {@code infermon run --drain} over it. Version 2 gets inverted digits from bucket {@link #DRIFT_FROM} on, so its
 * features drift from the reference learnt from the first {@link #REFERENCE_BUCKETS} buckets.
 */
public final class OutputFixture {
    public static final String MODEL = "digits";
    public static final String SIGNATURE = "serving_default";
    public static final List<String> VERSIONS = List.of("1", "2");
    public static final int BUCKETS = 8;
    public static final int BUCKET_SECONDS = 10;
    public static final int CALLS_PER_BUCKET = 3;
    public static final int ROWS_PER_CALL = 40;
    public static final int REFERENCE_BUCKETS = 2;
    public static final int DRIFT_FROM = 5;
    /** A bucket boundary in the past (records from the future are refused): 2026-11-18 11:06:40 UTC. */
    public static final long T0_SECONDS = 1_795_000_000L;
    public static final String AGENT = "4242@host";

    private static Path shared;

    private OutputFixture() {
    }

    /**
     * One output directory for every test in this JVM (writing it takes seconds); tests that change files copy
     * them first. Deleted when the JVM exits.
     */
    public static synchronized Path shared() throws java.io.IOException {
        if (shared == null) {
            Path dir = java.nio.file.Files.createTempDirectory("infermon-output-fixture");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
            shared = write(dir);
        }
        return shared;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException e) {
            // a temporary directory left behind is harmless
        }
    }

    /** Writes the queue under {@code dir/queue} and the processor's output under {@code dir/out}; returns OUT. */
    public static Path write(Path dir) {
        Path queue = dir.resolve("queue");
        Path out = dir.resolve("out");
        writeQueue(queue);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            exit = new CommandLine(new InfermonCli()).execute("run", "--queue", queue.toString(), "--out",
                    out.toString(), "--bucket", BUCKET_SECONDS + "s", "--reference-buckets", "" + REFERENCE_BUCKETS,
                    "--drain", "--quiet");
        } finally {
            System.setOut(stdout);
        }
        if (exit != 0) {
            throw new IllegalStateException("infermon run failed (" + exit + "): " + printed);
        }
        return out;
    }

    /** Rows of bucket {@code b}, version {@code v}, call {@code c}: consecutive digits, inverted where drifted. */
    public static double[][] rows(int b, String version, int c) {
        int from = firstRow(b, version, c);
        double[][] rows = java.util.Arrays.copyOfRange(Datasets.digits(), from, from + ROWS_PER_CALL);
        return drifted(b, version) ? Datasets.inverted(rows) : rows;
    }

    private static int firstRow(int b, String version, int c) {
        return ((b * VERSIONS.size() + VERSIONS.indexOf(version)) * CALLS_PER_BUCKET + c) * ROWS_PER_CALL
                % (1797 - ROWS_PER_CALL);
    }

    public static boolean drifted(int b, String version) {
        return version.equals("2") && b >= DRIFT_FROM;
    }

    /** The classifier's output for a row: its true digit with probability 0.7 (0.4 once drifted), the rest even. */
    public static float[] probabilities(int label, boolean drifted) {
        float top = drifted ? 0.4f : 0.7f;
        float[] p = new float[10];
        java.util.Arrays.fill(p, (1 - top) / 9);
        p[label] = top;
        return p;
    }

    private static void writeQueue(Path queue) {
        int[] labels = Datasets.digitLabels();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            long captured = 0;
            for (int b = 0; b < BUCKETS; b++) {
                for (int c = 0; c < CALLS_PER_BUCKET; c++) {
                    for (String version : VERSIONS) {
                        double[][] x = rows(b, version, c);
                        float[][] features = new float[x.length][];
                        float[][] probs = new float[x.length][];
                        for (int r = 0; r < x.length; r++) {
                            features[r] = new float[x[r].length];
                            for (int j = 0; j < x[r].length; j++) {
                                features[r][j] = (float) x[r][j];
                            }
                            probs[r] = probabilities(labels[firstRow(b, version, c) + r], drifted(b, version));
                        }
                        long millis = (T0_SECONDS + (long) b * BUCKET_SECONDS) * 1000 + 1000L * c + 100;
                        // latency grows with the call index, so p50 and p99 differ
                        long durationNanos = (1 + c) * 2_000_000L;
                        CaptureRecord r = new CaptureRecord(1, RecordKind.INFERENCE, 0, millis * 1_000_000L,
                                durationNanos, MODEL, version, SIGNATURE, "tensorflow.signature", "", List.of(
                                Records.floats("x:0", TensorRole.INPUT, features),
                                Records.floats("probs", TensorRole.OUTPUT, probs)));
                        append(a, Records.encode(r));
                        captured++;
                    }
                }
                Map<String, Long> counters = new LinkedHashMap<>();
                counters.put("calls_seen", captured);
                counters.put("calls_captured", captured);
                counters.put("dropped_ring_full", 0L);
                counters.put("queue_errors", 0L);
                counters.put("capture_enabled", 1L);
                long t = (T0_SECONDS + (long) b * BUCKET_SECONDS + BUCKET_SECONDS - 1) * 1_000_000_000L;
                ByteBuffer health = CaptureCodec.encodeHealth(new AgentHealth(t, BUCKET_SECONDS * 1_000_000_000L,
                        AGENT, T0_SECONDS * 1_000_000_000L, counters));
                byte[] bytes = new byte[health.remaining()];
                health.get(bytes);
                append(a, bytes);
            }
        }
    }

    private static void append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }
}
