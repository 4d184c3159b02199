package io.infermon.agent.capture;

import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.queue.CaptureRing;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.DType;
import io.infermon.capture.RecordKind;

/**
 * What every capture path shares: the ring, the counters, the clock, sampling, the record limit, and the per-thread
 * state. {@link #write} is the last step on the inference thread: size the record, cut or skip it when too large,
 * claim room in the ring with one compare-and-swap, encode, commit.
 */
final class CaptureContext {
    final CaptureRing ring;
    final CaptureCounters counters;
    final EpochClock clock;
    final AgentConfig config;
    final Sampler sampler;
    final int maxRecordBytes;
    private final ThreadLocal<ThreadState> threads;

    CaptureContext(CaptureRing ring, CaptureCounters counters, EpochClock clock, AgentConfig config,
                   InFlightCalls inFlight) {
        this.threads = ThreadLocal.withInitial(() -> new ThreadState(inFlight.register()));
        this.ring = ring;
        this.counters = counters;
        this.clock = clock;
        this.config = config;
        this.sampler = new Sampler(config.samplingRate(), config.maxCallsPerSecond());
        this.maxRecordBytes = Math.min(config.maxRecordBytes(), ring.maxRecordLength());
    }

    ThreadState thread() {
        return threads.get();
    }

    /** Encodes the call into the ring, or counts why not. */
    void write(RecordedCall call) {
        long length = CaptureCodec.encodedLength(call);
        if (length < 0) {
            counters.droppedUnsupported.increment();
            return;
        }
        if (length > maxRecordBytes) {
            if (!config.truncateOversize() || !call.truncateRows(length, maxRecordBytes)) {
                counters.droppedTooLarge.increment();
                return;
            }
            length = CaptureCodec.encodedLength(call);
        }
        int index = ring.claim((int) length);
        if (index < 0) {
            counters.droppedRingFull.increment();
            return;
        }
        try {
            CaptureCodec.encode(call, ring.records(), index);
            ring.commit(index);
        } catch (Throwable t) {
            ring.abort(index);
            throw t;
        }
        if (call.isTruncated()) {
            counters.callsTruncated.increment();
        }
        if (call.recordKind() == RecordKind.LABEL) {
            counters.labelsCaptured.increment();
        } else {
            counters.callsCaptured.increment();
            if (call.hasZeroRows()) {
                counters.callsZeroRows.increment();
            }
        }
        for (int t = 0; t < call.count; t++) {
            DType type = DType.fromCode(call.dtypes[t]);
            if (type == null || !type.isNumeric()) {
                counters.tensorsUnsupportedDtype.increment();
            }
        }
    }

    void dropped(Throwable t) {
        counters.droppedCaptureError.increment();
        AgentLog.once("capture:" + t.getClass().getName(), "a call could not be captured (" + t
                + "); such calls are dropped and counted, the application is not affected");
    }
}
