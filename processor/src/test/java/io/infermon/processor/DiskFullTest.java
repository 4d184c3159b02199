package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full output disk (a real one: a small tmpfs, filled up) pauses the processor instead of failing or losing
 * anything; when space returns it resumes, and its outputs equal those of a run that never met a full disk.
 * Mounting needs root (as in CI's container); without it the test is skipped with the reason.
 */
class DiskFullTest {
    private static final long T0 = 1_795_500_000_000L;

    @TempDir
    Path dir;

    private static void produce(Path queue) {
        double[][] cancer = Datasets.breastCancer();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            for (int i = 0; i < 400; i++) {
                float[][] x = new float[8][4];
                float[][] p = new float[8][2];
                for (int r = 0; r < 8; r++) {
                    double[] row = cancer[(i * 8 + r) % cancer.length];
                    for (int j = 0; j < 4; j++) {
                        x[r][j] = (float) (row[j] * (1 + i / 500.0));
                    }
                    float p1 = (float) (1 / (1 + Math.exp(-(row[0] - 14) / 3)));
                    p[r] = new float[] {1 - p1, p1};
                }
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(Records.encode(Records.call(T0 + i * 250L, "cancer", x, p)));
                }
            }
        }
    }

    private static Processor processor(MergedQueues reader, MetricFiles files, Path out) throws IOException {
        EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(10), Duration.ZERO,
                EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS);
        return new Processor(reader, buckets, References.none(), files, b -> { }, out, null, Duration.ofHours(1));
    }

    private static int sh(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor();
    }

    @Test
    void aFullDiskPausesTheProcessorAndItResumesLosingNothing() throws Exception {
        Path queue = dir.resolve("queue");
        produce(queue);
        Path clean = dir.resolve("clean");
        try (MergedQueues r = new MergedQueues(List.of(queue)); MetricFiles f = new MetricFiles(clean)) {
            try (Processor p = processor(r, f, clean)) {
                p.run(true);
            }
        }

        Path full = dir.resolve("full");
        Files.createDirectories(full);
        Assumptions.assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", full.toString()) == 0,
                "mounting a tmpfs needs root");
        try {
            Path out = full.resolve("out");
            MetricFiles files = new MetricFiles(out);
            Path filler = full.resolve("filler");
            try (OutputStream o = Files.newOutputStream(filler)) {
                byte[] chunk = new byte[16 * 1024];
                while (true) {
                    o.write(chunk);
                }
            } catch (IOException expected) {
                // the disk is full now
            }
            AtomicReference<Processor> running = new AtomicReference<>();
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                try (MergedQueues r = new MergedQueues(List.of(queue))) {
                    Processor p = processor(r, files, out);
                    running.set(p);
                    p.run(true);
                    p.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> running.get() != null && running.get().outputPaused());
            assertThat(done).isNotDone();
            Files.delete(filler);
            done.get(60, java.util.concurrent.TimeUnit.SECONDS);
            files.close();
            assertThat(running.get().outputFailures()).isPositive();
            assertThat(running.get().outputPaused()).isFalse();
            Map<String, byte[]> expected = OutputFiles.read(clean);
            Map<String, byte[]> actual = OutputFiles.read(out);
            assertThat(actual.keySet()).isEqualTo(expected.keySet());
            assertThat(expected.keySet().stream().filter(f -> f.startsWith("anodot/cancer-"))).hasSize(10);
            for (String f : expected.keySet()) {
                assertThat(actual.get(f)).as(f).isEqualTo(expected.get(f));
            }
        } finally {
            sh("umount", full.toString());
        }
    }
}
