package io.infermon.agent.queue;

import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.capture.InFlightCalls;
import io.infermon.agent.config.AgentConfig;
import io.infermon.agent.util.AgentLog;
import io.infermon.agent.util.EpochClock;
import io.infermon.agent.util.StartupTrace;
import io.infermon.capture.AgentHealth;
import io.infermon.capture.AgentWatermark;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.StartingAgentFile;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.MessageHandler;

/**
 * The agent's one background thread: it opens the Chronicle Queue (off the start-up path, and only once it is needed:
 * {@link #OPEN_AFTER_RUNTIME_NANOS} after the host defines its first inference runtime class ({@link #openSoon}), at
 * the first record, at the stop, or {@link #OPEN_AT_LATEST_NANOS} after the start, whichever comes first, so that
 * Chronicle's start, about a thousand classes, does not compete with the host's own start; records captured while it
 * opens are kept in an {@link OpeningBuffer}), then moves records from the {@link CaptureRing} into it, sealing each
 * with its checksum on the way. Every slow thing the agent does happens here: queue creation, appends, page faults,
 * roll-overs, deleting old cycle files (retention), writing health records and watermark records, recalibrating the
 * clock.
 *
 * <p>Watermark records tell the processor how far this agent's records are complete in event time: every record
 * appended after one started at or after its time. The writer takes the oldest start among the calls in flight
 * ({@link InFlightCalls}), then appends the watermark only once it has drained every record claimed in the ring
 * before it looked: those may have started earlier. It writes one every {@link #WATERMARK_BUSY_NANOS} while calls are
 * captured and every {@link #WATERMARK_IDLE_NANOS} when none are, so a processor closes buckets on time also when the
 * service is idle, and a last one when it stops.
 *
 * <p>Until the queue is open, the agent's watermark is kept in a {@link StartingAgentFile} in the queue directory,
 * written before any call can start and rewritten every {@link #WATERMARK_BUSY_NANOS} while no call has been captured:
 * a processor reading other queues then does not close the buckets of this agent's first calls while they wait in the
 * ring for Chronicle's start. The queue's first watermark record carries on from the file's, and the file is deleted.
 *
 * <p>If the queue cannot be opened, or appends keep failing, the writer logs one line and stops; capture is then
 * switched off. If the queue directory disappears while the agent runs, it is created again and writing goes on.
 */
public final class QueueWriter implements Runnable {
    private static final int BATCH = 256;
    /**
     * How long the writer sleeps when the ring is empty. Records wait in the ring meanwhile (a few kilobytes at a
     * thousand calls a second), and nothing on the inference threads waits for the writer, so a longer sleep costs
     * nothing but a few milliseconds of latency to disk. A spinning and yielding back-off woke the writer 8,300 times
     * a second at 1,000 calls/s (6.6 % of a core); sleeping 4 ms wakes it 220 times (1.7 %), which matters on a small
     * machine where the writer shares cores with inference (docs/benchmarks.md).
     */
    static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(4);
    private static final int MAX_CONSECUTIVE_FAILURES = 100;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long RETENTION_EVERY = TimeUnit.SECONDS.toNanos(10);
    /** Watermark period while records flow: the processor closes a bucket within about this of its end (+ grace). */
    static final long WATERMARK_BUSY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** Watermark period when nothing was captured since the last one: 44 bytes a second for an idle service. */
    static final long WATERMARK_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long NO_WATERMARK = Long.MIN_VALUE;
    /**
     * Free space the writer leaves on the queue's file system. Chronicle writes through memory-mapped, sparse files:
     * on a full disk a write faults asynchronously ({@code InternalError}) instead of failing cleanly, and the queue
     * is left with a damaged record that stops readers. So records are dropped (and counted) before the disk is
     * that full; half of the reserve is kept for health records, so the drops reach the processor.
     */
    static final long DISK_RESERVE_BYTES = 1L << 20;
    /** The queue is opened this long after the writer's start at the latest, with no record to write. */
    static final long OPEN_AT_LATEST_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The queue is opened this long after the host defines its runtime's first class ({@link #openSoon}), unless a
     * call comes sooner. Not at once: the moments right after are the host's busiest (the runtime's native library,
     * the model's load, the JIT), and on a small machine Chronicle's start beside them delays the first inference
     * (+297 ms instead of +169 ms on 2 cores, docs/benchmarks.md). Not at the first call either: a service that
     * starts its traffic then, while other services keep the cores busy, waits seconds for Chronicle's start, and a
     * processor reading its queue among others holds their buckets meanwhile.
     */
    static final long OPEN_AFTER_RUNTIME_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long NOT_WANTED = Long.MIN_VALUE;
    /** How much longer a stop waits when the queue was not open yet: Chronicle's start, on a busy machine. */
    static final long OPEN_ALLOWANCE_MILLIS = 5_000;

