package io.infermon.processor.output;

import io.infermon.anodot.AnodotFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The durable progress of a follower of one of the output files (the alert webhook over alerts.jsonl, the OTLP
 * export over metrics.jsonl): how many bytes of it are done, one decimal number in a small file, replaced
 * atomically, so that a restart goes on from there and sends nothing twice.
 */
public final class OffsetFile {
    private OffsetFile() {
    }

    /**
     * The offset kept in {@code file}, 0 when there is none.
     *
     * @param sentAgain what deleting the file would send again, for the message when it holds no number
     */
    public static long read(Path file, String sentAgain) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold an offset ('" + text + "'); delete it to send " + sentAgain
                    + " again");
        }
    }

    /** Keeps {@code offset} in {@code file}, replacing what it held in one step. */
    public static void write(Path file, long offset) throws IOException {
        AnodotFiles.writeAtomically(file, (offset + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
