package io.infermon.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.EventTimeBuckets;
import io.infermon.processor.checkpoint.Checkpoint;
import io.infermon.processor.drift.References;
import io.infermon.processor.output.MetricFiles;
import io.infermon.processor.queue.MergedQueues;
import io.infermon.processor.stats.StatisticsSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One watermark step (or the end of a drain) that closes several bucket starts writes them as several bucket
 * boundaries, each checkpointed. A processor that dies after one of them and restarts must still write the rest,
 * exactly as a run that did not die: the checkpoint holds them as open buckets. (It once held them nowhere: they were
 * taken off the open buckets all at once, and a kill after the first boundary lost the others.)
 */
class StepCrashTest {
    /** A bucket start in the past (records from the future are refused). */
    private static final long T0 = 1_795_000_000_000L;
    private static final long AGENT_START_NANOS = (T0 - 60_000L) * 1_000_000L;

    @TempDir
    Path dir;

    /** Thrown by the bucket callback to stop the processor just after a boundary's checkpoint, as a kill would. */
    private static final class Crash extends RuntimeException {
    }

    /**
     * Model m has calls in the buckets starting at 0, 2 and 4 s, then (after 2 empty buckets, at 6 and 8 s) more at
     * 20 s; model n has one call at 2 s. With {@code oneStep}, the watermark moves from 0 to 10 s in one record, and
     * the starts 0, 2, 4, 6 and 8 s close at it; without, no watermark moves past them before the drain's end.
     */
    private Path queue(boolean oneStep) {
        Path queue = dir.resolve("queue");
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(queue).build()) {
            ExcerptAppender a = q.createAppender();
            append(a, Records.watermark(T0, AGENT_START_NANOS, false));
            append(a, call(100, "m", 1));
            append(a, call(2_100, "m", 2));
            append(a, call(2_300, "n", 3));
            append(a, call(4_100, "m", 4));
            if (oneStep) {
                append(a, Records.watermark(T0 + 10_000, AGENT_START_NANOS, false));
                append(a, call(20_100, "m", 5));
            }
        }
        return queue;
    }

    private static byte[] call(long offsetMillis, String model, int seed) {
        float[][] x = new float[4][3];
        float[][] p = new float[4][2];
        for (int r = 0; r < 4; r++) {
            for (int j = 0; j < 3; j++) {
                x[r][j] = seed * 10 + r + j / 4f;
            }
            float p1 = (seed + r) % 5 / 5f + 0.1f;
            p[r] = new float[] {1 - p1, p1};
        }
        return Records.encode(Records.call(T0 + offsetMillis, model, x, p));
    }

    private static void append(ExcerptAppender a, byte[] bytes) {
        try (DocumentContext dc = a.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    /** A drain of {@code queue} into {@code out}, from its checkpoint if it has one, telling {@code onClosed}. */
    private static void drain(Path queue, Path out, Consumer<ClosedBucket> onClosed) throws Exception {
        Checkpoint restored = Checkpoint.load(out);
        try (MergedQueues reader = new MergedQueues(List.of(queue));
             MetricFiles files = restored == null ? new MetricFiles(out)
                     : new MetricFiles(out, restored.jsonlLength())) {
            EventTimeBuckets buckets = new EventTimeBuckets(Duration.ofSeconds(2), Duration.ZERO,
                    EventTimeBuckets.LatePolicy.DROP, StatisticsSettings.DEFAULTS, 10, 2);
            try (Processor p = new Processor(reader, buckets, References.none(), files, onClosed, out, restored,
                    Duration.ofHours(1))) {
                p.run(true);
            }
        }
    }

    @ParameterizedTest(name = "one step {0}, dies after boundary {1}")
    @CsvSource({"true, 1", "true, 2", "true, 4", "false, 1", "false, 2"})
    void aProcessorKilledBetweenTheBoundariesOfOneStepWritesWhatAnUnstoppedOneWrites(boolean oneStep, int dieAfter)
            throws Exception {
        Path queue = queue(oneStep);
        Path clean = dir.resolve("clean");
        List<Long> starts = new ArrayList<>();
        drain(queue, clean, b -> starts.add(b.startMillis() - T0));
        // the step (or the drain's end) closes several starts, so there are boundaries to die between
        assertThat(starts.stream().distinct()).startsWith(0L, 2_000L, 4_000L);
        assertThat(starts.stream().filter(s -> s < 10_000).distinct().count()).isGreaterThan(dieAfter);

        Path crashed = dir.resolve("crashed");
        long[] boundaries = {0, Long.MIN_VALUE};
        Consumer<ClosedBucket> dying = b -> {
            if (b.startMillis() != boundaries[1]) {
                boundaries[1] = b.startMillis();
                boundaries[0]++;
            }
            if (boundaries[0] == dieAfter) {
                throw new Crash(); // after the boundary's checkpoint: told only once it is written
            }
        };
        assertThatThrownBy(() -> drain(queue, crashed, dying)).isInstanceOf(Crash.class);
        assertThat(Checkpoint.load(crashed).sequence()).isEqualTo(dieAfter);
        drain(queue, crashed, b -> { });

        Map<String, byte[]> expected = OutputFiles.read(clean);
        Map<String, byte[]> actual = OutputFiles.read(crashed);
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String f : expected.keySet()) {
            assertThat(new String(actual.get(f)).lines().toList()).as(f)
                    .containsExactlyElementsOf(new String(expected.get(f)).lines().toList());
        }
    }
}
