package io.infermon.processor.labels;

import io.infermon.anodot.AnodotMetric;
import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.TensorMeaning;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.state.StateStore;
import io.infermon.processor.stats.ModelTensors;
import io.infermon.processor.stats.TensorValues;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The join of predictions with the labels that come for them later, and the label metrics of each prediction bucket
 * at each maturity.
 *
 * <p>Predictions with an id (a request id; {@code <id>#<row>} for the rows of a call of several) are kept by id
 * until their bucket's last window is emitted and the horizon (from their capture time, in label-clock time) has
 * passed, at most {@code maxPredictions} of them (the oldest evicted first). A label is joined to its
 * prediction by id; a label whose prediction has not been read yet waits until the inference watermark passes the
 * label's time (a prediction comes before its label), and is then counted as unknown.
 *
 * <p>The label clock is {@code max(inference watermark, latest joined label time - label grace)}. When it reaches a
 * closed bucket's end plus a maturity, that window's metrics are emitted once: over the bucket's predictions whose label
 * time is before that moment. A label that arrives after the window it belonged to was emitted is counted late (it
 * still counts in the bucket's later windows).
 *
 * <p>The predictions live in the processor's {@link StateStore} ({@link PredictionStore}: RocksDB, not the heap);
 * the rest (waiting labels, windows to come, counts) is small and goes into the checkpoint, which the state store
 * commits with the store's last changes; a restore undoes the store's changes that no checkpoint covers. The label files applied since are
 * replayed on restart at the same point of the queues (see {@link LabelStream}), so a restart emits exactly what a
 * processor that never stopped would have.
 */
public final class LabelJoin {
    /** Counter names; the processor reports them as {@code processor_labels{event}}. */
    public static final String JOINED = "joined";
    public static final String UNKNOWN_ID = "unknown_id";
    public static final String INVALID = "invalid_value";
    public static final String REPLACED = "replaced";
    public static final String LATE = "late";
    public static final String REJECTED_ROWS = "rejected_rows";
    public static final String NO_ID = "agent_label_without_id";
    public static final String PREDICTIONS_STORED = "predictions_stored";
    public static final String PREDICTIONS_EVICTED = "predictions_evicted";
    public static final String PREDICTIONS_EXPIRED = "predictions_expired";
    public static final String DUPLICATE_PREDICTION_ID = "duplicate_prediction_id";

    private record BucketRef(long startMillis, ModelKey model) implements Comparable<BucketRef> {
        @Override
        public int compareTo(BucketRef o) {
            int c = Long.compare(startMillis, o.startMillis);
            return c != 0 ? c : model.compareTo(o.model);
        }
    }

    /** A closed bucket whose label windows are not all emitted yet. */
    private static final class Windows {
        final long predictedRows;
        int next;

        Windows(long predictedRows, int next) {
            this.predictedRows = predictedRows;
            this.next = next;
        }
    }

    /**
     * One window's metrics, ready to write, and the same window as mergeable statistics (what a fleet host publishes).
     *
     * @param maturityMillis the window's maturity: it was emitted when the label clock reached the bucket's end plus
     *                       this
     * @param statistics     the statistics, built when asked: a processor without a fleet never needs them
     */
    public record Emission(ModelKey model, long bucketStartMillis, String window, long maturityMillis,
                           List<AnodotMetric> metrics, Supplier<LabelWindowStatistics> statistics) {
    }

    private final LabelSettings settings;
    private final long widthMillis;
    private final long graceMillis;
    private final double binaryThreshold;
    private final long[] maturityMillis;
    private final String[] maturityNames;

    /** Index → model key of every model whose predictions were kept; the store names models by index. */
    private final List<ModelKey> models = new ArrayList<>();
    private final Map<ModelKey, Integer> modelIndex = new HashMap<>();
    private final PredictionStore predictions;
    /**
     * Buckets with kept predictions whose windows are not all emitted yet (open ones, and closed ones in windows),
     * with the first and last sequence of their predictions in the store.
     */
    private final TreeMap<BucketRef, long[]> pendingBuckets = new TreeMap<>();
    private final TreeMap<BucketRef, Windows> windows = new TreeMap<>();
    private final LinkedHashMap<String, Label> waiting = new LinkedHashMap<>();
    private final TreeMap<String, Long> counts = new TreeMap<>();
    private long maxJoinedLabelMillis = Long.MIN_VALUE;
    /** Records taken from the queues so far: where label files are stamped, and replayed. */
    private long step;
    /** The sequence number of the last label file applied. */
    private long appliedSequence;
    private double[] scratch = new double[2];

    /** @param store where the predictions are kept (and committed with each checkpoint) */
    public LabelJoin(LabelSettings settings, java.time.Duration width, double binaryThreshold, StateStore store) {
        this.settings = settings;
        this.predictions = new PredictionStore(store, models);
        this.widthMillis = width.toMillis();
        this.graceMillis = settings.grace().toMillis();
        this.binaryThreshold = binaryThreshold;
        this.maturityMillis = settings.maturities().stream().mapToLong(java.time.Duration::toMillis).toArray();
        this.maturityNames = settings.maturities().stream().map(LabelSettings::name).toArray(String[]::new);
    }

    // ---- predictions ----

    /**
     * Keeps the predictions of an inference record that carries a request id, in the bucket the buckets put it in.
     */
    public void addPredictions(CaptureRecord record, ModelKey model, long bucketStartMillis) throws IOException {
        String requestId = record.requestId();
        if (requestId.isEmpty()) {
            return;
        }
        ModelTensors tensors = ModelTensors.of(record);
        long captureMillis = Math.floorDiv(record.captureTimeEpochNanos(), 1_000_000L);
        if (tensors.probabilities() != null) {
            TensorValues p = tensors.probabilities();
            int width = p.width();
            int classes = Math.max(2, width);
            double[] row = scratch(classes);
            for (int r = 0; r < p.rows(); r++) {
                p.readRow(r, row);
                if (width == 1) {
                    row[1] = row[0];
                    row[0] = 1 - row[1];
                }
                double[] probabilities = java.util.Arrays.copyOf(row, classes);
                if (!finite(probabilities)) {
                    continue;
                }
                store(rowId(requestId, r, p.rows()), model, bucketStartMillis, captureMillis,
                        predictedClass(probabilities), probabilities, Double.NaN);
            }
        } else if (tensors.classIds() != null) {
            TensorValues ids = tensors.classIds();
            double[] row = scratch(1);
            for (int r = 0; r < ids.rows(); r++) {
                ids.readRow(r, row);
                if (row[0] >= 0 && row[0] < 1 << 16 && row[0] == Math.rint(row[0])) {
                    store(rowId(requestId, r, ids.rows()), model, bucketStartMillis, captureMillis, (int) row[0],
                            null, Double.NaN);
                }
            }
        } else if (tensors.values() != null) {
            TensorValues v = tensors.values();
            double[] row = scratch(1);
            for (int r = 0; r < v.rows(); r++) {
                v.readRow(r, row);
                if (Double.isFinite(row[0])) {
                    store(rowId(requestId, r, v.rows()), model, bucketStartMillis, captureMillis, -1, null, row[0]);
                }
            }
        }
    }

    /** The id of row {@code r} of a call of {@code rows} rows: the request id itself for a one-row call. */
    public static String rowId(String requestId, int r, int rows) {
        return rows == 1 ? requestId : requestId + "#" + r;
    }

    private int predictedClass(double[] p) {
        if (p.length == 2) {
            return p[1] > binaryThreshold ? 1 : 0;
        }
        int best = 0;
        for (int c = 1; c < p.length; c++) {
            if (p[c] > p[best]) {
                best = c;
            }
        }
        return best;
    }

    private void store(String id, ModelKey model, long bucketStartMillis, long captureMillis, int predictedClass,
                       double[] probabilities, double value) throws IOException {
        if (id.length() > Label.MAX_ID_CHARS) {
            return;
        }
        long existing = predictions.sequenceOf(id);
        if (predictions.isKept(existing)) {
            count(DUPLICATE_PREDICTION_ID);
            return;
        }
        StoredPrediction p = new StoredPrediction(id, model, bucketStartMillis, captureMillis, predictedClass,
                probabilities, value);
        predictions.add(p, modelIndex(model), existing);
        long[] range = pendingBuckets.computeIfAbsent(new BucketRef(bucketStartMillis, model),
                r -> new long[] {p.sequence, p.sequence});
        range[1] = p.sequence;
        Label early = waiting.remove(id);
        if (early != null && join(p, early)) {
            predictions.addLabel(p, p.label, p.labelMillis);
        }
        count(PREDICTIONS_STORED);
        while (predictions.size() > settings.maxPredictions()) {
            predictions.removeEldest();
            count(PREDICTIONS_EVICTED);
        }
    }

    private int modelIndex(ModelKey model) {
        Integer i = modelIndex.get(model);
        if (i == null) {
            i = models.size();
            models.add(model);
            modelIndex.put(model, i);
        }
        return i;
    }

    // ---- labels ----

    /**
     * Joins a label to its prediction, or keeps it until the prediction is read.
     *
     * @param inferenceWatermark the buckets' watermark now: a label older than it whose prediction is unknown will
     *                           not find it any more
     */
    public void apply(Label label, long inferenceWatermark) throws IOException {
        StoredPrediction p = predictions.find(label.id());
        if (p != null) {
            if (join(p, label)) {
                predictions.addLabel(p, p.label, p.labelMillis);
            }
            return;
        }
        if (label.timeMillis() <= inferenceWatermark) {
            count(UNKNOWN_ID);
            return;
        }
        if (waiting.remove(label.id()) != null) {
            count(REPLACED);
        }
        waiting.put(label.id(), label);
        if (waiting.size() > settings.maxWaiting()) {
            Iterator<Label> eldest = waiting.values().iterator();
            eldest.next();
            eldest.remove();
            count(UNKNOWN_ID);
        }
    }

    /** Joins the label to the prediction (in memory; the caller stores the label); false when it is invalid. */
    private boolean join(StoredPrediction p, Label label) {
        double v = label.value();
        if (!Double.isFinite(v) || (p.isClassification() && (v < 0 || v >= 1 << 16 || v != Math.rint(v)))) {
            count(INVALID);
            return false;
        }
        if (p.labelled()) {
            count(REPLACED);
            p.previousLabel = p.label;
            p.previousLabelMillis = p.labelMillis;
        }
        p.label = v;
        p.labelMillis = label.timeMillis();
        count(JOINED);
        maxJoinedLabelMillis = Math.max(maxJoinedLabelMillis, label.timeMillis());
        long end = p.bucketStartMillis + widthMillis;
        BucketRef ref = new BucketRef(p.bucketStartMillis, p.model);
        Windows w = windows.get(ref);
        int emitted = w != null ? w.next : pendingBuckets.containsKey(ref) ? 0 : maturityMillis.length;
        if (emitted > 0 && label.timeMillis() < end + maturityMillis[emitted - 1]) {
            count(LATE);
        }
        return true;
    }

    /**
     * Applies the labels of an agent's label record (kind 3): its first label tensor's values, one per row, for the
     * record's request id ({@code <id>#<row>} when there are several).
     */
    public void addLabelRecord(CaptureRecord record, long inferenceWatermark) throws IOException {
        CapturedTensor tensor = null;
        for (CapturedTensor t : record.tensors()) {
            if (t.meaning() == TensorMeaning.LABEL) {
                tensor = t;
                break;
            }
        }
        if (tensor == null && !record.tensors().isEmpty()) {
            tensor = record.tensors().get(0);
        }
        TensorValues values = tensor == null ? null : TensorValues.rowsOrColumn(tensor);
        if (values == null || values.width() != 1) {
            count(INVALID);
            return;
        }
        if (record.requestId().isEmpty()) {
            count(NO_ID);
            return;
        }
        long time = Math.floorDiv(record.captureTimeEpochNanos(), 1_000_000L);
        double[] row = scratch(1);
        for (int r = 0; r < values.rows(); r++) {
            values.readRow(r, row);
            apply(new Label(rowId(record.requestId(), r, values.rows()), row[0], time), inferenceWatermark);
        }
    }

    /** Rows refused before they became labels (malformed HTTP or import rows), counted with the rest. */
    public void countRejected(long rows) {
        if (rows > 0) {
            counts.merge(REJECTED_ROWS, rows, Long::sum);
        }
    }

    // ---- windows ----

    /** A bucket closed: from now on its windows are emitted as the label clock passes them. */
    public void bucketClosed(ClosedBucket bucket) {
        BucketRef ref = new BucketRef(bucket.startMillis(), bucket.model());
        if (pendingBuckets.containsKey(ref)) {
            long rows = bucket.statistics().predictions().predictedRows()
                    + bucket.statistics().predictions().values().count();
            windows.put(ref, new Windows(rows, 0));
        }
    }

    /**
     * How far this join's windows are handed over, for the fleet: every window whose cutoff (bucket end plus
     * maturity) is at or before the result has been emitted by the latest {@link #advance}, given that the buckets
     * are closed through {@code closedThrough}. A bucket not closed yet ends after {@code closedThrough}, so its first
     * window comes after {@code closedThrough} plus the first maturity; a closed bucket's next window comes at its
     * cutoff. Long.MIN_VALUE before any bucket closed.
     */
    public long windowsThrough(long closedThrough) {
        if (closedThrough == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long through = closedThrough > Long.MAX_VALUE - maturityMillis[0] ? Long.MAX_VALUE
                : closedThrough + maturityMillis[0];
        for (Map.Entry<BucketRef, Windows> e : windows.entrySet()) {
            if (e.getValue().next < maturityMillis.length) {
                through = Math.min(through,
                        e.getKey().startMillis() + widthMillis + maturityMillis[e.getValue().next] - 1);
            }
        }
        return through;
    }

    /** {@code max(inference watermark, latest joined label time - label grace)}. */
    public long clock(long inferenceWatermark) {
        long labels = maxJoinedLabelMillis == Long.MIN_VALUE ? Long.MIN_VALUE : maxJoinedLabelMillis - graceMillis;
        return Math.max(inferenceWatermark, labels);
    }

    /**
     * Everything the clock's advance settles: labels whose prediction can no longer come are counted unknown, the
     * windows the label clock has reached are computed (returned, in bucket order), and predictions older than the
     * horizon are let go.
     */
    public List<Emission> advance(long inferenceWatermark) throws IOException {
        for (Iterator<Label> it = waiting.values().iterator(); it.hasNext(); ) {
            if (it.next().timeMillis() <= inferenceWatermark) {
                it.remove();
                count(UNKNOWN_ID);
            }
        }
        long clock = clock(inferenceWatermark);
        List<Emission> due = new ArrayList<>();
        for (Iterator<Map.Entry<BucketRef, Windows>> it = windows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<BucketRef, Windows> e = it.next();
            BucketRef ref = e.getKey();
            Windows w = e.getValue();
            long end = ref.startMillis() + widthMillis;
            while (w.next < maturityMillis.length && clock != Long.MIN_VALUE
                    && end + maturityMillis[w.next] <= clock) {
                long cutoff = end + maturityMillis[w.next];
                List<LabelWindowMetrics.Row> labelled = new ArrayList<>();
                // the predictions let go meanwhile (evicted, expired) are not among them
                long[] range = pendingBuckets.get(ref);
                predictions.forEachOfBucket(modelIndex(ref.model()), ref.startMillis(), range[0], range[1], p -> {
                    double label = p.labelBefore(cutoff);
                    if (!Double.isNaN(label)) {
                        labelled.add(new LabelWindowMetrics.Row(p, label, p.labelMillisBefore(cutoff)));
                    }
                });
                long predictedRows = w.predictedRows;
                due.add(new Emission(ref.model(), ref.startMillis(), maturityNames[w.next], maturityMillis[w.next],
                        LabelWindowMetrics.of(ref.model(), ref.startMillis(), maturityNames[w.next],
                                predictedRows, labelled),
                        () -> LabelWindowMetrics.statistics(predictedRows, labelled)));
                w.next++;
            }
            if (w.next == maturityMillis.length) {
                it.remove();
                pendingBuckets.remove(ref);
            }
        }
        if (clock != Long.MIN_VALUE) {
            long oldest = clock - settings.horizon().toMillis();
            // a prediction whose bucket still has windows to come (or is still open) stays: its label is wanted
            for (StoredPrediction eldest; (eldest = predictions.eldest()) != null && eldest.captureMillis < oldest
                    && !pendingBuckets.containsKey(new BucketRef(eldest.bucketStartMillis, eldest.model)); ) {
                predictions.removeEldest();
                count(PREDICTIONS_EXPIRED);
            }
        }
        return due;
    }

    // ---- bookkeeping ----

    private void count(String name) {
        counts.merge(name, 1L, Long::sum);
    }

    /** Running totals by event (names above). */
    public Map<String, Long> counts() {
        return java.util.Collections.unmodifiableMap(counts);
    }

    public long total(String name) {
        return counts.getOrDefault(name, 0L);
    }

    public long storedPredictions() {
        return predictions.size();
    }

    public int waitingLabels() {
        return waiting.size();
    }

    /** Closed buckets with label windows still to come. */
    public int pendingWindows() {
        return windows.size();
    }

    public long step() {
        return step;
    }

    /** One more record taken from the queues. */
    public void stepped() {
        step++;
    }

    public long appliedSequence() {
        return appliedSequence;
    }

    public void applied(long sequence) {
        appliedSequence = sequence;
    }

    private double[] scratch(int width) {
        if (scratch.length < width) {
            scratch = new double[width];
        }
        return scratch;
    }

    private static boolean finite(double[] row) {
        for (double v : row) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    // ---- checkpoint ----

    /**
     * Marks this layout of the join's checkpoint state, in which the predictions are in the state store. The layout
     * before it held every prediction and began with the step, which is never negative.
     */
    private static final long STORE_LAYOUT = -2L;

    /**
     * This component's part of a checkpoint: everything but the predictions and labels, which are in the state store
     * (the checkpoint records the store's counters, and with them what a restore keeps).
     */
    public void writeState(DataOutput out) throws IOException {
        out.writeLong(STORE_LAYOUT);
        out.writeLong(step);
        out.writeLong(appliedSequence);
        out.writeLong(maxJoinedLabelMillis);
        out.writeInt(models.size());
        for (ModelKey m : models) {
            out.writeUTF(m.name());
            out.writeUTF(m.version());
            out.writeUTF(m.signature());
        }
        predictions.writeState(out);
        out.writeInt(pendingBuckets.size());
        for (Map.Entry<BucketRef, long[]> e : pendingBuckets.entrySet()) {
            out.writeInt(modelIndex.get(e.getKey().model()));
            out.writeLong(e.getKey().startMillis());
            out.writeLong(e.getValue()[0]);
            out.writeLong(e.getValue()[1]);
        }
        out.writeInt(windows.size());
        for (Map.Entry<BucketRef, Windows> e : windows.entrySet()) {
            out.writeInt(modelIndex.get(e.getKey().model()));
            out.writeLong(e.getKey().startMillis());
            out.writeLong(e.getValue().predictedRows);
            out.writeInt(e.getValue().next);
        }
        writeWaitingAndCounts(out);
    }

    private void writeWaitingAndCounts(DataOutput out) throws IOException {
        out.writeInt(waiting.size());
        for (Label l : waiting.values()) {
            out.writeUTF(l.id());
            out.writeDouble(l.value());
            out.writeLong(l.timeMillis());
        }
        out.writeInt(counts.size());
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    /**
     * Restores what {@link #writeState} wrote, into a join whose state store holds the predictions of the same
     * checkpoint; or the state of a checkpoint written before the state store existed (every prediction inside),
     * whose predictions then go into the store (committed with the next checkpoint).
     */
    public void restoreState(DataInput in) throws IOException {
        models.clear();
        modelIndex.clear();
        pendingBuckets.clear();
        windows.clear();
        waiting.clear();
        counts.clear();
        long first = in.readLong();
        if (first != STORE_LAYOUT) {
            restoreLegacyState(first, in);
            return;
        }
        step = in.readLong();
        appliedSequence = in.readLong();
        maxJoinedLabelMillis = in.readLong();
        readModels(in);
        predictions.restoreState(in);
        for (int i = in.readInt(); i > 0; i--) {
            ModelKey model = model(models, in.readInt());
            pendingBuckets.put(new BucketRef(in.readLong(), model), new long[] {in.readLong(), in.readLong()});
        }
        readWindows(in);
        readWaitingAndCounts(in);
    }

    private void readModels(DataInput in) throws IOException {
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            modelIndex(new ModelKey(in.readUTF(), in.readUTF(), in.readUTF()));
        }
    }

    private void readWindows(DataInput in) throws IOException {
        for (int i = in.readInt(); i > 0; i--) {
            ModelKey model = model(models, in.readInt());
            long start = in.readLong();
            windows.put(new BucketRef(start, model), new Windows(in.readLong(), in.readInt()));
        }
    }

    private void readWaitingAndCounts(DataInput in) throws IOException {
        for (int i = in.readInt(); i > 0; i--) {
            Label l = new Label(in.readUTF(), in.readDouble(), in.readLong());
            waiting.put(l.id(), l);
        }
        for (int i = in.readInt(); i > 0; i--) {
            String k = in.readUTF();
            counts.put(k, in.readLong());
        }
    }

    /** The layout of checkpoints written before the state store: the predictions themselves, oldest first. */
    private void restoreLegacyState(long firstLong, DataInput in) throws IOException {
        step = firstLong;
        appliedSequence = in.readLong();
        maxJoinedLabelMillis = in.readLong();
        readModels(in);
        List<ModelKey> table = List.copyOf(models);
        List<StoredPrediction> stored = new ArrayList<>();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            String id = in.readUTF();
            ModelKey model = model(table, in.readInt());
            long start = in.readLong();
            long capture = in.readLong();
            int predicted = in.readInt();
            double value = in.readDouble();
            int width = in.readInt();
            if (width > 1 << 16) {
                throw new IOException("implausible class count " + width + " in the label store");
            }
            double[] probabilities = width < 0 ? null : new double[width];
            for (int c = 0; c < width; c++) {
                probabilities[c] = in.readDouble();
            }
            StoredPrediction p = new StoredPrediction(id, model, start, capture, predicted, probabilities, value);
            p.label = in.readDouble();
            p.labelMillis = in.readLong();
            p.previousLabel = in.readDouble();
            p.previousLabelMillis = in.readLong();
            stored.add(p);
        }
        for (int i = in.readInt(); i > 0; i--) {
            ModelKey model = model(table, in.readInt());
            pendingBuckets.put(new BucketRef(in.readLong(), model), new long[] {0, -1});
        }
        for (StoredPrediction p : stored) {
            predictions.add(p, modelIndex(p.model), -1);
            long[] range = pendingBuckets.get(new BucketRef(p.bucketStartMillis, p.model));
            if (range != null) {
                if (range[1] < range[0]) {
                    range[0] = p.sequence;
                }
                range[1] = p.sequence;
            }
            if (!Double.isNaN(p.previousLabel)) {
                predictions.addLabel(p, p.previousLabel, p.previousLabelMillis);
            }
            if (!Double.isNaN(p.label)) {
                predictions.addLabel(p, p.label, p.labelMillis);
            }
        }
        readWindows(in);
        readWaitingAndCounts(in);
    }

    private static ModelKey model(List<ModelKey> table, int i) throws IOException {
        if (i < 0 || i >= table.size()) {
            throw new IOException("label store names model " + i + " of " + table.size());
        }
        return table.get(i);
    }
}
