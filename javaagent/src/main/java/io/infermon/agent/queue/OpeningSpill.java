package io.infermon.agent.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Records the writer takes out of the ring while Chronicle Queue opens, kept in a file until the queue can take them.
 *
 * <p>The queue opens at the first captured call (its start, about a thousand classes, would otherwise compete with the
 * host's own start), and the host goes on calling meanwhile. The ring holds 32 MiB by default: 1.7 s of 64-row digit
 * calls at 1,000 calls/s, but a quarter of a second of the same calls flat out, less than Chronicle's start takes.
 * So while another thread opens the queue, the writer moves the ring's records here, in ring order, and appends them
 * to the queue once it is open, before anything newer.
 *
 * <p>The file is in the queue's directory (owner-only, on the disk the queue uses), and is unlinked as soon as it is
 * opened: nothing is left behind by a JVM that dies meanwhile (its records are lost with it, as the ring's are). It
 * takes at most {@link #MAX_BYTES}; after that, or after a write fails, records stay in the ring.
 */
final class OpeningSpill implements AutoCloseable {
    /** At most this much is kept: a second of a very fast host, the open's usual length on a busy machine. */
    static final long MAX_BYTES = 256L << 20;

    private final FileChannel file;
    private final ByteBuffer length = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private long bytes;
    private int records;

    private OpeningSpill(FileChannel file) {
        this.file = file;
    }

    static OpeningSpill create(Path queueDir) throws IOException {
        Path path = queueDir.resolve(".opening-" + AgentId.pid() + ".records");
        Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
        try {
            return new OpeningSpill(FileChannel.open(path, options,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))));
        } catch (UnsupportedOperationException notPosix) {
            return new OpeningSpill(FileChannel.open(path, options));
        }
    }

    /**
     * Keeps {@code record}'s bytes from its position to its limit; false, keeping nothing, when that would pass
     * {@link #MAX_BYTES} (the record then stays in the ring).
     */
    boolean add(ByteBuffer record) throws IOException {
        int n = record.remaining();
        if (bytes + Integer.BYTES + n > MAX_BYTES) {
            return false;
        }
        length.clear();
        length.putInt(0, n);
        long at = bytes;
        try {
            writeFully(length, at);
            writeFully(record, at + Integer.BYTES);
        } catch (IOException e) {
            file.truncate(at); // no half record; the record stays in the ring
            throw e;
        }
        bytes = at + Integer.BYTES + n;
        records++;
        return true;
    }

    private void writeFully(ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            at += file.write(b, at);
        }
    }

    /** Records kept so far. */
    int records() {
        return records;
    }

    /** One record read back from the spill, in a heap buffer at index 0. */
    interface Replay {
        void record(ByteBuffer buffer, int length);
    }

    /** Hands every kept record to {@code to}, oldest first. */
    void replay(Replay to) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024).order(ByteOrder.LITTLE_ENDIAN);
        long at = 0;
        while (at < bytes) {
            length.clear();
            readFully(length, at);
            int n = length.getInt(0);
            if (buffer.capacity() < n) {
                buffer = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
            }
            buffer.clear().limit(n);
            readFully(buffer, at + Integer.BYTES);
            to.record(buffer, n);
            at += Integer.BYTES + n;
        }
    }

    private void readFully(ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            int n = file.read(b, at);
            if (n < 0) {
                throw new IOException("the opening spill ends early at byte " + at);
            }
            at += n;
        }
    }

    @Override
    public void close() throws IOException {
        file.close();
    }
}
