package io.infermon.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightCallsTest {

    @Test
    void theWatermarkIsTheOldestStartInFlightOrNow() throws Exception {
        InFlightCalls calls = new InFlightCalls();
        InFlightCalls.Slot mine = calls.register();
        assertThat(calls.watermark(1_000L, 0L)).isEqualTo(1_000L);

        long outer = mine.start();
        long inner = mine.start(); // a nested point: the outermost start holds
        assertThat(inner).isGreaterThanOrEqualTo(outer);
        assertThat(calls.watermark(outer + 5_000_000L, 0L)).isEqualTo(outer);
        mine.end();
        assertThat(calls.watermark(outer + 5_000_000L, 0L)).isEqualTo(outer);

        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        long[] otherStart = new long[1];
        Thread other = new Thread(() -> {
            InFlightCalls.Slot slot = calls.register();
            otherStart[0] = slot.start();
            started.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            slot.end();
        });
        other.start();
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        mine.end(); // only the other thread's call is left
        long now = System.nanoTime();
        assertThat(calls.watermark(now, 0L)).isEqualTo(otherStart[0]);
        finish.countDown();
        other.join();
        assertThat(calls.watermark(now, 0L)).isEqualTo(now);
        assertThat(calls.size()).isEqualTo(2);
        calls.forgetEndedThreads();
        assertThat(calls.size()).isEqualTo(1);
    }

    @Test
    void aThreadStartingACallHoldsTheWatermarkWhereItWas() {
        InFlightCalls calls = new InFlightCalls();
        InFlightCalls.Slot slot = calls.register();
        slot.start();
        // as if the writer looked between the thread's announcement and its reading of the clock
        setSince(slot, InFlightCalls.STARTING);
        assertThat(calls.watermark(9_000L, 4_000L)).isEqualTo(4_000L);
        assertThat(calls.watermark(3_000L, 4_000L)).isEqualTo(3_000L);
    }

    @Test
    void aCallRunningLongerThanTheHoldLimitNoLongerHoldsTheWatermark() {
        InFlightCalls calls = new InFlightCalls();
        InFlightCalls.Slot slot = calls.register();
        long start = slot.start();
        assertThat(calls.watermark(start + InFlightCalls.MAX_HOLD_NANOS - 1, 0L)).isEqualTo(start);
        long later = start + InFlightCalls.MAX_HOLD_NANOS;
        assertThat(calls.watermark(later, 0L)).isEqualTo(later);
    }

    private static void setSince(InFlightCalls.Slot slot, long value) {
        try {
            var field = InFlightCalls.Slot.class.getDeclaredField("since");
            field.setAccessible(true);
            ((java.util.concurrent.atomic.AtomicLong) field.get(slot)).set(value);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
