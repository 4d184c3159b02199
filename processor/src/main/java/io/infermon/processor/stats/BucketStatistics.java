package io.infermon.processor.stats;

import io.infermon.capture.CaptureRecord;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one bucket knows about one model: calls, rows, batch sizes and call latency; the distribution of every
 * input feature; and what the model predicted. Updated record by record, merged bucket with bucket (for roll-ups and
 * several processors), serialized as a profile; turned into metrics when the bucket closes.
 */
public final class BucketStatistics {
    /** Rows of a call's features read column by column at a time (see addFeatures). */
    private static final int COLUMN_BLOCK_ROWS = 256;
    private final StatisticsSettings settings;
    private long inferenceCalls;
    private long rows;
    private long lateRecords;
    private final DistributionSummary latencyMillis;
    private final DistributionSummary batchSize;
    private final List<FeatureSummary> features = new ArrayList<>();
    private final PredictionSummary predictions;
    private double[] rowScratch = new double[2];

    public BucketStatistics() {
        this(StatisticsSettings.DEFAULTS);
    }

    public BucketStatistics(StatisticsSettings settings) {
        this(settings, new DistributionSummary(), new DistributionSummary(), new PredictionSummary());
    }

    private BucketStatistics(StatisticsSettings settings, DistributionSummary latencyMillis,
                             DistributionSummary batchSize, PredictionSummary predictions) {
        this.settings = settings;
        this.latencyMillis = latencyMillis;
        this.batchSize = batchSize;
        this.predictions = predictions;
    }

    public void add(CaptureRecord record) {
        inferenceCalls++;
        latencyMillis.add(record.durationNanos() / 1e6);
        ModelTensors tensors = ModelTensors.of(record);
        TensorValues f = tensors.features();
        long callRows = f != null ? f.rows()
                : tensors.probabilities() != null ? tensors.probabilities().rows()
                : tensors.classIds() != null ? tensors.classIds().rows()
                : tensors.values() != null ? tensors.values().rows() : 0;
        rows += callRows;
        batchSize.add(callRows);
        if (f != null) {
            addFeatures(f);
        }
        if (tensors.probabilities() != null) {
            predictions.addProbabilities(tensors.probabilities(), settings.binaryThreshold(),
                    scratch(Math.max(2, tensors.probabilities().width())));
        } else if (tensors.classIds() != null) {
            predictions.addClasses(tensors.classIds(), scratch(1));
        }
        if (tensors.values() != null) {
            predictions.addValues(tensors.values(), scratch(1));
        }
    }

    /**
     * Adds one row of features that did not come from a call (a reference built from a CSV or JSONL file): it counts
     * as a row, not as a call.
     */
    public void addFeatureRow(double[] row) {
        rows++;
        int width = Math.min(row.length, settings.maxFeatures());
        while (features.size() < width) {
            features.add(new FeatureSummary());
        }
        for (int j = 0; j < width; j++) {
            features.get(j).add(row[j]);
        }
    }

    private void addFeatures(TensorValues f) {
        int width = Math.min(f.width(), settings.maxFeatures());
        while (features.size() < width) {
            features.add(new FeatureSummary());
        }
        // Column by column within blocks of rows: each summary takes a run of its feature's values in row order, and
        // its state stays in cache instead of every summary taking a turn on each row. Each summary sees the same
        // values in the same order as row by row; only the KLL sketches' coin flips (one shared source, see
        // SketchRandomness) fall to the sketches in another interleaving: as deterministic, same error bound.
        // Blocks bound the scratch array whatever the batch size.
        double[] column = scratch(Math.min(f.rows(), COLUMN_BLOCK_ROWS));
        for (int from = 0; from < f.rows(); from += COLUMN_BLOCK_ROWS) {
            int count = Math.min(COLUMN_BLOCK_ROWS, f.rows() - from);
            for (int j = 0; j < width; j++) {
                f.readColumn(j, from, count, column);
                FeatureSummary summary = features.get(j);
                for (int r = 0; r < count; r++) {
                    summary.add(column[r]);
                }
            }
        }
    }

    private double[] scratch(int width) {
        if (rowScratch.length < width) {
            rowScratch = new double[width];
        }
        return rowScratch;
    }

    /** Counts a record that arrived after its own bucket had closed and was dropped or moved here. */
    public void countLate() {
        lateRecords++;
    }

    /** Folds another bucket's statistics (same model) into these, as if its records had been added here. */
    public void merge(BucketStatistics other) {
        inferenceCalls += other.inferenceCalls;
        rows += other.rows;
        lateRecords += other.lateRecords;
        latencyMillis.merge(other.latencyMillis);
        batchSize.merge(other.batchSize);
        for (int j = 0; j < other.features.size(); j++) {
            if (j == features.size()) {
                features.add(new FeatureSummary());
            }
            features.get(j).merge(other.features.get(j));
        }
        predictions.merge(other.predictions);
    }

    public long inferenceCalls() {
        return inferenceCalls;
    }

    /** Rows (examples) predicted in the bucket: MLWatcher's {@code buffer_count}. */
    public long rows() {
        return rows;
    }

    /** Records counted here that had arrived after their own bucket closed. */
    public long lateRecords() {
        return lateRecords;
    }

    /** Call durations as the agent measured them around the intercepted call, in milliseconds. */
    public DistributionSummary latencyMillis() {
        return latencyMillis;
    }

    /** Rows per call. */
    public DistributionSummary batchSize() {
        return batchSize;
    }

    public List<FeatureSummary> features() {
        return features;
    }

    public PredictionSummary predictions() {
        return predictions;
    }

    public StatisticsSettings settings() {
        return settings;
    }

    /** Serialized form, part of the profile format (docs/profile-format.md). */
    public void writeTo(DataOutput out, SketchForm form) throws IOException {
        out.writeLong(inferenceCalls);
        out.writeLong(rows);
        out.writeLong(lateRecords);
        latencyMillis.writeTo(out, form);
        batchSize.writeTo(out, form);
        out.writeInt(features.size());
        for (FeatureSummary f : features) {
            f.writeTo(out, form);
        }
        predictions.writeTo(out, form);
    }

    public static BucketStatistics readFrom(DataInput in, StatisticsSettings settings) throws IOException {
        long calls = in.readLong();
        long rows = in.readLong();
        long late = in.readLong();
        DistributionSummary latency = DistributionSummary.readFrom(in);
        DistributionSummary batch = DistributionSummary.readFrom(in);
        int n = in.readInt();
        if (n < 0 || n > settings.maxFeatures()) {
            throw new IOException(n + " features, more than the limit " + settings.maxFeatures());
        }
        List<FeatureSummary> features = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            features.add(FeatureSummary.readFrom(in));
        }
        BucketStatistics s = new BucketStatistics(settings, latency, batch, PredictionSummary.readFrom(in));
        s.inferenceCalls = calls;
        s.rows = rows;
        s.lateRecords = late;
        s.features.addAll(features);
        return s;
    }
}
