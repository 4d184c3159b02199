package io.infermon.processor.checkpoint;

import io.infermon.anodot.AnodotFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The processor's checkpoint as bytes: {@code INFC}, a format version, the body, and a CRC-32C of all before it.
 * Since the state store, these bytes are a value in {@code OUT/state} (committed with the label store's last
 * changes in one write); before it, they were the file {@code OUT/checkpoint}, written to a temporary file, forced to
 * disk and renamed over the previous one, which a processor still reads once (see {@link Checkpoint#load}). A
 * damaged checkpoint is refused, never half-used.
 */
public final class CheckpointFile {
    public static final String NAME = "checkpoint";
    public static final int VERSION = 1;
    private static final byte[] MAGIC = {'I', 'N', 'F', 'C'};

    private CheckpointFile() {
    }

    public static void write(Path file, byte[] body) throws IOException {
        AnodotFiles.writeAtomically(file, encode(body));
    }

    /** The checkpoint's bytes: magic, version, body, checksum. */
    public static byte[] encode(byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 1 + body.length + 4);
        b.put(MAGIC).put((byte) VERSION).put(body);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).flip();
        return b.array();
    }

    /** The body of a sound checkpoint file. */
    public static byte[] read(Path file) throws IOException {
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** The body of sound checkpoint bytes; {@code file} names where they came from in messages. */
    public static byte[] decode(byte[] all, String file) throws IOException {
        if (all.length < MAGIC.length + 5 || !Arrays.equals(all, 0, 4, MAGIC, 0, 4)) {
            throw new IOException(file + " is not an infermon checkpoint");
        }
        if (all[4] != VERSION) {
            throw new IOException(file + ": checkpoint version " + all[4] + " is not supported (this build writes "
                    + VERSION + ")");
        }
        CRC32C crc = new CRC32C();
        crc.update(all, 0, all.length - 4);
        if ((int) crc.getValue() != ByteBuffer.wrap(all, all.length - 4, 4).getInt()) {
            throw new IOException(file + ": checkpoint checksum mismatch (damaged)");
        }
        return Arrays.copyOfRange(all, 5, all.length - 4);
    }
}
