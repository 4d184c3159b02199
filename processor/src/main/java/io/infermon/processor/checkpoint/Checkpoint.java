package io.infermon.processor.checkpoint;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import io.infermon.processor.state.StateStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the processor had done at its last bucket boundary: how far it had read each queue and what its open buckets
 * held ({@code state}, written and read by the components themselves in a fixed order), how long
 * {@code metrics.jsonl} was, and the settings the state depends on. Restoring it and reading on gives exactly the
 * outputs of a processor that never stopped.
 *
 * @param sequence      how many checkpoints came before (also the seed of the sketches' random choices after it)
 * @param recordsRead   inference records read so far
 * @param jsonlLength   bytes of {@code metrics.jsonl} written by then
 * @param bucketsWritten buckets written by then
 * @param metricsWritten metrics written by then
 * @param widthMillis   bucket width the state was built with
 * @param graceMillis   grace the state was built with
 * @param state         the components' state
 */
public record Checkpoint(long sequence, long recordsRead, long jsonlLength, long bucketsWritten, long metricsWritten,
                         long widthMillis, long graceMillis, byte[] state) {

    /** Where checkpoints were written before the state store; read once by a processor that finds one. */
    public static Path file(Path outDir) {
        return outDir.resolve(CheckpointFile.NAME);
    }

    /** Where the checkpoint is: the state store ({@code OUT/state}), which holds the label join's predictions too. */
    public static Path location(Path outDir) {
        return StateStore.dir(outDir);
    }

    /**
     * The checkpoint of the processor writing to {@code outDir} (which may be running), or null when there is none:
     * the last one committed to its state store, else one written by an older build as {@code OUT/checkpoint}.
     */
    public static Checkpoint load(Path outDir) throws IOException {
        byte[] stored = StateStore.readCheckpoint(location(outDir));
        if (stored != null) {
            return decode(CheckpointFile.decode(stored, location(outDir).toString()), location(outDir));
        }
        Path f = file(outDir);
        if (!Files.exists(f)) {
            return null;
        }
        return decode(CheckpointFile.read(f), f);
    }

    private static Checkpoint decode(byte[] body, Path f) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            Checkpoint c = new Checkpoint(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong(), in.readAllBytes());
            if (c.sequence < 0 || c.jsonlLength < 0) {
                throw new IOException(f + ": implausible checkpoint header");
            }
            return c;
        } catch (EOFException e) {
            throw new IOException(f + ": checkpoint ends early", e);
        }
    }

    /**
     * Commits this checkpoint to the state store in one write with the store's pending changes, the log forced to
     * disk (which makes the changes written on before it durable too); then deletes an older build's
     * {@code OUT/checkpoint}, which the store has replaced.
     */
    public void save(Path outDir, StateStore store) throws IOException {
        store.commit(CheckpointFile.encode(body()), true);
        Files.deleteIfExists(file(outDir));
    }

    private byte[] body() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(sequence);
            out.writeLong(recordsRead);
            out.writeLong(jsonlLength);
            out.writeLong(bucketsWritten);
            out.writeLong(metricsWritten);
            out.writeLong(widthMillis);
            out.writeLong(graceMillis);
            out.write(state);
        }
        return bytes.toByteArray();
    }
}
