package io.infermon.agent.capture;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, on the inference thread and before anything is copied, whether a call is captured: {@code sampling.rate}
 * by a coin toss, {@code sampling.max_calls_per_second} by counting admissions per one-second window. No locks: the
 * window is switched by compare-and-swap, so at a window's edge a few calls more or fewer than the limit may pass.
 */
final class Sampler {
    private static final long SECOND = 1_000_000_000L;
    private final double rate;
    private final long maxPerSecond;
    private final AtomicLong window = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong admitted = new AtomicLong();

    Sampler(double rate, long maxPerSecond) {
        this.rate = rate;
        this.maxPerSecond = maxPerSecond;
    }

    boolean admit(long nanoTime) {
        if (rate < 1.0 && (rate <= 0.0 || ThreadLocalRandom.current().nextDouble() >= rate)) {
            return false;
        }
        if (maxPerSecond <= 0) {
            return true;
        }
        long current = Math.floorDiv(nanoTime, SECOND);
        long seen = window.get();
        if (seen != current && window.compareAndSet(seen, current)) {
            admitted.set(0);
        }
        return admitted.incrementAndGet() <= maxPerSecond;
    }
}
