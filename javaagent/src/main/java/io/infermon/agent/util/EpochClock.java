package io.infermon.agent.util;

import java.time.Instant;

/**
 * Turns {@link System#nanoTime()} readings into nanoseconds since the epoch. The inference thread reads only
 * {@code nanoTime} (cheap, no allocation); the wall-clock offset is taken at start and refreshed by the agent's
 * background thread with {@link #recalibrate()}, so a wall-clock step (NTP) reaches capture times within a second.
 */
public final class EpochClock {
    private volatile long epochMinusNano;

    public EpochClock() {
        recalibrate();
    }

    /** Re-reads the wall clock. Called about once a second from the writer thread. */
    public void recalibrate() {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        long epochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        epochMinusNano = epochNanos - (before + (after - before) / 2);
    }

    /** The epoch time, in nanoseconds, of a {@code nanoTime} reading taken on this JVM. */
    public long toEpochNanos(long nanoTime) {
        return epochMinusNano + nanoTime;
    }
}
