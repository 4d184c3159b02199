package io.infermon.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's main command, shortened: {@code infermon demo} with three 20-second phases of 5-second buckets, run as
 * a user runs it (the processor jar, which starts the digits service with the agent, the processor and the traffic
 * as child JVMs). Checked from the processor's raw outputs, not from the demo's own summary: input drift is flagged in
 * every whole bucket of phase 2 and in none of phases 1 and 3, its alert opens once, in phase 2; accuracy from the late
 * labels is high in phase 1 and falls in phase 3 (the weak model version), where its alert opens for version 2.
 */
class DemoIT {
    private static final long WIDTH_SECONDS = 5;

    @TempDir
    Path tmp;

    @Test
    void driftIsFlaggedInPhaseTwoOnlyAndAccuracyFallsInPhaseThree() throws Exception {
        Path work = tmp.resolve("demo");
        String output = ChildJvm.processor().log(tmp.resolve("demo.log"))
                .args("demo", "--phase", "20s", "--bucket", WIDTH_SECONDS + "s", "--work", work.toString(),
                        "--dashboard-port", Integer.toString(freePort()), "--no-linger")
                .runOk();
        Path out = work.resolve("out");

        List<long[]> phases = new ArrayList<>(); // [first bucket start, last bucket start] of whole buckets, seconds
        for (int n = 1; n <= 3; n++) {
            Properties sent = new Properties();
            try (var in = Files.newBufferedReader(work.resolve("phase-" + n + ".sent"))) {
                sent.load(in);
            }
            long first = Long.parseLong(sent.getProperty("first_request_ms"));
            long last = Long.parseLong(sent.getProperty("last_request_ms"));
            long firstWhole = Math.floorDiv(first + WIDTH_SECONDS * 1000 - 1, WIDTH_SECONDS * 1000) * WIDTH_SECONDS;
            long lastWhole = Math.floorDiv(last, WIDTH_SECONDS * 1000) * WIDTH_SECONDS - WIDTH_SECONDS;
            assertThat(lastWhole).as("phase %d has whole buckets", n).isGreaterThanOrEqualTo(firstWhole + WIDTH_SECONDS);
            phases.add(new long[] {firstWhole, lastWhole});
        }

        Map<Long, Double> driftShare = new TreeMap<>();
        Map<Long, Double> accuracy = new TreeMap<>();
        Map<Long, String> version = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode m = json.readTree(line);
            JsonNode p = m.path("properties");
            long t = m.path("timestamp").asLong();
            if (!"digits".equals(p.path("model").asText())) {
                continue;
            }
            if (p.path("what").asText().equals("drift_share")) {
                driftShare.put(t, m.path("value").asDouble());
                version.put(t, p.path("model_version").asText());
            } else if (p.path("what").asText().equals("accuracy") && !p.has("class")) {
                accuracy.put(t, m.path("value").asDouble());
            }
        }

        for (int n = 1; n <= 3; n++) {
            long[] b = phases.get(n - 1);
            String expectedVersion = n == 3 ? "2" : "1";
            for (long t = b[0]; t <= b[1]; t += WIDTH_SECONDS) {
                assertThat(version.get(t)).as("model version of bucket %d in phase %d", t, n).isEqualTo(expectedVersion);
                if (n == 2) {
                    assertThat(driftShare.get(t)).as("drift share of bucket %d in phase 2", t).isGreaterThan(0.5);
                } else {
                    assertThat(driftShare.get(t)).as("drift share of bucket %d in phase %d", t, n).isLessThan(0.1);
                }
            }
        }

        List<Double> phase1 = valuesIn(accuracy, phases.get(0));
        List<Double> phase3 = valuesIn(accuracy, phases.get(2));
        assertThat(phase1).as("labelled buckets of phase 1").hasSizeGreaterThanOrEqualTo(2).allSatisfy(a ->
                assertThat(a).isGreaterThan(0.95));
        assertThat(phase3).as("labelled buckets of phase 3").hasSizeGreaterThanOrEqualTo(2).allSatisfy(a ->
                assertThat(a).isLessThan(0.85));

        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            events.add(json.readTree(line));
        }
        List<JsonNode> driftOpened = events.stream().filter(e -> e.path("alert").asText().equals("inputs drifted")
                && e.path("state").asText().equals("open")).toList();
        assertThat(driftOpened).hasSize(1);
        assertThat(driftOpened.get(0).path("bucket").asLong()).isBetween(phases.get(1)[0], phases.get(1)[1]);
        assertThat(events).anySatisfy(e -> {
            assertThat(e.path("alert").asText()).isEqualTo("accuracy fell");
            assertThat(e.path("state").asText()).isEqualTo("open");
            assertThat(e.path("series").path("model_version").asText()).isEqualTo("2");
            assertThat(e.path("bucket").asLong()).isBetween(phases.get(2)[0], phases.get(2)[1]);
        });

        assertThat(output).contains("==> Phase 3 of 3", "==> Summary", "Input drift: the alert 'inputs drifted' opened",
                "(phase 2, inverted digits", "when model version 2 was served");
        assertThat(Files.exists(work.resolve("summary.json"))).isTrue();
    }

    private static List<Double> valuesIn(Map<Long, Double> byBucket, long[] range) {
        List<Double> values = new ArrayList<>();
        for (long t = range[0]; t <= range[1]; t += WIDTH_SECONDS) {
            if (byBucket.containsKey(t)) {
                values.add(byBucket.get(t));
            }
        }
        return values;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
