package io.infermon.agent.capture;

import java.lang.ref.WeakReference;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls running right now on the host's threads, so that the queue writer can promise the processor a watermark:
 * no record it appends after a watermark record started before that watermark.
 *
 * <p>A record enters the ring when its call ends, but it carries the call's start as its event time; with several
 * inference threads, a long call that started before a bucket boundary is appended after short calls that started
 * after it. The writer's watermark is therefore the start of the oldest call still in flight (or now, when none is),
 * which it reads from one slot per thread.
 *
 * <p>On the inference thread this costs one volatile store when a call starts and one ordered store when it ends,
 * with no allocation and no lock (a thread registers its slot once, on its first call). Only calls that can produce an
 * inference record are tracked: TensorFlow calls and value-capturing method points.
 */
public final class InFlightCalls {
    /** Slot value: no call in flight on the thread. */
    static final long NONE = Long.MAX_VALUE;
    /** Slot value: the thread is starting a call and has not read the clock yet. */
    static final long STARTING = Long.MIN_VALUE;
    /**
     * A call running longer than this stops holding the watermark back, so that one stuck call (or an agent bug that
     * missed a call's end) cannot stop every bucket from closing. Its record, if it ever comes, may then be late.
     */
    static final long MAX_HOLD_NANOS = TimeUnit.SECONDS.toNanos(60);

    /**
     * Lock-free and O(1) to join: a thread's first call must not wait for the writer, nor copy every other slot. A
     * slot added while the writer scans may be missed by that scan, which is safe: its thread reads its start only
     * after adding it, so later than the writer read {@code now}.
     */
    private final ConcurrentLinkedQueue<Slot> slots = new ConcurrentLinkedQueue<>();

    /** One thread's slot. Only its own thread writes it, except the writer thread that reads it. */
    public static final class Slot {
        private final AtomicLong since = new AtomicLong(NONE);
        private final WeakReference<Thread> thread = new WeakReference<>(Thread.currentThread());
        /** Calls open on the thread (nested points), touched by its own thread only. */
        private int depth;

        /**
         * A call starts on this thread: returns its start ({@link System#nanoTime()}), which is also what the call's
         * record must carry as its start. The outermost call publishes it.
         */
        public long start() {
            if (depth++ > 0) {
                return System.nanoTime();
            }
            // volatile: a writer that does not see STARTING read its clock before this call read its own
            since.set(STARTING);
            long now = System.nanoTime();
            since.setRelease(now);
            return now;
        }

        /**
         * A call starts inside one already open on this thread ({@link #start} called and not yet ended): only the
         * outer call's start counts for the watermark, and the inner one needs no clock reading of its own.
         */
        public void nest() {
            depth++;
        }

        /** The call ends. Call it after the call's record is committed to the ring, never before. */
        public void end() {
            if (depth > 0 && --depth == 0) {
                since.setRelease(NONE);
            }
        }

        private boolean threadGone() {
            Thread t = thread.get();
            return t == null || !t.isAlive();
        }
    }

    /** A new slot for the calling thread; kept until the thread ends. */
    public Slot register() {
        Slot s = new Slot();
        slots.add(s);
        return s;
    }

    /**
     * The watermark, in {@link System#nanoTime()} terms: the start of the oldest call in flight, or {@code now} when
     * none is. {@code now} must be read before this is called. When a thread is just starting a call (its start not
     * known yet), returns {@code previous}, the last watermark given out, so the watermark waits rather than passes
     * a start it cannot see.
     */
    public long watermark(long now, long previous) {
        long oldest = now;
        for (Slot s : slots) {
            long since = s.since.get();
            if (since == STARTING) {
                return Math.min(previous, now);
            }
            if (since != NONE && since - oldest < 0 && now - since < MAX_HOLD_NANOS) {
                oldest = since;
            }
        }
        return oldest;
    }

    /** Forgets the slots of threads that ended (thread pools replace their threads); called by the writer. */
    public void forgetEndedThreads() {
        slots.removeIf(Slot::threadGone);
    }

    /** Registered slots (for tests). */
    int size() {
        return slots.size();
    }
}
