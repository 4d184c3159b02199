package io.infermon.anodot.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.anodot.standin.AnodotStandIn;
import io.infermon.anodot.standin.AnodotStandIn.Mode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a stand-in that enforces Anodot's documented rules. */
class AnodotDeliveryTest {
    private static final String TOKEN = "tok3n-S3CRET-9f8e7d";
    private static final long NOW = System.currentTimeMillis() / 1000;

    @TempDir
    Path tmp;

    private AnodotStandIn anodot;
    private TokenWatch watch;

    @BeforeEach
    void setUp() {
        watch = new TokenWatch();
        anodot = new AnodotStandIn(TOKEN, 1000, 2_000).start();
    }

    @AfterEach
    void tearDown() throws IOException {
        anodot.close();
        watch.close();
        watch.assertTokenAbsent(TOKEN, tmp);
    }

    /**
     * Small back-off so that outages take milliseconds in tests. The request time-out stays well above a slow first
     * answer on a busy machine: a request that times out after the stand-in stored it is sent again, which is the
     * one duplicate Anodot's 2.0 API cannot rule out (docs/anodot.md).
     */
    private SenderConfig config(String token) {
        return SenderConfig.defaults(URI.create(anodot.url()), AnodotToken.of(token))
                .withTimeouts(Duration.ofMillis(1000), Duration.ofMillis(1500))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withRequestsPerSecond(1000);
    }

