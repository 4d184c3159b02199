package io.infermon.processor.history;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.OutputFixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Following a real processor's metrics.jsonl, whole and as it grows in arbitrary pieces. */
class MetricsLogTest {
    @TempDir
    static Path dir;
    static Path jsonl;
    /**
     * The groups of the file, read independently: key "model|version|signature|timestamp|label window|own" to its
     * line count ("own": the processor's own metrics, which have no model).
     */
    static Map<String, Integer> expected;

    @BeforeAll
    static void processorOutput() throws IOException {
        jsonl = OutputFixture.shared().resolve("metrics.jsonl");
        expected = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : Files.readAllLines(jsonl)) {
            JsonNode p = mapper.readTree(line).get("properties");
            String key = p.path("model").asText("") + "|" + p.path("model_version").asText("") + "|"
                    + p.path("signature").asText("") + "|" + mapper.readTree(line).get("timestamp").asLong() + "|"
                    + p.path("label_window").asText("") + "|"
                    + (!p.has("model") && p.get("what").asText().startsWith("processor_"));
            expected.merge(key, 1, Integer::sum);
        }
    }

    private static Map<String, Integer> byKey(List<MetricGroup> groups) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (MetricGroup g : groups) {
            String key = (g.model() == null ? "|||" + g.startSeconds()
                    : g.model().model() + "|" + g.model().version() + "|" + g.model().signature() + "|"
                    + g.startSeconds()) + "|" + (g.labelWindow() == null ? "" : g.labelWindow()) + "|"
                    + g.isProcessorOwn();
            m.put(key, g.metrics().size()); // a bucket handed out again replaces the earlier one, as readers do
        }
        return m;
    }

    @Test
    void aFinishedFileIsReadAsItsBuckets() throws IOException {
        List<MetricGroup> groups = MetricsLog.readAll(jsonl);
        assertThat(byKey(groups)).isEqualTo(expected);
        // two versions and the agents' health, each in every bucket
        assertThat(groups.stream().filter(MetricGroup::isModelBucket))
                .hasSize(OutputFixture.BUCKETS * OutputFixture.VERSIONS.size());
        assertThat(groups.stream().filter(MetricGroup::isAgentHealth)).hasSize(OutputFixture.BUCKETS);
        // and every bucket's label windows, each a group of its own
        assertThat(groups.stream().filter(MetricGroup::isLabelWindow))
                .hasSize(OutputFixture.BUCKETS * OutputFixture.VERSIONS.size() * OutputFixture.LABEL_WINDOWS.size());
        assertThat(groups.stream().filter(MetricGroup::isProcessorOwn)).isNotEmpty()
                .allSatisfy(g -> assertThat(g.metrics()).allSatisfy(m -> assertThat(m.what()).startsWith("processor_")));
    }

    @Test
    void aGrowingFileIsReadInPiecesCutAnywhereAndNoBucketIsHandedOutUnfinished() throws IOException {
        byte[] all = Files.readAllBytes(jsonl);
        Path growing = dir.resolve("growing.jsonl");
        MetricsLog log = new MetricsLog(growing);
        List<MetricGroup> seen = new ArrayList<>(log.poll(Duration.ofDays(1))); // no file yet
        assertThat(seen).isEmpty();
        java.util.Random random = new java.util.Random(8);
        int at = 0;
        while (at < all.length) {
            int n = Math.min(all.length - at, 1 + random.nextInt(40_000));
            Files.write(growing, java.util.Arrays.copyOfRange(all, at, at + n), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            at += n;
            // a long settle time: only buckets followed by another bucket's line come out
            for (MetricGroup g : log.poll(Duration.ofDays(1))) {
                String key = byKey(List.of(g)).keySet().iterator().next();
                assertThat(g.metrics()).as(key).hasSize(expected.get(key));
                seen.add(g);
            }
        }
        assertThat(seen).hasSize(expected.size() - 1); // the last bucket waits for the file to settle
        seen.addAll(log.poll(Duration.ZERO));
        assertThat(byKey(seen)).isEqualTo(expected);
    }

    @Test
    void theLastBucketComesOutOnceTheFileIsQuietForTheSettleTime() throws IOException {
        AtomicLong now = new AtomicLong();
        Path file = dir.resolve("settle.jsonl");
        Files.write(file, Files.readAllLines(jsonl).subList(0, 10), StandardCharsets.UTF_8);
        MetricsLog log = new MetricsLog(file, now::get);
        assertThat(log.poll(Duration.ofSeconds(1))).isEmpty();
        now.addAndGet(999_000_000L);
        assertThat(log.poll(Duration.ofSeconds(1))).isEmpty();
        now.addAndGet(1_000_000L);
        List<MetricGroup> out = log.poll(Duration.ofSeconds(1));
        assertThat(out).hasSize(1);
        assertThat(out.get(0).metrics()).hasSize(10);
        assertThat(log.poll(Duration.ofSeconds(1))).as("handed out once").isEmpty();

        // the writer had only stalled: the bucket's remaining lines arrive, and the whole bucket comes out again
        List<String> lines = Files.readAllLines(jsonl);
        int firstBucket = expected.values().iterator().next();
        Files.write(file, lines.subList(10, firstBucket + 1), StandardOpenOption.APPEND);
        List<MetricGroup> again = log.poll(Duration.ofSeconds(1));
        assertThat(again).hasSize(1);
        assertThat(again.get(0).metrics()).hasSize(firstBucket);
    }

    @Test
    void aBrokenLineIsSkippedAndCountedAndAReplacedFileIsReadFromItsStart() throws IOException {
        List<String> lines = Files.readAllLines(jsonl);
        int firstBucket = expected.values().iterator().next();
        Path file = dir.resolve("broken.jsonl");
        List<String> withBroken = new ArrayList<>(lines.subList(0, firstBucket));
        withBroken.add(3, "{\"properties\":{\"what\":\"inference_ca"); // a line cut short by a crash
        Files.write(file, withBroken);
        MetricsLog log = new MetricsLog(file);
        List<MetricGroup> out = log.poll(Duration.ZERO);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).metrics()).hasSize(firstBucket);
        assertThat(log.skippedLines()).isEqualTo(1);

        Files.write(file, lines.subList(0, 5)); // replaced by a shorter file
        List<MetricGroup> restarted = log.poll(Duration.ZERO);
        assertThat(restarted).hasSize(1);
        assertThat(restarted.get(0).metrics()).hasSize(5);

        // replaced and grown past where the reader was before it looked again (a processor restarted afresh)
        List<String> other = new ArrayList<>(lines.subList(firstBucket, firstBucket + 7));
        other.set(0, other.get(0) + " "); // shifts every later line end by one byte
        Files.write(file, other);
        List<MetricGroup> again = log.poll(Duration.ZERO);
        assertThat(again).hasSize(1);
        assertThat(again.get(0).metrics()).hasSize(7);
        assertThat(again.get(0).model().version()).isEqualTo("2");
    }
}
