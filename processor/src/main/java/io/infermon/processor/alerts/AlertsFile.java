package io.infermon.processor.alerts;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code OUT/alerts.jsonl}, appended one event per line. Like {@code metrics.jsonl} it is cut back to the
 * checkpoint's length on restart, so lines written after the last checkpoint are written again exactly once.
 * {@link #committed()} is the length the latest checkpoint holds: only that far is final, so the webhook sends no
 * further (a line past it may yet be cut off by a restart).
 */
public final class AlertsFile implements AutoCloseable {
    public static final String NAME = "alerts.jsonl";

    private final Path file;
    private FileChannel channel;
    private final AtomicLong committed = new AtomicLong();

    public AlertsFile(Path outDir) {
        this.file = outDir.resolve(NAME);
    }

    public Path path() {
        return file;
    }

    /**
     * Opens the file for appending: cut back to {@code length} first, or kept whole when it is negative. A file that
     * is not there is created only by the first event, so a processor without alerts leaves none behind.
     */
    public void open(long length) throws IOException {
        if (Files.exists(file)) {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            if (length >= 0 && channel.size() > length) {
                channel.truncate(length);
            }
            channel.position(channel.size());
        }
        committed.set(length());
    }

    public void append(List<AlertEvent> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        if (channel == null) {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.position(channel.size());
        }
        StringBuilder sb = new StringBuilder();
        for (AlertEvent e : events) {
            sb.append(e.toJsonLine()).append('\n');
        }
        ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    public long length() throws IOException {
        return channel == null ? 0 : channel.position();
    }

    /** Undoes an append that failed half-way (a full disk). */
    public void rollBack(long length) throws IOException {
        if (channel != null) {
            channel.truncate(length);
            channel.position(length);
        }
    }

    /** Marks everything written so far as held by a checkpoint. */
    public void commit() throws IOException {
        committed.set(length());
    }

    /** The length a checkpoint holds (the whole file, without checkpoints). */
    public long committed() {
        return committed.get();
    }

    /** For readers that follow the file: the committed length, read at any time from another thread. */
    public AtomicLong committedLength() {
        return committed;
    }

    /** One line read back, and the file offset just past its newline (where the next read starts). */
    public record Line(String text, long end) {
    }

    /**
     * The whole lines of {@code file} from offset {@code from} up to {@code to}, reading at most {@code maxBytes}: how
     * the dashboard, the webhook and {@code tail --alerts} follow the file as it grows. A line still being written (no
     * newline yet) is left for the next read.
     */
    public static List<Line> wholeLines(Path file, long from, long to, int maxBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) Math.min(Math.max(0, to - from), maxBytes));
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(from);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // fill
            }
        }
        List<Line> lines = new ArrayList<>();
        byte[] bytes = b.array();
        int start = 0;
        for (int i = 0; i < b.position(); i++) {
            if (bytes[i] == '\n') {
                lines.add(new Line(new String(bytes, start, i - start, StandardCharsets.UTF_8), from + i + 1));
                start = i + 1;
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
