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
 * codec (UCI digits as features, a stable and a canary version of one model, one agent's health records), labels
 * imported with {@code infermon labels import}, then {@code infermon run --drain} over both. Version 2 gets inverted
 * digits from bucket {@link #DRIFT_FROM} on, so its features drift from the reference learnt from the first
 * {@link #REFERENCE_BUCKETS} buckets, and the labels say its answer was wrong for a third of those rows.
 *
 * <p>Labels: every call has a request id ({@link #requestId}); row {@code r} of a call gets its label
 * ({@link #label}) {@link #labelDelayMillis} after the call, except every fifth row, which never gets one. The label
 * windows ({@link #LABEL_WINDOWS}) are longer than the queue's whole span, so the inference watermark alone never
 * reaches them; one more label, an hour after {@link #T0_SECONDS} for a row that is otherwise never labelled, moves
 * the label clock (grace 0) past every window, so the drain emits them all, after every bucket.
 *
 * <p>Alerts ({@code processor.yaml}): {@link #CANARY_ALERT} watches version 2's {@code drift_share}, which is far
 * above 0.5 from bucket {@link #DRIFT_FROM} on and far below it before, so it opens on the second drifted bucket and
 * stays open; {@link #STABLE_ALERT} watches version 1's, which wanders around 0.2 by chance and passes 0.3 for a
 * single bucket, so it opens and resolves (its events are whatever {@code alerts.jsonl} says, not a design).
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
    /** The label maturities ({@code --label-maturity}), as the processor names them in {@code label_window}. */
    public static final List<String> LABEL_WINDOWS = List.of("2m", "5m");
    /** The alert rule on the canary's drift share: above 0.5 for 2 buckets (opens on bucket DRIFT_FROM + 1). */
    public static final String CANARY_ALERT = "canary inputs drifted";
    /** The alert rule on the stable version's drift share: above 0.3. */
    public static final String STABLE_ALERT = "stable inputs drifted";
    /** A label time that moves the label clock past every window and counts in none. */
    private static final long CLOCK_LABEL_SECONDS = T0_SECONDS + 3600;

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
        Path config = dir.resolve("processor.yaml");
        try {
            Path labels = dir.resolve("labels.csv");
            java.nio.file.Files.write(labels, labelsCsv());
            infermon("labels", "import", "--out", out.toString(), "--quiet", labels.toString());
            java.nio.file.Files.writeString(config, """
                    alerts:
                      - name: %s
                        metric: drift_share
                        where: {model: %s, model_version: "2"}
                        above: 0.5
                        for: 2
                      - name: %s
                        metric: drift_share
                        where: {model: %s, model_version: "1"}
                        above: 0.3
                    """.formatted(CANARY_ALERT, MODEL, STABLE_ALERT, MODEL));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        infermon("run", "--config", config.toString(), "--queue", queue.toString(), "--out", out.toString(),
                "--bucket", BUCKET_SECONDS + "s",
                "--reference-buckets", "" + REFERENCE_BUCKETS, "--label-maturity", String.join(",", LABEL_WINDOWS),
                "--label-grace", "0s", "--drain", "--quiet");
        return out;
    }

    private static void infermon(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int exit;
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            exit = new CommandLine(new InfermonCli()).execute(args);
        } finally {
            System.setOut(stdout);
        }
        if (exit != 0) {
            throw new IllegalStateException("infermon " + args[0] + " failed (" + exit + "): " + printed);
        }
    }

    /** The request id of call {@code c} of bucket {@code b} and a version; its rows are {@code <id>#<row>}. */
    public static String requestId(int b, String version, int c) {
        return "b" + b + "-v" + version + "-c" + c;
    }

    /** The capture time of call {@code c} of bucket {@code b}, in milliseconds. */
    public static long callMillis(int b, int c) {
        return (T0_SECONDS + (long) b * BUCKET_SECONDS) * 1000 + 1000L * c + 100;
    }

    /** The digit the model predicts for row {@code r} (its largest probability): the row's true digit. */
    public static int predicted(int b, String version, int c, int r) {
        return DigitLabels.ALL[firstRow(b, version, c) + r];
    }

    /** Read once: the data set is a compressed file. */
    private static final class DigitLabels {
        static final int[] ALL = Datasets.digitLabels();
    }

    /**
     * The label row {@code r} gets, or -1 if none ever comes: the predicted digit, but the next digit for a third
     * of the rows of drifted buckets (the inverted images fool the model).
     */
    public static int label(int b, String version, int c, int r) {
        if (r % 5 == 4) {
            return -1;
        }
        int digit = predicted(b, version, c, r);
        return drifted(b, version) && r % 3 == 0 ? (digit + 1) % 10 : digit;
    }

    /** How long after its call row {@code r}'s label comes: 30 s (in the 2 m window) or 3 min (only in 5 m). */
    public static long labelDelayMillis(int r) {
        return r % 2 == 0 ? 30_000L : 180_000L;
    }

    /** The maturity of a label window name of {@link #LABEL_WINDOWS}, in milliseconds. */
    public static long maturityMillis(String window) {
        return Long.parseLong(window.substring(0, window.length() - 1)) * 60_000L;
    }

    private static List<String> labelsCsv() {
        List<String> lines = new java.util.ArrayList<>(List.of("id,label,time"));
        for (int b = 0; b < BUCKETS; b++) {
            for (String version : VERSIONS) {
                for (int c = 0; c < CALLS_PER_BUCKET; c++) {
                    for (int r = 0; r < ROWS_PER_CALL; r++) {
                        int label = label(b, version, c, r);
                        if (label >= 0) {
                            lines.add(requestId(b, version, c) + "#" + r + "," + label + ","
                                    + java.time.Instant.ofEpochMilli(callMillis(b, c) + labelDelayMillis(r)));
                        }
                    }
                }
            }
        }
        lines.add(requestId(0, VERSIONS.get(0), 0) + "#4," + predicted(0, VERSIONS.get(0), 0, 4) + ","
                + CLOCK_LABEL_SECONDS);
        return lines;
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
        int[] labels = DigitLabels.ALL;
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
                        long millis = callMillis(b, c);
                        // latency grows with the call index, so p50 and p99 differ
                        long durationNanos = (1 + c) * 2_000_000L;
                        CaptureRecord r = new CaptureRecord(1, RecordKind.INFERENCE, 0, millis * 1_000_000L,
                                durationNanos, MODEL, version, SIGNATURE, "tensorflow.signature",
                                requestId(b, version, c), List.of(
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
