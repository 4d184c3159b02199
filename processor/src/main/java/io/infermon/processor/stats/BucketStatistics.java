package io.infermon.processor.stats;

import io.infermon.capture.CaptureRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one bucket knows about one model: call and row counts, predicted classes, the distributions of the top
 * probability ({@code pred1}) and of the gap between the top two ({@code spread12}), and the distribution of every
 * input feature. Updated record by record; turned into metrics when the bucket closes.
 */
public final class BucketStatistics {
    private long inferenceCalls;
    private long rows;
    private long[] classCounts = new long[0];
    private final DistributionSummary maxProbability = new DistributionSummary();
    private final DistributionSummary spread12 = new DistributionSummary();
    private final List<DistributionSummary> features = new ArrayList<>();
    private double[] rowScratch = new double[0];

    public void add(CaptureRecord record) {
        inferenceCalls++;
        ModelTensors tensors = ModelTensors.of(record);
        TensorValues f = tensors.features();
        TensorValues p = tensors.probabilities();
        if (f != null) {
            rows += f.rows();
            addFeatures(f);
        } else if (p != null) {
            rows += p.rows();
        }
        if (p != null) {
            addProbabilities(p);
        }
    }

    private void addFeatures(TensorValues f) {
        while (features.size() < f.width()) {
            features.add(new DistributionSummary());
        }
        double[] row = scratch(f.width());
        for (int r = 0; r < f.rows(); r++) {
            f.readRow(r, row);
            for (int j = 0; j < f.width(); j++) {
                double x = row[j];
                if (Double.isFinite(x)) {
                    features.get(j).add(x);
                }
            }
        }
    }

    private void addProbabilities(TensorValues p) {
        int classes = p.width();
        if (classCounts.length < classes) {
            classCounts = java.util.Arrays.copyOf(classCounts, classes);
        }
        double[] row = scratch(classes);
        for (int r = 0; r < p.rows(); r++) {
            p.readRow(r, row);
            int best = 0;
            double top1 = row[0];
            double top2 = Double.NEGATIVE_INFINITY;
            for (int c = 1; c < classes; c++) {
                double v = row[c];
                if (v > top1) {
                    top2 = top1;
                    top1 = v;
                    best = c;
                } else if (v > top2) {
                    top2 = v;
                }
            }
            classCounts[best]++;
            maxProbability.add(top1);
            spread12.add(top1 - top2);
        }
    }

    private double[] scratch(int width) {
        if (rowScratch.length < width) {
            rowScratch = new double[width];
        }
        return rowScratch;
    }

    public long inferenceCalls() {
        return inferenceCalls;
    }

    /** Rows (examples) predicted in the bucket: MLWatcher's {@code buffer_count}. */
    public long rows() {
        return rows;
    }

    /** Rows predicted as each class; empty when no call had probabilities. */
    public long[] classCounts() {
        return classCounts.clone();
    }

    public long predictedRows() {
        long n = 0;
        for (long c : classCounts) {
            n += c;
        }
        return n;
    }

    public DistributionSummary maxProbability() {
        return maxProbability;
    }

    public DistributionSummary spread12() {
        return spread12;
    }

    public List<DistributionSummary> features() {
        return features;
    }
}
