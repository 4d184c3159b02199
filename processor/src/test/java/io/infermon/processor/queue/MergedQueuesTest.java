package io.infermon.processor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.CaptureRecord;
import io.infermon.processor.Records;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergedQueuesTest {

    private static void write(Path dir, String model, long... millis) {
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build()) {
            ExcerptAppender a = q.createAppender();
            for (long t : millis) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(Records.encode(Records.call(t, model, new float[][] {{t}}, null)));
                }
            }
            try (DocumentContext dc = a.writingDocument()) {
                dc.wire().bytes().write("garbage".getBytes());
            }
        }
    }

    @Test
    void recordsOfSeveralQueuesComeOutInEventTimeOrder(@TempDir Path dir) {
        write(dir.resolve("a"), "a", 1_000, 4_000, 5_000, 9_000);
        write(dir.resolve("b"), "b", 2_000, 3_000, 6_000);
        write(dir.resolve("c"), "c", 7_000);
        List<String> order = new ArrayList<>();
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a"), dir.resolve("b"), dir.resolve("c")))) {
            for (CaptureRecord r; (r = q.next()) != null; ) {
                order.add(r.modelName() + (r.captureTimeEpochNanos() / 1_000_000_000L));
                // the record's bytes stay valid until the next call
                assertThat(r.tensors().get(0).bytes().getFloat(0)).isEqualTo((float) (r.captureTimeEpochNanos() / 1_000_000L));
            }
            assertThat(order).containsExactly("a1", "b2", "b3", "a4", "a5", "b6", "c7", "a9");
            assertThat(q.rejected().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(3);
            assertThat(q.lastRejection()).contains("queue");
        }
    }

    @Test
    void aQueueThatIsMissingIsNamed(@TempDir Path dir) {
        write(dir.resolve("a"), "a", 1_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new MergedQueues(List.of(dir.resolve("a"), dir.resolve("nope"))))
                .hasMessageContaining("nope");
    }

    @Test
    void queuesUnderARootAreFoundIncludingOnesThatAppearLater(@TempDir Path root) throws Exception {
        write(root.resolve("agent-1"), "a", 1_000, 3_000);
        write(root.resolve("agent-2"), "b", 2_000);
        java.nio.file.Files.createDirectories(root.resolve("not-a-queue"));
        try (MergedQueues q = new MergedQueues(List.of())) {
            assertThat(q.discover(root)).isEqualTo(2);
            assertThat(q.discover(root)).isZero();
            List<String> seen = new ArrayList<>();
            for (CaptureRecord r; (r = q.next()) != null; ) {
                seen.add(r.modelName());
            }
            assertThat(seen).containsExactly("a", "b", "a");
            write(root.resolve("agent-3"), "c", 4_000);
            assertThat(q.discover(root)).isEqualTo(1);
            assertThat(q.next().modelName()).isEqualTo("c");
            assertThat(q.queueCount()).isEqualTo(3);
        }
    }
}
