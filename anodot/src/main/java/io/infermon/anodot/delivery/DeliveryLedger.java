package io.infermon.anodot.delivery;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Durable record of what Anodot acknowledged, so that nothing reaches it twice. Anodot adds up (counters) or averages
 * (gauges) repeated samples of a metric at one timestamp, so a bucket sent twice changes the stored values.
 *
 * <p>The unit is a <em>file name</em> ({@code <model>-<bucketStart>.json} for the processor's files) and the count
 * of its metrics acknowledged so far, in the order the sender sends them (validated and sorted by timestamp, which
 * is deterministic for given file contents). After each acknowledged batch one line is appended and forced to disk
 * <em>before</em> the caller moves on, so a crash can at worst lose the acknowledgement of the batch in flight; that
 * batch is then sent again (the one way a duplicate can still happen, see docs/anodot.md).
 *
 * <p>Format, one line per acknowledgement: {@code <ackEpochSeconds> <urlEncodedName> <acked> <total>}. A torn last
 * line (crash mid-write) is ignored. On open the file is compacted to one line per name, dropping names
 * acknowledged longer ago than the retention.
 */
public final class DeliveryLedger implements AutoCloseable {
    /** How long a delivered bucket is remembered: longer than any queue a restarted processor would re-read. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    private record Entry(long ackSeconds, long acked, long total) {
    }

    private final Path file;
    private final Clock clock;
    private final Map<String, Entry> entries = new HashMap<>();
    private FileChannel channel;

    public DeliveryLedger(Path file, Clock clock, Duration retention) throws IOException {
        this.file = file;
        this.clock = clock;
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        if (Files.exists(file)) {
            load(List.copyOf(Files.readAllLines(file, StandardCharsets.UTF_8)));
            long oldest = clock.instant().getEpochSecond() - retention.toSeconds();
            entries.values().removeIf(e -> e.ackSeconds < oldest);
            compact();
        }
        OwnerOnly.createFile(file);
        this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public static DeliveryLedger open(Path file) throws IOException {
        return new DeliveryLedger(file, Clock.systemUTC(), DEFAULT_RETENTION);
    }

    private void load(List<String> lines) {
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length != 4) {
                continue; // torn by a crash mid-append: the batch it would record is sent again
            }
            try {
                entries.put(URLDecoder.decode(f[1], StandardCharsets.UTF_8),
                        new Entry(Long.parseLong(f[0]), Long.parseLong(f[2]), Long.parseLong(f[3])));
            } catch (IllegalArgumentException e) {
                // same: a damaged line only ever costs a resend of what it recorded
            }
        }
    }

    private void compact() throws IOException {
        StringBuilder sb = new StringBuilder();
        new LinkedHashMap<>(entries).forEach((name, e) -> sb.append(line(name, e)));
        Path tmp = file.resolveSibling("." + file.getFileName() + ".compact");
        OwnerOnly.createFile(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            write(ch, sb.toString());
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String line(String name, Entry e) {
        return e.ackSeconds + " " + URLEncoder.encode(name, StandardCharsets.UTF_8) + " " + e.acked + " " + e.total
                + "\n";
    }

    /** How many of the file's metrics Anodot has acknowledged (0 when none). */
    public synchronized long acknowledged(String name) {
        Entry e = entries.get(name);
        return e == null ? 0 : e.acked;
    }

    /** Whether every metric of the file reached Anodot. */
    public synchronized boolean isDelivered(String name) {
        Entry e = entries.get(name);
        return e != null && e.acked >= e.total;
    }

    /** Records durably that the first {@code acked} of the file's {@code total} metrics reached Anodot. */
    public synchronized void record(String name, long acked, long total) throws IOException {
        Entry e = new Entry(clock.instant().getEpochSecond(), acked, total);
        write(channel, line(name, e));
        channel.force(false);
        entries.put(name, e);
    }

    private static void write(FileChannel ch, String s) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
