package io.infermon.processor.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.LiveQueue;
import io.infermon.processor.OutputFixture;
import io.infermon.processor.cli.InfermonCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The OTLP export of {@code infermon run --drain} received by an OTLP/HTTP endpoint that decodes the official protobuf
 * messages, checked value by value against {@code metrics.jsonl}; and where its settings come from.
 */
class OtlpExportTest {
    private static final Properties NO_PROPERTIES = new Properties();

    private static OtlpSettings.Options options(String endpoint, String protocol, Map<String, String> headers) {
        return new OtlpSettings.Options(endpoint, protocol, null, headers, Duration.ofSeconds(1),
                Duration.ofMinutes(5), 2000, 1024);
    }

    @Test
    void everyValueOfEveryBucketArrivesOnceAsInMetricsJsonl(@TempDir Path dir) throws Exception {
        Path queue = OutputFixture.shared().resolveSibling("queue");
        Path out = dir.resolve("out");
        try (OtlpReceiver receiver = OtlpReceiver.start(0)) {
            String printed = infermon("run", "--queue", queue.toString(), "--out", out.toString(),
                    "--bucket", OutputFixture.BUCKET_SECONDS + "s", "--reference-buckets", "2", "--drain", "--quiet",
                    "--otlp-endpoint", "http://127.0.0.1:" + receiver.port(), "--otlp-batch-size", "700");
            assertThat(printed).contains("exporting metrics over OTLP (http/protobuf) to http://127.0.0.1:"
                    + receiver.port());
            Path jsonl = out.resolve("metrics.jsonl");
            var expected = OtlpExpectations.expected(jsonl, OutputFixture.BUCKET_SECONDS, m -> true);
            var received = OtlpExpectations.counted(receiver.points(), p -> true);
            // one bucket of the canary version first, to show what is compared: every value, attribute and time
            long last = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;
            var oneBucket = OtlpExpectations.expected(jsonl, OutputFixture.BUCKET_SECONDS,
                    m -> "2".equals(m.property("model_version")) && m.timestamp() == last
                            && m.property("label_window") == null);
            assertThat(oneBucket.keySet()).hasSizeGreaterThan(1000)
                    .anySatisfy(p -> assertThat(p.name()).isEqualTo("infermon.inference_latency_ms"))
                    .anySatisfy(p -> assertThat(p.kind()).isEqualTo("sum delta monotonic"));
            assertThat(OtlpExpectations.counted(receiver.points(), p -> "2".equals(p.attributes().get(
                    "model_version")) && p.startNanos() == last * 1_000_000_000L
                    && !p.attributes().containsKey("label_window"))).isEqualTo(oneBucket);
            // and everything: model buckets, agent health, the processor's own metrics, each line once
            assertThat(received).isEqualTo(expected);
            assertThat(receiver.points()).hasSize(Files.readAllLines(jsonl).size());
            // the batches: at most 700 points per request
            assertThat(receiver.headers()).hasSize((Files.readAllLines(jsonl).size() + 699) / 700);
            assertThat(receiver.resources()).allSatisfy(r -> {
                assertThat(r).containsEntry("service.name", OtlpSettings.SERVICE_NAME)
                        .containsEntry("telemetry.sdk.language", "java").containsKey("host.name");
            });
            assertThat(receiver.scopes()).allSatisfy(s -> assertThat(s).startsWith("io.infermon.processor "));
            assertThat(Files.readString(out.resolve(OtlpExport.OFFSET_FILE)).trim())
                    .isEqualTo(Long.toString(Files.size(jsonl)));
            assertThat(printed).contains(receiver.points().size() + " metrics sent in "
                    + receiver.headers().size() + " requests, 0 refused, 0 dropped");
        }
    }

    @Test
    void overGrpcToo(@TempDir Path dir) throws Exception {
        Path queue = smallQueue(dir.resolve("queue"));
        Path out = dir.resolve("out");
        Path config = dir.resolve("processor.yaml");
        String token = "grpc-token-" + System.nanoTime();
        Files.writeString(config, "otlp-headers:\n  x-api-key: " + token + "\n");
        try (OtlpReceiver receiver = OtlpReceiver.startGrpc()) {
            String printed = infermon("run", "--config", config.toString(), "--queue", queue.toString(),
                    "--out", out.toString(), "--bucket", OutputFixture.BUCKET_SECONDS + "s", "--drain", "--quiet",
                    "--otlp-endpoint", "http://127.0.0.1:" + receiver.port(), "--otlp-protocol", "grpc");
            assertThat(printed).contains("exporting metrics over OTLP (grpc)").doesNotContain(token);
            assertThat(receiver.points()).hasSizeGreaterThan(1000);
            assertThat(OtlpExpectations.counted(receiver.points(), p -> true)).isEqualTo(OtlpExpectations.expected(
                    out.resolve("metrics.jsonl"), OutputFixture.BUCKET_SECONDS, m -> true));
            assertThat(receiver.headers()).isNotEmpty().allSatisfy(h ->
                    assertThat(h.get("x-api-key")).isEqualTo(java.util.List.of(token)));
        }
    }

