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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The label join's predictions and their labels, kept in the processor's {@link StateStore} (RocksDB) rather than on
 * the heap, so that millions of them cost disk, not memory, and a checkpoint writes only what changed since the last
 * one.
 *
 * <p>Each prediction gets the next prediction sequence number, each joined label the next label sequence number. The
 * predictions kept are exactly those numbered from {@code low} (the oldest) to {@code next - 1}, because both ways
 * out (eviction beyond the bound, expiry past the horizon) take the oldest first. Four column families:
 * <ul>
 *   <li>{@code predictions}: sequence (8 bytes, big-endian, so keys sort by age) → the prediction;</li>
 *   <li>{@code prediction_ids}: the id (UTF-8) → its sequence, to join a label;</li>
 *   <li>{@code labels}: (prediction sequence, label sequence) → the label's value and time, every label joined to
 *       the prediction in the order they came (a correction adds one);</li>
 *   <li>{@code label_log}: label sequence → prediction sequence, for the labels of the last checkpoint interval.</li>
 * </ul>
 *
 * <p>The state store writes changes on before the checkpoint that covers them (see {@link StateStore}), so after a
 * crash it may hold changes of an interval that no checkpoint covers. Between checkpoints this store therefore only
 * adds keys numbered past what the last checkpoint recorded ({@code next}, {@code labelNext}), and deletes only what
 * a committed checkpoint no longer holds (predictions below the {@code low} of the last committed checkpoint). On
 * restore, {@link #restoreState} deletes whatever is numbered past the checkpoint's counters: the store is then exactly
 * as that checkpoint left it. The one key that is overwritten, an id whose earlier prediction has left the store, keeps
 * the earlier sequence in the new prediction's record ({@code shadowed}), from which the rollback puts it back.
 */
final class PredictionStore {
    /** Predictions let go physically per prediction added, at most: deletion keeps pace with insertion. */
    private static final int COLLECT_PER_ADD = 2;

    private final StateStore state;
    private final List<ModelKey> models;
    private long low;
    private long next;
    private long labelNext;
    /** Predictions below this are deleted from the store (not only let go). */
    private long deletedBelow;
    /** Label log entries below this are deleted. */
    private long logDeletedBelow;
    /** {@code low} and {@code labelNext} of the last committed checkpoint: what may be deleted without undo. */
    private long committedLow;
    private long committedLabelNext;
    /** The same, as written into a checkpoint not known to be committed yet, and the store's commits then. */
    private long writtenLow = -1;
    private long writtenLabelNext;
    private long writtenAtCommits;

    /** @param models the join's model table: index → model key (grows; indexes never change) */
    PredictionStore(StateStore state, List<ModelKey> models) {
        this.state = state;
        this.models = models;
    }

    long size() {
        return next - low;
    }

    /**
     * The sequence the id maps to in the store, or -1: also for a prediction already let go (below {@code low}),
     * which a new prediction with that id replaces.
     */
    long sequenceOf(String id) throws IOException {
        byte[] seq = state.get(Family.PREDICTION_IDS, id.getBytes(StandardCharsets.UTF_8));
        return seq == null ? -1 : ByteBuffer.wrap(seq).getLong();
    }

    boolean isKept(long sequence) {
        return sequence >= low && sequence < next;
    }

    /** The prediction with this id and its labels, or null. */
    StoredPrediction find(String id) throws IOException {
        long seq = sequenceOf(id);
        if (!isKept(seq)) {
            return null;
        }
        StoredPrediction p = get(seq);
        if (p != null) {
            state.scan(Family.LABELS, sequenceKey(seq), (key, value) -> {
                applyLabel(p, value);
                return true;
            });
        }
        return p;
    }

    private StoredPrediction get(long sequence) throws IOException {
        byte[] v = state.get(Family.PREDICTIONS, sequenceKey(sequence));
        return v == null ? null : decode(sequence, v);
    }

    /**
     * Keeps a new prediction as the newest one.
     *
     * @param replaced the sequence its id mapped to (a prediction let go), or -1
     */
    void add(StoredPrediction p, int modelIndex, long replaced) throws IOException {
        p.sequence = next++;
        state.put(Family.PREDICTIONS, sequenceKey(p.sequence), encode(p, modelIndex, replaced));
        state.put(Family.PREDICTION_IDS, p.id.getBytes(StandardCharsets.UTF_8), sequenceKey(p.sequence));
        collect(COLLECT_PER_ADD);
        state.spillIfLarge(); // here, between whole changes: a rollback finds every part of one
    }

    /** Joins a label to a kept prediction: its latest label from now on (the one before stays, for windows). */
    void addLabel(StoredPrediction p, double value, long timeMillis) throws IOException {
        long seq = labelNext++;
        // the log entry first: a label in the store always has the entry a rollback finds it by
        state.put(Family.LABEL_LOG, sequenceKey(seq), sequenceKey(p.sequence));
        state.put(Family.LABELS, ByteBuffer.allocate(16).putLong(p.sequence).putLong(seq).array(),
                ByteBuffer.allocate(16).putDouble(value).putLong(timeMillis).array());
        state.spillIfLarge();
    }

    private static void applyLabel(StoredPrediction p, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        if (p.labelled()) {
            p.previousLabel = p.label;
            p.previousLabelMillis = p.labelMillis;
        }
        p.label = b.getDouble();
        p.labelMillis = b.getLong();
    }

    /** The oldest prediction kept (without its labels), or null when none is. */
    StoredPrediction eldest() throws IOException {
        return size() == 0 ? null : get(low);
    }

    /** Lets the oldest prediction go; it is deleted once a committed checkpoint no longer holds it. */
    void removeEldest() {
        if (size() > 0) {
            low++;
        }
    }

    /**
     * Deletes up to {@code max} predictions that were let go before the last committed checkpoint (with their ids
     * and labels), and label log entries that checkpoint covers.
     */
    private void collect(int max) throws IOException {
        if (writtenLow >= 0 && state.commits() > writtenAtCommits) {
            committedLow = writtenLow;
            committedLabelNext = writtenLabelNext;
            writtenLow = -1;
        }
        for (int n = 0; n < max && deletedBelow < committedLow; n++, deletedBelow++) {
            long seq = deletedBelow;
            StoredPrediction p = get(seq);
            if (p != null) {
                if (sequenceOf(p.id) == seq) {
                    state.delete(Family.PREDICTION_IDS, p.id.getBytes(StandardCharsets.UTF_8));
                }
                List<byte[]> labels = new ArrayList<>();
                state.scan(Family.LABELS, sequenceKey(seq), (key, value) -> labels.add(key));
                for (byte[] k : labels) {
                    state.delete(Family.LABELS, k);
                }
                state.delete(Family.PREDICTIONS, sequenceKey(seq));
            }
        }
        for (int n = 0; n < max && logDeletedBelow < committedLabelNext; n++, logDeletedBelow++) {
            state.delete(Family.LABEL_LOG, sequenceKey(logDeletedBelow));
        }
    }

    /**
     * Each prediction still kept of the bucket with its labels, oldest first: the bucket's predictions are numbered
     * from {@code first} to {@code last} (with others' among them when several models or buckets take predictions at
     * once; they are skipped).
     */
    void forEachOfBucket(int modelIndex, long startMillis, long first, long last, Consumer<StoredPrediction> visit)
            throws IOException {
        long from = Math.max(first, low);
        if (from > last) {
            return;
        }
        Map<Long, StoredPrediction> found = new LinkedHashMap<>();
        IOException[] failed = new IOException[1];
        state.scanRange(Family.PREDICTIONS, sequenceKey(from), sequenceKey(last + 1), (key, value) -> {
            long seq = ByteBuffer.wrap(key).getLong();
            try {
                StoredPrediction p = decode(seq, value);
                if (p.bucketStartMillis == startMillis && p.model.equals(models.get(modelIndex))) {
                    found.put(seq, p);
                }
            } catch (IOException e) {
                failed[0] = e;
                return false;
            }
            return true;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        state.scanRange(Family.LABELS, sequenceKey(from), sequenceKey(last + 1), (key, value) -> {
            StoredPrediction p = found.get(ByteBuffer.wrap(key).getLong());
            if (p != null) {
                applyLabel(p, value);
            }
            return true;
        });
        found.values().forEach(visit);
    }

    void writeState(DataOutput out) throws IOException {
        out.writeLong(low);
        out.writeLong(next);
        out.writeLong(labelNext);
        out.writeLong(deletedBelow);
        out.writeLong(logDeletedBelow);
        writtenLow = low;
        writtenLabelNext = labelNext;
        writtenAtCommits = state.commits();
    }

    /**
     * Restores the counters of a checkpoint and deletes what the store holds beyond them: the predictions and labels
     * added after that checkpoint by a processor that stopped before the next one.
     */
    void restoreState(DataInput in) throws IOException {
        low = in.readLong();
        next = in.readLong();
        labelNext = in.readLong();
        deletedBelow = in.readLong();
        logDeletedBelow = in.readLong();
        if (low < 0 || next < low || deletedBelow > low || labelNext < 0 || logDeletedBelow > labelNext) {
            throw new IOException("implausible label store counters " + low + ", " + next + ", " + labelNext);
        }
        committedLow = low;
        committedLabelNext = labelNext;
        writtenLow = -1;
        rollBack();
    }

    private void rollBack() throws IOException {
        List<byte[][]> added = new ArrayList<>();
        List<Long> replaced = new ArrayList<>();
        state.scanRange(Family.PREDICTIONS, sequenceKey(next), sequenceKey(Long.MAX_VALUE), (key, value) -> {
            // only the id and the replaced sequence: the record may name a model the checkpoint does not know
            ByteBuffer b = ByteBuffer.wrap(value);
            byte[] id = new byte[b.getShort() & 0xffff];
            b.get(id);
            added.add(new byte[][] {key, id});
            replaced.add(ByteBuffer.wrap(value, value.length - 8, 8).getLong());
            return true;
        });
        for (int i = 0; i < added.size(); i++) {
            long sequence = ByteBuffer.wrap(added.get(i)[0]).getLong();
            byte[] id = added.get(i)[1];
            long shadowed = replaced.get(i);
            if (sequenceOf(new String(id, StandardCharsets.UTF_8)) == sequence) {
                if (shadowed >= low) {
                    state.put(Family.PREDICTION_IDS, id, sequenceKey(shadowed));
                } else {
                    state.delete(Family.PREDICTION_IDS, id);
                }
            }
            state.delete(Family.PREDICTIONS, sequenceKey(sequence));
        }
        List<byte[][]> labels = new ArrayList<>();
        state.scanRange(Family.LABEL_LOG, sequenceKey(labelNext), sequenceKey(Long.MAX_VALUE), (key, value) -> {
            labels.add(new byte[][] {key, value});
            return true;
        });
        for (byte[][] l : labels) {
            state.delete(Family.LABELS, ByteBuffer.allocate(16).put(l[1]).put(l[0]).array());
            state.delete(Family.LABEL_LOG, l[0]);
        }
    }

    private static byte[] sequenceKey(long sequence) {
        return ByteBuffer.allocate(8).putLong(sequence).array();
    }

    private static byte[] encode(StoredPrediction p, int modelIndex, long replaced) {
        byte[] id = p.id.getBytes(StandardCharsets.UTF_8);
        int classes = p.probabilities == null ? 0 : p.probabilities.length;
        boolean asFloats = p.probabilities != null && fitFloats(p.probabilities);
        int width = asFloats ? 4 : 8;
        ByteBuffer b = ByteBuffer.allocate(2 + id.length + 4 + 8 + 8 + 4 + 8 + 4 + width * classes + 8);
        b.putShort((short) id.length).put(id).putInt(modelIndex).putLong(p.bucketStartMillis)
                .putLong(p.captureMillis).putInt(p.predictedClass).putDouble(p.value)
                // the class count, negative (less one) when the probabilities are stored as floats: a float32
                // tensor's probabilities are floats, and take half the room
                .putInt(p.probabilities == null ? Integer.MIN_VALUE : asFloats ? -classes - 1 : classes);
        for (int c = 0; c < classes; c++) {
            if (asFloats) {
                b.putFloat((float) p.probabilities[c]);
            } else {
                b.putDouble(p.probabilities[c]);
            }
        }
        b.putLong(replaced);
        return b.array();
    }

    private static boolean fitFloats(double[] values) {
        for (double v : values) {
            if (Double.doubleToRawLongBits((float) v) != Double.doubleToRawLongBits(v)) {
                return false;
            }
        }
        return true;
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
        int stored = b.getInt();
        boolean floats = stored < 0 && stored != Integer.MIN_VALUE;
        int classes = stored == Integer.MIN_VALUE ? -1 : floats ? -stored - 1 : stored;
        double[] probabilities = classes < 0 ? null : new double[classes];
        for (int c = 0; c < classes; c++) {
            probabilities[c] = floats ? b.getFloat() : b.getDouble();
        }
        StoredPrediction p = new StoredPrediction(new String(id, StandardCharsets.UTF_8), models.get(modelIndex),
                start, capture, predicted, probabilities, value);
        p.sequence = sequence;
        return p;
    }
}
