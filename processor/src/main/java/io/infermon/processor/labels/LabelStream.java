package io.infermon.processor.labels;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * The durable stream of labels that do not come through a capture queue ({@code POST /v1/labels},
 * {@code infermon labels import}), in {@code OUT/labels/}:
 * <ul>
 *   <li>{@code inbox/}: batches waiting for the processor. A writer writes a batch to a hidden temporary file, forces
 *       it to disk and renames it, so a batch is in the inbox whole or not at all; it is acknowledged only then.</li>
 *   <li>{@code applied/<sequence>-<step>.labels}: the processor takes a batch by renaming it here (one atomic step,
 *       so a batch is never taken twice), naming it with its sequence number and the number of queue records read
 *       when it was taken, then applies it. After the next checkpoint, which holds its effect, it is deleted; after
 *       a crash before that checkpoint, it is applied again at the same step of the queues.</li>
 *   <li>{@code failed/}: a batch file that does not read back whole (damaged on disk), set aside with one line.</li>
 * </ul>
 *
 * <p>Batch format: {@code INFL}, version byte 1, i64 creation time, i32 rows refused by the writer, i32 row count,
 * rows ({@code writeUTF} id, f64 value, i64 time in epoch milliseconds), and a CRC-32C of all before it (big-endian,
 * {@link java.io.DataOutput} encoding).
 */
public final class LabelStream {
    static final byte[] MAGIC = {'I', 'N', 'F', 'L'};
    static final int VERSION = 1;
    static final String SUFFIX = ".labels";
    private static final AtomicLong WRITES = new AtomicLong();

    /** A batch of labels as written, and how many rows its writer refused. */
    public record Batch(List<Label> labels, int rejectedRows) {
    }

    /** A batch taken (or to be replayed) at a step. */
    public record Taken(long sequence, long step, Batch batch) {
    }

    private final Path inbox;
    private final Path applied;
    private final Path failed;
    private final Deque<Path> replay = new ArrayDeque<>();
    /** Inbox files seen by the last listing and not taken yet, oldest first. */
    private final Deque<Path> listed = new ArrayDeque<>();
    private long lastSequence;
    private long damaged;

    private LabelStream(Path dir) {
        this.inbox = dir.resolve("inbox");
        this.applied = dir.resolve("applied");
        this.failed = dir.resolve("failed");
    }

    /**
     * Opens the stream for the processor.
     *
     * @param appliedSequence the last batch the restored checkpoint holds (0 without one): earlier applied batches
     *                        are deleted, later ones replayed
     */
    public static LabelStream open(Path dir, long appliedSequence) throws IOException {
        LabelStream s = new LabelStream(dir);
        createOwnerOnly(dir);
        createOwnerOnly(s.inbox);
        createOwnerOnly(s.applied);
        s.lastSequence = appliedSequence;
        List<Path> later = new ArrayList<>();
        try (var files = Files.list(s.applied)) {
            for (Path f : files.sorted().toList()) {
                long seq = sequenceOf(f);
                if (seq < 0) {
                    continue;
                }
                if (seq <= appliedSequence) {
                    Files.deleteIfExists(f);
                } else {
                    later.add(f);
                }
            }
        }
        s.replay.addAll(later);
        if (!later.isEmpty()) {
            s.lastSequence = sequenceOf(later.get(later.size() - 1));
        }
        return s;
    }

    /** True while batches applied before a crash remain to be applied again. */
    public boolean replaying() {
        return !replay.isEmpty();
    }

    /** The next batch to apply again if it was taken at or before {@code step}, else null. */
    public Taken nextReplay(long step) throws IOException {
        Path f = replay.peekFirst();
        if (f == null || stepOf(f) > step) {
            return null;
        }
        replay.removeFirst();
        return new Taken(sequenceOf(f), stepOf(f), read(f));
    }

