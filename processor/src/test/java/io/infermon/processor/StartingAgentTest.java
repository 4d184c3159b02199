package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.capture.AgentWatermark;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.StartingAgentFile;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent opens its queue only at its first record, so its first calls wait in its ring while Chronicle starts. A
 * live processor reading another queue meanwhile must not close their buckets on that queue's watermarks: the
 * agent's starting file holds them open until the queue's own watermarks take over.
 */
class StartingAgentTest {

    @Test
    void theFirstCallsOfAnAgentWhoseQueueOpensLateAreNotLate(@TempDir Path dir) throws Exception {
        Path running = dir.resolve("running");
        Path starting = dir.resolve("starting");
        long start = Math.floorDiv(System.currentTimeMillis(), 1_000L) * 1_000L - 5_000; // bucket-aligned, past
        long agentA = start * 1_000_000L;
        long agentB = agentA + 1;
        int callsA = 0;
        // the service already running: calls and watermarks through three buckets, then its agent stops
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(running).build()) {
            ExcerptAppender a = q.createAppender();
            for (long t = start; t < start + 3_000; t += 100, callsA++) {
                write(a, Records.watermark(t, agentA, false));
                write(a, Records.encode(Records.call(t, "a", new float[][] {{1}}, null)));
            }
            write(a, Records.watermark(start + 3_000, agentA, true));
        }
        // the service starting: its agent's file, nothing of Chronicle's yet
        Files.createDirectories(starting);
        Path file = StartingAgentFile.of(starting, 4242, agentB);
        StartingAgentFile.write(file, new AgentWatermark((start + 1_500) * 1_000_000L, agentB, false),
                ByteBuffer.allocate(CaptureCodec.WATERMARK_LENGTH).order(ByteOrder.LITTLE_ENDIAN), new CRC32C());

        List<ClosedBucket> closed = new CopyOnWriteArrayList<>();
        Path out = dir.resolve("out");
        try (MergedQueues reader = new MergedQueues(List.of(running, starting)); MetricFiles files = new MetricFiles(out)) {
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(1), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS, 10, 2);
            Processor processor = new Processor(reader, buckets, References.none(), files, closed::add, out, null,
                    Duration.ofHours(1));
            processor.idleTimeout(Duration.ofSeconds(30)); // no idle rule or processor clock within this test
            LiveProcessorThread live = LiveProcessorThread.start(processor);
            // the starting agent holds its watermark, start + 1.5 s: the first bucket closes, the second may not
            await().atMost(Duration.ofSeconds(30)).until(() -> closed.stream()
                    .anyMatch(b -> b.startMillis() == start && b.model().name().equals("a")));

            // its queue opens with the first call, which started after the file's watermark, in the second bucket
            try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(starting).build()) {
                ExcerptAppender a = q.createAppender();
                write(a, Records.watermark(start + 1_500, agentB, false));
                Files.delete(file);
                write(a, Records.encode(Records.call(start + 1_600, "b", new float[][] {{2}}, null)));
                write(a, Records.watermark(start + 3_000, agentB, true));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> closed.stream()
                    .anyMatch(b -> b.startMillis() == start + 2_000 && b.model().name().equals("a")));
            live.stop();
            assertThat(buckets.lateRecords()).isZero();
            assertThat(closed).filteredOn(b -> b.model().name().equals("b") && b.hasCalls())
                    .singleElement().satisfies(b -> {
                        assertThat(b.startMillis()).isEqualTo(start + 1_000);
                        assertThat(b.statistics().inferenceCalls()).isEqualTo(1);
                    });
            assertThat(closed.stream().filter(b -> b.model().name().equals("a"))
                    .mapToLong(b -> b.statistics().inferenceCalls()).sum()).isEqualTo(callsA);
            processor.close();
        }
    }

    private static void write(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }
}