    private final Path queueDir;
    private final RollCycle rollCycle;
    private final double retentionHours;
    private final long retentionBytes;
    private final long healthEvery;
    private final CaptureRing ring;
    private final CaptureCounters counters;
    private final EpochClock clock;
    private final InFlightCalls inFlight;
    private final Runnable onGivingUp;
    private final Thread thread;
    private final ByteBuffer sealView;
    /** The native address of the ring's index 0, which records are appended from. */
    private final long ringAddress;
    private final CRC32C crc = new CRC32C();
    private final MessageHandler appendRecord = this::append;
    /** Made with the queue, on this thread: it names Chronicle's types, which the host's start does not load. */
    private PageCachePrefill prefill;
    private String agentId;
    private final long startEpochNanos;
    private final ByteBuffer watermarkRecord = ByteBuffer.allocate(CaptureCodec.WATERMARK_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    /** The starting agent's file while the queue is not open; null once it is (or when it could not be written). */
    private Path startingFile;

    private volatile boolean running = true;
    /** When the host defined its runtime's first class ({@code nanoTime}), or {@link #NOT_WANTED}. */
    private volatile long openWantedNanos = NOT_WANTED;
    private volatile boolean stopped;
    private volatile boolean opened;
    private ChronicleQueue queue;
    private ExcerptAppender appender;
    private int consecutiveFailures;
    private long lastHealthNanos;
    private FileStore store;
    /** Bytes that may still be appended before the reserve is reached; re-read from the file system every second. */
    private long spaceBudget = Long.MAX_VALUE;
    /** The last watermark taken from the in-flight calls ({@code nanoTime} terms), and the last one written. */
    private long watermarkNanos;
    private long watermarkEpochNanos = Long.MIN_VALUE;
    /** A watermark taken but not yet written: it waits until the ring is drained up to {@link #watermarkClaimed}. */
    private long pendingWatermarkNanos = NO_WATERMARK;
    private long watermarkClaimed;
    private long nextWatermarkNanos;
    private long recordsAtLastWatermark;

    /**
     * @param onGivingUp run when the writer stops for good because the queue cannot be written, so that capture can be
     *                   switched off instead of filling the ring with records nobody will write
     */
    public QueueWriter(AgentConfig config, CaptureRing ring, CaptureCounters counters, EpochClock clock,
                       InFlightCalls inFlight, Runnable onGivingUp) {
        this.queueDir = config.queueDir();
        this.rollCycle = config.rollCycle();
        this.retentionHours = config.retentionHours();
        this.retentionBytes = config.retentionBytes();
        this.healthEvery = TimeUnit.SECONDS.toNanos(config.healthIntervalSeconds());
        this.onGivingUp = onGivingUp;
        this.ring = ring;
        this.counters = counters;
        this.clock = clock;
        this.inFlight = inFlight;
        this.sealView = ring.records().duplicate(); // position and limit of this view are the writer's alone
        this.ringAddress = ring.address();
        this.lastHealthNanos = System.nanoTime();
        this.startEpochNanos = clock.toEpochNanos(lastHealthNanos);
        this.watermarkNanos = lastHealthNanos; // before the handler is installed, so before any call starts
        this.thread = new Thread(this, "infermon-queue-writer");
        this.thread.setDaemon(true);
        this.thread.setContextClassLoader(QueueWriter.class.getClassLoader());
    }

    /** A writer with every other setting at its default, for {@code queueDir}. */
    public QueueWriter(Path queueDir, CaptureRing ring, CaptureCounters counters, EpochClock clock,
                       InFlightCalls inFlight, Runnable onGivingUp) {
        this(AgentConfig.defaults().withQueueDir(queueDir), ring, counters, clock, inFlight, onGivingUp);
    }

    /**
     * Starts the writer thread. Call before any call can be captured: the starting agent's file is written here, on
     * the caller's thread, so that it is there before the first call starts. If it cannot be written, the queue is
     * opened as the writer starts instead.
     */
    public void start() {
        ChronicleShutdownHook.register();
        try {
            QueueFiles.createDirectory(queueDir);
            Path file = StartingAgentFile.of(queueDir, AgentId.pid(), startEpochNanos);
            writeStartingFile(file, watermarkNanos);
            startingFile = file;
        } catch (Throwable t) {
            startingFile = null; // the open at once will say what is wrong with the directory, if anything
        }
        thread.start();
    }

    @Override
    public void run() {
        try {
            if (startingFile != null) {
                awaitFirstNeed();
                openWhileBuffering();
            } else {
                open();
            }
            opened = true;
            StartupTrace.mark("queue ready");
        } catch (Throwable t) {
            AgentLog.info("capture off: cannot open the queue in " + queueDir + " (" + t + ")");
            giveUp();
            return;
        }
        long now = System.nanoTime();
        nextSecond = now + SECOND;
        nextRetention = now;
        try {
            while (running) {
                if (!step()) {
                    return;
                }
            }
            while (ring.drain(appendRecord, BATCH) > 0) {
                // drain what inference threads committed before the stop
            }
            writeHealth(System.nanoTime());
            writeWatermark(clock.toEpochNanos(System.nanoTime()), true); // nothing more comes from this agent
        } finally {
            stopped = true;
            closeQuietly();
        }
    }

    /** When the writer's once-a-second work and its retention pass are next due ({@link System#nanoTime}). */
    private long nextSecond;
    private long nextRetention;

    /**
     * One turn of the writer's loop: appends what the ring holds (or sleeps when it holds nothing), then the work that
     * falls due. A method of its own, not the body of {@link #run}'s loop, because the JIT compiles a method after a
     * few thousand calls at most but a loop in a method called once only after tens of thousands of turns: at about
     * 220 turns a second it ran interpreted for the first minutes (13 % of the writer's samples at 1,000 calls/s).
     *
     * @return false when the writer gave up (the queue's directory went away, or appends kept failing)
     */
    private boolean step() {
        if (ring.drain(appendRecord, BATCH) == 0) {
            LockSupport.parkNanos(IDLE_PARK_NANOS);
        }
        long now = System.nanoTime();
        if (now - nextSecond > 0) {
            clock.recalibrate();
            prefill.nextSecond();
            nextSecond = now + SECOND;
            if (!Files.isDirectory(queueDir) && !reopen()) {
                return false;
            }
            measureFreeSpace();
        }
        if (now - lastHealthNanos >= healthEvery) {
            writeHealth(now);
        }
        if (now - nextRetention >= 0) {
            applyRetention();
            inFlight.forgetEndedThreads();
            nextRetention = now + RETENTION_EVERY;
        }
        advanceWatermark(now);
        if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
            AgentLog.info("capture off: " + consecutiveFailures + " appends in a row to " + queueDir + " failed");
            giveUp();
            return false;
        }
        return true;
    }

