package io.infermon.agent.queue;

import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureCodec;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The agent's one background thread: it opens the Chronicle Queue (off the start-up path), then moves records from
 * the {@link CaptureRing} into it, sealing each with its checksum on the way. Every slow thing the agent does happens
 * here: queue creation, appends, page faults, roll-overs, recalibrating the clock.
 *
 * <p>If the queue cannot be opened, or appends keep failing, the writer logs one line and stops; the ring then fills
 * and further calls are dropped and counted, which costs the host one failed claim per call.
 */
public final class QueueWriter implements Runnable {
    private static final int BATCH = 256;
    private static final int MAX_CONSECUTIVE_FAILURES = 100;

    private final Path queueDir;
    private final CaptureRing ring;
    private final CaptureCounters counters;
    private final EpochClock clock;
    private final Runnable onGivingUp;
    private final Thread thread;
    private final IdleStrategy idle = new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(1),
            TimeUnit.MILLISECONDS.toNanos(1));
    private final ByteBuffer sealView;
    private final CRC32C crc = new CRC32C();
    private final MessageHandler appendRecord = this::append;

    private volatile boolean running = true;
    private volatile boolean stopped;
    private ChronicleQueue queue;
    private ExcerptAppender appender;
    private int consecutiveFailures;

    /**
     * @param onGivingUp run when the writer stops for good because the queue cannot be written, so that capture can be
     *                   switched off instead of filling the ring with records nobody will write
     */
    public QueueWriter(Path queueDir, CaptureRing ring, CaptureCounters counters, EpochClock clock,
                       Runnable onGivingUp) {
        this.queueDir = queueDir;
        this.onGivingUp = onGivingUp;
        this.ring = ring;
        this.counters = counters;
        this.clock = clock;
        this.sealView = ring.records().duplicate(); // position and limit of this view are the writer's alone
        this.thread = new Thread(this, "infermon-queue-writer");
        this.thread.setDaemon(true);
        this.thread.setContextClassLoader(QueueWriter.class.getClassLoader());
    }

    public void start() {
        thread.start();
    }

    @Override
    public void run() {
        try {
            queue = QueueFiles.open(queueDir, SingleChronicleQueueBuilder.binary(queueDir).rollCycle(RollCycles.FAST_HOURLY));
            appender = queue.createAppender();
        } catch (Throwable t) {
            AgentLog.info("capture off: cannot open the queue in " + queueDir + " (" + t + ")");
            counters.queueErrors.increment();
            stopped = true;
            onGivingUp.run();
            return;
        }
        long nextCalibration = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            while (running) {
                int n = ring.drain(appendRecord, BATCH);
                idle.idle(n);
                long now = System.nanoTime();
                if (now - nextCalibration > 0) {
                    clock.recalibrate();
                    nextCalibration = now + TimeUnit.SECONDS.toNanos(1);
                }
                if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
                    AgentLog.info("capture off: " + consecutiveFailures + " appends in a row to " + queueDir
                            + " failed");
                    onGivingUp.run();
                    return;
                }
            }
            while (ring.drain(appendRecord, BATCH) > 0) {
                // drain what inference threads committed before the stop
            }
        } finally {
            stopped = true;
            closeQuietly();
        }
    }

    private void append(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
        try {
            CaptureCodec.seal(sealView, index, crc);
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().unsafeWrite(((UnsafeBuffer) buffer).addressOffset() + index, length);
            }
            counters.recordsWritten.increment();
            counters.bytesWritten.add(length);
            consecutiveFailures = 0;
        } catch (Throwable t) {
            counters.queueErrors.increment();
            consecutiveFailures++;
            AgentLog.once("append:" + t.getClass().getName(), "cannot append to the queue in " + queueDir + " ("
                    + t + "); such records are dropped and counted");
        }
    }

    /** Stops after writing what is already in the ring, waiting at most {@code timeoutMillis}. */
    public void stop(long timeoutMillis) {
        running = false;
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    private void closeQuietly() {
        try {
            if (queue != null) {
                queue.close();
            }
        } catch (Throwable ignored) {
            // closing at exit; nothing useful to do
        }
    }
}
