package io.infermon.agent.capture;

import io.infermon.agent.bootstrap.CaptureDispatcher;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's health counters, written periodically as health records (docs/wire-format.md names each).
 * {@link LongAdder}s, because many inference threads bump them at once and a contended atomic would make them wait
 * on each other.
 */
public final class CaptureCounters {
    /** Intercepted calls that reached the handler (outermost calls only). */
    public final LongAdder callsSeen = new LongAdder();
    /** Calls encoded into the hand-off ring. */
    public final LongAdder callsCaptured = new LongAdder();
    /** Calls skipped by sampling (rate or calls per second). */
    public final LongAdder callsSampledOut = new LongAdder();
    /** Calls skipped by an include/exclude rule. */
    public final LongAdder callsFilteredOut = new LongAdder();
    /** Calls skipped because they were not inference (no fetched outputs: initialisation, saving). */
    public final LongAdder callsNotInference = new LongAdder();
    /** Calls recorded with only their first rows, because they were larger than the record limit. */
    public final LongAdder callsTruncated = new LongAdder();
    /** Captured calls with a tensor of zero rows. */
    public final LongAdder callsZeroRows = new LongAdder();
    /** Calls dropped because the ring was full (the writer fell behind or stopped). */
    public final LongAdder droppedRingFull = new LongAdder();
    /** Calls dropped because their record would exceed the largest record size. */
    public final LongAdder droppedTooLarge = new LongAdder();
    /** Calls dropped because a value had a type or shape the agent cannot record. */
    public final LongAdder droppedUnsupported = new LongAdder();
    /** Records the queue writer dropped because the queue's disk was nearly full (less free than its reserve). */
    public final LongAdder droppedDiskFull = new LongAdder();
    /**
     * Captured tensors of a type the processor cannot read as numbers: strings (recorded with their shape only, as
     * TensorFlow holds pointers, not text), complex numbers, types unknown to infermon.
     */
    public final LongAdder tensorsUnsupportedDtype = new LongAdder();
    /** Calls dropped because reading their tensors failed (a closed tensor, an unexpected TensorFlow version...). */
    public final LongAdder droppedCaptureError = new LongAdder();
    /** Label records encoded into the ring. */
    public final LongAdder labelsCaptured = new LongAdder();
    /** Records appended to the queue, and their bytes. */
    public final LongAdder recordsWritten = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    /** Failures opening or appending to the queue. */
    public final LongAdder queueErrors = new LongAdder();
    /** Queue cycle files deleted by the retention rules. */
    public final LongAdder retentionFilesDeleted = new LongAdder();
    /** 1 while capturing, 0 once the agent turned capture off. */
    public volatile boolean captureEnabled = true;

    /** The counters by their wire names, in the documented order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("calls_seen", callsSeen.sum());
        m.put("calls_captured", callsCaptured.sum());
        m.put("calls_sampled_out", callsSampledOut.sum());
        m.put("calls_filtered_out", callsFilteredOut.sum());
        m.put("calls_not_inference", callsNotInference.sum());
        m.put("calls_truncated", callsTruncated.sum());
        m.put("calls_zero_rows", callsZeroRows.sum());
        m.put("dropped_ring_full", droppedRingFull.sum());
        m.put("dropped_too_large", droppedTooLarge.sum());
        m.put("dropped_unsupported", droppedUnsupported.sum());
        m.put("dropped_capture_error", droppedCaptureError.sum());
        m.put("dropped_disk_full", droppedDiskFull.sum());
        m.put("tensors_unsupported_dtype", tensorsUnsupportedDtype.sum());
        m.put("handler_errors", CaptureDispatcher.handlerErrors());
        m.put("labels_captured", labelsCaptured.sum());
        m.put("records_written", recordsWritten.sum());
        m.put("bytes_written", bytesWritten.sum());
        m.put("queue_errors", queueErrors.sum());
        m.put("retention_files_deleted", retentionFilesDeleted.sum());
        m.put("capture_enabled", captureEnabled ? 1L : 0L);
        return m;
    }
}
