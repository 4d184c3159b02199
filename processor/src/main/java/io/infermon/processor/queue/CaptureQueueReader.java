package io.infermon.processor.queue;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CorruptRecordException;
import io.infermon.capture.RecordKind;
import io.infermon.capture.RejectReason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reads capture records from one agent's Chronicle Queue, oldest first, through the shared codec. Inference records
 * are returned; the agent's health records go to a {@link Consumer} (they become {@code agent_*} metrics); label
 * records are counted and passed over (joining labels is not built yet). Records the codec rejects are counted by
 * reason and skipped; they never stop the reader.
 */
public final class CaptureQueueReader implements AutoCloseable {
    private final Path dir;
    private final ChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    private byte[] buffer = new byte[64 * 1024];
    private String lastRejection;
    private Consumer<AgentHealth> healthSink = h -> { };
    private long healthRecords;
    private long labelRecords;

    public CaptureQueueReader(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no queue at " + dir + " (is the agent writing there?)");
        }
        this.dir = dir;
        this.queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
        this.tailer = queue.createTailer();
    }

    /**
     * The next good record, or null when none is available right now. The record's tensor bytes are views of a buffer
     * this reader reuses: they are valid until the next call.
     */
    public CaptureRecord next() {
        while (true) {
            ByteBuffer bytes;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                Bytes<?> in = dc.wire().bytes();
                int length = (int) in.readRemaining();
                if (buffer.length < length) {
                    buffer = new byte[Math.max(length, buffer.length * 2)];
                }
                in.read(buffer, 0, length);
                bytes = ByteBuffer.wrap(buffer, 0, length);
            }
            try {
                RecordKind kind = CaptureCodec.kindOf(bytes);
                if (kind == RecordKind.HEALTH) {
                    AgentHealth health = CaptureCodec.decodeHealth(bytes);
                    healthRecords++;
                    healthSink.accept(health);
                    continue;
                }
                if (kind == RecordKind.LABEL) {
                    labelRecords++;
                    continue;
                }
                return CaptureCodec.decode(bytes);
            } catch (CorruptRecordException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
                lastRejection = e.getMessage() + " (queue " + dir + ")";
            }
        }
    }

    /** Where health records go as they are read. */
    public void onHealth(Consumer<AgentHealth> sink) {
        this.healthSink = sink;
    }

    public long healthRecords() {
        return healthRecords;
    }

    /** Label records read and passed over (labels are not joined yet). */
    public long labelRecords() {
        return labelRecords;
    }

    /** Records skipped so far, by reason. */
    public Map<RejectReason, Long> rejected() {
        return Map.copyOf(rejected);
    }

    /** The message of the most recent rejection, or null. */
    public String lastRejection() {
        return lastRejection;
    }

    @Override
    public void close() {
        queue.close();
    }
}
