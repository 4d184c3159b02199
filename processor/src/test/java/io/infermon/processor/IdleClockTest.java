package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.drift.References;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The processor's own clock: an agent killed without a last watermark leaves its queue silent. A live processor then
 * waits the idle timeout and takes its clock (less the idle timeout) as the watermark, so the bucket of the agent's
 * last calls closes, and the model's empty buckets follow as time goes on, although nothing is written any more.
 */
class IdleClockTest {

    @Test
    void whenEveryQueueIsSilentTheProcessorsClockClosesTheLastBuckets(@TempDir Path dir) throws Exception {
        Path queue = dir.resolve("queue");
        long start = System.currentTimeMillis();
        int calls = 0;
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            long agent = start * 1_000_000L;
            for (long t = start; t < start + 1_500; t += 50, calls++) {
                write(a, Records.watermark(t, agent, false));
                write(a, Records.encode(Records.call(t, "m", new float[][] {{1}}, null)));
            }
            // killed: no last watermark
        }
        List<ClosedBucket> closed = new CopyOnWriteArrayList<>();
        Path out = dir.resolve("out");
        try (MergedQueues reader = new MergedQueues(List.of(queue)); MetricFiles files = new MetricFiles(out)) {
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(1), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS, 10, 2);
            Processor processor = new Processor(reader, buckets, References.none(), files, closed::add, out, null,
                    Duration.ofHours(1));
            processor.idleTimeout(Duration.ofMillis(500));
            LiveProcessorThread live = LiveProcessorThread.start(processor);
            long lastBucket = buckets.bucketStart(start + 1_450);
            // the bucket of the last calls, then two empty ones: only the processor's clock can close them
            await().atMost(Duration.ofSeconds(30)).until(() -> closed.stream()
                    .anyMatch(b -> b.startMillis() == lastBucket + 2_000));
            live.stop();
            assertThat(closed.stream().mapToLong(b -> b.statistics().inferenceCalls()).sum()).isEqualTo(calls);
            assertThat(closed).filteredOn(b -> !b.hasCalls()).extracting(ClosedBucket::startMillis)
                    .containsExactly(lastBucket + 1_000, lastBucket + 2_000);
            assertThat(buckets.lateRecords()).isZero();
            processor.close();
        }
    }

    private static void write(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }
}
