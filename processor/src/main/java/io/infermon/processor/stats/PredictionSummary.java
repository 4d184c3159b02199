package io.infermon.processor.stats;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * What a model answered over a bucket: predicted classes, and from class probabilities the top probability
 * ({@code pred1}), the gap between the top two ({@code spread12}), the entropy and the mean probability of each
 * class; or, for a model with one continuous output, the distribution of that value.
 *
 * <p>The predicted class is the argmax of the probabilities, except for two classes (or a single sigmoid column,
 * read as the probability of class 1), where it is class 1 when {@code p1 > binaryThreshold}.
 */
public final class PredictionSummary {
    private long[] classCounts = new long[0];
    private double[] probabilitySums = new double[0];
    private long probabilityRows;
    private final DistributionSummary maxProbability;
    private final DistributionSummary spread12;
    private final DistributionSummary entropy;
    private final DistributionSummary values;

    public PredictionSummary() {
        this(new DistributionSummary(), new DistributionSummary(), new DistributionSummary(),
                new DistributionSummary());
    }

    private PredictionSummary(DistributionSummary maxProbability, DistributionSummary spread12,
                              DistributionSummary entropy, DistributionSummary values) {
        this.maxProbability = maxProbability;
        this.spread12 = spread12;
        this.entropy = entropy;
        this.values = values;
    }

    /** Adds rows of class probabilities ({@code width} 1 is a sigmoid: the probability of class 1). */
    public void addProbabilities(TensorValues p, double binaryThreshold, double[] scratch) {
        int width = p.width();
        int classes = Math.max(2, width);
        ensureClasses(classes);
        for (int r = 0; r < p.rows(); r++) {
            p.readRow(r, scratch);
            if (width == 1) {
                scratch[1] = scratch[0];
                scratch[0] = 1 - scratch[1];
            }
            if (!finite(scratch, classes)) {
                continue;
            }
            int best;
            double top1;
            double top2;
            if (classes == 2) {
                best = scratch[1] > binaryThreshold ? 1 : 0;
                top1 = Math.max(scratch[0], scratch[1]);
                top2 = Math.min(scratch[0], scratch[1]);
            } else {
                best = 0;
                top1 = scratch[0];
                top2 = Double.NEGATIVE_INFINITY;
                for (int c = 1; c < classes; c++) {
                    double v = scratch[c];
                    if (v > top1) {
                        top2 = top1;
                        top1 = v;
                        best = c;
                    } else if (v > top2) {
                        top2 = v;
                    }
                }
            }
            double h = 0;
            for (int c = 0; c < classes; c++) {
                double v = scratch[c];
                probabilitySums[c] += v;
                if (v > 0) {
                    h -= v * Math.log(v);
                }
            }
            classCounts[best]++;
            probabilityRows++;
            maxProbability.add(top1);
            spread12.add(top1 - top2);
            entropy.add(h);
        }
    }

    /** Adds predicted class ids (a model that outputs classes, not probabilities); negative ids are skipped. */
    public void addClasses(TensorValues ids, double[] scratch) {
        for (int r = 0; r < ids.rows(); r++) {
            ids.readRow(r, scratch);
            double id = scratch[0];
            if (id >= 0 && id < 1 << 16 && id == Math.rint(id)) {
                ensureClasses((int) id + 1);
                classCounts[(int) id]++;
            }
        }
    }

    /** Adds one continuous output per row (regression). */
    public void addValues(TensorValues v, double[] scratch) {
        for (int r = 0; r < v.rows(); r++) {
            v.readRow(r, scratch);
            if (Double.isFinite(scratch[0])) {
                values.add(scratch[0]);
            }
        }
    }

    private static boolean finite(double[] row, int n) {
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(row[i])) {
                return false;
            }
        }
        return true;
    }

    private void ensureClasses(int classes) {
        if (classCounts.length < classes) {
            classCounts = Arrays.copyOf(classCounts, classes);
            probabilitySums = Arrays.copyOf(probabilitySums, classes);
        }
    }

    public void merge(PredictionSummary other) {
        ensureClasses(other.classCounts.length);
        for (int c = 0; c < other.classCounts.length; c++) {
            classCounts[c] += other.classCounts[c];
            probabilitySums[c] += other.probabilitySums[c];
        }
        probabilityRows += other.probabilityRows;
        maxProbability.merge(other.maxProbability);
        spread12.merge(other.spread12);
        entropy.merge(other.entropy);
        values.merge(other.values);
    }

    /** Rows predicted as each class; empty when the model gave neither probabilities nor classes. */
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

    /** Rows that had (finite) class probabilities. */
    public long probabilityRows() {
        return probabilityRows;
    }

    /** The mean probability the model gave class {@code c}, over rows with probabilities. */
    public double meanProbability(int c) {
        return probabilityRows == 0 || c >= probabilitySums.length ? Double.NaN
                : probabilitySums[c] / probabilityRows;
    }

    public DistributionSummary maxProbability() {
        return maxProbability;
    }

    public DistributionSummary spread12() {
        return spread12;
    }

    /** Entropy of each row's class probabilities, in nats: {@code -sum(p * ln p)}. */
    public DistributionSummary entropy() {
        return entropy;
    }

    /** A regression model's output values. */
    public DistributionSummary values() {
        return values;
    }

    public void writeTo(DataOutput out, SketchForm form) throws IOException {
        out.writeInt(classCounts.length);
        for (int c = 0; c < classCounts.length; c++) {
            out.writeLong(classCounts[c]);
            out.writeDouble(probabilitySums[c]);
        }
        out.writeLong(probabilityRows);
        maxProbability.writeTo(out, form);
        spread12.writeTo(out, form);
        entropy.writeTo(out, form);
        values.writeTo(out, form);
    }

    public static PredictionSummary readFrom(DataInput in) throws IOException {
        int classes = in.readInt();
        if (classes < 0 || classes > 1 << 16) {
            throw new IOException("implausible class count " + classes);
        }
        long[] counts = new long[classes];
        double[] sums = new double[classes];
        for (int c = 0; c < classes; c++) {
            counts[c] = in.readLong();
            sums[c] = in.readDouble();
        }
        long probabilityRows = in.readLong();
        PredictionSummary p = new PredictionSummary(DistributionSummary.readFrom(in),
                DistributionSummary.readFrom(in), DistributionSummary.readFrom(in), DistributionSummary.readFrom(in));
        p.classCounts = counts;
        p.probabilitySums = sums;
        p.probabilityRows = probabilityRows;
        return p;
    }
}
