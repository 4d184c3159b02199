package io.infermon.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.AgentHealth;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.RecordKind;
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
        return new CaptureSource() {
            @Override public long captureTimeEpochNanos() { return 1_000L; }
            @Override public long durationNanos() { return 2_000L; }
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

    private static List<CaptureRecord> readAll(Path dir) throws Exception {
        List<CaptureRecord> out = new ArrayList<>();
        readAll(dir, out, new ArrayList<>());
        return out;
    }

    /** Inference records into {@code calls}, health records into {@code health}. */
    private static void readAll(Path dir, List<CaptureRecord> calls, List<AgentHealth> health) throws Exception {
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
                    if (CaptureCodec.kindOf(ByteBuffer.wrap(record)) == RecordKind.HEALTH) {
                        health.add(CaptureCodec.decodeHealth(ByteBuffer.wrap(record)));
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
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), () -> { });
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
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), () -> { });
        writer.start();
        writer.stop(10_000);
        assertThat(writer.isStopped()).isTrue();
        assertThat(readAll(dir)).hasSize(10);
    }

    @Test
    void givesUpWithOneCallbackWhenTheQueueCannotBeCreated(@TempDir Path tmp) throws Exception {
        Path blocker = Files.writeString(tmp.resolve("a-file"), "not a directory");
        AtomicBoolean gaveUp = new AtomicBoolean();
        CaptureCounters counters = new CaptureCounters();
        QueueWriter writer = new QueueWriter(blocker.resolve("queue"), new CaptureRing(1 << 16), counters,
                new EpochClock(), () -> gaveUp.set(true));
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
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), () -> { });
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
                config.maxRecordBytes(), false, config.bufferBytes(), 10, config.tensorflow(), List.of()),
                new CaptureRing(1 << 16), counters, new EpochClock(), () -> { }).applyRetention();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("20261124-09T.cq4", "20261124-10T.cq4");
        }
        assertThat(counters.retentionFilesDeleted.sum()).isEqualTo(2);

        // 1500 bytes: the oldest remaining file goes too, the newest never
        new QueueWriter(new AgentConfig(true, false, null, dir, config.rollCycle(), 0, 1500, null, null, 1, 0,
                config.maxRecordBytes(), false, config.bufferBytes(), 10, config.tensorflow(), List.of()),
                new CaptureRing(1 << 16), counters, new EpochClock(), () -> { }).applyRetention();
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
        QueueWriter writer = new QueueWriter(dir, ring, counters, new EpochClock(), () -> { });
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
}
