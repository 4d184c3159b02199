package io.infermon.processor.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infermon.anodot.standin.AnodotStandIn;
import io.infermon.processor.ProcessorCommand;
import io.infermon.processor.Records;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor in a child JVM, delivering to the Anodot stand-in, killed with SIGKILL while Anodot fails and
 * buckets wait in the spool, then restarted (reading its queue from the start again, as it does): every bucket's
 * metrics reach Anodot, none twice, and the token is in no log and no file.
 */
class ProcessorKillRestartTest {
    private static final String TOKEN = "k1ll-T0KEN-7a6b5c";
    private static final long BUCKET_SECONDS = 10;
    /** Ten minutes ago, on a bucket boundary: recent enough for Anodot's rules, far from the "future" limit. */
    private static final long T0 = (System.currentTimeMillis() / 1000 - 600) / BUCKET_SECONDS * BUCKET_SECONDS;

    @TempDir
    Path tmp;

    private AnodotStandIn anodot;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void setUp() {
        anodot = new AnodotStandIn(TOKEN, 1000, 2000).start();
    }

    @AfterEach
    void tearDown() {
        children.forEach(Process::destroyForcibly);
        anodot.close();
    }

    private void appendCalls(Path queue, int fromBucket, int toBucket) {
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int b = fromBucket; b < toBucket; b++) {
                long t = (T0 + b * BUCKET_SECONDS) * 1000 + 500;
                float[][] features = {{b, 1}, {b + 1, 2}, {b + 2, 3}};
                float[][] probs = {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.6f, 0.4f}};
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(Records.encode(Records.call(t, "digits", features, probs)));
                }
            }
        }
    }

    private Process processor(Path queue, Path out, Path log, String... extra) throws Exception {
        return processor(TOKEN, queue, out, log, extra);
    }

    private Process processor(String token, Path queue, Path out, Path log, String... extra) throws Exception {
        List<String> cmd = ProcessorCommand.of("run",
                "--queue", queue.toString(), "--out", out.toString(), "--bucket", BUCKET_SECONDS + "s",
                "--anodot-url", anodot.url(), "--anodot-batch-size", "10", "--anodot-backoff", "10ms",
                "--anodot-backoff-max", "100ms", "--anodot-timeout", "3s", "--anodot-rate", "1000");
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("INFERMON_ANODOT_TOKEN", token);
        pb.environment().remove("INFERMON_ANODOT_URL");
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /** Every metric in the processor's own files, as the stand-in keys them. */
    private static List<String> writtenMetrics(Path anodotDir) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.list(anodotDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                for (JsonNode m : json.readTree(f.toFile())) {
                    keys.add(AnodotStandIn.key(m));
                }
            }
        }
        return keys;
    }

    private static long spooled(Path spool, String prefix) throws Exception {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }

    @Test
    void aDrainThatAnodotRefusesEndsWithExitCodeOneAndKeepsTheFiles() throws Exception {
        Path queue = tmp.resolve("queue");
        Path out = tmp.resolve("out");
        Path spool = tmp.resolve("spool");
        Path log = tmp.resolve("refused.log");
        appendCalls(queue, 0, 4);

        Process p = processor("not-the-token", queue, out, log, "--spool", spool.toString(), "--drain");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(p.exitValue()).as(output).isEqualTo(1);
        assertThat(anodot.stored()).isEmpty();
        long refused;
        try (Stream<Path> files = Files.list(spool.resolve("failed"))) {
            refused = files.filter(f -> f.toString().endsWith(".json")).count();
        }
        assertThat(refused).isPositive();
        assertThat(output).contains("infermon: Anodot refused " + refused + " file(s); they are in "
                + spool.resolve("failed")).doesNotContain("not-the-token");
    }

    @Test
    void killedWithAFullSpoolAndRestartedItLosesNothingAndSendsNothingTwice() throws Exception {
        Path queue = tmp.resolve("queue");
        Path out = tmp.resolve("out");
        Path spool = tmp.resolve("spool");
        Path log = tmp.resolve("processor.log");
        appendCalls(queue, 0, 4); // buckets 0..2 close, 3 stays open

        Process first = processor(queue, out, log, "--spool", spool.toString());
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.isDirectory(out.resolve("anodot"))
                && anodot.stored().size() > 0 && anodot.stored().containsAll(writtenMetrics(out.resolve("anodot"))));
        int deliveredBeforeOutage = writtenMetrics(out.resolve("anodot")).size();
        assertThat(deliveredBeforeOutage).isPositive();

        anodot.mode(AnodotStandIn.Mode.FAIL_500);
        appendCalls(queue, 4, 8); // buckets 3..6 close while Anodot fails
        await().atMost(Duration.ofSeconds(60)).until(() -> spooled(spool, "digits-") == 4);
        first.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).isEqualTo(137);

        anodot.mode(AnodotStandIn.Mode.ACCEPT);
        Process second = processor(queue, out, log, "--spool", spool.toString(), "--drain",
                "--anodot-drain-timeout", "60s");
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).as("restarted processor finishes").isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(second.exitValue()).as(output).isZero();

        List<String> written = writtenMetrics(out.resolve("anodot"));
        List<String> models = anodot.stored().stream().filter(k -> !k.contains("component=anodot_sender")).toList();
        assertThat(written).hasSizeGreaterThan(deliveredBeforeOutage);
        assertThat(models).as("every bucket's metrics once").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(written);
        assertThat(anodot.stored()).doesNotHaveDuplicates();
        assertThat(anodot.stored()).anyMatch(k -> k.contains("what=infermon_anodot_sent"));
        assertThat(spooled(spool, "digits-")).isZero();
        assertThat(output).contains("token=***");

        try (Stream<Path> files = Files.walk(tmp)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as("file %s", f)
                        .doesNotContain(TOKEN);
            }
        }
        assertThat(String.join(File.pathSeparator, spool.toString())).doesNotContain(TOKEN);
    }
}
