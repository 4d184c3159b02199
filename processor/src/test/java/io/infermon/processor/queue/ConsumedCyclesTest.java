package io.infermon.processor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.CaptureRecord;
import io.infermon.processor.Records;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The processor may delete an agent's cycle files once it has read past them, and never one it still needs. */
class ConsumedCyclesTest {

    /** Two records in each of four one-second cycles. */
    private static void write(Path dir) {
        SetTimeProvider clock = new SetTimeProvider(1_795_500_000_000L * 1_000_000L);
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
                .timeProvider(clock).build()) {
            ExcerptAppender a = q.createAppender();
            for (int cycle = 0; cycle < 4; cycle++) {
                for (int i = 0; i < 2; i++) {
                    try (DocumentContext dc = a.writingDocument()) {
                        dc.wire().bytes().write(Records.encode(Records.call(1_795_500_000_000L + cycle * 1_000L + i,
                                "m", new float[][] {{cycle}}, null)));
                    }
                }
                clock.advanceMillis(1_000);
            }
        }
    }

    private static long cycleFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void onlyCyclesWhollyBehindTheReadPositionAreDeleted(@TempDir Path dir) throws Exception {
        write(dir);
        assertThat(cycleFiles(dir)).isEqualTo(4);
        long position;
        try (CaptureQueueReader r = new CaptureQueueReader(dir)) {
            assertThat(r.deleteConsumedCycles(Duration.ZERO)).as("nothing read yet").isZero();
            for (int i = 0; i < 5; i++) { // into the third cycle
                assertThat(r.next()).isNotNull();
            }
            position = r.lastReadIndex();
            assertThat(r.deleteConsumedCycles(Duration.ofHours(1))).as("too young").isZero();
            assertThat(r.deleteConsumedCycles(Duration.ZERO)).isEqualTo(2);
            assertThat(cycleFiles(dir)).isEqualTo(2);
            // the rest of the queue is still there and read in order
            int read = 0;
            for (CaptureRecord rec; (rec = r.next()) != null; ) {
                read++;
            }
            assertThat(read).isEqualTo(3);
        }
        // a restart continues from its checkpoint's position and still reads what is left
        try (CaptureQueueReader r = new CaptureQueueReader(dir)) {
            r.seek(position, true);
            int left = 0;
            while (r.next() != null) {
                left++;
            }
            assertThat(left).isEqualTo(3);
        }
        // and a reader starting afresh reads the cycles that are left, though the queue's listing names deleted ones
        try (MergedQueues q = new MergedQueues(List.of(dir))) {
            int all = 0;
            while (q.next() != null) {
                all++;
            }
            assertThat(all).isEqualTo(4);
        }
    }
}