    private static List<AnodotMetric> bucket(String model, long start, int n) {
        List<AnodotMetric> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(AnodotMetric.builder("feature_value", TargetType.GAUGE).property("model", model)
                    .property("feature", "feat_" + i).property("stat", "mean").timestamp(start).value(i * 0.5));
        }
        return out;
    }

    private static List<String> keys(List<AnodotMetric> metrics) {
        return metrics.stream().map(m -> m.name() + "@" + m.timestamp() + "=" + m.value()).toList();
    }

    private MetricSender sender(SenderConfig config, SenderHealth health) throws IOException {
        return new MetricSender(config, DeliveryLedger.open(tmp.resolve("ledger.log")), health);
    }

    @Test
    void splitsIntoBatchesAtTheLimitSortedByTimestamp() throws Exception {
        List<AnodotMetric> metrics = new ArrayList<>();
        for (int t = 0; t < 5; t++) {
            metrics.addAll(bucket("digits", NOW - 600 + 60L * t, 500));
        }
        Collections.shuffle(metrics, new Random(7));
        SenderHealth health = new SenderHealth();

        MetricSender.FileResult r = sender(config(TOKEN), health).send("digits-x.json", metrics,
                MetricSender.Progress.NONE);

        assertThat(r.status()).isEqualTo(MetricSender.Status.DELIVERED);
        assertThat(anodot.batchSizes()).containsExactly(1000, 1000, 500);
        assertThat(anodot.unsortedBatches()).isZero();
        assertThat(anodot.stored()).containsExactlyInAnyOrderElementsOf(keys(metrics));
        assertThat(health.sent()).isEqualTo(2500);
    }

    @Test
    void aBatchAboveTheStandInsLimitIsRefusedAndTheDocumentedMaximumIsEnforced() throws Exception {
        SenderHealth health = new SenderHealth();
        MetricSender.FileResult r = sender(config(TOKEN).withBatchSize(1001), health)
                .send("big.json", bucket("m", NOW, 1001), MetricSender.Progress.NONE);

        assertThat(r.status()).isEqualTo(MetricSender.Status.REFUSED);
        assertThat(r.reason()).contains("HTTP 400");
        assertThat(anodot.requests()).isEqualTo(1);
        assertThatThrownBy(() -> config(TOKEN).withBatchSize(10_001))
                .hasMessageContaining("at most 10000 metrics per request");
    }

    @Test
    void sanitizesNamesAndNeverSendsNaNInfinityOrTheFarFuture() throws Exception {
        // a hand-written 2.0 file, as `infermon send` may be given: not built with our builder, so nothing mended yet
        Path file = tmp.resolve("foreign.json");
        Files.writeString(file, "["
                + "{\"properties\":{\"what\":\"cpu load\",\"host\":\"web.01 = eu\",\"very.long key\":\""
                + "x".repeat(200) + "\"},\"tags\":{},\"timestamp\":" + NOW + ",\"value\":1.5},"
                + "{\"properties\":{\"what\":\"nan\"},\"tags\":{},\"timestamp\":" + NOW + ",\"value\":\"NaN\"},"
                + "{\"properties\":{\"what\":\"inf\"},\"tags\":{},\"timestamp\":" + NOW + ",\"value\":\"Infinity\"},"
                + "{\"properties\":{\"what\":\"future\"},\"tags\":{},\"timestamp\":" + (NOW + 3700)
                + ",\"value\":1},"
                + "{\"properties\":{\"what\":\"millis\"},\"tags\":{},\"timestamp\":" + NOW * 1000 + ",\"value\":1},"
                + "{\"properties\":{\"host\":\"no-what\"},\"tags\":{},\"timestamp\":" + NOW + ",\"value\":1},"
                + "{\"properties\":{\"what\":\"ok\"},\"tags\":{},\"timestamp\":" + (NOW + 3000) + ",\"value\":2}"
                + "]");
        SenderHealth health = new SenderHealth();

        MetricSender.FileResult r = sender(config(TOKEN), health).send("foreign.json", AnodotFiles.read(file),
                MetricSender.Progress.NONE);

        assertThat(r.status()).isEqualTo(MetricSender.Status.DELIVERED);
        assertThat(anodot.metricErrors()).as("the stand-in found nothing to complain about").isZero();
        assertThat(anodot.stored()).containsExactly(
                "host=web_01___eu.very_long_key=" + "x".repeat(150) + ".what=cpu_load@" + NOW + "=1.5",
                "what=ok@" + (NOW + 3000) + "=2.0");
        assertThat(health.invalid()).isEqualTo(5);
        assertThat(r.invalid()).isEqualTo(5);
        assertThat(watch.log()).contains("5 metrics break Anodot's rules");
    }

    @Test
    void parsesPerMetricErrorsOfA200Answer() throws Exception {
        // Anodot accepts ASCII only in names; we do not transliterate, so such a metric comes back in `errors`
        List<AnodotMetric> metrics = new ArrayList<>(bucket("digits", NOW, 10));
        metrics.add(3, AnodotMetric.builder("feature_value", TargetType.GAUGE).property("model", "modèle")
                .timestamp(NOW).value(1));
        metrics.add(7, AnodotMetric.builder("inference_calls", TargetType.COUNTER).property("model", "café")
                .timestamp(NOW).value(2));
        SenderHealth health = new SenderHealth();

        MetricSender.FileResult r = sender(config(TOKEN), health).send("b.json", metrics,
                MetricSender.Progress.NONE);

        assertThat(r.status()).isEqualTo(MetricSender.Status.DELIVERED);
        assertThat(r.rejected()).isEqualTo(2);
        assertThat(r.sent()).isEqualTo(10);
        assertThat(health.rejected()).isEqualTo(2);
        assertThat(health.sent()).isEqualTo(10);
        assertThat(anodot.stored()).hasSize(10).noneMatch(k -> k.contains("mod\u00e8le") || k.contains("caf\u00e9"));
        assertThat(watch.log()).contains("Anodot rejected model=modèle.target_type=gauge.what=feature_value")
                .contains("error 2011").contains("model=café");
    }

    @Test
    void aWrongTokenIsRefusedOnceLoggedOnceAndTheFileSetAside() throws Exception {
        SenderHealth health = new SenderHealth();
        Spool spool = Spool.open(tmp.resolve("spool"), 1 << 20, health);
        String wrong = "wrong-" + TOKEN;
        try (SpoolDelivery delivery = new SpoolDelivery(spool,
                new MetricSender(config(wrong), spool.ledger(), health)).start()) {
            delivery.offer("m-100.json", bucket("m", NOW, 5));

            await().atMost(Duration.ofSeconds(10)).until(() -> health.failedFiles() == 1);
            assertThat(delivery.awaitEmpty(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(anodot.requests()).as("no retry on 401").isEqualTo(1);
        assertThat(spool.dir().resolve("failed/m-100.json")).exists();
        assertThat(spool.pending()).isEmpty();
        assertThat(health.rejected()).isEqualTo(5);
        assertThat(TokenWatch.countLines(watch.log(), "Anodot refused m-100.json")).isEqualTo(1);
        assertThat(watch.log()).contains("HTTP 401").contains("Token is not active");
        watch.assertTokenAbsent(wrong, tmp);
    }

    @Test
    void ridesOutAnOutageAndDeliversEveryMetricOnce() throws Exception {
        anodot.stop(); // down from the start: connection refused
        SenderHealth health = new SenderHealth();
        Spool spool = Spool.open(tmp.resolve("spool"), 1 << 24, health);
        List<AnodotMetric> all = new ArrayList<>();
        try (SpoolDelivery delivery = new SpoolDelivery(spool,
                new MetricSender(config(TOKEN).withBatchSize(400), spool.ledger(), health)).start()) {
            for (int b = 0; b < 4; b++) {
                List<AnodotMetric> m = bucket("digits", NOW - 300 + 60L * b, 900);
                all.addAll(m);
                delivery.offer("digits-" + (NOW - 300 + 60L * b) + ".json", m);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> health.retried() >= 3);

            anodot.failNext(Mode.FAIL_500, Mode.FAIL_500, Mode.TIME_OUT, Mode.RESET, Mode.THROTTLE_429,
                    Mode.FAIL_500, Mode.TIME_OUT);
            anodot.start();

            assertThat(delivery.awaitEmpty(Duration.ofSeconds(30))).isTrue();
        }
        assertThat(anodot.stored()).hasSize(all.size()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(keys(all));
        assertThat(health.sent()).isEqualTo(3600);
        assertThat(health.spooled()).isEqualTo(3600);
        assertThat(health.retried()).isGreaterThanOrEqualTo(3 + 7);
        assertThat(spool.pending()).isEmpty();
        assertThat(TokenWatch.countLines(watch.log(), "Anodot not reachable")).isEqualTo(1);
        assertThat(watch.log()).contains("Anodot answers again");
    }

    @Test
    void aRestartedSenderOverANonEmptySpoolLosesNothingAndSendsNothingTwice() throws Exception {
        Path dir = tmp.resolve("spool");
        List<AnodotMetric> all = new ArrayList<>();
        anodot.failNext(Mode.ACCEPT, Mode.ACCEPT, Mode.ACCEPT);
        anodot.mode(Mode.FAIL_500);
        SenderHealth first = new SenderHealth();
        Spool spool = Spool.open(dir, 1 << 24, first);
        try (SpoolDelivery delivery = new SpoolDelivery(spool,
                new MetricSender(config(TOKEN).withBatchSize(300), spool.ledger(), first)).start()) {
            for (int b = 0; b < 3; b++) {
                List<AnodotMetric> m = bucket("fraud", NOW - 300 + 60L * b, 500);
                all.addAll(m);
                delivery.offer("fraud-" + (NOW - 300 + 60L * b) + ".json", m);
            }
            // two batches of the first file and one of the second get through, then Anodot fails
            await().atMost(Duration.ofSeconds(10)).until(() -> first.retried() >= 2);
        } // the "crash": the worker stops with the spool half sent
        assertThat(anodot.stored()).hasSize(500 + 300);
        assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".json")).count()).isEqualTo(2);

        // the processor, restarted, writes every bucket again
        anodot.mode(Mode.ACCEPT);
        SenderHealth second = new SenderHealth();
        Spool again = Spool.open(dir, 1 << 24, second);
        for (int b = 0; b < 3; b++) {
            again.offer("fraud-" + (NOW - 300 + 60L * b) + ".json", all.subList(500 * b, 500 * b + 500));
        }
        assertThat(second.alreadyDelivered()).as("the first bucket is in the ledger: not spooled").isEqualTo(500);
        try (SpoolDelivery delivery = new SpoolDelivery(again,
                new MetricSender(config(TOKEN).withBatchSize(300), again.ledger(), second)).start()) {
            assertThat(delivery.awaitEmpty(Duration.ofSeconds(20))).isTrue();
        }
        assertThat(anodot.stored()).hasSize(1500).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(keys(all));
        assertThat(second.sent()).as("only what was missing").isEqualTo(700);
    }

    @Test
    void aTornLastLedgerLineCostsAResendNeverALoss() throws Exception {
        Path ledgerFile = tmp.resolve("ledger.log");
        try (DeliveryLedger ledger = DeliveryLedger.open(ledgerFile)) {
            ledger.record("a-1.json", 300, 900);
            ledger.record("b-2.json", 10, 10);
        }
        Files.writeString(ledgerFile, "1795478400 a-1.js", StandardOpenOption.APPEND); // crash mid-append
        try (DeliveryLedger ledger = DeliveryLedger.open(ledgerFile)) {
            assertThat(ledger.acknowledged("a-1.json")).isEqualTo(300);
            assertThat(ledger.isDelivered("a-1.json")).isFalse();
            assertThat(ledger.isDelivered("b-2.json")).isTrue();
            assertThat(ledger.isDelivered("c-3.json")).isFalse();
        }
        assertThat(Files.readAllLines(ledgerFile)).as("compacted on open").hasSize(2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(ledgerFile))).isEqualTo("rw-------");
    }

    @Test
    void theSpoolIsOwnerOnlyAndBoundedDroppingTheOldestFirst() throws Exception {
        SenderHealth health = new SenderHealth();
        int oneFile = AnodotJson.toJsonArray(bucket("m", NOW, 100)).length;
        Spool spool = Spool.open(tmp.resolve("spool"), 3L * oneFile + oneFile / 2, health);
        for (int b = 0; b < 6; b++) {
            spool.offer("m-" + (1000 + b) + ".json", bucket("m", NOW, 100));
        }
        assertThat(spool.pending().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                .containsExactly("m-1003.json", "m-1004.json", "m-1005.json");
        assertThat(health.dropped()).isEqualTo(300);
        assertThat(health.spooled()).isEqualTo(600);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.dir()))).isEqualTo("rwx------");
        for (Path p : spool.pending()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
        }
        assertThat(watch.log()).contains("dropped the oldest file m-1000.json (100 metrics)");
    }

    @Test
    void startsNoMoreRequestsPerSecondThanConfigured() throws Exception {
        SenderHealth health = new SenderHealth();
        sender(config(TOKEN).withBatchSize(10).withRequestsPerSecond(20), health)
                .send("r.json", bucket("m", NOW, 60), MetricSender.Progress.NONE);

        List<Long> t = anodot.arrivalNanos();
        assertThat(t).hasSize(6);
        // requests start 50 ms apart, so the second to the sixth span at least 200 ms; a lower bound only (a slow
        // machine makes the span longer, never shorter), less 20 ms for the network's jitter on the two ends. The
        // first is left out: it also opens the connection, and arriving late it shortened the span (to 222.8 ms of
        // the 250 ms from the first, on a loaded machine)
        assertThat(t.get(5) - t.get(1)).isGreaterThanOrEqualTo(Duration.ofMillis(180).toNanos());
    }

    @Test
    void theTokenStaysOutOfUrlsExceptionsAndStrings() {
        SenderConfig c = config(TOKEN);
        assertThat(c.redactedEndpoint()).doesNotContain(TOKEN).endsWith("/api/v1/metrics?token=***&protocol=anodot20");
        assertThat(c.toString()).doesNotContain(TOKEN);
        assertThat(c.token().redact("GET /api/v1/metrics?token=" + TOKEN)).doesNotContain(TOKEN);
        assertThatThrownBy(() -> SenderConfig.defaults(URI.create("https://x/?token=" + TOKEN), AnodotToken.of(TOKEN)))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
        assertThat(Files.exists(tmp)).isTrue();
        assertThat(new String(AnodotJson.toJsonArray(List.of()), StandardCharsets.UTF_8)).isEqualTo("[]");
    }
}
