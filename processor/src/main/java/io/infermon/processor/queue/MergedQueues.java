package io.infermon.processor.queue;

import io.infermon.capture.AgentHealth;
import io.infermon.capture.AgentWatermark;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CorruptRecordException;
import io.infermon.capture.RecordKind;
import io.infermon.capture.RejectReason;
import io.infermon.capture.StartingAgentFile;
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
import java.util.function.LongSupplier;

/**
 * Several agents' queues (one per host JVM) read as one stream in event time: each call returns the oldest of the
 * queues' next records. Each queue is nearly in capture order already (a call is appended when it ends, so calls that
 * overlap come out of order by up to the longer one's length), so this is a k-way merge with one record of look-ahead
 * per queue.
 *
 * <p>It also knows how far the stream is complete: the {@link #watermark}, the lowest of the queues' own watermarks
 * ({@link QueueProgress}), as Flink and Kafka Streams take the minimum over their inputs. A queue with nothing to read
 * that lags the others by more than the idle timeout (its agent stopped, was killed or hangs) no longer holds them back.
 * Records stamped too far ahead of this machine's clock are refused here, before they can move any watermark.
 *
 * <p>Its position (per queue, the next document to read), its counts and the queues' watermarks are part of the
 * processor's checkpoint.
 */
public final class MergedQueues implements AutoCloseable {
    private final List<CaptureQueueReader> readers = new ArrayList<>();
    private final List<CaptureRecord> heads = new ArrayList<>();
    private final List<QueueProgress> progress = new ArrayList<>();
    /** Per queue: its reader had nothing more the last time it was asked. */
    private final List<Boolean> exhausted = new ArrayList<>();
    private Consumer<AgentHealth> healthSink = h -> { };
    private long maxFutureMillis = java.time.Duration.ofHours(1).toMillis();
    private LongSupplier wallClockMillis = System::currentTimeMillis;
    private long futureRecords;

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
        QueueProgress p = new QueueProgress();
        r.onWatermark(w -> {
            if (isFuture(w.timeEpochNanos())) {
                futureRecords++;
            } else {
                p.watermark(w);
            }
        });
        readers.add(r);
        heads.add(null);
        progress.add(p);
        exhausted.add(false);
    }

    /**
     * Refuses records (and watermarks) stamped more than {@code maxFuture} ahead of {@code wallClockMillis}: one host
     * with a wrong clock must not close every bucket of every model at once. They are counted
     * ({@link #futureRecords()}). The default is an hour ahead of {@link System#currentTimeMillis()}.
     */
    public void refuseFuture(java.time.Duration maxFuture, LongSupplier wallClockMillis) {
        this.maxFutureMillis = maxFuture.toMillis();
        this.wallClockMillis = wallClockMillis;
    }

    private boolean isFuture(long epochNanos) {
        return Math.floorDiv(epochNanos, 1_000_000L) > wallClockMillis.getAsLong() + maxFutureMillis;
    }

    /** Records and watermarks refused for a capture time too far ahead of the clock. */
    public long futureRecords() {
        return futureRecords;
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

    /** Holds a Chronicle queue's files, or an agent that is starting and will write one there. */
    private static boolean isQueue(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".cq4") || StartingAgentFile.isOne(f));
        }
    }

    /**
     * Reads the files of agents whose queue is not open yet ({@link StartingAgentFile}): each counts as one of its
     * queue's agents, with the file's watermark, so that the buckets of its first calls, waiting in its ring for the
     * queue, are not closed on the other queues' watermarks. A file that is gone by the time it is read (its queue
     * opened) or damaged is passed over.
     */
    public void readStartingAgents() {
        for (int i = 0; i < readers.size(); i++) {
            List<Path> files;
            try {
                files = StartingAgentFile.list(readers.get(i).dir());
            } catch (IOException e) {
                continue;
            }
            for (Path f : files) {
                try {
                    AgentWatermark w = StartingAgentFile.read(f);
                    if (isFuture(w.timeEpochNanos())) {
                        futureRecords++;
                    } else {
                        progress.get(i).starting(w);
                    }
                } catch (IOException | CorruptRecordException e) {
                    // gone (the agent's queue opened and carries its watermark on) or damaged: nothing to hold
                }
            }
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
                heads.set(i, nextInTime(i));
                exhausted.set(i, heads.get(i) == null);
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
        if (r.kind() == RecordKind.INFERENCE) {
            progress.get(oldest).record(Math.floorDiv(r.captureTimeEpochNanos(), 1_000_000L));
        }
        return r;
    }

    /** Queue {@code i}'s next record that is not stamped in the future, or null. */
    private CaptureRecord nextInTime(int i) {
        for (CaptureRecord r; (r = readers.get(i).next()) != null; ) {
            if (!isFuture(r.captureTimeEpochNanos())) {
                return r;
            }
            futureRecords++;
        }
        return null;
    }

    /**
     * How far the stream is complete in event time (epoch millis): no record still to come started before it. The
     * lowest of the queues' watermarks, leaving out queues that hold nothing back and queues that are idle: nothing to
     * read and more than {@code idleMillis} behind the latest event time any queue has shown. When no queue holds the
     * others back, that latest time. {@code Long.MIN_VALUE} before anything was read.
     */
    public long watermark(long idleMillis) {
        long latest = Long.MIN_VALUE;
        for (QueueProgress p : progress) {
            latest = Math.max(latest, p.latest());
        }
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < progress.size(); i++) {
            long w = progress.get(i).watermark(idleMillis);
            boolean idle = exhausted.get(i) && heads.get(i) == null && latest - w > idleMillis;
            if (w != Long.MAX_VALUE && !idle) {
                lowest = Math.min(lowest, w);
            }
        }
        return lowest == Long.MAX_VALUE ? latest : lowest;
    }

    /** {@link System#nanoTime()} when any queue last gave a document (of any kind), or when the last one opened. */
    public long lastDocumentNanos() {
        long last = Long.MIN_VALUE;
        for (CaptureQueueReader r : readers) {
            if (last == Long.MIN_VALUE || r.lastDocumentNanos() - last > 0) {
                last = r.lastDocumentNanos();
            }
        }
        return last;
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

    /**
     * Each queue's watermark state and the future count: the part of a checkpoint that came with watermarks, after
     * {@link #writeState} (whose layout is older).
     */
    public void writeProgress(DataOutput out) throws IOException {
        out.writeLong(futureRecords);
        out.writeInt(readers.size());
        for (int i = 0; i < readers.size(); i++) {
            out.writeUTF(readers.get(i).dir().toString());
            progress.get(i).writeTo(out);
        }
    }

    /** Reads what {@link #writeProgress} wrote; call after {@link #restoreState}, which adds the queues. */
    public void restoreProgress(DataInput in) throws IOException {
        futureRecords = in.readLong();
        for (int q = in.readInt(); q > 0; q--) {
            Path dir = Path.of(in.readUTF());
            QueueProgress target = new QueueProgress(); // read and let go when the queue is not read any more
            for (int i = 0; i < readers.size(); i++) {
                if (readers.get(i).dir().equals(dir)) {
                    target = progress.get(i);
                }
            }
            target.readFrom(in);
        }
    }

    /** For a checkpoint from before watermarks, whose future count was kept by the processor. */
    public void restoreFutureRecords(long count) {
        futureRecords = count;
    }

    @Override
    public void close() {
        for (CaptureQueueReader r : readers) {
            r.close();
        }
    }
}
