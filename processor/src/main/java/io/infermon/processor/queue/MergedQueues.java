package io.infermon.processor.queue;

import io.infermon.capture.CaptureRecord;
import io.infermon.capture.RejectReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Several agents' queues (one per host JVM) read as one stream in event time: each call returns the oldest of the
 * queues' next records. Each queue is in capture order already, so this is a k-way merge with one record of
 * look-ahead per queue. A queue with nothing new right now does not hold the others up; its records that arrive
 * later and older than what was already returned are handled by the buckets' grace period like any late record.
 */
public final class MergedQueues implements AutoCloseable {
    private final List<CaptureQueueReader> readers = new ArrayList<>();
    private final CaptureRecord[] heads;

    public MergedQueues(List<Path> dirs) {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("no queue to read");
        }
        try {
            for (Path dir : dirs) {
                readers.add(new CaptureQueueReader(dir));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        heads = new CaptureRecord[readers.size()];
    }

    /**
     * The oldest available record across the queues, or null when none has one right now. Valid until the next call
     * (its bytes are views of the reader's buffer).
     */
    public CaptureRecord next() {
        int oldest = -1;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] == null) {
                heads[i] = readers.get(i).next();
            }
            if (heads[i] != null && (oldest < 0
                    || heads[i].captureTimeEpochNanos() < heads[oldest].captureTimeEpochNanos())) {
                oldest = i;
            }
        }
        if (oldest < 0) {
            return null;
        }
        CaptureRecord r = heads[oldest];
        heads[oldest] = null;
        return r;
    }

    /** Where every queue's agent health records go. */
    public void onHealth(java.util.function.Consumer<io.infermon.capture.AgentHealth> sink) {
        readers.forEach(r -> r.onHealth(sink));
    }

    public long healthRecords() {
        return readers.stream().mapToLong(CaptureQueueReader::healthRecords).sum();
    }

    public long labelRecords() {
        return readers.stream().mapToLong(CaptureQueueReader::labelRecords).sum();
    }

    /** Records skipped so far in all queues, by reason. */
    public Map<RejectReason, Long> rejected() {
        Map<RejectReason, Long> all = new EnumMap<>(RejectReason.class);
        for (CaptureQueueReader r : readers) {
            r.rejected().forEach((reason, n) -> all.merge(reason, n, Long::sum));
        }
        return all;
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

    @Override
    public void close() {
        for (CaptureQueueReader r : readers) {
            r.close();
        }
    }
}
