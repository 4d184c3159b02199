package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.processor.cli.InfermonCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Traffic that stops shows: a model key whose calls stop gets empty buckets (inference_calls 0, buffer_count 0 and
 * nothing else) for --empty-buckets buckets, and the alert rule documented in docs/processor-yaml.md ("Traffic that
 * stops", read from the page itself) opens on the second of them and resolves when the calls come back.
 */
class TrafficStoppedTest {
    private static final long T0 = 1_795_500_000_000L;
    private static final long WIDTH = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The rule as the page documents it. */
    private static String documentedRule() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "processor-yaml.md"));
        Matcher block = Pattern.compile("### Traffic that stops.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(block.find()).as("the example in docs/processor-yaml.md").isTrue();
        return block.group(1);
    }

    @Test
    void aModelWhoseCallsStopGetsEmptyBucketsAndTheDocumentedRuleOpensOnThem(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int b = 0; b < 16; b++) {
                // digits: every bucket; fraud: buckets 0-2, silent 3-12, back in 13-15
                List<String> models = b < 3 || b >= 13 ? List.of("digits", "fraud") : List.of("digits");
                for (String model : models) {
                    for (int c = 0; c < 3; c++) {
                        try (DocumentContext dc = a.writingDocument()) {
                            dc.wire().bytes().write(Records.encode(Records.call(T0 + b * WIDTH + c * 1_000L, model,
                                    new float[][] {{b, c}}, new float[][] {{0.25f, 0.75f}})));
                        }
                    }
                }
            }
        }
        Path config = Files.writeString(dir.resolve("processor.yaml"), documentedRule());
        Path out = dir.resolve("out");
        int exit = new CommandLine(new InfermonCli()).execute("run", "--config", config.toString(), "--queue",
                queue.toString(), "--out", out.toString(), "--bucket", "10s", "--empty-buckets", "8", "--drain",
                "--quiet", "--no-checkpoint");
        assertThat(exit).isZero();

        // fraud's metrics by bucket: three with calls, eight empty (of the ten silent), three with calls again
        Map<Long, List<String>> fraud = new TreeMap<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            JsonNode m = JSON.readTree(line);
            if ("fraud".equals(m.path("properties").path("model").asText())) {
                long bucket = (m.get("timestamp").asLong() * 1000 - T0) / WIDTH;
                fraud.computeIfAbsent(bucket, k -> new ArrayList<>()).add(
                        m.path("properties").path("what").asText() + "=" + m.get("value").asDouble());
            }
        }
        assertThat(fraud.keySet()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 13L, 14L, 15L);
        for (long b = 3; b <= 10; b++) {
            assertThat(fraud.get(b)).as("bucket %d", b).containsExactly("inference_calls=0.0", "buffer_count=0.0");
        }
        assertThat(fraud.get(2L)).contains("inference_calls=3.0", "buffer_count=3.0").hasSizeGreaterThan(10);

        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("alerts.jsonl"))) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).extracting(e -> e.get("alert").asText() + " " + e.get("state").asText() + " "
                + e.path("series").path("model").asText() + " " + (e.get("bucket").asLong() * 1000 - T0) / WIDTH)
                .containsExactly("traffic stopped open fraud 4", "traffic stopped resolved fraud 13");
        try (var profiles = Files.list(out.resolve("profiles"))) { // empty buckets have nothing to merge
            assertThat(profiles.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("fraud"))).hasSize(6);
        }
    }
}
