package io.infermon.processor;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * The processor's own health, for {@code /metrics} (its rejected records are counted in metrics.jsonl, see
 * {@code RunningTotals}): written by the processor's one reading thread, read by HTTP
 * threads at any time. Only atomics and a lock-free window of per-second counts, so the reading loop never waits.
 */
public final class ProcessorHealth {
    /** The records-per-second rate is averaged over this many whole seconds. */
    static final int RATE_WINDOW_SECONDS = 10;

    private final LongSupplier clockMillis;
    private final AtomicLong recordsRead = new AtomicLong();
    private final AtomicLong lastCaptureTimeNanos = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong bucketsOpen = new AtomicLong();
    // slot = second % (window + 1); each slot remembers which second it counts, so a stale slot reads as 0
    private final AtomicLongArray slotSecond = new AtomicLongArray(RATE_WINDOW_SECONDS + 1);
    private final AtomicLongArray slotCount = new AtomicLongArray(RATE_WINDOW_SECONDS + 1);

    public ProcessorHealth() {
        this(System::currentTimeMillis);
    }

    ProcessorHealth(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        for (int i = 0; i < slotSecond.length(); i++) {
            slotSecond.set(i, Long.MIN_VALUE);
        }
    }

    /** The processor read a record captured at {@code captureTimeEpochNanos}; {@code open} buckets are open now. */
    public void recordRead(long captureTimeEpochNanos, int open) {
        recordsRead.incrementAndGet();
        lastCaptureTimeNanos.set(captureTimeEpochNanos);
        bucketsOpen.set(open);
        long second = Math.floorDiv(clockMillis.getAsLong(), 1000L);
        int slot = (int) Math.floorMod(second, (long) slotSecond.length());
        if (slotSecond.get(slot) != second) {
            // only the reading thread writes, so resetting a slot for a new second needs no compare-and-set
            slotCount.set(slot, 0);
            slotSecond.set(slot, second);
        }
        slotCount.incrementAndGet(slot);
    }

    public long recordsRead() {
        return recordsRead.get();
    }

    /** Now minus the capture time of the last record read, in seconds; NaN before the first record. */
    public double lagSeconds() {
        long last = lastCaptureTimeNanos.get();
        if (last == Long.MIN_VALUE) {
            return Double.NaN;
        }
        return (clockMillis.getAsLong() * 1_000_000.0 - last) / 1e9;
    }

    /** Records read per second over the last {@value #RATE_WINDOW_SECONDS} whole seconds. */
    public double recordsPerSecond() {
        long current = Math.floorDiv(clockMillis.getAsLong(), 1000L);
        long sum = 0;
        for (int i = 0; i < slotSecond.length(); i++) {
            long s = slotSecond.get(i);
            if (s < current && s >= current - RATE_WINDOW_SECONDS) {
                sum += slotCount.get(i);
            }
        }
        return sum / (double) RATE_WINDOW_SECONDS;
    }

    public long bucketsOpen() {
        return bucketsOpen.get();
    }
}
