package io.infermon.processor;

import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Processor} running live ({@code run(false)}, as {@code infermon run} does) on a thread of its own, for the
 * tests that watch what it closes meanwhile. {@link #stop} stops it and fails the test with whatever it threw.
 */
final class LiveProcessorThread {
    private final Processor processor;
    private final Thread thread;
    private final AtomicReference<Throwable> failed = new AtomicReference<>();

    private LiveProcessorThread(Processor processor) {
        this.processor = processor;
        this.thread = new Thread(() -> {
            try {
                processor.run(false);
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "live-processor");
    }

    static LiveProcessorThread start(Processor processor) {
        LiveProcessorThread live = new LiveProcessorThread(processor);
        live.thread.start();
        return live;
    }

    /** Stops the processor, waits for its thread, and rethrows (as an {@link AssertionError}) what it threw. */
    void stop() throws InterruptedException {
        processor.stop();
        thread.join(30_000);
        if (thread.isAlive()) {
            throw new AssertionError("the live processor did not stop within 30 s");
        }
        if (failed.get() != null) {
            throw new AssertionError("the live processor failed", failed.get());
        }
    }
}
