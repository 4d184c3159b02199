package io.infermon.processor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.Datasets;
import io.infermon.processor.OutputFixture;
import io.infermon.processor.tail.OutputTail;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code infermon tail} over a real processor output directory, finished and growing. */
class TailCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String tail(Path out, String... options) throws Exception {
        TailCommand cmd = new TailCommand();
        List<String> args = new ArrayList<>(List.of(out.toString()));
        args.addAll(List.of(options));
        new CommandLine(cmd).parseArgs(args.toArray(String[]::new));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            cmd.follow(print, () -> false);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The fixture's three most predicted digits of a bucket, from the data set's labels (not from the metrics). */
    private static String topClasses(int b, String version) {
        int[] labels = Datasets.digitLabels();
        double[][] digits = Datasets.digits();
        int[] counts = new int[10];
        for (int c = 0; c < OutputFixture.CALLS_PER_BUCKET; c++) {
            double[][] rows = OutputFixture.rows(b, version, c);
            for (double[] row : rows) {
                counts[labelOf(row, digits, labels, OutputFixture.drifted(b, version))]++;
            }
        }
        Integer[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        Arrays.sort(order, (x, y) -> counts[y] != counts[x] ? counts[y] - counts[x] : x - y);
        int rows = OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL;
        return order[0] + ":" + Math.round(100.0 * counts[order[0]] / rows) + "% "
                + order[1] + ":" + Math.round(100.0 * counts[order[1]] / rows) + "% "
                + order[2] + ":" + Math.round(100.0 * counts[order[2]] / rows) + "%";
    }

    private static int labelOf(double[] row, double[][] digits, int[] labels, boolean inverted) {
        for (int i = 0; i < digits.length; i++) {
            boolean same = true;
            for (int j = 0; j < row.length && same; j++) {
                same = (inverted ? 16 - digits[i][j] : digits[i][j]) == row[j];
            }
            if (same) {
                return labels[i];
            }
        }
        throw new IllegalStateException("row not in the data set");
    }

    /** drift_detected = 1 lines of a bucket, counted in the file itself. */
    private static long driftedInFile(Path out, String version, long start) throws Exception {
        return valuesInFile(out, "drift_detected", version, start).stream().filter(v -> v == 1).count();
    }

    private static double driftShareInFile(Path out, String version, long start) throws Exception {
        List<Double> v = valuesInFile(out, "drift_share", version, start);
        assertThat(v).hasSize(1);
        return v.get(0);
    }

    private static List<Double> valuesInFile(Path out, String what, String version, long start) throws Exception {
        return valuesInFile(out, what, version, start, p -> true);
    }

    /** The values of metric lines of {@code what}, version and bucket whose properties also pass {@code where}. */
    private static List<Double> valuesInFile(Path out, String what, String version, long start,
                                             java.util.function.Predicate<JsonNode> where) throws Exception {
        List<Double> values = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode m = JSON.readTree(line);
            JsonNode p = m.get("properties");
            if (p.get("what").asText().equals(what) && p.path("model_version").asText().equals(version)
                    && m.get("timestamp").asLong() == start && where.test(p)) {
                values.add(m.get("value").asDouble());
            }
        }
        return values;
    }

    @Test
    void onceprintsOneRowPerModelBucketWithTheFixturesNumbers() throws Exception {
        Path out = OutputFixture.shared();
        List<String> lines = tail(out, "--once").lines().toList();
        assertThat(lines.get(0)).startsWith("time (UTC)").contains("model", "version", "calls", "rows", "p50 ms",
                "p99 ms", "top classes", "pred1", "drift", "drifted");
        assertThat(lines).hasSize(1 + OutputFixture.BUCKETS * OutputFixture.VERSIONS.size());
        DateTimeFormatter time = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        int i = 1;
        for (int b = 0; b < OutputFixture.BUCKETS; b++) {
            long start = OutputFixture.T0_SECONDS + (long) b * OutputFixture.BUCKET_SECONDS;
            for (String version : OutputFixture.VERSIONS) {
                String drifted = b < OutputFixture.REFERENCE_BUCKETS ? "-"
                        : driftedInFile(out, version, start) + "/64";
                String expected = String.format(Locale.ROOT, OutputTail.Table.FORMAT,
                        time.format(Instant.ofEpochSecond(start)), "digits[serving_default]", version,
                        OutputFixture.CALLS_PER_BUCKET, OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL,
                        // calls take 2, 4 and 6 ms: the median is 4, the 99th percentile 6
                        "4.00", "6.00", topClasses(b, version),
                        OutputFixture.drifted(b, version) ? "0.400" : "0.700",
                        b < OutputFixture.REFERENCE_BUCKETS ? "-" : String.format(Locale.ROOT, "%.2f",
                                driftShareInFile(out, version, start)), drifted).strip();
                assertThat(lines.get(i)).as("bucket %d version %s", b, version).isEqualTo(expected);
                i++;
            }
        }
        // the fixture does what it says: the inverted digits of version 2 drift, version 1 stays near its reference
        long last = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;
        assertThat(driftShareInFile(out, "2", last)).isGreaterThan(0.5);
        assertThat(driftShareInFile(out, "1", last)).isLessThan(driftShareInFile(out, "2", last) / 2);
    }