    @Test
    void aDrainThatCannotReachTheReceiverExitsWith1AndTheNextRunSendsTheRest(@TempDir Path dir) throws Exception {
        Path queue = smallQueue(dir.resolve("queue"));
        Path out = dir.resolve("out");
        int port;
        try (OtlpReceiver probe = OtlpReceiver.start(0)) {
            port = probe.port(); // then closed: nothing listens there, as with a collector that is down
        }
        String[] args = {"run", "--queue", queue.toString(), "--out", out.toString(),
                "--bucket", OutputFixture.BUCKET_SECONDS + "s", "--drain", "--quiet",
                "--otlp-endpoint", "http://127.0.0.1:" + port, "--anodot-drain-timeout", "2s"};
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit = execute(printed, args);
        assertThat(exit).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("the OTLP receiver did not take everything within 2 s");
        assertThat(Files.exists(out.resolve(OtlpExport.OFFSET_FILE))
                ? Long.parseLong(Files.readString(out.resolve(OtlpExport.OFFSET_FILE)).trim()) : 0L).isZero();

        // the receiver is up for the next run, which reads nothing new but sends what waits in metrics.jsonl
        try (OtlpReceiver receiver = OtlpReceiver.start(port)) {
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            args[args.length - 1] = "120s";
            assertThat(execute(again, args)).as(again.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(receiver.points()).hasSizeGreaterThan(1000);
            Path jsonl = out.resolve("metrics.jsonl");
            assertThat(OtlpExpectations.counted(receiver.points(), p -> true))
                    .isEqualTo(OtlpExpectations.expected(jsonl, OutputFixture.BUCKET_SECONDS, m -> true));
        }
    }

    @Test
    void theStandardVariablesConfigureItAndInfermonsSettingsWin() {
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_SERVICE_NAME", "ml-monitor", "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=prod");
        OtlpSettings fromEnv = OtlpSettings.resolve(options(null, null, Map.of()), env, NO_PROPERTIES, "1.0");
        assertThat(fromEnv.protocol()).isEqualTo(OtlpSettings.HTTP);
        assertThat(fromEnv.redactedEndpoint()).isEqualTo("http://collector:4318");
        assertThat(fromEnv.resource().getAttributes().asMap().toString()).contains("service.name=ml-monitor",
                "deployment.environment=prod", "service.version=1.0", "host.name=");
        assertThat(fromEnv.timeout()).isEqualTo(Duration.ofSeconds(10));

        OtlpSettings grpc = OtlpSettings.resolve(options("http://127.0.0.1:4317", "grpc", Map.of()),
                Map.of("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://elsewhere:4318/v1/metrics",
                        "OTEL_EXPORTER_OTLP_TIMEOUT", "3000"), NO_PROPERTIES, null);
        assertThat(grpc.protocol()).isEqualTo(OtlpSettings.GRPC);
        assertThat(grpc.redactedEndpoint()).isEqualTo("http://127.0.0.1:4317");
        assertThat(grpc.timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(grpc.resource().getAttributes().asMap().toString()).contains("service.name=infermon-processor");

        assertThat(OtlpSettings.resolve(options(null, null, Map.of()), Map.of(), NO_PROPERTIES, null)).isNull();
        assertThat(OtlpSettings.resolve(options("http://127.0.0.1:4318", null, Map.of()),
                Map.of("OTEL_SDK_DISABLED", "true"), NO_PROPERTIES, null)).isNull();
        assertThat(OtlpSettings.metricsEndpoint("http://c:4318", OtlpSettings.HTTP)).isEqualTo(
                "http://c:4318/v1/metrics");
        assertThat(OtlpSettings.metricsEndpoint("http://c:4318/otlp/", OtlpSettings.HTTP)).isEqualTo(
                "http://c:4318/otlp/v1/metrics");
    }

    @Test
    void badSettingsAreRefusedWithoutRepeatingASecret() {
        assertThatThrownBy(() -> OtlpSettings.resolve(options("collector:4318/secret-path", null, Map.of()),
                Map.of(), NO_PROPERTIES, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an http:// or https:// URL").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> OtlpSettings.resolve(options("http://c:4318", "http/json5", Map.of()),
                Map.of(), NO_PROPERTIES, null)).hasMessageContaining("http/protobuf or grpc");
        String token = "s3cret-" + System.nanoTime();
        OtlpSettings s = OtlpSettings.resolve(options("http://c:4318", null, Map.of("api-key", token)), Map.of(),
                NO_PROPERTIES, null);
        assertThat(s.toString()).doesNotContain(token);
    }

    /** A queue of a few calls over three buckets of the fixture's width, ten minutes ago. */
    private static Path smallQueue(Path queue) {
        long t0 = (System.currentTimeMillis() / 1000 / OutputFixture.BUCKET_SECONDS * OutputFixture.BUCKET_SECONDS
                - 600) * 1000;
        try (LiveQueue q = new LiveQueue(queue)) {
            for (int b = 0; b < 3; b++) {
                for (int c = 0; c <= b; c++) {
                    q.call(t0 + b * OutputFixture.BUCKET_SECONDS * 1000L + 1000L * c, "digits", "1", 8);
                }
            }
        }
        return queue;
    }

    private static String infermon(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int exit = execute(printed, args);
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(text).isZero();
        return text;
    }

    /** Runs the command line in this JVM with its standard output (where the processor prints) captured. */
    private static int execute(ByteArrayOutputStream printed, String... args) {
        PrintStream stdout = System.out;
        try (PrintStream capture = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            return new CommandLine(new InfermonCli()).execute(args);
        } finally {
            System.setOut(stdout);
        }
    }
}
