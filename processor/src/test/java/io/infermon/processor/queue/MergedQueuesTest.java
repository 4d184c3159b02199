package io.infermon.processor.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.infermon.capture.AgentWatermark;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.StartingAgentFile;
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

    /** Appends documents to a queue: a number is a call of that capture time, a byte[] a record as it is. */
    private static void append(Path dir, Object... documents) {
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build()) {
            ExcerptAppender a = q.createAppender();
            for (Object d : documents) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(d instanceof byte[] bytes ? bytes : Records.encode(
                            Records.call((Long) d, "m", new float[][] {{1}}, null)));
                }
            }
        }
    }

    private static byte[] watermark(long millis, long agent) {
        return Records.watermark(millis, agent, false);
    }

    private static int readAll(MergedQueues q) {
        int n = 0;
        while (q.next() != null) {
            n++;
        }
        return n;
    }

    private static final long IDLE = 4_000;

    @Test
    void theWatermarkIsTheLowestAgentWatermarkAndAnAgentThatStoppedHoldsNothingBack(@TempDir Path dir)
            throws Exception {
        append(dir.resolve("a"), watermark(1_000, 1), 1_500L, watermark(2_000, 1));
        append(dir.resolve("b"), watermark(1_200, 2), 1_300L);
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a"), dir.resolve("b")))) {
            assertThat(q.watermark(IDLE)).isEqualTo(Long.MIN_VALUE); // nothing read yet
            assertThat(readAll(q)).isEqualTo(2);
            assertThat(q.watermark(IDLE)).isEqualTo(1_200);
            // a record of b that started after a's watermark does not move b's on: only b's agent can
            append(dir.resolve("b"), 2_500L);
            assertThat(readAll(q)).isEqualTo(1);
            assertThat(q.watermark(IDLE)).isEqualTo(1_200);
            append(dir.resolve("b"), Records.watermark(2_600, 2, true)); // b's agent stopped
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(2_000);
            append(dir.resolve("a"), Records.watermark(3_000, 1, true)); // and a's: nothing holds back
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(3_000);
        }
    }

    private static void startingFile(Path file, long millis, long agent) throws Exception {
        StartingAgentFile.write(file, new AgentWatermark(millis * 1_000_000L, agent, false),
                java.nio.ByteBuffer.allocate(CaptureCodec.WATERMARK_LENGTH).order(java.nio.ByteOrder.LITTLE_ENDIAN),
                new java.util.zip.CRC32C());
    }

    @Test
    void anAgentWhoseQueueIsNotOpenYetHoldsTheOthersBackWithItsStartingFile(@TempDir Path root) throws Exception {
        append(root.resolve("a"), watermark(1_000, 1), 1_500L, watermark(5_000, 1));
        Path b = root.resolve("b");
        java.nio.file.Files.createDirectories(b); // nothing of Chronicle's in it yet, only the agent's file
        Path file = StartingAgentFile.of(b, 4242, 7);
        startingFile(file, 2_000, 7);
        try (MergedQueues q = new MergedQueues(List.of())) {
            assertThat(q.discover(root)).isEqualTo(2);
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(5_000); // the file is not read yet
            q.readStartingAgents();
            assertThat(q.watermark(IDLE)).isEqualTo(2_000);
            startingFile(file, 3_000, 7); // the agent follows its calls in flight
            q.readStartingAgents();
            assertThat(q.watermark(IDLE)).isEqualTo(3_000);

            // the queue opens: its watermarks carry on from the file's, and the file goes
            append(b, watermark(3_000, 7), 3_100L, watermark(6_000, 7));
            java.nio.file.Files.delete(file);
            java.util.concurrent.atomic.AtomicInteger read = new java.util.concurrent.atomic.AtomicInteger();
            // the reader opens the queue once a cycle file is there (it looks every 50 ms)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> read.addAndGet(readAll(q)) == 1);
            q.readStartingAgents();
            assertThat(q.watermark(IDLE)).isEqualTo(5_000);

            // a file read after its agent said it stopped (the moment before the agent deleted it) holds nothing
            append(b, Records.watermark(6_500, 7, true));
            readAll(q);
            startingFile(file, 3_000, 7);
            q.readStartingAgents();
            assertThat(q.watermark(IDLE)).isEqualTo(5_000);

            // a damaged file is passed over; another agent starting on the same queue holds it again
            java.nio.file.Files.write(file, new byte[] {1, 2, 3});
            startingFile(StartingAgentFile.of(b, 4243, 8), 4_000, 8);
            q.readStartingAgents();
            assertThat(q.watermark(IDLE)).isEqualTo(4_000);
        }
    }

    @Test
    void aStartingFileDoesNotMakeAnAgentNotReadToTheEndYetLookGone(@TempDir Path dir) throws Exception {
        // a processor behind on its queue (restarted, catching up) while a new service starts on the same queue
        append(dir.resolve("a"), watermark(1_000, 1), 1_500L);
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a")))) {
            readAll(q);
            startingFile(StartingAgentFile.of(dir.resolve("a"), 4242, 2), 9_000, 2);
            q.readStartingAgents();
            // agent 1's records up to its last watermark are still to be read: it holds the queue
            assertThat(q.watermark(IDLE)).isEqualTo(1_000);
            append(dir.resolve("a"), 2_500L, Records.watermark(3_000, 1, true));
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(9_000);
        }
    }

    @Test
    void anAgentKilledWithoutALastWatermarkIsForgottenOnceAnotherOfItsQueueGoesOnPastTheIdleTimeout(
            @TempDir Path dir) {
        // agent 1 is killed at 5 s; the service restarts as agent 2 on the same queue
        append(dir.resolve("a"), watermark(4_000, 1), 4_500L, watermark(5_000, 1), watermark(6_000, 2), 6_500L,
                watermark(9_000, 2));
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a")))) {
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(5_000); // agent 1 may only be slow: it holds the queue
            append(dir.resolve("a"), watermark(9_001, 2));
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(9_001); // 4 s past agent 1's last word: it is gone
        }
    }

    @Test
    void aQueueWithNothingToReadThatLagsTheOthersByMoreThanTheIdleTimeoutStopsHoldingThemBack(@TempDir Path dir) {
        append(dir.resolve("live"), watermark(10_000, 1));
        append(dir.resolve("silent"), watermark(2_000, 2), 1_900L);
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("live"), dir.resolve("silent")))) {
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(10_000);
            assertThat(q.watermark(9_000)).isEqualTo(2_000); // within a longer idle timeout it still holds
        }
    }

    @Test
    void aQueueWithoutWatermarksIsCompleteUpToItsLatestCall(@TempDir Path dir) {
        append(dir.resolve("old-agent"), 1_000L, 3_000L, 2_000L);
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("old-agent")))) {
            readAll(q);
            assertThat(q.watermark(IDLE)).isEqualTo(3_000);
        }
    }

    @Test
    void callsAndWatermarksStampedTooFarAheadAreRefusedCountedAndMoveNothing(@TempDir Path dir) {
        long now = 1_795_500_000_000L;
        append(dir.resolve("a"), watermark(now, 1), now + 1_000L, watermark(now + 7_200_000L, 1),
                now + 7_200_000L, watermark(now + 2_000L, 1));
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a")))) {
            q.refuseFuture(java.time.Duration.ofHours(1), () -> now);
            assertThat(readAll(q)).isEqualTo(1);
            assertThat(q.futureRecords()).isEqualTo(2);
            assertThat(q.watermark(IDLE)).isEqualTo(now + 2_000L);
        }
    }

    @Test
    void theQueuesWatermarksAreSavedAndRestored(@TempDir Path dir) throws Exception {
        append(dir.resolve("a"), watermark(4_000, 1), 4_500L, watermark(5_000, 1), watermark(6_000, 2));
        java.io.ByteArrayOutputStream saved = new java.io.ByteArrayOutputStream();
        try (MergedQueues q = new MergedQueues(List.of(dir.resolve("a")));
             java.io.DataOutputStream out = new java.io.DataOutputStream(saved)) {
            readAll(q);
            q.writeState(out);
            q.writeProgress(out);
        }
        append(dir.resolve("a"), watermark(9_500, 2));
        try (MergedQueues q = new MergedQueues(List.of());
             java.io.DataInputStream in = new java.io.DataInputStream(
                     new java.io.ByteArrayInputStream(saved.toByteArray()))) {
            q.restoreState(in);
            q.restoreProgress(in);
            assertThat(q.watermark(IDLE)).isEqualTo(5_000);
            assertThat(readAll(q)).isZero();
            assertThat(q.watermark(IDLE)).isEqualTo(9_500);
        }
    }
}