    @Test
    void jsonPrintsOneObjectPerBucketAndModelFilters() throws Exception {
        List<String> lines = tail(OutputFixture.shared(), "--once", "--json", "--model", "digits").lines().toList();
        assertThat(lines).hasSize(OutputFixture.BUCKETS * OutputFixture.VERSIONS.size());
        JsonNode last = JSON.readTree(lines.get(lines.size() - 1));
        assertThat(last.get("model").get("version").asText()).isEqualTo("2");
        assertThat(last.get("start").asLong()).isEqualTo(OutputFixture.T0_SECONDS
                + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS);
        assertThat(last.get("calls").asLong()).isEqualTo(OutputFixture.CALLS_PER_BUCKET);
        assertThat(last.get("pred1").get("mean").asDouble()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(last.get("features")).hasSize(64);
        assertThat(tail(OutputFixture.shared(), "--once", "--model", "other")).isEmpty();
    }

    @Test
    void labelsAndAlertsAddOneLinePerLabelWindowAndPerAlertEvent() throws Exception {
        Path out = OutputFixture.shared();
        List<String> lines = tail(out, "--once", "--labels", "--alerts").lines().toList();
        List<String> labelLines = lines.stream().filter(l -> l.startsWith("  (bucket ")).toList();
        List<String> alertLines = lines.stream().filter(l -> l.contains("  ALERT ")).toList();
        List<String> events = Files.readAllLines(out.resolve("alerts.jsonl"));

        assertThat(labelLines).hasSize(OutputFixture.BUCKETS * OutputFixture.VERSIONS.size()
                * OutputFixture.LABEL_WINDOWS.size());
        assertThat(alertLines).hasSize(events.size()).isNotEmpty();
        assertThat(lines).hasSize(1 + OutputFixture.BUCKETS * OutputFixture.VERSIONS.size() + labelLines.size()
                + alertLines.size());

        // each label line carries its window's accuracy, labelled rows and coverage as metrics.jsonl has them
        long start = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;
        double accuracy = labelMetric(out, "accuracy", "2", start, "2m");
        double labelled = labelMetric(out, "labeled_rows", "2", start, "2m");
        double coverage = labelMetric(out, "label_coverage", "2", start, "2m");
        String time = java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss").withZone(java.time.ZoneOffset.UTC)
                .format(java.time.Instant.ofEpochSecond(start));
        assertThat(labelLines).contains(String.format(Locale.ROOT, "%-19s  %-28s %-8s labels after 2m: accuracy %.3f "
                + "over %d labelled rows (coverage %d%%)", "  (bucket " + time + ")", "digits", "2", accuracy,
                Math.round(labelled), Math.round(100 * coverage)));

        // and each alert line its event: the first one is the canary's, opened on the second drifted bucket
        JsonNode first = JSON.readTree(events.get(0));
        assertThat(alertLines.get(0)).contains("ALERT " + first.get("state").asText().toUpperCase(Locale.ROOT) + ": "
                + first.get("alert").asText() + ": digits v" + first.get("series").get("model_version").asText()
                + " drift_share " + String.format(Locale.ROOT, "%.3f", first.get("value").asDouble()));
    }

    private static double labelMetric(Path out, String what, String version, long start, String window)
            throws Exception {
        List<Double> v = valuesInFile(out, what, version, start,
                p -> p.path("label_window").asText().equals(window) && !p.has("class"));
        assertThat(v).as("%s of window %s for bucket %d", what, window, start).hasSize(1);
        return v.get(0);
    }

    @Test
    void followsADirectoryWhereTheFileAppearsAndGrows(@TempDir Path live) throws Exception {
        List<String> all = Files.readAllLines(OutputFixture.shared().resolve("metrics.jsonl"));
        TailCommand cmd = new TailCommand();
        new CommandLine(cmd).parseArgs(live.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicBoolean stop = new AtomicBoolean();
        Thread follower = new Thread(() -> {
            try (PrintStream print = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
                cmd.follow(print, stop::get);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        follower.start();
        try {
            Path jsonl = live.resolve("metrics.jsonl");
            Files.write(jsonl, all.subList(0, all.size() / 2), StandardOpenOption.CREATE_NEW);
            // the half-written bucket at the end is held back until the file has been quiet for a moment
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(bytes) >= OutputFixture.BUCKETS - 1);
            Files.write(jsonl, all.subList(all.size() / 2, all.size()), StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(bytes)
                    == OutputFixture.BUCKETS * OutputFixture.VERSIONS.size());
        } finally {
            stop.set(true);
            follower.join(10_000);
        }
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("time"))).hasSize(1);
    }

    private static long rows(ByteArrayOutputStream bytes) {
        synchronized (bytes) {
            return bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("digits[")).count();
        }
    }
}
