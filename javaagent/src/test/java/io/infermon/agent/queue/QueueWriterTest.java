package io.infermon.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.capture.InFlightCalls;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.AgentHealth;
import io.infermon.capture.AgentWatermark;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.RecordKind;
import io.infermon.capture.StartingAgentFile;
import io.infermon.agent.config.AgentConfig;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QueueWriterTest {

    /** A call with one float tensor holding {@code value}. */
    private static CaptureSource call(float value) {
        return call(value, 1_000L);
    }

    /** A call with one float tensor holding {@code value}, started at {@code captureTime}. */
    private static CaptureSource call(float value, long captureTime) {
        return call(value, captureTime, 2_000L);
    }

    private static CaptureSource call(float value, long captureTime, long duration) {
        return new CaptureSource() {
            @Override public long captureTimeEpochNanos() { return captureTime; }
            @Override public long durationNanos() { return duration; }
            @Override public String modelName() { return "m"; }
            @Override public String modelVersion() { return ""; }
            @Override public String signature() { return ""; }
            @Override public String interceptionPoint() { return "test"; }
            @Override public String requestId() { return ""; }
            @Override public int tensorCount() { return 1; }
            @Override public String tensorName(int t) { return "x"; }
            @Override public TensorRole tensorRole(int t) { return TensorRole.INPUT; }
            @Override public TensorMeaning tensorMeaning(int t) { return TensorMeaning.UNSPECIFIED; }
            @Override public int tensorDType(int t) { return DType.FLOAT.code(); }
            @Override public int tensorRank(int t) { return 2; }
            @Override public long tensorDim(int t, int d) { return 1; }
            @Override public int tensorByteLength(int t) { return 4; }
            @Override public void copyTensorBytes(int t, ByteBuffer target, int offset) {
                target.putFloat(offset, value);
            }
        };
    }

    private static boolean offer(CaptureRing ring, CaptureSource call) {
        int length = (int) CaptureCodec.encodedLength(call);
        int index = ring.claim(length);
        if (index < 0) {
            return false;
        }
        CaptureCodec.encode(call, ring.records(), index);
        ring.commit(index);
        return true;
    }

    /** The queue's inference and label records, each decoded (its CRC checked). */
    static List<CaptureRecord> readAll(Path dir) throws Exception {
        List<CaptureRecord> out = new ArrayList<>();
        readAll(dir, out, new ArrayList<>());
        return out;
    }

    /** Inference records into {@code calls}, health records into {@code health}. */
    private static void readAll(Path dir, List<CaptureRecord> calls, List<AgentHealth> health) throws Exception {
        readAll(dir, calls, health, new ArrayList<>());
    }

    /** Every record in queue order: inference records, health records and watermarks into their lists. */
    private static void readAll(Path dir, List<CaptureRecord> calls, List<AgentHealth> health,
                                List<AgentWatermark> watermarks) throws Exception {
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build()) {
            ExcerptTailer tailer = q.createTailer();
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        return;
                    }
                    Bytes<?> bytes = dc.wire().bytes();
                    byte[] record = new byte[(int) bytes.readRemaining()];
                    bytes.read(record);
                    RecordKind kind = CaptureCodec.kindOf(ByteBuffer.wrap(record));
                    if (kind == RecordKind.HEALTH) {
                        health.add(CaptureCodec.decodeHealth(ByteBuffer.wrap(record)));
                    } else if (kind == RecordKind.WATERMARK) {
                        watermarks.add(CaptureCodec.decodeWatermark(ByteBuffer.wrap(record)));
                    } else {
                        calls.add(CaptureCodec.decode(ByteBuffer.wrap(record)));
                    }
                }
            }
        }
    }

    @Test
    void movesSealedRecordsFromTheRingIntoAnOwnerOnlyQueue(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        writer.start();
        for (int i = 0; i < 100; i++) {
            assertThat(offer(ring, call(i))).isTrue();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == 100);
        long bytesBeforeStop = counters.bytesWritten.sum(); // the stop adds a health record
        writer.stop(5_000);

        List<CaptureRecord> records = readAll(dir); // decode checks each record's CRC, set by the writer
        assertThat(records).hasSize(100);
        assertThat(records.get(42).tensors().get(0).bytes().getFloat(0)).isEqualTo(42f);
        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(bytesBeforeStop).isEqualTo(100 * CaptureCodec.encodedLength(call(0)));
    }

    @Test
    void aFullRingRefusesAtOnceInsteadOfWaiting() {
        CaptureRing ring = new CaptureRing(1 << 16); // nobody drains it
        int accepted = 0;
        while (offer(ring, call(accepted))) {
            accepted++;
        }
        long length = CaptureCodec.encodedLength(call(0));
        assertThat(accepted).isGreaterThan(0).isLessThanOrEqualTo((int) ((1 << 16) / length));
    }

    @Test
    void drainsWhatIsInTheRingWhenStopped(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        for (int i = 0; i < 10; i++) {
            offer(ring, call(i));
        }
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        writer.start();
        writer.stop(10_000);
        assertThat(writer.isStopped()).isTrue();
        assertThat(readAll(dir)).hasSize(10);
    }

    @Test
    void opensTheQueueAtTheFirstRecordAndUntilThenKeepsItsWatermarkInAStartingFile(@TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        EpochClock clock = new EpochClock();
        InFlightCalls inFlight = new InFlightCalls();
        // a file left by an agent whose process is gone (killed before its queue opened), and one of a live process
        Files.createDirectories(dir);
        Path dead = StartingAgentFile.of(dir, Long.MAX_VALUE - 1, 1L);
        Path live = StartingAgentFile.of(dir, ProcessHandle.current().parent().orElseThrow().pid(), 2L);
        Files.writeString(dead, "");
        Files.writeString(live, "");
        long before = clock.toEpochNanos(System.nanoTime());
        QueueWriter writer = new QueueWriter(dir, ring, counters, clock, inFlight, () -> { });
        writer.start();
        // written before start() returns, that is before the capture handler is installed
        List<Path> files = StartingAgentFile.list(dir);
        assertThat(files).contains(live, dead).hasSize(3);
        Path mine = files.stream().filter(f -> !f.equals(live) && !f.equals(dead)).findFirst().orElseThrow();
        assertThat(StartingAgentFile.pidOf(mine)).isEqualTo(ProcessHandle.current().pid());
        AgentWatermark first = StartingAgentFile.read(mine);
        assertThat(first.last()).isFalse();
        assertThat(first.timeEpochNanos()).isBetween(before - 1_000_000L, clock.toEpochNanos(System.nanoTime()));

        // Chronicle is not started while the host starts; the file follows the calls in flight meanwhile
        InFlightCalls.Slot slot = inFlight.register();
        long callStart = slot.start();
        long callStartEpoch = clock.toEpochNanos(callStart);
        await().atMost(Duration.ofSeconds(5)).until(() -> StartingAgentFile.read(mine).timeEpochNanos()
                == callStartEpoch); // held at the start of the call in flight
        AgentWatermark held = StartingAgentFile.read(mine);
        assertThat(held.agentStartEpochNanos()).isEqualTo(first.agentStartEpochNanos());
        assertThat(writer.isOpen()).isFalse();
        try (var listing = Files.list(dir)) {
            assertThat(listing.filter(f -> f.toString().endsWith(".cq4"))).isEmpty();
        }

        offer(ring, call(7, callStartEpoch));
        slot.end();
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == 1);
        assertThat(writer.isOpen()).isTrue();
        // the queue's watermarks carry on from the agent's file; the file of a process that is gone goes with it
        assertThat(StartingAgentFile.list(dir)).containsExactly(live);
        writer.stop(10_000);
        List<AgentWatermark> watermarks = new ArrayList<>();
        List<CaptureRecord> calls = new ArrayList<>();
        readAll(dir, calls, new ArrayList<>(), watermarks);
        assertThat(calls).extracting(r -> r.tensors().get(0).bytes().getFloat(0)).containsExactly(7f);
        // the queue's first watermark is the file's last: no record of this agent started before it
        assertThat(watermarks.get(0).timeEpochNanos()).isGreaterThanOrEqualTo(held.timeEpochNanos())
                .isLessThanOrEqualTo(calls.get(0).captureTimeEpochNanos());
        assertThat(watermarks.get(0).agentStartEpochNanos()).isEqualTo(held.agentStartEpochNanos());
    }

    @Test
    void opensTheQueueWhenTheHostIsAboutToInferBeforeAnyCall(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        writer.start();
        assertThat(StartingAgentFile.list(dir)).hasSize(1);
        assertThat(writer.isOpen()).isFalse();
        writer.openSoon(); // what the transformer does when the host defines a runtime class
        await().atMost(Duration.ofSeconds(30)).until(writer::isOpen);
        assertThat(ring.claimedPosition()).isZero();
        assertThat(StartingAgentFile.list(dir)).isEmpty(); // the queue's watermarks carry on from the file's
        offer(ring, call(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> counters.recordsWritten.sum() == 1);
        writer.stop(10_000);
        assertThat(readAll(dir)).extracting(r -> r.tensors().get(0).bytes().getFloat(0)).containsExactly(3f);
    }

    @Test
    void callsCapturedWhileTheQueueOpensAreKeptAsideInOrderInsteadOfFillingTheRing(@TempDir Path tmp)
            throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        java.util.concurrent.CountDownLatch opening = new java.util.concurrent.CountDownLatch(1);
        QueueWriter.Opener chronicle = writer.opener;
        writer.opener = () -> { // Chronicle's start, held back for as long as the test likes
            opening.await();
            chronicle.open();
        };
        writer.start();
        int calls = 3 * (1 << 16) / (int) CaptureCodec.encodedLength(call(0)); // three rings' worth
        for (int i = 0; i < calls; i++) {
            int value = i;
            // the ring is drained while the queue opens: a full ring empties again
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
                    .until(() -> offer(ring, call(value)));
        }
        assertThat(writer.isOpen()).isFalse();
        opening.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == calls);
        writer.stop(10_000);
        List<Float> values = new ArrayList<>();
        for (CaptureRecord r : readAll(dir)) { // each one decoded: sealed with its checksum on the way in
            values.add(r.tensors().get(0).bytes().getFloat(0));
        }
        assertThat(values).hasSize(calls);
        for (int i = 0; i < calls; i++) {
            assertThat(values.get(i)).isEqualTo((float) i);
        }
    }

    @Test
    void aStopBeforeTheQueueIsOpenOpensItAndWritesTheHealthAndTheLastWatermark(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureCounters counters = new CaptureCounters();
        counters.callsSeen.add(3);
        QueueWriter writer = new QueueWriter(dir, new CaptureRing(1 << 16), counters, new EpochClock(),
                new InFlightCalls(), () -> { });
        writer.start();
        writer.stop(10_000);
        assertThat(writer.isStopped()).isTrue();
        List<CaptureRecord> calls = new ArrayList<>();
        List<AgentHealth> health = new ArrayList<>();
        readAll(dir, calls, health);
        assertThat(calls).isEmpty();
        assertThat(health).singleElement().satisfies(h -> assertThat(h.counters()).containsEntry("calls_seen", 3L));
    }

    @Test
    void chroniclesShutdownHookIsRegisteredWithoutStartingChronicle() throws Exception {
        Class<?> hookClass = Class.forName(ChronicleShutdownHook.PRIORITY_HOOK);
        java.lang.reflect.Field registered = hookClass.getDeclaredField("registeredHook");
        registered.setAccessible(true);
        hookClass.getMethod("clear").invoke(null); // as before any queue was opened in this JVM
        assertThat(registered.get(null)).isNull();

        assertThat(ChronicleShutdownHook.register()).isTrue();
        Object hook = registered.get(null);
        assertThat(hook).isNotNull();
        // once: a second call (or Chronicle's own first use) finds it and adds nothing
        assertThat(ChronicleShutdownHook.register()).isTrue();
        assertThat(registered.get(null)).isSameAs(hook);
        // and it is the thread the JVM runs at exit: removing it succeeds (then it is put back)
        java.lang.reflect.Method thread = hookClass.getDeclaredMethod("shutdownThread");
        thread.setAccessible(true);
        Thread t = (Thread) thread.invoke(hook);
        assertThat(Runtime.getRuntime().removeShutdownHook(t)).isTrue();
        Runtime.getRuntime().addShutdownHook(t);
    }

    @Test
    void givesUpWithOneCallbackWhenTheQueueCannotBeCreated(@TempDir Path tmp) throws Exception {
        Path blocker = Files.writeString(tmp.resolve("a-file"), "not a directory");
        AtomicBoolean gaveUp = new AtomicBoolean();
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(blocker.resolve("queue"), new CaptureRing(1 << 16), counters,
                new EpochClock(), new InFlightCalls(), () -> gaveUp.set(true));
        writer.start();
        await().atMost(Duration.ofSeconds(30)).untilTrue(gaveUp);
        assertThat(writer.isStopped()).isTrue();
        assertThat(counters.queueErrors.sum()).isEqualTo(1);
    }

    @Test
    void writesAHealthRecordWithTheCountersWhenStopped(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        counters.callsSeen.add(12);
        counters.droppedRingFull.add(2);
        for (int i = 0; i < 10; i++) {
            offer(ring, call(i));
        }
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        writer.start();
        writer.stop(10_000);

        List<CaptureRecord> calls = new ArrayList<>();
        List<AgentHealth> health = new ArrayList<>();
        readAll(dir, calls, health);
        assertThat(calls).hasSize(10);
        assertThat(health).hasSize(1);
        AgentHealth h = health.get(0);
        assertThat(h.agentId()).isEqualTo(java.lang.management.ManagementFactory.getRuntimeMXBean().getName());
        assertThat(h.counters()).containsEntry("calls_seen", 12L).containsEntry("dropped_ring_full", 2L)
                .containsEntry("records_written", 10L)
                .containsEntry("bytes_written", 10 * CaptureCodec.encodedLength(call(0)))
                .containsEntry("queue_errors", 0L).containsEntry("capture_enabled", 1L);
        assertThat(h.timeEpochNanos()).isGreaterThan(h.agentStartEpochNanos());
        assertThat(h.intervalNanos()).isEqualTo(h.timeEpochNanos() - h.agentStartEpochNanos());
    }

    @Test
    void retentionDeletesOldCycleFilesButNeverTheNewest(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("queue"));
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        for (String name : List.of("20261120-10T.cq4", "20261120-11T.cq4", "20261124-09T.cq4")) {
            Path f = Files.write(dir.resolve(name), new byte[1000]);
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(
                    name.startsWith("20261120") ? hourAgo - 3 * 86_400_000L : hourAgo));
        }
        Path newest = Files.write(dir.resolve("20261124-10T.cq4"), new byte[1000]);
        Files.setLastModifiedTime(newest, java.nio.file.attribute.FileTime.fromMillis(hourAgo - 86_400_000L * 10));
        CaptureCounters counters = new CaptureCounters();
        AgentConfig config = AgentConfig.defaults().withQueueDir(dir);
        // 48 hours: the two files from four days ago go; the newest stays even though it looks old
        new QueueWriter(new AgentConfig(true, false, null, dir, config.rollCycle(), 48, 0, null, null, 1, 0,
                config.maxRecordBytes(), false, config.bufferBytes(), 10, config.tensorflow(), List.of(), true),
                new CaptureRing(1 << 16), counters, new EpochClock(), new InFlightCalls(), () -> { }).applyRetention();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("20261124-09T.cq4", "20261124-10T.cq4");
        }
        assertThat(counters.retentionFilesDeleted.sum()).isEqualTo(2);

        // 1500 bytes: the oldest remaining file goes too, the newest never
        new QueueWriter(new AgentConfig(true, false, null, dir, config.rollCycle(), 0, 1500, null, null, 1, 0,
                config.maxRecordBytes(), false, config.bufferBytes(), 10, config.tensorflow(), List.of(), true),
                new CaptureRing(1 << 16), counters, new EpochClock(), new InFlightCalls(), () -> { }).applyRetention();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("20261124-10T.cq4");
        }
        assertThat(counters.retentionFilesDeleted.sum()).isEqualTo(3);
    }

    @Test
    void aQueueDirectoryThatVanishesIsCreatedAgainAndCounted(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 16);
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), new InFlightCalls(), () -> { });
        writer.start();
        offer(ring, call(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == 1);
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.queueErrors.sum() == 1 && Files.isDirectory(dir));
        offer(ring, call(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == 2);
        writer.stop(10_000);
        assertThat(readAll(dir)).extracting(r -> r.tensors().get(0).bytes().getFloat(0)).containsExactly(2f);
        assertThat(counters.captureEnabled).isTrue();
    }

    /**
     * The watermark promise under concurrency: four threads run calls of random length (so short calls that start
     * later end first and are appended before long ones that started earlier), each publishing its start in its
     * in-flight slot and ending it after its record is committed, as the capture handlers do. Every record the writer
     * appends after a watermark started at or after it; watermarks never go back; idle, the writer keeps writing them;
     * the last one says so.
     */
    @Test
    void noRecordAppendedAfterAWatermarkStartedBeforeIt(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        CaptureRing ring = new CaptureRing(1 << 20);
        CaptureCounters counters = new CaptureCounters();
        EpochClock clock = new EpochClock();
        InFlightCalls inFlight = new InFlightCalls();
        QueueWriter writer = new QueueWriter(dir, ring, counters, clock, inFlight, () -> { });
        writer.start();
        int threads = 4;
        int callsPerThread = 400;
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            long seed = t;
            Thread worker = new Thread(() -> {
                java.util.Random random = new java.util.Random(seed);
                InFlightCalls.Slot slot = inFlight.register();
                for (int i = 0; i < callsPerThread; i++) {
                    long start = slot.start();
                    // a call of 0 to 3 ms: busy, so that the thread is really in it
                    long until = start + random.nextInt(3_000_000);
                    while (System.nanoTime() - until < 0) {
                        Thread.onSpinWait();
                    }
                    // the record's duration field carries its start as the thread stamped it (see below)
                    long stamped = clock.toEpochNanos(start);
                    assertThat(offer(ring, call(i, stamped, stamped))).isTrue();
                    slot.end();
                }
                done.countDown();
            });
            worker.start();
        }
        assertThat(done.await(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> counters.recordsWritten.sum() == threads * callsPerThread);
        long idleSince = clock.toEpochNanos(System.nanoTime());
        List<AgentWatermark> idle = new ArrayList<>();
        // idle: nothing is captured, and watermarks still come (about one a second)
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            idle.clear();
            readAll(dir, new ArrayList<>(), new ArrayList<>(), idle);
            return idle.stream().filter(w -> w.timeEpochNanos() > idleSince).count() >= 2;
        });
        writer.stop(10_000);

        List<Object> order = new ArrayList<>();
        try (ChronicleQueue q = SingleChronicleQueueBuilder.binary(dir).readOnly(true).build()) {
            ExcerptTailer tailer = q.createTailer();
            for (boolean more = true; more; ) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    more = dc.isPresent();
                    if (more) {
                        byte[] record = new byte[(int) dc.wire().bytes().readRemaining()];
                        dc.wire().bytes().read(record);
                        ByteBuffer b = ByteBuffer.wrap(record);
                        RecordKind kind = CaptureCodec.kindOf(b);
                        order.add(kind == RecordKind.WATERMARK ? CaptureCodec.decodeWatermark(b)
                                : kind == RecordKind.INFERENCE ? CaptureCodec.decode(b) : kind);
                    }
                }
            }
        }
        long watermark = Long.MIN_VALUE;
        int records = 0;
        int watermarksWhileBusy = 0;
        List<AgentWatermark> all = new ArrayList<>();
        for (Object o : order) {
            if (o instanceof AgentWatermark w) {
                assertThat(w.timeEpochNanos()).isGreaterThanOrEqualTo(watermark);
                watermark = w.timeEpochNanos();
                all.add(w);
                if (records > 0 && records < threads * callsPerThread) {
                    watermarksWhileBusy++;
                }
            } else if (o instanceof CaptureRecord r) {
                assertThat(r.captureTimeEpochNanos()).as("record %d", records).isGreaterThanOrEqualTo(watermark);
                // the writer raises a start to the watermark before it, but only ever by the clock's recalibration
                // noise: a watermark that passed a call still in flight would make it raise by up to the call
                assertThat(r.captureTimeEpochNanos() - r.durationNanos()).as("record %d raised by (ns)", records)
                        .isBetween(0L, 1_000_000L);
                records++;
            }
        }
        assertThat(records).isEqualTo(threads * callsPerThread);
        assertThat(watermarksWhileBusy).isPositive();
        assertThat(all.get(0)).isEqualTo(order.get(0)); // the first record of the queue: the agent's kind is known
        assertThat(all).extracting(AgentWatermark::last).containsOnlyOnce(true).last().isEqualTo(true);
        assertThat(all).extracting(AgentWatermark::agentStartEpochNanos).containsOnly(
                all.get(0).agentStartEpochNanos());
    }
}