    /**
     * Asks for the queue to be opened {@link #OPEN_AFTER_RUNTIME_NANOS} from now rather than at the first record: the
     * host has defined a class of its inference runtime, so its first calls are near, and Chronicle's start should be
     * over (or under way) by then. Called on the host's thread: only a volatile read, and a write the first time.
     */
    public void openSoon() {
        if (openWantedNanos == NOT_WANTED) {
            openWantedNanos = System.nanoTime();
            StartupTrace.mark("queue wanted (a runtime class)");
        }
    }

    /**
     * Returns {@link #OPEN_AFTER_RUNTIME_NANOS} after the queue was wanted ({@link #openSoon}), at the first record
     * claimed in the ring, at a stop, or {@link #OPEN_AT_LATEST_NANOS} after the start; meanwhile keeps the starting
     * agent's file up to date with the calls in flight.
     */
    private void awaitFirstNeed() {
        long now = System.nanoTime();
        long deadline = now + OPEN_AT_LATEST_NANOS;
        long nextRefresh = now + WATERMARK_BUSY_NANOS;
        while (running && ring.claimedPosition() == 0 && now - deadline < 0) {
            long wanted = openWantedNanos;
            if (wanted != NOT_WANTED && now - wanted >= OPEN_AFTER_RUNTIME_NANOS) {
                break;
            }
            LockSupport.parkNanos(IDLE_PARK_NANOS);
            now = System.nanoTime();
            if (now - nextRefresh >= 0) {
                long taken = inFlight.watermark(now, watermarkNanos);
                // valid only while no record is claimed: a call leaves the in-flight calls after its record is
                // claimed, so with none claimed every call that could still come started at or after this
                if (ring.claimedPosition() != 0) {
                    break;
                }
                watermarkNanos = taken;
                try {
                    writeStartingFile(startingFile, taken);
                } catch (Throwable t) {
                    AgentLog.once("starting-file", "cannot update " + startingFile + " (" + t + ")");
                }
                nextRefresh = now + WATERMARK_BUSY_NANOS;
            }
        }
    }

