package io.infermon.anodot.delivery;

import io.infermon.anodot.AnodotFiles;
import io.infermon.anodot.AnodotMetric;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory where each closed bucket waits until Anodot has it: {@code SPOOL/<name>.json} (an Anodot 2.0 JSON
 * array, written atomically), {@code SPOOL/delivered.log} (the {@link DeliveryLedger}) and {@code SPOOL/failed/}
 * (files Anodot refused). Created owner-only. Survives restarts: whatever is in it at start is sent.
 *
 * <p>Bounded: when the files' total size passes {@code maxBytes}, the oldest (by bucket start in the name, then by
 * name) are deleted unsent and counted as dropped, except the file being sent and the newest one.
 */
public final class Spool {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    public static final String LEDGER_FILE = "delivered.log";
    public static final String FAILED_DIR = "failed";
    private static final Pattern BUCKET_START = Pattern.compile("-(\\d+)\\.json$");

    private final Path dir;
    private final long maxBytes;
    private final DeliveryLedger ledger;
    private final SenderHealth health;
    private String inFlight;

    public Spool(Path dir, long maxBytes, DeliveryLedger ledger, SenderHealth health) throws IOException {
        this.dir = dir.toAbsolutePath();
        this.maxBytes = maxBytes;
        this.ledger = ledger;
        this.health = health;
        OwnerOnly.createDirectories(this.dir);
    }

    /** Opens (or creates) the spool in {@code dir} with its ledger. */
    public static Spool open(Path dir, long maxBytes, SenderHealth health) throws IOException {
        OwnerOnly.createDirectories(dir.toAbsolutePath());
        return new Spool(dir, maxBytes, DeliveryLedger.open(dir.resolve(LEDGER_FILE)), health);
    }

    public Path dir() {
        return dir;
    }

    public DeliveryLedger ledger() {
        return ledger;
    }

    /**
     * Writes a closed bucket's metrics to the spool, unless the ledger says Anodot already has that file (a
     * restarted processor writing the same bucket again): then nothing is written and false returned.
     *
     * @param name the file name, e.g. {@code digits-1795478400.json}
     */
    public synchronized boolean offer(String name, List<AnodotMetric> metrics) throws IOException {
        if (!name.endsWith(".json") || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("spool file name must be a plain *.json name: " + name);
        }
        if (ledger.isDelivered(name)) {
            health.alreadyDelivered.addAndGet(metrics.size());
            return false;
        }
        AnodotFiles.writeAtomically(dir.resolve(name), metrics); // temp file is created rw------- on POSIX
        health.spooled.addAndGet(metrics.size());
        enforceBound();
        return true;
    }

    /** Pending files, oldest bucket first. */
    public synchronized List<Path> pending() throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                    files.add(p);
                }
            }
        }
        return oldestFirst(files);
    }

    /** Sorts Anodot files by the bucket start in their names ({@code <model>-<start>.json}), others last, by name. */
    public static List<Path> oldestFirst(List<Path> files) {
        List<Path> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingLong(Spool::bucketStart).thenComparing(p -> p.getFileName().toString()));
        return sorted;
    }

    /** The bucket start in a processor file name, or {@code Long.MAX_VALUE} for other names. */
    static long bucketStart(Path p) {
        Matcher m = BUCKET_START.matcher(p.getFileName().toString());
        return m.find() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }

    /** Marks the file the worker is sending, so the size bound never drops it mid-delivery. */
    synchronized void sending(String name) {
        inFlight = name;
    }

    /** Removes a delivered file (its ledger entry is already durable). */
    synchronized void delivered(Path file) throws IOException {
        inFlight = null;
        Files.deleteIfExists(file);
    }

    /** Moves a refused file to {@code failed/}, where {@code infermon send} can take it up once the cause is fixed. */
    synchronized void failed(Path file) throws IOException {
        inFlight = null;
        Path failedDir = dir.resolve(FAILED_DIR);
        OwnerOnly.createDirectories(failedDir);
        try {
            Files.move(file, failedDir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            // dropped meanwhile; nothing to keep
        }
        health.failedFiles.incrementAndGet();
    }

    synchronized void idle() {
        inFlight = null;
    }

    /** Total bytes of pending files. */
    public synchronized long sizeBytes() throws IOException {
        long total = 0;
        for (Path p : pending()) {
            total += sizeOrZero(p);
        }
        return total;
    }

    private void enforceBound() throws IOException {
        List<Path> files = pending();
        long total = 0;
        for (Path p : files) {
            total += sizeOrZero(p);
        }
        for (int i = 0; total > maxBytes && i < files.size() - 1; i++) {
            Path oldest = files.get(i);
            if (oldest.getFileName().toString().equals(inFlight)) {
                continue;
            }
            long size = sizeOrZero(oldest);
            int count = countMetrics(oldest);
            Files.deleteIfExists(oldest);
            total -= size;
            health.dropped.addAndGet(count);
            LOG.warn("spool {} is over its bound of {} bytes: dropped the oldest file {} ({} metrics) unsent", dir,
                    maxBytes, oldest.getFileName(), count);
        }
    }

    private static int countMetrics(Path p) {
        try {
            return AnodotFiles.read(p).size();
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    private static long sizeOrZero(Path p) throws IOException {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        }
    }
}
