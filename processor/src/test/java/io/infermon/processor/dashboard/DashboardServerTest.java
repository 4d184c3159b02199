package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.OutputFixture;
import io.infermon.processor.ProcessorCommand;
import io.infermon.processor.cli.InfermonCli;
import io.infermon.processor.ProcessorHealth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The dashboard's JSON API, /metrics, its bearer token, and the refusal to listen openly without one. */
class DashboardServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final long LAST = OutputFixture.T0_SECONDS
            + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;

    private static HttpResponse<String> get(URI base, String path, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static DashboardServer serve(Path out, ProcessorHealth health) throws Exception {
        return DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, health, 100);
    }

    /** The values of one metric of one bucket and version, read from metrics.jsonl itself. */
    private static List<JsonNode> inFile(String what, String version, long start) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        for (String line : Files.readAllLines(OutputFixture.shared().resolve("metrics.jsonl"))) {
            JsonNode m = JSON.readTree(line);
            JsonNode p = m.get("properties");
            if (p.get("what").asText().equals(what) && p.path("model_version").asText().equals(version)
                    && m.get("timestamp").asLong() == start) {
                found.add(m);
            }
        }
        return found;
    }

    @Test
    void theApiServesEveryBucketOfEveryVersion() throws Exception {
        try (DashboardServer server = serve(OutputFixture.shared(), null)) {
            HttpResponse<String> models = get(server.url(), "api/v1/models", null);
            assertThat(models.statusCode()).isEqualTo(200);
            assertThat(models.headers().firstValue("Content-Type")).hasValue("application/json");
            JsonNode list = JSON.readTree(models.body()).get("models");
            assertThat(list).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(list.get(i).get("model").asText()).isEqualTo("digits");
                assertThat(list.get(i).get("version").asText()).isEqualTo(OutputFixture.VERSIONS.get(i));
                assertThat(list.get(i).get("signature").asText()).isEqualTo("serving_default");
                assertThat(list.get(i).get("buckets").asInt()).isEqualTo(OutputFixture.BUCKETS);
                assertThat(list.get(i).get("first").asLong()).isEqualTo(OutputFixture.T0_SECONDS);
                assertThat(list.get(i).get("latest").asLong()).isEqualTo(LAST);
            }

            JsonNode series = JSON.readTree(get(server.url(), "api/v1/buckets?model=digits&version=2", null).body())
                    .get("series");
            assertThat(series).hasSize(1);
            JsonNode buckets = series.get(0).get("buckets");
            assertThat(buckets).hasSize(OutputFixture.BUCKETS);
            JsonNode last = buckets.get(OutputFixture.BUCKETS - 1);
            assertThat(last.get("start").asLong()).isEqualTo(LAST);
            assertThat(last.get("calls").asLong()).isEqualTo(OutputFixture.CALLS_PER_BUCKET);
            assertThat(last.get("rows").asLong()).isEqualTo(OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL);
            assertThat(last.get("driftShare").asDouble()).isEqualTo(inFile("drift_share", "2", LAST).get(0)
                    .get("value").asDouble());
            assertThat(last.get("features")).hasSize(64);
            JsonNode feat20 = last.get("features").get("feat_20");
            for (JsonNode m : inFile("feature_drift", "2", LAST)) {
                if (m.get("properties").get("feature").asText().equals("feat_20")) {
                    assertThat(feat20.get("drift").get(m.get("properties").get("method").asText()).asDouble())
                            .isEqualTo(m.get("value").asDouble());
                }
            }
            assertThat(feat20.get("drift")).hasSize(4);

            JsonNode since = JSON.readTree(get(server.url(), "api/v1/buckets?model=digits&since=" + (LAST - 1),
                    null).body()).get("series");
            assertThat(since).hasSize(2);
            assertThat(since.get(0).get("buckets")).hasSize(1);

            // the file's last group comes out once the file has been quiet for the settle time (MetricsLog)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(JSON.readTree(get(server.url(), "api/v1/agents", null).body()).get("buckets"))
                            .hasSize(OutputFixture.BUCKETS));
            JsonNode agents = JSON.readTree(get(server.url(), "api/v1/agents", null).body()).get("buckets");
            // every bucket captured 3 calls of each version
            assertThat(agents.get(3).get("agents").get(OutputFixture.AGENT).get("calls_captured").asDouble())
                    .isEqualTo(2.0 * OutputFixture.CALLS_PER_BUCKET);

            assertThat(get(server.url(), "api/v1/buckets?model=nope", null).statusCode()).isEqualTo(404);
            assertThat(get(server.url(), "api/v1/buckets", null).statusCode()).isEqualTo(400);
            assertThat(get(server.url(), "api/v1/buckets?model=digits&since=x", null).statusCode()).isEqualTo(400);
            HttpResponse<String> page = get(server.url(), "", null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<script src=\"/vendor/chart.umd.min.js\">");
            HttpResponse<String> chart = get(server.url(), "vendor/chart.umd.min.js", null);
            assertThat(chart.statusCode()).isEqualTo(200);
            assertThat(chart.body()).contains("Chart.js v" + DashboardServer.chartJsVersion());
        }
    }

    @Test
    void metricsAreInThePrometheusTextFormat() throws Exception {
        ProcessorHealth health = new ProcessorHealth();
        long captured = System.currentTimeMillis() * 1_000_000L - 3_000_000_000L;
        for (int i = 0; i < 5; i++) {
            health.recordRead(captured, 2);
        }
        try (DashboardServer server = serve(OutputFixture.shared(), health)) {
            HttpResponse<String> r = get(server.url(), "metrics", null);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            PrometheusText m = PrometheusText.parse(r.body());
            String[] v2 = {"model", "digits", "version", "2", "signature", "serving_default"};
            // counters add up every closed bucket; gauges are the latest bucket's, in base units
            assertThat(m.value("infermon_inference_calls_total", v2))
                    .isEqualTo(OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET);
            assertThat(m.value("infermon_rows_total", v2))
                    .isEqualTo(OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL);
            assertThat(m.value("infermon_bucket_start_timestamp_seconds", v2)).isEqualTo(LAST);
            assertThat(m.value("infermon_bucket_latency_seconds", "version", "2", "stat", "p50")).isEqualTo(0.004);
            assertThat(m.value("infermon_bucket_latency_seconds", "version", "2", "stat", "p99")).isEqualTo(0.006);
            assertThat(m.value("infermon_bucket_pred1", "version", "2", "stat", "mean")).isCloseTo(0.4, offset(1e-6));
            assertThat(m.find("infermon_bucket_class_share", v2).stream().mapToDouble(PrometheusText.Sample::value)
                    .sum()).isCloseTo(1.0, offset(1e-9));
            assertThat(m.value("infermon_bucket_drift_share", v2))
                    .isEqualTo(inFile("drift_share", "2", LAST).get(0).get("value").asDouble());
            List<PrometheusText.Sample> flags = m.find("infermon_bucket_feature_drift_detected", v2);
            assertThat(flags).hasSize(64);
            assertThat(flags.stream().mapToDouble(PrometheusText.Sample::value).sum()).isEqualTo(
                    inFile("drift_detected", "2", LAST).stream().mapToDouble(n -> n.get("value").asDouble()).sum());
            assertThat(m.types).containsEntry("infermon_inference_calls_total", "counter")
                    .containsEntry("infermon_bucket_latency_seconds", "gauge")
                    .containsEntry("infermon_processor_records_read_total", "counter");

            assertThat(m.value("infermon_processor_records_read_total")).isEqualTo(5);
            assertThat(m.value("infermon_processor_buckets_open")).isEqualTo(2);
            // rejected records come from the processor's own metrics in metrics.jsonl: the fixture had none
            assertThat(m.value("infermon_processor_records_rejected_total", "reason", "checksum_mismatch")).isZero();
            assertThat(m.value("infermon_processor_records_rejected_total", "reason", "truncated")).isEqualTo(0);
            assertThat(m.value("infermon_processor_lag_seconds")).isBetween(3.0, 60.0);
        }
    }

    @Test
    void withATokenTheApiAndMetricsNeedIt(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        String secret = "s3cret-" + System.nanoTime();
        Files.writeString(tokenFile, secret + "\n");
        DashboardSettings settings = DashboardSettings.of("127.0.0.1", 0, tokenFile);
        assertThat(settings.toString()).doesNotContain(secret);
        try (DashboardServer server = DashboardServer.start(settings, OutputFixture.shared(), null, 100)) {
            for (String path : List.of("api/v1/models", "metrics")) {
                HttpResponse<String> none = get(server.url(), path, null);
                assertThat(none.statusCode()).as(path).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"infermon\"");
                assertThat(get(server.url(), path, "wrong").statusCode()).as(path).isEqualTo(401);
                HttpResponse<String> ok = get(server.url(), path, secret);
                assertThat(ok.statusCode()).as(path).isEqualTo(200);
                assertThat(ok.body()).doesNotContain(secret);
            }
            // the page and script hold no data
            assertThat(get(server.url(), "", null).statusCode()).isEqualTo(200);
            assertThat(get(server.url(), "app.js", null).statusCode()).isEqualTo(200);
            assertThat(get(server.url(), "alerts.js", null).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aNonLoopbackAddressWithoutATokenRefusesToStart(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> DashboardSettings.of("0.0.0.0", 8686, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to serve the dashboard on 0.0.0.0")
                .hasMessageContaining("--dashboard-token-file");
        Files.writeString(dir.resolve("empty"), "  \n");
        assertThatThrownBy(() -> DashboardSettings.of("0.0.0.0", 8686, dir.resolve("empty")))
                .hasMessageContaining("is empty");

        String[] dashboard = {"dashboard", "--out", OutputFixture.shared().toString(), "--bind", "0.0.0.0"};
        Run standalone = run(dashboard);
        assertThat(standalone.exit).isEqualTo(2);
        assertThat(standalone.err).contains("refusing to serve the dashboard on 0.0.0.0", "Give --token-file FILE");

        Path out = dir.resolve("out");
        Run processor = run("run", "--queue", OutputFixture.shared().resolveSibling("queue").toString(), "--out",
                out.toString(), "--dashboard-bind", "0.0.0.0");
        assertThat(processor.exit).isEqualTo(2);
        assertThat(processor.err).contains("refusing to serve the dashboard on 0.0.0.0");
        assertThat(out.resolve("metrics.jsonl")).as("nothing was read").doesNotExist();
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cmd = new CommandLine(new InfermonCli());
        cmd.setOut(new java.io.PrintWriter(out, true, StandardCharsets.UTF_8));
        cmd.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code infermon run} live in its own JVM: its dashboard reports the processor's health while it reads. */
    @Test
    void aLiveProcessorServesItsHealth(@TempDir Path dir) throws Exception {
        List<String> cmd = ProcessorCommand.of("run",
                "--queue", OutputFixture.shared().resolveSibling("queue").toString(), "--out",
                dir.resolve("out").toString(), "--bucket", OutputFixture.BUCKET_SECONDS + "s",
                "--dashboard-port", "0", "--quiet");
        Path log = dir.resolve("processor.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Pattern url = Pattern.compile("dashboard at (http://127\\.0\\.0\\.1:\\d+/)");
            URI base = await().atMost(Duration.ofSeconds(60)).until(() -> {
                Matcher m = url.matcher(Files.exists(log) ? Files.readString(log) : "");
                return m.find() ? URI.create(m.group(1)) : null;
            }, u -> u != null);
            int records = OutputFixture.BUCKETS * OutputFixture.CALLS_PER_BUCKET * OutputFixture.VERSIONS.size();
            // the newest bucket of each version stays open: no later record has moved the watermark past it (a
            // scrape may come between the last record's count and the close of the buckets before it, hence the
            // wait; and the processor's clock closes the rest once the queue has been silent for the idle timeout)
            PrometheusText m = await().atMost(Duration.ofSeconds(60)).until(
                    () -> PrometheusText.parse(get(base, "metrics", null).body()),
                    t -> t.value("infermon_processor_records_read_total") == records
                            && !t.find("infermon_inference_calls_total").isEmpty()
                            && t.value("infermon_processor_buckets_open") <= OutputFixture.VERSIONS.size());
            assertThat(m.value("infermon_processor_buckets_open")).isEqualTo(OutputFixture.VERSIONS.size());
            long lastCaptureMillis = (LAST + OutputFixture.CALLS_PER_BUCKET - 1) * 1000 + 100;
            assertThat(m.value("infermon_processor_lag_seconds"))
                    .isCloseTo((System.currentTimeMillis() - lastCaptureMillis) / 1000.0, offset(30.0));
            assertThat(m.value("infermon_processor_records_rejected_total", "reason", "malformed")).isZero();
            // the dashboard follows metrics.jsonl a moment behind the processor's writes
            JsonNode models = await().atMost(Duration.ofSeconds(30)).until(
                    () -> JSON.readTree(get(base, "api/v1/models", null).body()).get("models"),
                    l -> l.size() == 2 && l.get(1).get("buckets").asInt() == OutputFixture.BUCKETS - 1);
            assertThat(models.get(0).get("buckets").asInt()).isEqualTo(OutputFixture.BUCKETS - 1);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }
}
