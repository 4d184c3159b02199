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
    void saysWhatIsMissingWhenThereIsNoQueue(@TempDir Path dir) {
        assertThatThrownBy(() -> new CaptureQueueReader(dir.resolve("nothing-here")))
                .hasMessageContaining("no queue at").hasMessageContaining("nothing-here");
    }
}