    private void writeStartingFile(Path file, long watermark) throws java.io.IOException {
        StartingAgentFile.write(file, new AgentWatermark(clock.toEpochNanos(watermark), startEpochNanos, false),
                watermarkRecord, crc);
    }

    /**
     * Deletes starting agents' files left by agents killed before their queue opened (their process is gone; a
     * processor passes them over once they fall behind by the idle timeout, but would list them for ever).
     */
    private void removeStartingFilesOfEndedProcesses() {
        try {
            for (Path f : StartingAgentFile.list(queueDir)) {
                long pid = StartingAgentFile.pidOf(f);
                if (pid > 0 && !AgentId.isRunning(pid)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (Exception e) {
            AgentLog.once("starting-file", "cannot clear old starting files in " + queueDir + " (" + e + ")");
        }
    }

    private void open() throws Exception {
        if (agentId == null) {
            agentId = AgentId.ofThisJvm();
        }
        queue = QueueFiles.open(queueDir, rollCycle);
        appender = queue.createAppender();
        prefill = new PageCachePrefill();
        try {
            store = Files.getFileStore(queueDir);
        } catch (Exception e) {
            store = null; // free space unknown: no reserve check
        }
        measureFreeSpace();
        // a watermark first of all, before any record the ring already holds: the processor learns at once that this
        // agent's records come with watermarks. The last one taken (at first, the writer's creation, before the
        // handler was installed) is still true: every record not yet appended started after it was taken.
        pendingWatermarkNanos = NO_WATERMARK;
        writeWatermark(clock.toEpochNanos(watermarkNanos), false);
        nextWatermarkNanos = System.nanoTime();
        if (startingFile != null) { // the queue's watermarks carry on from the file's
            try {
                Files.deleteIfExists(startingFile);
            } catch (Exception e) {
                AgentLog.once("starting-file", "cannot delete " + startingFile + " (" + e + ")");
            }
            startingFile = null;
            removeStartingFilesOfEndedProcesses();
        }
    }

    /**
     * Takes a watermark when one is due, and writes a taken one once every record claimed before it was taken is
     * drained (those may have started before it; any record claimed later started after it or is still in flight).
     */
    private void advanceWatermark(long now) {
        if (pendingWatermarkNanos == NO_WATERMARK) {
            if (now - nextWatermarkNanos < 0) {
                return;
            }
            watermarkNanos = inFlight.watermark(now, watermarkNanos);
            pendingWatermarkNanos = watermarkNanos;
            watermarkClaimed = ring.claimedPosition();
        }
        if (ring.drainedPosition() - watermarkClaimed < 0) {
            return; // a thread is still encoding a record claimed before: write the watermark after it
        }
        writeWatermark(clock.toEpochNanos(pendingWatermarkNanos), false);
        pendingWatermarkNanos = NO_WATERMARK;
        long written = counters.recordsWritten.sum();
        nextWatermarkNanos = now + (written != recordsAtLastWatermark ? WATERMARK_BUSY_NANOS : WATERMARK_IDLE_NANOS);
        recordsAtLastWatermark = written;
    }

    /** Appends a watermark record (never lower than the last one: a clock correction does not move it back). */
    private void writeWatermark(long epochNanos, boolean last) {
        if (appender == null) {
            return;
        }
        try {
            watermarkEpochNanos = Math.max(watermarkEpochNanos, epochNanos);
            if (!spaceFor(CaptureCodec.WATERMARK_LENGTH, DISK_RESERVE_BYTES / 2)) {
                return;
            }
            CaptureCodec.encodeWatermark(new AgentWatermark(watermarkEpochNanos, startEpochNanos, last),
                    watermarkRecord, 0, crc);
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(watermarkRecord.array(), 0, CaptureCodec.WATERMARK_LENGTH);
            }
        } catch (Throwable t) {
            appendFailed(t);
        }
    }

    private void measureFreeSpace() {
        try {
            spaceBudget = store == null ? Long.MAX_VALUE : store.getUsableSpace() - DISK_RESERVE_BYTES;
        } catch (Exception e) {
            spaceBudget = Long.MAX_VALUE;
        }
    }

    /** Whether {@code length} more bytes keep the reserve ({@code reserveShare} of it may be used); books them. */
    private boolean spaceFor(int length, long reserveShare) {
        // a record also costs its header and a share of Chronicle's index
        long cost = length + 64L;
        if (cost > spaceBudget + reserveShare) {
            return false;
        }
        spaceBudget -= cost;
        return true;
    }

    private void giveUp() {
        counters.queueErrors.increment();
        counters.captureEnabled = false;
        stopped = true;
        onGivingUp.run();
    }

    /** The directory vanished (deleted by hand or by a clean-up job): create it again and go on. */
    private boolean reopen() {
        counters.queueErrors.increment();
        AgentLog.once("queue-vanished", "the queue directory " + queueDir + " disappeared; creating it again "
                + "(records appended in the meantime may be lost)");
        closeQuietly();
        try {
            open();
            return true;
        } catch (Throwable t) {
            AgentLog.info("capture off: cannot create the queue in " + queueDir + " again (" + t + ")");
            giveUp();
            return false;
        }
    }

    /**
     * Opens the queue on another thread and meanwhile moves the ring's records into an {@link OpeningBuffer}, then
     * appends them to the opened queue, oldest first, before any record still in the ring. Without it, a host calling
     * flat out from its first call fills the ring during Chronicle's start (JMH at batch 64 dropped 2,951 calls, and
     * a service of four busy threads on two cores dropped 213 while Chronicle took seconds to start).
     *
     * <p>The starting agent's file is not refreshed meanwhile: records not yet in the queue bound the watermark, and
     * the oldest of them is the first call.
     */
    private void openWhileBuffering() throws Throwable {
        Throwable[] failed = new Throwable[1];
        Thread openerThread = new Thread(() -> {
            try {
                opener.open();
            } catch (Throwable t) {
                failed[0] = t;
            }
        }, "infermon-queue-open");
        openerThread.setDaemon(true);
        openerThread.setContextClassLoader(QueueWriter.class.getClassLoader());
        openerThread.start();
        try (OpeningBuffer kept = new OpeningBuffer(OpeningBuffer.MAX_BYTES)) {
            boolean[] full = {false};
            ControlledMessageHandler keepAside = (type, buffer, index, length) -> {
                if (kept.add(buffer, index, length)) {
                    return ControlledMessageHandler.Action.CONTINUE;
                }
                full[0] = true; // this record and the ones after it stay in the ring
                return ControlledMessageHandler.Action.ABORT;
            };
            while (openerThread.isAlive()) {
                if (full[0] || ring.controlledDrain(keepAside, BATCH) == 0) {
                    openerThread.join(1);
                }
            }
            openerThread.join();
            if (failed[0] != null) {
                throw failed[0];
            }
            // the appender was made and first used on the opener's thread: hand it over to this one (Chronicle checks
            // that a single thread uses it, where assertions are on)
            appender.singleThreadedCheckReset();
            if (kept.records() > 0) {
                StartupTrace.mark("queue open, " + kept.records() + " records kept aside meanwhile");
                kept.replay((record, length) -> appendBytes(record, 0, length));
            } else {
                StartupTrace.mark("queue open");
            }
        }
    }

    /** How the queue is opened while the writer keeps records aside. A test holds the open back with another. */
    interface Opener {
        void open() throws Exception;
    }

    Opener opener = this::open;

    private void append(int msgTypeId, org.agrona.MutableDirectBuffer buffer, int index, int length) {
        appendBytes(sealView, index, length);
    }

    /**
     * Seals the record at {@code index} of {@code view} and appends it. {@code view} is the ring's (the record is
     * copied from the ring's native memory) or a heap buffer holding a record kept aside while the queue opened.
     */
    private void appendBytes(ByteBuffer view, int index, int length) {
        if (!spaceFor(length, 0)) {
            counters.droppedDiskFull.increment();
            AgentLog.once("disk-full", "less than " + (DISK_RESERVE_BYTES >> 20) + " MiB free on the disk of "
                    + queueDir + ": records are dropped and counted until space is freed");
            return;
        }
        try {
            // the watermark's promise, exactly: no call appended after it starts before it (a thread's conversion
            // to epoch time may predate the writer's last recalibration by a little; a call longer than the hold
            // limit, or a step back of the clock, gets the watermark as its start instead of arriving late)
            CaptureCodec.raiseCaptureTime(view, index, watermarkEpochNanos);
            CaptureCodec.seal(view, index, crc);
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                try {
                    if (view == sealView) {
                        bytes.unsafeWrite(ringAddress + index, length);
                    } else {
                        bytes.write(view.array(), view.arrayOffset() + index, length);
                    }
                } catch (Throwable t) {
                    // e.g. the disk filled under the memory-mapped page: leave no half-written record for readers
                    dc.rollbackOnClose();
                    throw t;
                }
                // within the document, so while this appender holds the queue's write lock; never throws
                spaceBudget -= prefill.ahead(bytes, length, Math.max(0, spaceBudget));
            }
            counters.recordsWritten.increment();
            counters.bytesWritten.add(length);
            consecutiveFailures = 0;
        } catch (Throwable t) {
            appendFailed(t);
        }
    }

    private void appendFailed(Throwable t) {
        counters.queueErrors.increment();
        consecutiveFailures++;
        AgentLog.once("append:" + t.getClass().getName(), "cannot append to the queue in " + queueDir + " ("
                + t + "); such records are dropped and counted");
    }

    /** Appends a health record with the counters as they are now. */
    private void writeHealth(long now) {
        long interval = now - lastHealthNanos;
        lastHealthNanos = now;
        if (appender == null) {
            return;
        }
        try {
            ByteBuffer record = CaptureCodec.encodeHealth(new AgentHealth(clock.toEpochNanos(now), interval, agentId,
                    startEpochNanos, counters.snapshot()));
            byte[] bytes = new byte[record.remaining()];
            record.get(0, bytes);
            if (!spaceFor(bytes.length, DISK_RESERVE_BYTES / 2)) {
                return;
            }
            try (DocumentContext dc = appender.writingDocument()) {
                dc.wire().bytes().write(bytes);
            }
            counters.recordsWritten.increment();
            counters.bytesWritten.add(bytes.length);
        } catch (Throwable t) {
            appendFailed(t);
        }
    }

    /**
     * Deletes whole cycle files, oldest first, never the newest (the one being written): those last modified before
     * the retention time, then more while the queue is larger than the retention size.
     */
    void applyRetention() {
        if (retentionHours <= 0 && retentionBytes <= 0) {
            return;
        }
        try {
            File[] files = queueDir.toFile().listFiles((d, name) -> name.endsWith(".cq4"));
            if (files == null || files.length < 2) {
                return;
            }
            Arrays.sort(files);
            long total = 0;
            for (File f : files) {
                total += f.length();
            }
            long cutoff = System.currentTimeMillis() - (long) (retentionHours * 3_600_000L);
            boolean deleted = false;
            for (int i = 0; i < files.length - 1; i++) {
                File f = files[i];
                boolean tooOld = retentionHours > 0 && f.lastModified() < cutoff;
                boolean tooBig = retentionBytes > 0 && total > retentionBytes;
                if (!tooOld && !tooBig) {
                    break;
                }
                long size = f.length();
                if (prefill != null) {
                    prefill.release(f);
                }
                if (f.delete()) {
                    total -= size;
                    deleted = true;
                    counters.retentionFilesDeleted.increment();
                }
            }
            if (deleted && queue instanceof SingleChronicleQueue q) {
                q.refreshDirectoryListing();
            }
        } catch (Throwable t) {
            AgentLog.once("retention:" + t.getClass().getName(), "cannot delete old queue files in " + queueDir
                    + " (" + t + ")");
        }
    }

    /**
     * Stops after writing what is already in the ring, waiting at most {@code timeoutMillis}, plus at most
     * {@link #OPEN_ALLOWANCE_MILLIS} when the queue was not open yet (a host that exits right after its first calls).
     */
    public void stop(long timeoutMillis) {
        boolean wasOpen = opened;
        running = false;
        LockSupport.unpark(thread); // not to wait out the idle sleep
        try {
            thread.join(timeoutMillis + (wasOpen ? 0 : OPEN_ALLOWANCE_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isStopped() {
        return stopped;
    }

    /** Whether the queue has been opened. */
    public boolean isOpen() {
        return opened;
    }

    private void closeQuietly() {
        try {
            if (queue != null) {
                queue.close();
            }
        } catch (Throwable ignored) {
            // closing at exit; nothing useful to do
        } finally {
            if (prefill != null) {
                prefill.close();
            }
            queue = null;
            appender = null;
        }
    }
}
