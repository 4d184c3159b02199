package io.infermon.anodot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/** Anodot 2.0 JSON files, written so that a reader never sees half a file. */
public final class AnodotFiles {
    private AnodotFiles() {
    }

    /**
     * Writes the metrics as one JSON array to {@code file}: first to a temporary file beside it, forced to disk, then
     * renamed over {@code file} in one step. A crash leaves either the old file or the new one, never a mix.
     */
    public static void writeAtomically(Path file, List<AnodotMetric> metrics) throws IOException {
        writeAtomically(file, AnodotJson.toJsonArray(metrics));
    }

    /** Writes {@code bytes} to {@code file} with the same temporary-file-and-rename guarantee. */
    public static void writeAtomically(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(bytes);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a file written by {@link #writeAtomically} (or any Anodot 2.0 JSON array). */
    public static List<AnodotMetric> read(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            return AnodotJson.readArray(in);
        }
    }
}
