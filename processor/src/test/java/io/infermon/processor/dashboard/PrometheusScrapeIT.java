package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.LiveProcessor;
import io.infermon.processor.LiveQueue;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's prometheus package) scrapes a live processor's {@code /metrics} on loopback,
 * and its own query API answers what a Grafana panel would ask: {@code sum(increase(infermon_inference_calls_total
 * [1m]))} equals the calls the test made.
 *
 * <p>Prometheus extrapolates {@code increase()} to the edges of the range, so the test makes the answer exact the
 * way Prometheus documents it: the counter appears at the first scrape with a small value {@code a} (one call), all
 * samples lie inside the minute, and the query is evaluated at the timestamp of the first sample with the final
 * value {@code b}. The range then ends on a sample, and Prometheus extrapolates its start back to where the counter
 * would have been zero (not further, since that is closer than 1.1 times the average scrape interval while
 * {@code a} is small next to {@code b − a}, here 1 and 24): the increase is {@code b}, every call counted.
 */
class PrometheusScrapeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void prometheusComputesTheIncreaseOfCallsFromTwoScrapes() throws Exception {
        Promtool.assumeInstalled(Promtool.PROMETHEUS);
        Path queue = dir.resolve("queue");
        try (LiveQueue q = new LiveQueue(queue);
             LiveProcessor processor = LiveProcessor.start(dir.resolve("processor.log"), Map.of(),
                     "--queue", queue.toString(), "--out", dir.resolve("out").toString(),
                     "--bucket", "1s", "--idle-timeout", "1s")) {
            // one call now; once the queue has been idle for a second the processor's clock closes its bucket
            q.call(System.currentTimeMillis(), "digits", "1", 8);
            URI dashboard = processor.dashboard();
            await().atMost(Duration.ofSeconds(30)).until(() -> calls(dashboard), v -> v == 1.0);

            try (PrometheusServer prometheus = PrometheusServer.start(dir.resolve("prometheus"), dashboard)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> instant(prometheus,
                        "sum(infermon_inference_calls_total)"), v -> v != null && v == 1.0);

                // after Prometheus's first scrape, 24 more calls
                for (int c = 0; c < 24; c++) {
                    q.call(System.currentTimeMillis(), "digits", "1", 8);
                }
                final int made = 25;
                await().atMost(Duration.ofSeconds(30)).until(() -> calls(dashboard), v -> v == made);
                await().atMost(Duration.ofSeconds(60)).until(() -> instant(prometheus,
                        "sum(infermon_inference_calls_total)"), v -> v != null && v == made);

                // the samples Prometheus stored: first 1, then 25 (the series' whole life is inside the minute)
                JsonNode series = query(prometheus, "infermon_inference_calls_total[1m]", null);
                assertThat(series).hasSize(1);
                List<JsonNode> samples = new java.util.ArrayList<>();
                series.get(0).get("values").forEach(samples::add);
                assertThat(samples.size()).as("scrapes stored").isGreaterThanOrEqualTo(2);
                assertThat(samples.get(0).get(1).asDouble()).isEqualTo(1.0);
                JsonNode firstFinal = samples.stream().filter(s -> s.get(1).asDouble() == made).findFirst()
                        .orElseThrow();
                String at = firstFinal.get(0).asText();

                JsonNode increase = query(prometheus, "sum(increase(infermon_inference_calls_total[1m]))", at);
                assertThat(increase).hasSize(1);
                assertThat(increase.get(0).get("value").get(1).asDouble()).isCloseTo(made, offset(1e-9));
            }
        }
    }

    /** {@code infermon_inference_calls_total} of digits v1 on the processor's own endpoint, or -1. */
    private static double calls(URI dashboard) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(dashboard.resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        List<PrometheusText.Sample> s = PrometheusText.parse(body).find("infermon_inference_calls_total",
                "model", "digits", "version", "1");
        return s.size() == 1 ? s.get(0).value() : -1;
    }

    /** The single value of an instant query now, or null when it has no result yet. */
    private static Double instant(PrometheusServer prometheus, String promql) throws Exception {
        JsonNode result = query(prometheus, promql, null);
        return result.isEmpty() ? null : result.get(0).get("value").get(1).asDouble();
    }

    /** {@code GET /api/v1/query}: the result array; at the given time (seconds since the epoch) when not null. */
    private static JsonNode query(PrometheusServer prometheus, String promql, String time) throws Exception {
        String uri = "api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (time == null ? "" : "&time=" + time);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(prometheus.url().resolve(uri)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asText()).as(r.body()).isEqualTo("success");
        return body.get("data").get("result");
    }

    /** Debian's Prometheus server on 127.0.0.1, scraping one target every second, with its data in a temp dir. */
    static final class PrometheusServer implements AutoCloseable {
        private final Process process;
        private final URI url;

        private PrometheusServer(Process process, URI url) {
            this.process = process;
            this.url = url;
        }

        URI url() {
            return url;
        }

        static PrometheusServer start(Path dir, URI target) throws Exception {
            Files.createDirectories(dir);
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: infermon
                        metrics_path: /metrics
                        static_configs:
                          - targets: ["%s"]
                    """.formatted(target.getHost() + ":" + target.getPort()));
            // Prometheus cannot report a port it picked itself: take a free one and retry should another process
            // have taken it in between
            for (int attempt = 1; ; attempt++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                Path log = dir.resolve("prometheus-" + attempt + ".log");
                Process p = new ProcessBuilder(Promtool.PROMETHEUS.toString(),
                        "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data-" + attempt),
                        "--web.listen-address=127.0.0.1:" + port)
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                URI url = URI.create("http://127.0.0.1:" + port + "/");
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> {
                        if (!p.isAlive()) {
                            return true;
                        }
                        try {
                            return HTTP.send(HttpRequest.newBuilder(url.resolve("-/ready")).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                        } catch (IOException e) {
                            return false;
                        }
                    });
                } catch (RuntimeException e) {
                    p.destroyForcibly();
                    throw new IllegalStateException("Prometheus did not become ready: " + Files.readString(log), e);
                }
                if (p.isAlive()) {
                    return new PrometheusServer(p, url);
                }
                if (attempt == 3) {
                    throw new IllegalStateException("Prometheus exited: " + Files.readString(log));
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
