package io.infermon.processor.output;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Follows one of the processor's append-only output files ({@code alerts.jsonl}, {@code metrics.jsonl}) on a thread
 * of its own and hands what is new to a receiver, so that a slow or absent receiver never holds up the processor. It
 * reads only as far as the latest checkpoint holds (beyond it, a restart may still cut lines off) and keeps how far
 * the receiver has taken it in an {@link OffsetFile}, written after each answer: a restart goes on from there, so each
 * line is handed over once (killed in the instant between the receiver's answer and that write, the lines in flight
 * are handed over again).
 *
 * <p>What it does with the lines, and how it retries a receiver, is the subclass's ({@link #follow}); the loop around
 * it is here: the file started afresh (shorter than the offset) is followed from its beginning, an idle follower looks
 * again a few times a second or when told ({@link #committed()}), and a file it cannot read or an offset it cannot
 * write is told once and retried every second.
 */
public abstract class CommittedFileFollower implements AutoCloseable {
    private static final long IDLE_WAIT_MILLIS = 200;
    private static final long IO_RETRY_MILLIS = 1000;

    private final Path offsetFile;
    private final LongSupplier committed;
    private final String fileName;
    private final String who;
    private final Thread thread;
    private final Object wake = new Object();
    protected final Consumer<String> log;
    private volatile boolean closed;
    private volatile long offset;

    /**
     * @param file       the followed file
     * @param offsetFile where the progress is kept
     * @param everything what a missing offset file means is sent again, for {@link OffsetFile#read}
     * @param committed  how far {@code file} is final (the latest checkpoint's length)
     * @param who        the follower in messages ("alert webhook", "OTLP export")
     * @param log        where problems are told
     */
    protected CommittedFileFollower(Path file, Path offsetFile, String everything, LongSupplier committed, String who,
                                    String threadName, Consumer<String> log) throws IOException {
        this.offsetFile = offsetFile;
        this.committed = committed;
        this.fileName = file.getFileName().toString();
        this.who = who;
        this.log = log;
        this.offset = OffsetFile.read(offsetFile, everything);
        this.thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
    }

    /** Starts the thread; call once the subclass is fully built. */
    protected final void startFollowing() {
        thread.start();
    }

    /**
     * Hands the receiver the next lines between {@link #offset()} and {@code end}, advancing the offset
     * ({@link #advanceTo}) as they are answered. Returning early is fine: it is called again while lines remain.
     *
     * @throws IOException when the file cannot be read or the offset not written: retried a second later
     */
    protected abstract void follow(long end) throws IOException, InterruptedException;

    private void run() {
        boolean failing = false;
        while (!closed) {
            try {
                long end = committed.getAsLong();
                if (end < offset) {
                    log.accept("infermon: " + fileName + " was started afresh (shorter than what the " + who
                            + " had taken); sending it from its beginning");
                    advanceTo(0);
                }
                if (offset >= end) {
                    pause(IDLE_WAIT_MILLIS);
                    continue;
                }
                follow(end);
                failing = false;
            } catch (IOException e) {
                if (!failing) {
                    failing = true;
                    log.accept("infermon: " + who + ": cannot read " + fileName + " or record progress ("
                            + e.getMessage() + "); will retry");
                }
                try {
                    pause(IO_RETRY_MILLIS);
                } catch (InterruptedException stop) {
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Records that everything before {@code next} is taken. */
    protected final void advanceTo(long next) throws IOException {
        OffsetFile.write(offsetFile, next);
        offset = next;
    }

    /** Waits {@code millis}, or less when told of new lines or closed. */
    protected final void pause(long millis) throws InterruptedException {
        synchronized (wake) {
            if (!closed) {
                TimeUnit.MILLISECONDS.timedWait(wake, millis);
            }
        }
    }

    protected final boolean isClosed() {
        return closed;
    }

    /** Tells the follower that more of the file is final (it also looks by itself a few times a second). */
    public final void committed() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /** Bytes of the file taken by the receiver (or skipped) so far. */
    public final long offset() {
        return offset;
    }

    /** Waits until everything final is taken or {@code timeout} passes; true when it is. */
    public final boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (offset < committed.getAsLong() && System.nanoTime() < deadline) {
            committed();
            Thread.sleep(20); // a drain's last wait for a background thread, not a test's synchronisation
        }
        return offset >= committed.getAsLong();
    }

    /** Stops the thread, waiting up to {@code joinMillis} for a request in flight. */
    protected final void stopFollowing(long joinMillis) throws InterruptedException {
        closed = true;
        committed();
        thread.join(joinMillis);
    }
}
