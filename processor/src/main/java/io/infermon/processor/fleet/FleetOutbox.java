package io.infermon.processor.fleet;

import io.infermon.anodot.AnodotFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a host processor owes the fleet, on disk: one file per closed bucket's record, written (atomically) at the
 * bucket boundary before the checkpoint, removed once Kafka has it. So a Kafka outage, or a restart in the middle,
 * loses nothing: the files wait, and a restart that writes a bucket again writes the same file. Bounded: beyond
 * {@code maxBytes} the oldest buckets are dropped, and counted.
 */
final class FleetOutbox {
    static final String SUFFIX = ".fleet";
    private final Path dir;
    private final long maxBytes;
    private long dropped;

    FleetOutbox(Path dir, long maxBytes) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                    "rwx------")));
        }
    }

    /**
     * Adds a bucket's record under a name that sorts by bucket start: {@code <start, 20 digits>-<model file>}. The
     * same bucket written again replaces its file.
     */
    synchronized void add(long startMillis, String modelFile, byte[] record) throws IOException {
        AnodotFiles.writeAtomically(dir.resolve(String.format("%020d-%s%s", startMillis, modelFile, SUFFIX)), record);
        long size = 0;
        List<Path> files = pending();
        for (Path f : files) {
            size += Files.size(f);
        }
        for (int i = 0; size > maxBytes && i < files.size() - 1; i++) {
            size -= Files.size(files.get(i));
            Files.deleteIfExists(files.get(i));
            dropped++;
        }
    }

    /** The files waiting, oldest bucket first. */
    synchronized List<Path> pending() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
    }

    synchronized void remove(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    /** Buckets dropped because the outbox was full (Kafka away too long). */
    synchronized long dropped() {
        return dropped;
    }
}