    /** Takes the oldest batch waiting in the inbox, stamped with {@code step}; null when there is none. */
    public Taken take(long step) throws IOException {
        if (listed.isEmpty()) {
            try (var files = Files.list(inbox)) {
                listed.addAll(files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)
                        && !f.getFileName().toString().startsWith(".")).sorted().toList());
            }
        }
        Path f = listed.pollFirst();
        if (f == null) {
            return null;
        }
        if (!Files.exists(f)) {
            return take(step); // gone meanwhile (removed by hand)
        }
        Batch batch;
        try {
            batch = read(f);
        } catch (IOException e) {
            createOwnerOnly(failed);
            Files.move(f, failed.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            damaged++;
            System.err.println("infermon: label batch " + f + " is damaged (" + e.getMessage() + "); moved to "
                    + failed);
            return take(step);
        }
        long seq = lastSequence + 1;
        Path target = applied.resolve(String.format("%016d-%d%s", seq, step, SUFFIX));
        move(f, target);
        lastSequence = seq;
        return new Taken(seq, step, batch);
    }

    /** Deletes applied batches up to {@code sequence}: a checkpoint now holds their effect. */
    public void deleteAppliedUpTo(long sequence) throws IOException {
        try (var files = Files.list(applied)) {
            for (Path f : files.toList()) {
                long seq = sequenceOf(f);
                if (seq >= 0 && seq <= sequence) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** Batch files that could not be read back (set aside in {@code failed/}). */
    public long damaged() {
        return damaged;
    }

    /** Batches in the inbox now (for a caller that waits for them to be taken). */
    public static long waitingIn(Path dir) throws IOException {
        Path box = dir.resolve("inbox");
        if (!Files.isDirectory(box)) {
            return 0;
        }
        try (var files = Files.list(box)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)
                    && !f.getFileName().toString().startsWith(".")).count();
        }
    }

    /**
     * Writes a batch into {@code dir/inbox} durably (temporary file, forced to disk, renamed) and returns its path.
     * Thread-safe; any process may call it (the HTTP handler, {@code labels import}).
     */
    public static Path write(Path dir, Batch batch) throws IOException {
        Path box = dir.resolve("inbox");
        createOwnerOnly(dir);
        createOwnerOnly(box);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.write(MAGIC);
            out.writeByte(VERSION);
            out.writeLong(System.currentTimeMillis());
            out.writeInt(batch.rejectedRows());
            out.writeInt(batch.labels().size());
            for (Label l : batch.labels()) {
                out.writeUTF(l.id());
                out.writeDouble(l.value());
                out.writeLong(l.timeMillis());
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        byte[] body = bytes.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).flip();
        // names sort in the order written: time, then a per-process counter, then randomness against other writers
        String name = String.format("%013d-%08d-%08x%s", System.currentTimeMillis(),
                WRITES.incrementAndGet() % 100_000_000,
                ThreadLocalRandom.current().nextInt(), SUFFIX);
        Path tmp = box.resolve("." + name + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Path target = box.resolve(name);
        move(tmp, target);
        return target;
    }

    static Batch read(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        if (all.length < MAGIC.length + 1 + 8 + 4 + 4 + 4 || !java.util.Arrays.equals(all, 0, 4, MAGIC, 0, 4)) {
            throw new IOException(f + " is not a label batch");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw new IOException(f + ": checksum mismatch");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 4, all.length - 8))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IOException(f + ": label batch version " + version + " is not supported");
            }
            in.readLong();
            int rejected = in.readInt();
            int n = in.readInt();
            if (n < 0 || rejected < 0) {
                throw new IOException(f + ": implausible row count");
            }
            List<Label> labels = new ArrayList<>(Math.min(n, 1 << 16));
            for (int i = 0; i < n; i++) {
                labels.add(new Label(in.readUTF(), in.readDouble(), in.readLong()));
            }
            if (in.available() != 0) {
                throw new IOException(f + ": bytes after the last row");
            }
            return new Batch(labels, rejected);
        } catch (EOFException e) {
            throw new IOException(f + ": ends early", e);
        }
    }

    private static long sequenceOf(Path f) {
        String n = f.getFileName().toString();
        int dash = n.indexOf('-');
        if (!n.endsWith(SUFFIX) || dash != 16) {
            return -1;
        }
        try {
            return Long.parseLong(n.substring(0, dash));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static long stepOf(Path f) {
        String n = f.getFileName().toString();
        return Long.parseLong(n.substring(17, n.length() - SUFFIX.length()));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void createOwnerOnly(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }
}
