package io.infermon.processor.queue;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RejectReason;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Several agents' queues (one per host JVM) read as one stream in event time: each call returns the oldest of the
 * queues' next records. Each queue is in capture order already, so this is a k-way merge with one record of
 * look-ahead per queue. A queue with nothing new right now does not hold the others up; its records that arrive
 * later and older than what was already returned are handled by the buckets' grace period like any late record.
 *
 * <p>Its position (per queue, the next document to read) and counts are part of the processor's checkpoint.
 */
public final class MergedQueues implements AutoCloseable {
    private final List<CaptureQueueReader> readers = new ArrayList<>();
    private final List<CaptureRecord> heads = new ArrayList<>();
    private Consumer<AgentHealth> healthSink = h -> { };

    public MergedQueues(List<Path> dirs) {
        try {
            for (Path dir : dirs) {
                add(dir);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts reading one more queue, from its beginning. */
    public void add(Path dir) {
        CaptureQueueReader r = new CaptureQueueReader(dir);
        r.onHealth(healthSink);
        readers.add(r);
        heads.add(null);
    }

    /**
     * Starts reading every queue directly under {@code root} not read yet (one per agent: a directory holding a
     * Chronicle queue's files), and returns how many were added. Agents that start later are found by calling this
     * again.
     */
    public int discover(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int added = 0;
        try (java.util.stream.Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                Path abs = d.toAbsolutePath();
                if (!reads(abs) && isQueue(abs)) {
                    add(abs);
                    added++;
                }
            }
        }
        return added;
    }

    private static boolean isQueue(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".cq4"));
        }
    }

    public boolean reads(Path dir) {
        return readers.stream().anyMatch(r -> r.dir().equals(dir));
    }

    public int queueCount() {
        return readers.size();
    }

    /**
     * The oldest available record across the queues, or null when none has one right now. Valid until the next call
     * (its bytes are views of the reader's buffer).
     */
    public CaptureRecord next() {
        int oldest = -1;
        for (int i = 0; i < readers.size(); i++) {
            if (heads.get(i) == null) {
                heads.set(i, readers.get(i).next());
            }
            CaptureRecord h = heads.get(i);
            if (h != null && (oldest < 0
                    || h.captureTimeEpochNanos() < heads.get(oldest).captureTimeEpochNanos())) {
                oldest = i;
            }
        }
        if (oldest < 0) {
            return null;
        }
        CaptureRecord r = heads.get(oldest);
        heads.set(oldest, null);
        return r;
    }

    /** Where every queue's agent health records go. */
    public void onHealth(Consumer<AgentHealth> sink) {
        this.healthSink = sink;
        readers.forEach(r -> r.onHealth(sink));
    }

    public long healthRecords() {
        return readers.stream().mapToLong(CaptureQueueReader::healthRecords).sum();
    }

    public long labelRecords() {
        return readers.stream().mapToLong(CaptureQueueReader::labelRecords).sum();
    }

    /** {@link CaptureQueueReader#deleteConsumedCycles} for every queue. */
    public int deleteConsumedCycles(java.time.Duration minAge) throws IOException {
        int n = 0;
        for (CaptureQueueReader r : readers) {
            n += r.deleteConsumedCycles(minAge);
        }
        return n;
    }

    /** Documents Chronicle could not read, in all queues. */
    public long unreadable() {
        return readers.stream().mapToLong(CaptureQueueReader::unreadable).sum();
    }

    /** Records skipped so far in all queues, by reason. */
    public Map<RejectReason, Long> rejected() {
        Map<RejectReason, Long> all = new EnumMap<>(RejectReason.class);
        for (CaptureQueueReader r : readers) {
            r.rejected().forEach((reason, n) -> all.merge(reason, n, Long::sum));
        }
        return all;
    }

    /** A recent rejection message for {@code reason} (the last queue's that has one), or null. */
    public String lastRejection(RejectReason reason) {
        String last = null;
        for (CaptureQueueReader r : readers) {
            if (r.lastRejection(reason) != null) {
                last = r.lastRejection(reason);
            }
        }
        return last;
    }

    /** The most recent rejection message of any queue, or null. */
    public String lastRejection() {
        String last = null;
        for (CaptureQueueReader r : readers) {
            if (r.lastRejection() != null) {
                last = r.lastRejection();
            }
        }
        return last;
    }

    /**
     * Writes each queue's position and counts. A record held as look-ahead has not been consumed: the position is
     * that record itself, so a restored reader reads it again.
     */
    public void writeState(DataOutput out) throws IOException {
        out.writeInt(readers.size());
        for (int i = 0; i < readers.size(); i++) {
            CaptureQueueReader r = readers.get(i);
            out.writeUTF(r.dir().toString());
            boolean held = heads.get(i) != null;
            out.writeBoolean(!held);
            out.writeLong(held ? r.returnedIndex() : r.lastReadIndex());
            Map<RejectReason, Long> rejected = r.rejected();
            out.writeInt(rejected.size());
            for (Map.Entry<RejectReason, Long> e : rejected.entrySet()) {
                out.writeUTF(e.getKey().name());
                out.writeLong(e.getValue());
            }
            out.writeLong(r.healthRecords());
            out.writeLong(r.labelRecords());
            out.writeLong(r.unreadable());
        }
    }

    /**
     * Moves every queue of the checkpoint back to its position and counts (adding queues not read yet, when they
     * exist). Queues the checkpoint does not know start from the beginning.
     */
    public void restoreState(DataInput in) throws IOException {
        int n = in.readInt();
        for (int q = 0; q < n; q++) {
            Path dir = Path.of(in.readUTF());
            boolean after = in.readBoolean();
            long index = in.readLong();
            int reasons = in.readInt();
            Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
            for (int i = 0; i < reasons; i++) {
                String name = in.readUTF();
                long count = in.readLong();
                try {
                    rejected.put(RejectReason.valueOf(name), count);
                } catch (IllegalArgumentException e) {
                    throw new IOException("unknown reject reason " + name);
                }
            }
            long health = in.readLong();
            long labels = in.readLong();
            long unreadable = in.readLong();
            if (!reads(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new IOException("the checkpoint reads queue " + dir + ", which is gone");
                }
                add(dir);
            }
            for (int i = 0; i < readers.size(); i++) {
                CaptureQueueReader r = readers.get(i);
                if (r.dir().equals(dir)) {
                    r.seek(index, after);
                    r.restoreCounts(rejected, health, labels, unreadable);
                    heads.set(i, null);
                }
            }
        }
    }

    @Override
    public void close() {
        for (CaptureQueueReader r : readers) {
            r.close();
        }
    }
}
