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
 * and label records are returned (labels are joined to predictions by id); the agent's health records go to a
 * {@link Consumer} (they become {@code agent_*} metrics). Records the codec rejects are counted by reason and skipped;
 * they never stop the reader.
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
    /** Chronicle index of the last document taken from the tailer (any kind, good or not), or -1. */
    private long lastReadIndex = -1;
    /** Chronicle index of the record {@link #next} returned last. */
    private long returnedIndex = -1;
    private long unreadable;
    private long unreadableIndex = -1;

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
                lastReadIndex = dc.index();
                Bytes<?> in = dc.wire().bytes();
                int length = (int) in.readRemaining();
                if (buffer.length < length) {
                    buffer = new byte[Math.max(length, buffer.length * 2)];
                }
                in.read(buffer, 0, length);
                bytes = ByteBuffer.wrap(buffer, 0, length);
            } catch (RuntimeException | InternalError e) {
                // Chronicle itself could not read a document: a header damaged on disk (a full disk under an older
                // agent, a truncated copy). Count it once and step over it; if there is nothing after it yet, wait.
                if (!skipUnreadable(e)) {
                    return null;
                }
                continue;
            }
            try {
                RecordKind kind = CaptureCodec.kindOf(bytes);
                if (kind == RecordKind.HEALTH) {
                    AgentHealth health = CaptureCodec.decodeHealth(bytes);
                    healthRecords++;
                    healthSink.accept(health);
                    continue;
                }
                CaptureRecord record = CaptureCodec.decode(bytes, INFERENCE_AND_LABELS);
                if (kind == RecordKind.LABEL) {
                    labelRecords++;
                }
                returnedIndex = lastReadIndex;
                return record;
            } catch (CorruptRecordException e) {
                rejected.merge(e.reason(), 1L, Long::sum);
                lastRejection = e.getMessage() + " (queue " + dir + ")";
            }
        }
    }

    /** Counts the document at the tailer's position as unreadable (once) and moves past it when it can. */
    private boolean skipUnreadable(Throwable e) {
        long at = tailer.index();
        if (at != unreadableIndex) {
            unreadableIndex = at;
            unreadable++;
            lastRejection = "unreadable document at index 0x" + Long.toHexString(at) + " (queue " + dir + "): " + e;
        }
        try {
            if (tailer.moveToIndex(at + 1)) {
                lastReadIndex = at;
                return true;
            }
            // nothing readable after it in this cycle yet; try again from the document itself next time
            tailer.moveToIndex(at);
        } catch (RuntimeException | InternalError again) {
            // leave the tailer where it is; the next call counts nothing new for the same index
        }
        return false;
    }

    /** Documents Chronicle could not read at all (damaged on disk). */
    public long unreadable() {
        return unreadable;
    }

    /** Chronicle index of the record {@link #next} returned last, or -1. */
    public long returnedIndex() {
        return returnedIndex;
    }

    /** Chronicle index of the last document read (returned, passed to the health sink, passed over or rejected). */
    public long lastReadIndex() {
        return lastReadIndex;
    }

    /**
     * Moves the reader so that the next document read is the one at {@code index} ({@code after} false) or the one
     * following it ({@code after} true); {@code index} -1 with {@code after} means the start of the queue.
     *
     * @throws IllegalStateException when the queue no longer holds that index (its file was deleted)
     */
    public void seek(long index, boolean after) {
        if (index < 0) {
            tailer.toStart();
            lastReadIndex = -1;
            return;
        }
        if (!tailer.moveToIndex(index)) {
            throw new IllegalStateException("queue " + dir + " no longer holds index 0x" + Long.toHexString(index)
                    + " (its file was deleted or the queue replaced); delete the checkpoint to start over");
        }
        lastReadIndex = index;
        if (after) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent() || dc.index() != index) {
                    throw new IllegalStateException("queue " + dir + " has no document at index 0x"
                            + Long.toHexString(index));
                }
            }
        }
    }

    /** Restores the counts of a checkpoint. */
    public void restoreCounts(Map<RejectReason, Long> rejected, long healthRecords, long labelRecords,
                              long unreadable) {
        this.unreadable = unreadable;
        this.rejected.clear();
        this.rejected.putAll(rejected);
        this.healthRecords = healthRecords;
        this.labelRecords = labelRecords;
    }

    public Path dir() {
        return dir;
    }

    /** Where health records go as they are read. */
    public void onHealth(Consumer<AgentHealth> sink) {
        this.healthSink = sink;
    }

    public long healthRecords() {
        return healthRecords;
    }

    private static final java.util.Set<RecordKind> INFERENCE_AND_LABELS =
            java.util.Collections.unmodifiableSet(java.util.EnumSet.of(RecordKind.INFERENCE, RecordKind.LABEL));

    /** Label records read (returned like inference records). */
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
