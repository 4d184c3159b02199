package io.infermon.processor.queue;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.AgentWatermark;
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
 * and label records are returned (labels are joined to predictions by id); the agent's health records and watermark
 * records go to a {@link Consumer} each (they become {@code agent_*} metrics, and the queue's watermark). Records the
 * codec rejects are counted by reason and skipped; they never stop the reader.
 */
public final class CaptureQueueReader implements AutoCloseable {
    private final Path dir;
    /** How often a reader whose queue is not there yet looks for it. */
    private static final long OPEN_LOOK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);
    private long nextOpenLookNanos;
    /** Chronicle's queue and tailer, made once the queue has a cycle file; null before. */
    private ChronicleQueue queue;
    private ExcerptTailer tailer;
    private final Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
    private byte[] buffer = new byte[64 * 1024];
    private String lastRejection;
    /** The latest message of each reason: a summary names each reason with an example of its own. */
    private final Map<RejectReason, String> lastByReason = new java.util.EnumMap<>(RejectReason.class);
    private Consumer<AgentHealth> healthSink = h -> { };
    private Consumer<AgentWatermark> watermarkSink = w -> { };
    /** {@link System#nanoTime()} when the last document (of any kind) was read, or when the reader opened. */
    private long lastDocumentNanos = System.nanoTime();
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
        opened();
    }

    /**
     * Opens the queue once the agent has made it. An agent's directory holds only its starting file while the host
     * starts ({@link io.infermon.capture.StartingAgentFile}); a read-only Chronicle queue made before the agent's
     * would not know the agent's roll cycle and would never read a record. The agent writes its first record as it
     * opens the queue, so a cycle file means the queue's metadata is complete.
     */
    private boolean opened() {
        if (tailer != null) {
            return true;
        }
        long now = System.nanoTime();
        if (nextOpenLookNanos != 0 && now - nextOpenLookNanos < 0) {
            return false; // the caller asks for every record of the other queues: look at the directory less often
        }
        nextOpenLookNanos = now + OPEN_LOOK_NANOS;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(CYCLE_SUFFIX))) {
                return false;
            }
        } catch (java.io.IOException e) {
            return false;
        }
        queue = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build();
        tailer = queue.createTailer();
        toFirstCycle();
        return true;
    }

    /**
     * Moves to the first cycle file that exists. A read-only reader takes the queue's first cycle from the queue's
     * directory listing, which still names cycles whose files were deleted (by retention); without this it would
     * read nothing at all from such a queue.
     */
    private void toFirstCycle() {
        tailer.toStart();
        int first = Integer.MAX_VALUE;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            net.openhft.chronicle.queue.impl.RollingResourcesCache cycles = cycleNames();
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(CYCLE_SUFFIX)).toList()) {
                try {
                    first = Math.min(first, cycles.parseCount(cycleName(f)));
                } catch (RuntimeException e) {
                    // not a cycle file
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return;
        }
        if (first != Integer.MAX_VALUE && first > tailer.cycle()) {
            tailer.moveToCycle(first);
        }
    }

    private net.openhft.chronicle.queue.impl.RollingResourcesCache cycleNames() {
        return new net.openhft.chronicle.queue.impl.RollingResourcesCache(queue.rollCycle(), 0,
                name -> dir.resolve(name + CYCLE_SUFFIX).toFile(),
                file -> file.getName().substring(0, file.getName().length() - CYCLE_SUFFIX.length()));
    }

    private static String cycleName(Path f) {
        String name = f.getFileName().toString();
        return name.substring(0, name.length() - CYCLE_SUFFIX.length());
    }

    /**
     * The next good record, or null when none is available right now. The record's tensor bytes are views of a buffer
     * this reader reuses: they are valid until the next call.
     */
    public CaptureRecord next() {
        if (!opened()) {
            return null;
        }
        while (true) {
            ByteBuffer bytes = null;
            try {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        lastReadIndex = dc.index();
                        lastDocumentNanos = System.nanoTime();
                        Bytes<?> in = dc.wire().bytes();
                        int length = (int) in.readRemaining();
                        if (buffer.length < length) {
                            buffer = new byte[Math.max(length, buffer.length * 2)];
                        }
                        in.read(buffer, 0, length);
                        bytes = ByteBuffer.wrap(buffer, 0, length);
                    }
                }
                surfaceMemoryFault(); // also a fault while closing the document, or while finding none
                if (bytes == null) {
                    return null;
                }
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
                if (kind == RecordKind.WATERMARK) {
                    watermarkSink.accept(CaptureCodec.decodeWatermark(bytes));
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
                lastByReason.put(e.reason(), lastRejection);
            } catch (InternalError e) {
                // the JVM reports a fault of memory-mapped access (a queue file cut short under Chronicle) at the
                // next safe point, which may be here rather than inside Chronicle: the document read is unusable
                if (lastReadIndex != unreadableIndex) {
                    unreadableIndex = lastReadIndex;
                    unreadable++;
                    lastRejection = "unreadable document at index 0x" + Long.toHexString(lastReadIndex) + " (queue "
                            + dir + "): " + e;
                }
            }
        }
    }

    /**
     * Makes the JVM raise, here, a fault of a memory-mapped read that just happened (a document damaged on disk).
     * HotSpot turns such a fault in compiled code into an {@code InternalError} that it throws only when the thread
     * next returns from the VM through a call that checks for it, which could be anywhere later (it surfaced in the
     * writing of a bucket's files, in the label clock). A JNI native method's return (what {@code Thread.yield()} was
     * meant to be) does not check on JDK 17; the return from a runtime call into the VM does. Allocating a
     * two-dimensional array of a size the compiler cannot know is one such call, in the interpreter, C1 and C2 alike,
     * and costs well under a microsecond.
     */
    private static void surfaceMemoryFault() {
        faultCheck = new byte[faultCheckRows][0];
    }

    /** Not final, so that no compiler sees the size as a constant and builds the array inline. */
    private static int faultCheckRows = 1;
    /** Where the array goes, so that it cannot be left out as unused. */
    private static volatile Object faultCheck;

    /** Counts the document at the tailer's position as unreadable (once) and moves past it when it can. */
    private boolean skipUnreadable(Throwable e) {
        long at = tailer.index();
        if (at != unreadableIndex) {
            unreadableIndex = at;
            unreadable++;
            lastRejection = "unreadable document at index 0x" + Long.toHexString(at) + " (queue " + dir + "): " + e;
        }
        if (moveTo(at + 1)) {
            lastReadIndex = at;
            return true;
        }
        // nothing readable after it in this cycle yet; try again from the document itself next time (if even that
        // fails, the tailer stays where it is and the next call counts nothing new for the same index)
        moveTo(at);
        return false;
    }

    /** Moves the tailer to {@code index}; false when there is no such document or Chronicle faulted on the way. */
    private boolean moveTo(long index) {
        try {
            boolean moved = tailer.moveToIndex(index);
            surfaceMemoryFault();
            return moved;
        } catch (RuntimeException | InternalError e) {
            return false;
        }
    }

    /**
     * Deletes this queue's cycle files that lie wholly before the reader's position and were last modified more than
     * {@code minAge} ago; returns how many. Call it only once that position is saved in a checkpoint: a restart must
     * never need a deleted file. The cycle being read, and any later one, is never touched.
     */
    public int deleteConsumedCycles(java.time.Duration minAge) throws java.io.IOException {
        if (lastReadIndex < 0) {
            return 0;
        }
        int current = queue.rollCycle().toCycle(lastReadIndex);
        net.openhft.chronicle.queue.impl.RollingResourcesCache cycles = cycleNames();
        long oldest = System.currentTimeMillis() - minAge.toMillis();
        int deleted = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(CYCLE_SUFFIX)).sorted().toList()) {
                int cycle;
                try {
                    cycle = cycles.parseCount(cycleName(f));
                } catch (RuntimeException e) {
                    continue; // not a cycle file of this roll cycle: leave it
                }
                if (cycle < current && Files.getLastModifiedTime(f).toMillis() < oldest) {
                    Files.deleteIfExists(f);
                    deleted++;
                }
            }
        }
        return deleted;
    }

    private static final String CYCLE_SUFFIX = ".cq4";

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
            if (opened()) {
                toFirstCycle();
            }
            lastReadIndex = -1;
            return;
        }
        boolean moved;
        try {
            moved = opened() && tailer.moveToIndex(index);
            surfaceMemoryFault();
        } catch (InternalError e) {
            throw new IllegalStateException("queue " + dir + " is damaged on disk before index 0x"
                    + Long.toHexString(index) + ", where the checkpoint continues, and Chronicle cannot get past it ("
                    + e.getMessage() + "); copy the queue aside and delete the checkpoint to read it again from the"
                    + " start, skipping damaged documents", e);
        }
        if (!moved) {
            throw new IllegalStateException("queue " + dir + " no longer holds index 0x" + Long.toHexString(index)
                    + " (its file was deleted or the queue replaced); delete the checkpoint to start over");
        }
        lastReadIndex = index;
        if (after) {
            boolean present;
            long at;
            try {
                try (DocumentContext dc = tailer.readingDocument()) {
                    present = dc.isPresent();
                    at = dc.index();
                }
                surfaceMemoryFault();
            } catch (RuntimeException | InternalError e) {
                // the checkpoint's last document was one Chronicle cannot read (counted then): step over it again
                unreadableIndex = index;
                if (!moveTo(index + 1)) {
                    moveTo(index);
                }
                return;
            }
            if (!present || at != index) {
                throw new IllegalStateException("queue " + dir + " has no document at index 0x"
                        + Long.toHexString(index));
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

    /** Where watermark records go as they are read. */
    public void onWatermark(Consumer<AgentWatermark> sink) {
        this.watermarkSink = sink;
    }

    /** {@link System#nanoTime()} when a document was last read (or the reader opened). */
    public long lastDocumentNanos() {
        return lastDocumentNanos;
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

    /** The message of the most recent rejection for {@code reason}, or null. */
    public String lastRejection(RejectReason reason) {
        return lastByReason.get(reason);
    }

    @Override
    public void close() {
        if (queue != null) {
            queue.close();
        }
    }
}
