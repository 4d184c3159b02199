package io.infermon.processor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.processor.LiveProcessor;
import io.infermon.processor.LiveQueue;
import io.infermon.processor.OutputFiles;
import io.infermon.processor.dashboard.PrometheusText;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live processor exports over OTLP/HTTP, configured only by the standard {@code OTEL_*} variables, while the
 * receiver is down (nothing listens), while the processor is killed with SIGKILL and restarted, and while the
 * receiver answers 503: once it takes metrics again, every line of {@code metrics.jsonl} has arrived exactly once.
 * The restarted processor's {@code /metrics} counters go on from where the killed one was.
 */
class OtlpCollectorDownIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int BUCKET_SECONDS = 1;

    @TempDir
    Path dir;

    @Test
    void everyBucketArrivesOnceAfterTheCollectorWasDown() throws Exception {
        int port;
        try (OtlpReceiver probe = OtlpReceiver.start(0)) {
            port = probe.port(); // closed again: the collector is down
        }
        String secret = "s3cret-" + System.nanoTime();
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port,
                "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20" + secret,
                "OTEL_SERVICE_NAME", "digits-monitor");
        Path queue = dir.resolve("queue");
        Path out = dir.resolve("out");
        Path log = dir.resolve("processor.log");
        String[] args = {"--queue", queue.toString(), "--out", out.toString(), "--bucket", BUCKET_SECONDS + "s",
                "--idle-timeout", "1s", "--otlp-backoff", "100ms", "--otlp-backoff-max", "500ms"};
        try (LiveQueue q = new LiveQueue(queue)) {
            int written = write(q, 7);
            LiveProcessor first = LiveProcessor.start(log, env, args);
            try {
                awaitCalls(first.dashboard(), written);
            } finally {
                first.kill();
            }
            try (LiveProcessor second = LiveProcessor.start(log, env, args)) {
                // the restarted processor's counters go on from the checkpoint: the same total, not 0
                URI dashboard = second.dashboard();
                awaitCalls(dashboard, written);
                written += write(q, 9);
                awaitCalls(dashboard, written);
                Path jsonl = out.resolve("metrics.jsonl");
                try (OtlpReceiver receiver = OtlpReceiver.start(port)) {
                    awaitEverythingOnce(receiver, jsonl);
                    // the collector answers 503 for a while: nothing is lost or doubled either
                    receiver.answer(503);
                    written += write(q, 5);
                    awaitCalls(dashboard, written);
                    await().atMost(Duration.ofSeconds(30)).until(() -> second.output().contains("(HTTP 503)"));
                    receiver.answer(200);
                    awaitEverythingOnce(receiver, jsonl);
                    assertThat(second.output()).contains("takes metrics again");

                    assertThat(receiver.resources()).allSatisfy(r ->
                            assertThat(r).containsEntry("service.name", "digits-monitor"));
                    assertThat(receiver.headers()).allSatisfy(h ->
                            assertThat(h.get("Authorization")).isEqualTo(List.of("Bearer " + secret)));
                }
                // the header's value is in no line the processor printed and no file it wrote
                assertThat(second.output()).doesNotContain(secret).contains("failed (ConnectException)");
                OutputFiles.read(out).forEach((name, bytes) ->
                        assertThat(new String(bytes, StandardCharsets.ISO_8859_1)).as(name).doesNotContain(secret));
            }
        }
    }

    /**
     * Writes {@code n} calls a few milliseconds apart, stamped now: once the queue has been idle for a second, the
     * processor's clock closes their buckets. Returns {@code n}.
     */
    private static int write(LiveQueue q, int n) {
        for (int c = 0; c < n; c++) {
            q.call(System.currentTimeMillis(), "digits", "1", 8);
        }
        return n;
    }

    private static void awaitCalls(URI dashboard, int calls) {
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            String body = HTTP.send(HttpRequest.newBuilder(dashboard.resolve("metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<PrometheusText.Sample> s = PrometheusText.parse(body).find("infermon_inference_calls_total",
                    "model", "digits", "version", "1");
            return s.size() == 1 && s.get(0).value() == calls;
        });
    }

    private static void awaitEverythingOnce(OtlpReceiver receiver, Path jsonl) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(OtlpExpectations.counted(
                receiver.points(), p -> true)).isEqualTo(OtlpExpectations.expected(jsonl, BUCKET_SECONDS,
                m -> true)));
    }
}
