package io.infermon.processor.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RejectReason;
import io.infermon.processor.Records;
import java.nio.file.Path;
import java.util.List;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureQueueReaderTest {

    private static void append(ExcerptAppender appender, byte[] bytes) {
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(bytes);
        }
    }

    @Test
    void readsGoodRecordsAndCountsDamagedOnesByReason(@TempDir Path dir) {
        byte[] good = Records.encode(Records.call(1_000, "digits", new float[][] {{1, 2}}, null));
        byte[] flipped = good.clone();
        flipped[flipped.length - 1] ^= 0x40;
        byte[] newer = good.clone();
        newer[4] = 9;
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).build()) {
            ExcerptAppender a = q.createAppender();
            append(a, good);
            append(a, flipped);
            append(a, "not a record".getBytes());
            append(a, newer);
            append(a, java.util.Arrays.copyOf(good, 10));
            append(a, good);
        }
        try (CaptureQueueReader reader = new CaptureQueueReader(dir)) {
            CaptureRecord first = reader.next();
            assertThat(first.modelName()).isEqualTo("digits");
            assertThat(first.tensors().get(0).bytes().getFloat(4)).isEqualTo(2f);
            assertThat(reader.next()).isNotNull();
            assertThat(reader.next()).isNull();
            assertThat(reader.rejected()).containsEntry(RejectReason.CHECKSUM_MISMATCH, 1L)
                    .containsEntry(RejectReason.BAD_MAGIC, 1L)
                    .containsEntry(RejectReason.UNKNOWN_VERSION, 1L)
                    .containsEntry(RejectReason.TRUNCATED, 1L);
            assertThat(reader.lastRejection()).contains("truncated").contains(dir.toString());
            // each reason keeps its own latest message, for the summary line of that reason
            for (RejectReason reason : List.of(RejectReason.CHECKSUM_MISMATCH, RejectReason.BAD_MAGIC,
                    RejectReason.UNKNOWN_VERSION, RejectReason.TRUNCATED)) {
                assertThat(reader.lastRejection(reason)).as("%s", reason).startsWith(reason.label() + ": ")
                        .endsWith("(queue " + dir + ")");
            }
            assertThat(reader.lastRejection(RejectReason.UNKNOWN_KIND)).isNull();
        }
    }

    @Test
    void aReaderMadeBeforeTheAgentOpensItsQueueFollowsTheQueueAcrossCycles(@TempDir Path dir) throws Exception {
        // the agent's directory holds only its starting file while the host starts; the queue, with a roll cycle
        // other than Chronicle's default, comes later
        java.nio.file.Files.createDirectories(dir);
        try (CaptureQueueReader r = new CaptureQueueReader(dir)) {
            assertThat(r.next()).isNull();
            net.openhft.chronicle.core.time.SetTimeProvider clock =
                    new net.openhft.chronicle.core.time.SetTimeProvider(1_795_500_000_000L * 1_000_000L);
            try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir)
                    .rollCycle(net.openhft.chronicle.queue.rollcycles.TestRollCycles.TEST_SECONDLY)
                    .timeProvider(clock).build()) {
                ExcerptAppender a = q.createAppender();
                List<Float> read = new java.util.ArrayList<>();
                for (int cycle = 0; cycle < 4; cycle++) {
                    for (int i = 0; i < 2; i++) {
                        try (DocumentContext dc = a.writingDocument()) {
                            dc.wire().bytes().write(Records.encode(Records.call(1_795_500_000_000L + cycle * 1_000L,
                                    "m", new float[][] {{cycle * 2 + i}}, null)));
                        }
                    }
                    clock.advanceMillis(1_000);
                    int expected = (cycle + 1) * 2;
                    // the reader looks for the queue's first cycle file every 50 ms, then reads on at once
                    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                        for (CaptureRecord c; (c = r.next()) != null; ) {
                            read.add(c.tensors().get(0).bytes().getFloat(0));
                        }
                        return read.size() >= expected;
                    });
                }
                assertThat(read).containsExactly(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f);
            }
        }
    }

    @Test
    void saysWhatIsMissingWhenThereIsNoQueue(@TempDir Path dir) {
        assertThatThrownBy(() -> new CaptureQueueReader(dir.resolve("nothing-here")))
                .hasMessageContaining("no queue at").hasMessageContaining("nothing-here");
    }
}
