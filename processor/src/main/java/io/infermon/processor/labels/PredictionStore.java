package io.infermon.processor.labels;

import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.state.StateStore;
import io.infermon.processor.state.StateStore.Family;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The label join's predictions, kept in the processor's {@link StateStore} (RocksDB) rather than on the heap, so that
 * millions of them cost disk, not memory, and a checkpoint writes only what changed since the last one.
 *
 * <p>Each prediction gets the next sequence number; the predictions kept are exactly those numbered from
 * {@code low} (the oldest) to {@code next - 1}, because both ways out (eviction beyond the bound, expiry past the
 * horizon) take the oldest first. Three column families:
 * <ul>
 *   <li>{@code predictions}: sequence (8 bytes, big-endian, so keys sort by age) → the prediction and its labels;</li>
 *   <li>{@code prediction_ids}: the id (UTF-8) → its sequence, to join a label;</li>
 *   <li>{@code bucket_rows}: model index (4), bucket start (8), sequence (8) → nothing: the predictions of each
 *       bucket whose label windows are still to come, deleted when its last window is emitted. An entry whose
 *       prediction was let go meanwhile is skipped (its sequence is below {@code low}).</li>
 * </ul>
 * Models are stored by their index in the join's model table, which the checkpoint holds.
 */
final class PredictionStore {
    private final StateStore state;
    private final List<ModelKey> models;
    private long low;
    private long next;

    /** @param models the join's model table: index → model key (grows; indexes never change) */
    PredictionStore(StateStore state, List<ModelKey> models) {
        this.state = state;
        this.models = models;
    }

    long size() {
        return next - low;
    }

    /** The prediction with this id, or null. */
    StoredPrediction find(String id) throws IOException {
        byte[] seq = state.get(Family.PREDICTION_IDS, id.getBytes(StandardCharsets.UTF_8));
        return seq == null ? null : get(ByteBuffer.wrap(seq).getLong());
    }

    private StoredPrediction get(long sequence) throws IOException {
        byte[] v = state.get(Family.PREDICTIONS, sequenceKey(sequence));
        return v == null ? null : decode(sequence, v);
    }

    /** Keeps a new prediction (whose id is not kept yet) as the newest one. */
    void add(StoredPrediction p, int modelIndex, boolean bucketPending) throws IOException {
        p.sequence = next++;
        state.put(Family.PREDICTIONS, sequenceKey(p.sequence), encode(p, modelIndex));
        state.put(Family.PREDICTION_IDS, p.id.getBytes(StandardCharsets.UTF_8), sequenceKey(p.sequence));
        if (bucketPending) {
            state.put(Family.BUCKET_ROWS, bucketRowKey(modelIndex, p.bucketStartMillis, p.sequence), new byte[0]);
        }
    }

    /** Writes back a prediction whose labels changed. */
    void update(StoredPrediction p) throws IOException {
        state.put(Family.PREDICTIONS, sequenceKey(p.sequence), encode(p, models.indexOf(p.model)));
    }

    /** The oldest prediction kept, or null when none is. */
    StoredPrediction eldest() throws IOException {
        return size() == 0 ? null : get(low);
    }

    /** Lets the oldest prediction go. */
    void removeEldest() throws IOException {
        StoredPrediction p = eldest();
        if (p != null) {
            state.delete(Family.PREDICTION_IDS, p.id.getBytes(StandardCharsets.UTF_8));
        }
        state.delete(Family.PREDICTIONS, sequenceKey(low));
        low++;
    }

    /** Each prediction still kept of the bucket, oldest first. */
    void forEachOfBucket(int modelIndex, long startMillis, Consumer<StoredPrediction> visit) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        state.scan(Family.BUCKET_ROWS, bucketPrefix(modelIndex, startMillis), (key, value) -> {
            long seq = ByteBuffer.wrap(key, 12, 8).getLong();
            if (seq >= low) {
                keys.add(sequenceKey(seq));
            }
            return true;
        });
        List<StoredPrediction> found = new ArrayList<>(keys.size());
        IOException[] failed = new IOException[1];
        state.getAll(Family.PREDICTIONS, keys, (key, value) -> {
            try {
                found.add(decode(ByteBuffer.wrap(key).getLong(), value));
            } catch (IOException e) {
                failed[0] = e;
            }
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        found.forEach(visit);
    }

    /** The bucket's last window is out: its index of predictions goes (the predictions stay until let go). */
    void forgetBucket(int modelIndex, long startMillis) throws IOException {
        List<byte[]> keys = new ArrayList<>();
        state.scan(Family.BUCKET_ROWS, bucketPrefix(modelIndex, startMillis), (key, value) -> keys.add(key));
        for (byte[] k : keys) {
            state.delete(Family.BUCKET_ROWS, k);
        }
    }

    void writeState(DataOutput out) throws IOException {
        out.writeLong(low);
        out.writeLong(next);
    }

    void restoreState(DataInput in) throws IOException {
        low = in.readLong();
        next = in.readLong();
        if (low < 0 || next < low) {
            throw new IOException("implausible label store range " + low + ".." + next);
        }
    }

    private static byte[] sequenceKey(long sequence) {
        return ByteBuffer.allocate(8).putLong(sequence).array();
    }

    private static byte[] bucketPrefix(int modelIndex, long startMillis) {
        return ByteBuffer.allocate(12).putInt(modelIndex).putLong(startMillis).array();
    }

    private static byte[] bucketRowKey(int modelIndex, long startMillis, long sequence) {
        return ByteBuffer.allocate(20).putInt(modelIndex).putLong(startMillis).putLong(sequence).array();
    }

    private static byte[] encode(StoredPrediction p, int modelIndex) {
        byte[] id = p.id.getBytes(StandardCharsets.UTF_8);
        int classes = p.probabilities == null ? 0 : p.probabilities.length;
        ByteBuffer b = ByteBuffer.allocate(2 + id.length + 4 + 8 + 8 + 4 + 8 + 4 + 8 * classes + 8 + 8 + 8 + 8);
        b.putShort((short) id.length).put(id).putInt(modelIndex).putLong(p.bucketStartMillis)
                .putLong(p.captureMillis).putInt(p.predictedClass).putDouble(p.value)
                .putInt(p.probabilities == null ? -1 : classes);
        for (int c = 0; c < classes; c++) {
            b.putDouble(p.probabilities[c]);
        }
        b.putDouble(p.label).putLong(p.labelMillis).putDouble(p.previousLabel).putLong(p.previousLabelMillis);
        return b.array();
    }

    private StoredPrediction decode(long sequence, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        byte[] id = new byte[b.getShort() & 0xffff];
        b.get(id);
        int modelIndex = b.getInt();
        if (modelIndex < 0 || modelIndex >= models.size()) {
            throw new IOException("the label store names model " + modelIndex + " of " + models.size());
        }
        long start = b.getLong();
        long capture = b.getLong();
        int predicted = b.getInt();
        double value = b.getDouble();
        int classes = b.getInt();
        double[] probabilities = classes < 0 ? null : new double[classes];
        for (int c = 0; c < classes; c++) {
            probabilities[c] = b.getDouble();
        }
        StoredPrediction p = new StoredPrediction(new String(id, StandardCharsets.UTF_8), models.get(modelIndex),
                start, capture, predicted, probabilities, value);
        p.label = b.getDouble();
        p.labelMillis = b.getLong();
        p.previousLabel = b.getDouble();
        p.previousLabelMillis = b.getLong();
        p.sequence = sequence;
        return p;
    }
}
