package io.infermon.agent.capture;

import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's health counters. {@link LongAdder}s, because many inference threads bump them at once and a contended
 * atomic would make them wait on each other.
 */
public final class CaptureCounters {
    /** Intercepted calls that reached the handler (outermost calls only). */
    public final LongAdder callsSeen = new LongAdder();
    /** Calls encoded into the hand-off ring. */
    public final LongAdder callsCaptured = new LongAdder();
    /** Calls skipped because they were not inference (no fetched outputs: initialisation, saving). */
    public final LongAdder callsNotInference = new LongAdder();
    /** Calls dropped because the ring was full (the writer fell behind or stopped). */
    public final LongAdder droppedRingFull = new LongAdder();
    /** Calls dropped because their record would exceed the largest record size. */
    public final LongAdder droppedTooLarge = new LongAdder();
    /** Calls dropped because reading their tensors failed (a closed tensor, an unexpected TensorFlow version...). */
    public final LongAdder droppedCaptureError = new LongAdder();
    /** Records appended to the queue, and their bytes. */
    public final LongAdder recordsWritten = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    /** Failures opening or appending to the queue. */
    public final LongAdder queueErrors = new LongAdder();
}
