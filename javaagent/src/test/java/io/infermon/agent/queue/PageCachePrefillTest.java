package io.infermon.agent.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.infermon.agent.capture.CaptureCounters;
import io.infermon.agent.capture.InFlightCalls;
import io.infermon.agent.util.EpochClock;
import io.infermon.capture.CaptureCodec;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CaptureSource;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import net.openhft.chronicle.bytes.MappedBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageCachePrefillTest {
    private static final int PAGE = 4096;
    /** A record length that alone makes the rate high enough to fill the whole {@link PageCachePrefill#AHEAD}. */
    private static final int FAST = PageCachePrefill.AHEAD;

    /** Whether every page of {@code [from, from + length)} of {@code file} is in the page cache ({@code mincore}). */
    private static boolean inPageCache(File file, long from, long length) throws Exception {
        try (FileChannel ch = FileChannel.open(file.toPath(), StandardOpenOption.READ)) {
            // mapping touches no page; isLoaded asks the kernel which pages of the range are resident
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, from, length);
            return map.isLoaded();
        }
    }

    @Test
    void keepsThePagesAheadOfTheWritePositionInThePageCacheWithoutTouchingTheMapping(@TempDir Path tmp)
            throws Exception {
        File file = tmp.resolve("cycle").toFile();
        PageCachePrefill prefill = new PageCachePrefill();
        try (MappedBytes bytes = MappedBytes.mappedBytes(file, 32 << 20, 8 << 20)) {
            long end = 3 * PAGE + 100; // mid-page, as after a record
            bytes.writePosition(end); // maps the chunk, touches none of its pages
            long size = Files.size(file.toPath());
            assertThat(size).isEqualTo(40 << 20);
            long ahead = end + PageCachePrefill.AHEAD;
            assertThat(inPageCache(file, 4 * PAGE, 1 << 20)).isFalse();

            // at most MAX_STEPS_PER_RECORD steps a record, until AHEAD is filled
            long written = prefill.ahead(bytes, FAST, Long.MAX_VALUE);
            assertThat(prefill.steps()).isEqualTo(PageCachePrefill.MAX_STEPS_PER_RECORD);
            assertThat(written).isEqualTo(prefill.filledTo() - end)
                    .isEqualTo(PageCachePrefill.MAX_STEPS_PER_RECORD * (long) PageCachePrefill.STEP - 100);
            int records = 1;
            while (prefill.ahead(bytes, FAST, Long.MAX_VALUE) > 0) {
                records++;
            }
            assertThat(records).isEqualTo(PageCachePrefill.AHEAD
                    / (PageCachePrefill.MAX_STEPS_PER_RECORD * PageCachePrefill.STEP) + 1);
            // at least AHEAD, by less than a step more; every step after the first ends on a page boundary
            assertThat(prefill.filledTo()).isBetween(ahead, ahead + PageCachePrefill.STEP - 1);
            assertThat(prefill.filledTo() % PAGE).isZero();
            assertThat(inPageCache(file, 4 * PAGE, PageCachePrefill.AHEAD - PAGE)).isTrue();
            assertThat(inPageCache(file, ahead + PageCachePrefill.STEP, PAGE)).isFalse();
            assertThat(Files.size(file.toPath())).isEqualTo(size); // the file's length stays Chronicle's

            long stepsBefore = prefill.steps();
            bytes.writePosition(end + 1000);
            assertThat(prefill.ahead(bytes, FAST, Long.MAX_VALUE)).isZero(); // less than a page written since: no step
            bytes.writePosition(end + PageCachePrefill.STEP);
            assertThat(prefill.ahead(bytes, FAST, Long.MAX_VALUE)).isEqualTo(PageCachePrefill.STEP);
            assertThat(prefill.steps()).isEqualTo(stepsBefore + 1);
        } finally {
            prefill.close();
        }
    }

    @Test
    void fillsAsFarAheadAsTwoSecondsOfRecordsAtTheLastSecondsRate() {
        PageCachePrefill prefill = new PageCachePrefill();
        assertThat(prefill.distance(1_000)).isEqualTo(2_000);
        for (int i = 1; i < 10; i++) {
            prefill.distance(1_000);
        }
        assertThat(prefill.distance(1_000)).isEqualTo(22_000); // 11 records this second
        // the next second: the last one's 11,000 bytes set the pace until this one has more
        prefill.nextSecond();
        assertThat(prefill.distance(1_000)).isEqualTo(22_000);
        // a quiet second in between: the rate starts again from this record
        prefill.nextSecond();
        prefill.nextSecond();
        assertThat(prefill.distance(1_000)).isEqualTo(2_000);
        // flat out: never more than AHEAD
        assertThat(prefill.distance(PageCachePrefill.AHEAD)).isEqualTo(PageCachePrefill.AHEAD);
    }

    @Test
    void stopsAtTheFileEndThatChronicleSetAndAtTheDiskBudget(@TempDir Path tmp) throws Exception {
        File file = tmp.resolve("cycle").toFile();
        PageCachePrefill prefill = new PageCachePrefill();
        try (MappedBytes bytes = MappedBytes.mappedBytes(file, 1 << 20, 0)) {
            bytes.writePosition(PAGE); // maps the first chunk: the file is now that long
            long size = Files.size(file.toPath());
            assertThat(size).isEqualTo(1 << 20);
            assertThat(prefill.ahead(bytes, FAST, 10_000)).isEqualTo(10_000);
            assertThat(prefill.filledTo()).isEqualTo(PAGE + 10_000);
            assertThat(prefill.ahead(bytes, FAST, Long.MAX_VALUE)).isEqualTo(size - PAGE - 10_000);
            assertThat(prefill.filledTo()).isEqualTo(size);
            assertThat(prefill.ahead(bytes, FAST, Long.MAX_VALUE)).isZero();
            assertThat(Files.size(file.toPath())).isEqualTo(size);
        } finally {
            prefill.close();
        }
    }

    /** How many of this process's open file descriptors point at {@code file}. */
    private static long openDescriptors(File file) throws Exception {
        Path target = file.toPath().toRealPath();
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (Exception gone) {
                    return false; // the listing's own descriptor, closed meanwhile
                }
            }).count();
        }
    }

    @Test
    void letsGoOfACycleFileThatRetentionDeletes(@TempDir Path tmp) throws Exception {
        File file = tmp.resolve("20261206-21F.cq4").toFile();
        PageCachePrefill prefill = new PageCachePrefill();
        try (MappedBytes bytes = MappedBytes.mappedBytes(file, 1 << 20, 0)) {
            bytes.writePosition(PAGE);
            long chronicles = openDescriptors(file);
            prefill.ahead(bytes, FAST, Long.MAX_VALUE);
            assertThat(openDescriptors(file)).isEqualTo(chronicles + 1);

            prefill.release(tmp.resolve("20261206-20F.cq4").toFile()); // another cycle: kept
            assertThat(openDescriptors(file)).isEqualTo(chronicles + 1);
            prefill.release(file);
            assertThat(openDescriptors(file)).isEqualTo(chronicles);

            bytes.writePosition(2 * PAGE); // the next record opens it again
            assertThat(prefill.ahead(bytes, FAST, Long.MAX_VALUE)).isPositive();
            assertThat(openDescriptors(file)).isEqualTo(chronicles + 1);
        } finally {
            prefill.close();
        }
    }

    /** A call with one byte tensor of {@code length} bytes drawn from {@code seed}. */
    private static CaptureSource call(long seed, int length) {
        byte[] content = new byte[length];
        new Random(seed).nextBytes(content);
        return new CaptureSource() {
            @Override public long captureTimeEpochNanos() { return 1_000L + seed; }
            @Override public long durationNanos() { return 2_000L; }
            @Override public String modelName() { return "m"; }
            @Override public String modelVersion() { return ""; }
            @Override public String signature() { return ""; }
            @Override public String interceptionPoint() { return "test"; }
            @Override public String requestId() { return Long.toString(seed); }
            @Override public int tensorCount() { return 1; }
            @Override public String tensorName(int t) { return "x"; }
            @Override public TensorRole tensorRole(int t) { return TensorRole.INPUT; }
            @Override public TensorMeaning tensorMeaning(int t) { return TensorMeaning.UNSPECIFIED; }
            @Override public int tensorDType(int t) { return DType.UINT8.code(); }
            @Override public int tensorRank(int t) { return 1; }
            @Override public long tensorDim(int t, int d) { return length; }
            @Override public int tensorByteLength(int t) { return length; }
            @Override public void copyTensorBytes(int t, ByteBuffer target, int offset) {
                target.put(offset, content);
            }
        };
    }

    private static void offerWhenRoom(CaptureRing ring, CaptureSource call) {
        int length = (int) CaptureCodec.encodedLength(call);
        int index;
        while ((index = ring.claim(length)) < 0) {
            Thread.onSpinWait(); // the writer drains it
        }
        CaptureCodec.encode(call, ring.records(), index);
        ring.commit(index);
    }

    /**
     * Two agents writing to one queue at once, each with its own writer and so its own prefill: the zeros one writes
     * ahead of its records never land on the other's, because they are written while the queue's write lock is held.
     * About 76 MB of records cross one of Chronicle's 64 MiB chunk boundaries; each record is read back by its checksum
     * and its content compared.
     */
    @Test
    void twoAgentsWritingToOneQueueReadBackEveryRecordIntact(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("queue");
        int perAgent = 2_000;
        int length = 19_000; // a batch of 64 digit rows, float32 in and out
        List<QueueWriter> writers = new ArrayList<>();
        List<CaptureCounters> counters = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int agent = 0; agent < 2; agent++) {
            CaptureRing ring = new CaptureRing(1 << 22);
            CaptureCounters c = new CaptureCounters();
            QueueWriter writer = new QueueWriter(dir, ring, c, new EpochClock(), new InFlightCalls(), () -> { });
            writer.start();
            writers.add(writer);
            counters.add(c);
            long first = agent * 1_000_000L;
            Thread caller = new Thread(() -> {
                for (int i = 0; i < perAgent; i++) {
                    offerWhenRoom(ring, call(first + i, length + i % 7));
                }
            });
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join();
        }
        await().atMost(Duration.ofSeconds(60)).until(() ->
                counters.get(0).recordsWritten.sum() == perAgent && counters.get(1).recordsWritten.sum() == perAgent);
        writers.forEach(w -> w.stop(10_000));

        Set<Long> seen = new HashSet<>();
        for (CaptureRecord decoded : QueueWriterTest.readAll(dir)) { // decoding checks each record's CRC
            long seed = Long.parseLong(decoded.requestId());
            byte[] expected = new byte[length + (int) (seed % 1_000_000L % 7)];
            new Random(seed).nextBytes(expected);
            ByteBuffer got = decoded.tensors().get(0).bytes();
            byte[] actual = new byte[got.remaining()];
            got.get(actual);
            assertThat(actual).as("record %d", seed).isEqualTo(expected);
            assertThat(seen.add(seed)).as("record %d once", seed).isTrue();
        }
        assertThat(seen).hasSize(2 * perAgent);
    }
}
