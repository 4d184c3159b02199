package io.infermon.processor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.OutputFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/labels} over the fixture's real run: every label window's numbers against the fixture's own
 * rows, labels and label times (computed here, not by the processor's code), windows that arrive after their bucket
 * was shown, and the bound on what is kept.
 */
class DashboardLabelsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static JsonNode get(URI base, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static int status(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    /** What one window should say, from the fixture's inputs. */
    private record Expected(long labelled, double coverage, double accuracy, double expectedAccuracy,
                            double macroF1, double logLoss, double brier) {
    }

    /**
     * The window of maturity {@code window} of bucket {@code b}: the rows whose label time is before the bucket's end
     * plus the maturity, scored against the fixture's probabilities (the true digit at 0.7, or 0.4 once drifted, the
     * rest shared evenly, as float32).
     */
    private static Expected expected(int b, String version, String window) {
        long cutoff = (OutputFixture.T0_SECONDS + (b + 1L) * OutputFixture.BUCKET_SECONDS) * 1000
                + OutputFixture.maturityMillis(window);
        int predictedRows = OutputFixture.CALLS_PER_BUCKET * OutputFixture.ROWS_PER_CALL;
        List<int[]> pairs = new ArrayList<>(); // {label, predicted}
        double logLoss = 0;
        double brier = 0;
        double pred1 = 0;
        for (int c = 0; c < OutputFixture.CALLS_PER_BUCKET; c++) {
            for (int r = 0; r < OutputFixture.ROWS_PER_CALL; r++) {
                int label = OutputFixture.label(b, version, c, r);
                if (label < 0 || OutputFixture.callMillis(b, c) + OutputFixture.labelDelayMillis(r) >= cutoff) {
                    continue;
                }
                int predicted = OutputFixture.predicted(b, version, c, r);
                float[] p = OutputFixture.probabilities(predicted, OutputFixture.drifted(b, version));
                pairs.add(new int[] {label, predicted});
                logLoss -= Math.log(p[label]);
                for (int k = 0; k < p.length; k++) {
                    double d = (double) p[k] - (k == label ? 1 : 0);
                    brier += d * d;
                }
                pred1 += p[predicted];
            }
        }
        int n = pairs.size();
        long right = pairs.stream().filter(x -> x[0] == x[1]).count();
        Set<Integer> classes = new TreeSet<>();
        pairs.forEach(x -> {
            classes.add(x[0]);
            classes.add(x[1]);
        });
        double f1Sum = 0;
        for (int k : classes) {
            long tp = pairs.stream().filter(x -> x[0] == k && x[1] == k).count();
            long fp = pairs.stream().filter(x -> x[0] != k && x[1] == k).count();
            long fn = pairs.stream().filter(x -> x[0] == k && x[1] != k).count();
            f1Sum += 2.0 * tp / (2 * tp + fp + fn);
        }
        return new Expected(n, (double) n / predictedRows, (double) right / n, pred1 / n, f1Sum / classes.size(),
                logLoss / n, brier / n);
    }

    @Test
    void everyLabelWindowOfEveryVersionHasTheFixturesNumbers() throws Exception {
        try (DashboardServer server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null),
                OutputFixture.shared(), null, 100)) {
            JsonNode body = get(server.url(), "api/v1/labels?model=digits");
            JsonNode series = body.get("series");
            assertThat(series).hasSize(OutputFixture.VERSIONS.size());
            for (int v = 0; v < OutputFixture.VERSIONS.size(); v++) {
                String version = OutputFixture.VERSIONS.get(v);
                JsonNode s = series.get(v);
                assertThat(s.get("version").asText()).isEqualTo(version);
                assertThat(s.get("signature").asText()).isEqualTo(OutputFixture.SIGNATURE);
                JsonNode windows = s.get("windows");
                // by maturity, then by bucket start: 2m of every bucket, then 5m
                assertThat(windows).hasSize(OutputFixture.LABEL_WINDOWS.size() * OutputFixture.BUCKETS);
                int i = 0;
                for (String window : OutputFixture.LABEL_WINDOWS) {
                    for (int b = 0; b < OutputFixture.BUCKETS; b++) {
                        JsonNode w = windows.get(i++);
                        String where = "version " + version + " bucket " + b + " window " + window;
                        assertThat(w.get("window").asText()).as(where).isEqualTo(window);
                        assertThat(w.get("maturitySeconds").asLong()).isEqualTo(
                                OutputFixture.maturityMillis(window) / 1000);
                        assertThat(w.get("start").asLong()).as(where).isEqualTo(
                                OutputFixture.T0_SECONDS + (long) b * OutputFixture.BUCKET_SECONDS);
                        Expected e = expected(b, version, window);
                        assertThat(w.get("labeledRows").asLong()).as(where).isEqualTo(e.labelled());
                        assertThat(w.get("coverage").asDouble()).as(where).isEqualTo(e.coverage());
                        assertThat(w.get("accuracy").asDouble()).as(where).isEqualTo(e.accuracy());
                        assertThat(w.get("f1Macro").asDouble()).as(where).isCloseTo(e.macroF1(), within(1e-12));
                        assertThat(w.get("expectedAccuracy").asDouble()).as(where)
                                .isCloseTo(e.expectedAccuracy(), within(1e-9));
                        assertThat(w.get("logLoss").asDouble()).as(where).isCloseTo(e.logLoss(), within(1e-9));
                        assertThat(w.get("brierScore").asDouble()).as(where).isCloseTo(e.brier(), within(1e-9));
                        assertThat(w.get("rocAuc").asDouble()).as(where).isBetween(0.5, 1.0);
                        assertThat(w.has("mae")).as("a classifier has no regression error").isFalse();
                    }
                }
            }
            // the fixture is what it claims: the 5m window sees every label, the 2m one the 30 s ones only; the
            // drifted version's accuracy falls where its labels disagree
            JsonNode v2 = series.get(1).get("windows");
            assertThat(v2.get(0).get("coverage").asDouble()).isEqualTo(48.0 / 120);
            assertThat(v2.get(OutputFixture.BUCKETS).get("coverage").asDouble()).isEqualTo(96.0 / 120);
            assertThat(v2.get(OutputFixture.BUCKETS).get("accuracy").asDouble()).isEqualTo(1.0);
            assertThat(v2.get(2 * OutputFixture.BUCKETS - 1).get("accuracy").asDouble()).isLessThan(0.7);

            // the label windows are not buckets: every bucket is still there, with its own numbers
            JsonNode buckets = get(server.url(), "api/v1/buckets?model=digits&version=2").get("series").get(0)
                    .get("buckets");
            assertThat(buckets).hasSize(OutputFixture.BUCKETS);
            assertThat(buckets).allSatisfy(b -> assertThat(b.get("calls").asLong())
                    .isEqualTo(OutputFixture.CALLS_PER_BUCKET));
            // nor are the processor's own metrics (processor_labels, no model, no agent) an agent's health
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(server.url(),
                    "api/v1/agents").get("buckets")).hasSize(OutputFixture.BUCKETS).allSatisfy(a ->
                    assertThat(a.get("agents").fieldNames()).toIterable().containsExactly(OutputFixture.AGENT)));

            // nothing new after the generation just read; filters and errors as for /buckets
            long generation = get(server.url(), "api/v1/labels?model=digits").get("generation").asLong();
            assertThat(get(server.url(), "api/v1/labels?model=digits&after=" + generation).get("series"))
                    .allSatisfy(x -> assertThat(x.get("windows")).isEmpty());
            assertThat(get(server.url(), "api/v1/labels?model=digits&version=1").get("series")).hasSize(1);
            assertThat(status(server.url(), "api/v1/labels?model=nope")).isEqualTo(404);
            assertThat(status(server.url(), "api/v1/labels")).isEqualTo(400);
            assertThat(status(server.url(), "api/v1/labels?model=digits&after=x")).isEqualTo(400);
        }
    }

    @Test
    void windowsArrivingAfterTheirBucketsComeAfterTheGenerationAlreadySeenAndAreBounded(@TempDir Path dir)
            throws Exception {
        List<String> lines = Files.readAllLines(OutputFixture.shared().resolve("metrics.jsonl"));
        List<String> withoutLabels = lines.stream().filter(l -> !l.contains("\"label_window\"")).toList();
        List<String> labelLines = lines.stream().filter(l -> l.contains("\"label_window\"")).toList();
        assertThat(labelLines).isNotEmpty();
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.write(out.resolve("metrics.jsonl"), withoutLabels);
        int kept = 3;
        try (DashboardServer server = DashboardServer.start(DashboardSettings.of("127.0.0.1", 0, null), out, null,
                kept)) {
            // every bucket shown (the agents' last bucket ends the file: it comes after the settle time)
            await().atMost(Duration.ofSeconds(10)).until(() -> get(server.url(), "api/v1/agents").get("buckets")
                    .size() == kept);
            JsonNode before = get(server.url(), "api/v1/labels?model=digits");
            assertThat(before.get("series")).allSatisfy(s -> assertThat(s.get("windows")).isEmpty());
            long seen = before.get("generation").asLong();

            Files.write(out.resolve("metrics.jsonl"), labelLines, StandardOpenOption.APPEND);
            // each version's windows, of the newest `kept` buckets per maturity; all read after `seen` (the file's
            // last window comes once the file has been quiet for the settle time)
            long lastStart = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - 1L) * OutputFixture.BUCKET_SECONDS;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(get(server.url(),
                    "api/v1/labels?model=digits&after=" + seen).get("series")).allSatisfy(s -> {
                        assertThat(s.get("windows")).hasSize(kept * OutputFixture.LABEL_WINDOWS.size());
                        assertThat(s.get("windows").get(s.get("windows").size() - 1).get("start").asLong())
                                .isEqualTo(lastStart);
                    }));
            JsonNode after = get(server.url(), "api/v1/labels?model=digits&version=2&after=" + seen);
            long firstKept = OutputFixture.T0_SECONDS + (OutputFixture.BUCKETS - kept) * (long) OutputFixture.BUCKET_SECONDS;
            JsonNode windows = after.get("series").get(0).get("windows");
            assertThat(windows).allSatisfy(w -> {
                assertThat(w.get("start").asLong()).isGreaterThanOrEqualTo(firstKept);
                assertThat(w.get("sequence").asLong()).isGreaterThan(seen);
            });
            Expected last = expected(OutputFixture.BUCKETS - 1, "2", "5m");
            assertThat(windows.get(windows.size() - 1).get("accuracy").asDouble()).isEqualTo(last.accuracy());
            // the buckets did not change
            assertThat(get(server.url(), "api/v1/buckets?model=digits&version=2").get("series").get(0)
                    .get("buckets")).hasSize(kept);
        }
    }
}
