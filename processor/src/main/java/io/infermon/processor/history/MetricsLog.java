package io.infermon.processor.history;

import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Follows {@code OUT/metrics.jsonl} as it grows, like {@code tail -f}, and hands out whole buckets.
 *
 * <p>The processor appends a closed bucket's metrics as consecutive lines, so a bucket is complete once a line of
 * another bucket follows it. The last bucket in the file has no follower yet; it is handed out when the file has not
 * grown for the {@code settle} time given to {@link #poll} (the processor writes a bucket in milliseconds, so a
 * quiet file means it has finished), or at once with a settle time of zero (a finished run, {@code tail --once}).
 * Should a bucket's lines continue after it was handed out (a writer stalled for longer than the settle time), the
 * whole bucket is handed out again; readers keep the newest version of a bucket, which is also what they do when a
 * restarted processor writes buckets again.
 *
 * <p>Not thread-safe: one thread polls. A file that does not exist yet is waited for; a file that shrank (replaced
 * or truncated) is read again from its start. Lines that are not valid metrics (a line cut short by a crash) are
 * skipped and counted.
 */
public final class MetricsLog {
    private static final int CHUNK = 1 << 20;

    private final Path file;
    private final LongSupplier nanoClock;
    private long position;
    private byte[] partialLine = new byte[0];
    private MetricGroup.Key openKey;
    private List<AnodotMetric> open = new ArrayList<>();
    private boolean openHandedOut;
    private long lastGrowthNanos;
    private long skippedLines;

    public MetricsLog(Path file) {
        this(file, System::nanoTime);
    }

    MetricsLog(Path file, LongSupplier nanoClock) {
        this.file = Objects.requireNonNull(file);
        this.nanoClock = nanoClock;
        this.lastGrowthNanos = nanoClock.getAsLong();
    }

    public Path file() {
        return file;
    }

    /**
     * Reads what was appended since the last call and returns the buckets completed since then, oldest first.
     *
     * @param settle how long the file must have been quiet before its last bucket counts as complete; zero hands
     *               it out at once
     */
    public List<MetricGroup> poll(Duration settle) throws IOException {
        List<MetricGroup> done = new ArrayList<>();
        boolean grew = readNewLines(done);
        long now = nanoClock.getAsLong();
        if (grew) {
            lastGrowthNanos = now;
        }
        if (openKey != null && !openHandedOut && partialLine.length == 0
                && (settle.isZero() || now - lastGrowthNanos >= settle.toNanos())) {
            done.add(group(openKey, open));
            openHandedOut = true;
        }
        return done;
    }

    /** Lines that could not be read as a metric, so far. */
    public long skippedLines() {
        return skippedLines;
    }

    private boolean readNewLines(List<MetricGroup> done) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        boolean grew = false;
        try (channel) {
            long size = channel.size();
            if (size < position || !stillEndsWhereLeft(channel)) {
                // replaced or truncated (perhaps already grown again): start over, forgetting the old file's last
                // bucket; readers replace the buckets they read again
                position = 0;
                partialLine = new byte[0];
                openKey = null;
                open = new ArrayList<>();
                openHandedOut = false;
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1, size - position)));
            while (position < size) {
                buffer.clear();
                int n = channel.read(buffer, position);
                if (n <= 0) {
                    break;
                }
                position += n;
                grew = true;
                consume(buffer.array(), n, done);
            }
        }
        return grew;
    }

    /** Whether the byte before {@code position} is still the one this reader last read (a line end, or the last
     *  byte of the partial line it holds). */
    private boolean stillEndsWhereLeft(FileChannel channel) throws IOException {
        if (position == 0) {
            return true;
        }
        ByteBuffer one = ByteBuffer.allocate(1);
        byte expected = partialLine.length == 0 ? (byte) '\n' : partialLine[partialLine.length - 1];
        return channel.read(one, position - 1) == 1 && one.get(0) == expected;
    }

    private void consume(byte[] bytes, int length, List<MetricGroup> done) {
        int lineStart = 0;
        for (int i = 0; i < length; i++) {
            if (bytes[i] != '\n') {
                continue;
            }
            String line;
            if (partialLine.length > 0) {
                byte[] joined = new byte[partialLine.length + i - lineStart];
                System.arraycopy(partialLine, 0, joined, 0, partialLine.length);
                System.arraycopy(bytes, lineStart, joined, partialLine.length, i - lineStart);
                line = new String(joined, StandardCharsets.UTF_8);
                partialLine = new byte[0];
            } else {
                line = new String(bytes, lineStart, i - lineStart, StandardCharsets.UTF_8);
            }
            lineStart = i + 1;
            accept(line, done);
        }
        if (lineStart < length) {
            byte[] rest = new byte[partialLine.length + length - lineStart];
            System.arraycopy(partialLine, 0, rest, 0, partialLine.length);
            System.arraycopy(bytes, lineStart, rest, partialLine.length, length - lineStart);
            partialLine = rest;
        }
    }

    private void accept(String line, List<MetricGroup> done) {
        if (line.isBlank()) {
            return;
        }
        AnodotMetric metric;
        try {
            metric = AnodotJson.readLine(line);
        } catch (IOException | RuntimeException e) {
            skippedLines++;
            return;
        }
        MetricGroup.Key key = MetricGroup.Key.of(metric);
        if (!key.equals(openKey)) {
            if (openKey != null && !openHandedOut) {
                done.add(group(openKey, open));
            }
            openKey = key;
            open = new ArrayList<>();
            openHandedOut = false;
        } else if (openHandedOut) {
            openHandedOut = false; // more lines of a bucket already handed out: hand the whole of it out again
        }
        open.add(metric);
    }

    private static MetricGroup group(MetricGroup.Key key, List<AnodotMetric> metrics) {
        return new MetricGroup(key.model(), key.startSeconds(), key.labelWindow(), List.copyOf(metrics));
    }

    /** Every complete bucket in the file now (for a finished run). */
    public static List<MetricGroup> readAll(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        return new MetricsLog(file).poll(Duration.ZERO);
    }
}
