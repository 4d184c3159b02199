package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.capture.RejectReason;
import io.infermon.processor.OutputFixture;
import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.alerts.AlertsFile;
import io.infermon.processor.history.MetricsLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} as Prometheus's own linter sees it ({@code promtool check metrics} from Debian's prometheus
 * package), and its counters against numbers computed from the fixture's own calls, rows, digits and files.
 */
class PrometheusConventionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String metrics(URI base) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static DashboardServer serve(Path out, ProcessorHealth health) throws Exception {
        return DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, health, 100);
    }

    @Test
    void promtoolFindsNothingInTheLiveEndpoint() throws Exception {
        ProcessorHealth health = new ProcessorHealth();
        health.recordRead(System.currentTimeMillis() * 1_000_000L - 2_000_000_000L, 1);
        try (DashboardServer server = serve(OutputFixture.shared(), health)) {
            String exposition = metrics(server.url());
            // every kind of series is there, so that the linter sees each of them
            PrometheusText m = PrometheusText.parse(exposition);
            assertThat(m.types).containsEntry("infermon_inference_calls_total", "counter")
                    .containsEntry("infermon_predictions_total", "counter")
                    .containsEntry("infermon_bucket_latency_seconds", "gauge")
                    .containsEntry("infermon_bucket_pred1", "gauge")
                    .containsEntry("infermon_bucket_feature_drift_detected", "gauge")
                    .containsEntry("infermon_label_window_accuracy", "gauge")
                    .containsEntry("infermon_alerts_opened_total", "counter")
                    .containsEntry("infermon_agent_calls_captured_total", "counter")
                    .containsEntry("infermon_processor_lag_seconds", "gauge")
                    .containsEntry("infermon_processor_records_rejected_total", "counter");
            Promtool.Check check = Promtool.checkMetrics(exposition);
            assertThat(check.output()).as("promtool check metrics").isEmpty();
            assertThat(check.exit()).isZero();
        }
    }

    @Test
    void theStandaloneDashboardExposesTheSameNamesButTheRunningProcessorsOwn() throws Exception {
        ProcessorHealth health = new ProcessorHealth();
        health.recordRead(System.currentTimeMillis() * 1_000_000L, 1);
        java.util.Set<String> live;
        java.util.Set<String> standalone;
        try (DashboardServer server = serve(OutputFixture.shared(), health)) {
            live = PrometheusText.parse(metrics(server.url())).types.keySet();
        }
        try (DashboardServer server = serve(OutputFixture.shared(), null)) {
            standalone = PrometheusText.parse(metrics(server.url())).types.keySet();
        }
        assertThat(live).containsAll(standalone);
        java.util.List<String> onlyLive = live.stream().filter(n -> !standalone.contains(n)).toList();
        assertThat(onlyLive).containsExactlyInAnyOrder("infermon_processor_lag_seconds",
                "infermon_processor_records_read_total", "infermon_processor_records_per_second",
                "infermon_processor_buckets_open");
    }

    @Test
    void promtoolWouldFindTheOldNames() throws Exception {
        // the linter does report what this endpoint used to expose: the test above can fail
        Promtool.Check check = Promtool.checkMetrics("""
                # HELP infermon_bucket_latency_milliseconds call durations
                # TYPE infermon_bucket_latency_milliseconds gauge
                infermon_bucket_latency_milliseconds{stat="p50"} 4.0
                # HELP infermon_calls calls
                # TYPE infermon_calls counter
                infermon_calls 3.0
                """);
        assertThat(check.output()).contains("use base unit \"seconds\" instead of \"milliseconds\"")
                .contains("counter metrics should have \"_total\" suffix");
        assertThat(check.exit()).isNotZero();
    }

    @Test
    void countersAddUpEveryBucketOfTheFile() throws Exception {
        try (DashboardServer server = serve(OutputFixture.shared(), null)) {
            PrometheusText m = PrometheusText.parse(metrics(server.url()));
            for (String version : OutputFixture.VERSIONS) {
                String[] key = {"model", OutputFixture.MODEL, "version", version, "signature",
                        OutputFixture.SIGNATURE};
                long calls = (long) OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET;
                assertThat(m.value("infermon_inference_calls_total", key)).isEqualTo(calls);
                assertThat(m.value("infermon_rows_total", key)).isEqualTo(calls * OutputFixture.ROWS_PER_CALL);
                assertThat(m.value("infermon_late_records_total", key)).isZero();
                // the predicted class of every row, counted from the data set's digits
                Map<String, Long> perClass = new TreeMap<>();
                for (int b = 0; b < OutputFixture.BUCKETS; b++) {
                    for (int c = 0; c < OutputFixture.CALLS_PER_BUCKET; c++) {
                        for (int r = 0; r < OutputFixture.ROWS_PER_CALL; r++) {
                            perClass.merge("class_" + OutputFixture.predicted(b, version, c, r), 1L, Long::sum);
                        }
                    }
                }
                perClass.forEach((cls, n) -> assertThat(m.value("infermon_predictions_total", "version", version,
                        "class", cls)).as(cls).isEqualTo((double) n));
                assertThat(m.find("infermon_predictions_total", "version", version)).hasSize(perClass.size());
            }
            // the agent's calls_captured is cumulative: its increases add up to the last value, every call
            assertThat(m.value("infermon_agent_calls_captured_total", "host", "host")).isEqualTo(
                    OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET * OutputFixture.VERSIONS.size());
            assertThat(m.value("infermon_agent_capture_enabled", "agent", OutputFixture.AGENT)).isEqualTo(1);
            for (RejectReason r : RejectReason.values()) {
                assertThat(m.value("infermon_processor_records_rejected_total", "reason", r.label())).isZero();
            }
            // alerts opened, counted from alerts.jsonl itself
            Map<String, Long> opened = new TreeMap<>();
            for (String line : Files.readAllLines(OutputFixture.shared().resolve(AlertsFile.NAME))) {
                JsonNode e = JSON.readTree(line);
                opened.merge(e.get("alert").asText(), "open".equals(e.get("state").asText()) ? 1L : 0L, Long::sum);
            }
            assertThat(opened).containsKeys(OutputFixture.CANARY_ALERT, OutputFixture.STABLE_ALERT);
            opened.forEach((alert, n) -> assertThat(m.value("infermon_alerts_opened_total", "alert", alert))
                    .as(alert).isEqualTo((double) n));
        }
    }

    @Test
    void gaugesShowTheLatestBucketAndLabelWindowsInBaseUnits() throws Exception {
        try (DashboardServer server = serve(OutputFixture.shared(), null)) {
            PrometheusText m = PrometheusText.parse(metrics(server.url()));
            String[] v2 = {"model", OutputFixture.MODEL, "version", "2", "signature", OutputFixture.SIGNATURE};
            long last = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;
            assertThat(m.value("infermon_bucket_start_timestamp_seconds", v2)).isEqualTo(last);
            // the fixture's calls take 2, 4 and 6 ms
            assertThat(m.value("infermon_bucket_latency_seconds", "version", "2", "stat", "p50")).isEqualTo(0.004);
            assertThat(m.value("infermon_bucket_latency_seconds", "version", "2", "stat", "max")).isEqualTo(0.006);
            // a drifted bucket's rows give the true digit 0.4, every other class 0.6 / 9
            assertThat(m.value("infermon_bucket_pred1", "version", "2", "stat", "mean")).isCloseTo(0.4, offset(1e-6));
            assertThat(m.value("infermon_bucket_spread12", "version", "2", "stat", "q50"))
                    .isCloseTo(0.4 - 0.6 / 9, offset(1e-6));
            // label windows of the last bucket: every fifth row has no label; in the drifted version the label is
            // wrong for rows r % 3 == 0; the 2m window holds the rows labelled after 30 s (even r), the 5m one all
            assertThat(m.value("infermon_label_window_start_timestamp_seconds", "version", "2", "window", "5m"))
                    .isEqualTo(last);
            assertThat(m.value("infermon_label_window_accuracy", "version", "2", "window", "5m"))
                    .isEqualTo(accuracy(true, r -> true));
            assertThat(m.value("infermon_label_window_accuracy", "version", "2", "window", "2m"))
                    .isEqualTo(accuracy(true, r -> r % 2 == 0));
            assertThat(m.value("infermon_label_window_accuracy", "version", "1", "window", "5m")).isEqualTo(1.0);
            assertThat(m.value("infermon_label_window_coverage", "version", "2", "window", "5m")).isEqualTo(0.8);
            assertThat(m.value("infermon_label_window_labeled_rows", "version", "2", "window", "5m"))
                    .isEqualTo(OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL * 4 / 5);
        }
    }

    /** The accuracy of a call's labelled rows that {@code inWindow} keeps (the same for every call of a bucket). */
    private static double accuracy(boolean drifted, java.util.function.IntPredicate inWindow) {
        int labelled = 0;
        int right = 0;
        for (int r = 0; r < OutputFixture.ROWS_PER_CALL; r++) {
            if (r % 5 == 4 || !inWindow.test(r)) {
                continue;
            }
            labelled++;
            if (!(drifted && r % 3 == 0)) {
                right++;
            }
        }
        return (double) right / labelled;
    }

    @Test
    void bucketsWrittenAgainAreNotCountedTwice(@TempDir Path out) throws Exception {
        Path file = out.resolve("metrics.jsonl");
        byte[] once = Files.readAllBytes(OutputFixture.shared().resolve("metrics.jsonl"));
        Files.write(file, once);
        // the dashboard's generation grows by one per group it reads (the processor's own groups aside)
        long groups = MetricsLog.readAll(file).stream().filter(g -> !g.isProcessorOwn()).count();
        try (DashboardServer server = serve(out, null)) {
            awaitGeneration(server, groups);
            PrometheusText before = PrometheusText.parse(metrics(server.url()));
            double calls = before.value("infermon_inference_calls_total", "version", "1");
            assertThat(calls).isEqualTo(OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET);
            double captured = before.value("infermon_agent_calls_captured_total", "host", "host");

            // a run without checkpoints appends the same buckets again
            Files.write(file, once, StandardOpenOption.APPEND);
            awaitGeneration(server, 2 * groups);
            PrometheusText appended = PrometheusText.parse(metrics(server.url()));
            assertThat(appended.value("infermon_inference_calls_total", "version", "1")).isEqualTo(calls);
            assertThat(appended.value("infermon_agent_calls_captured_total", "host", "host")).isEqualTo(captured);

            // a restarted processor cuts the file back and writes the same buckets again: read from the start
            Files.write(file, java.util.Arrays.copyOf(once, once.length / 2));
            Files.write(file, java.util.Arrays.copyOfRange(once, once.length / 2, once.length),
                    StandardOpenOption.APPEND);
            awaitGeneration(server, 3 * groups);
            PrometheusText rewritten = PrometheusText.parse(metrics(server.url()));
            assertThat(rewritten.value("infermon_inference_calls_total", "version", "1")).isEqualTo(calls);
            assertThat(rewritten.value("infermon_agent_calls_captured_total", "host", "host")).isEqualTo(captured);
        }
    }

    private static void awaitGeneration(DashboardServer server, long generation) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                .until(() -> server.history().generation(), g -> g >= generation);
    }
}
