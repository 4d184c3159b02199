package io.infermon.benchmarks.processor;

import io.infermon.capture.CaptureRecord;
import io.infermon.processor.stats.ModelTensors;
import io.infermon.processor.stats.TensorValues;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The plain exact baseline: keep every row of the bucket (one growing {@code float[]} per column, as a buffering
 * monitor would), and when the bucket closes sort each column and read the statistics off the sorted values. Its
 * memory grows with the bucket (4 bytes per value); its quantiles and counts are exact.
 *
 * <p>Records are read exactly as the processor reads them ({@link ModelTensors}), so against
 * {@code BucketStatistics} only the statistics differ. Per-call statistics (latency, batch size: one value per
 * call, not per row) are left out.
 */
public final class ExactBucket {
    private static final int INITIAL_CAPACITY = 1 << 12;
    /** Whole numbers beyond 2^53 are not all representable as doubles; same rule as the processor. */
    private static final double MAX_EXACT_INTEGER = 0x1p53;

    private float[][] features = new float[0][];
    private float[][] probabilities = new float[0][];
    private int rows;
    private int probabilityRows;
    private double[] scratch = new double[16];

    public void add(CaptureRecord record) {
        ModelTensors tensors = ModelTensors.of(record);
        TensorValues f = tensors.features();
        TensorValues p = tensors.probabilities();
        if (f != null) {
            features = columns(features, f.width(), rows + f.rows());
            double[] row = scratch(f.width());
            for (int r = 0; r < f.rows(); r++) {
                f.readRow(r, row);
                for (int j = 0; j < f.width(); j++) {
                    features[j][rows + r] = (float) row[j];
                }
            }
        }
        if (p != null) {
            probabilities = columns(probabilities, p.width(), probabilityRows + p.rows());
            double[] row = scratch(p.width());
            for (int r = 0; r < p.rows(); r++) {
                p.readRow(r, row);
                for (int c = 0; c < p.width(); c++) {
                    probabilities[c][probabilityRows + r] = (float) row[c];
                }
            }
            probabilityRows += p.rows();
        }
        rows += f != null ? f.rows() : p != null ? p.rows() : 0;
    }

    private static float[][] columns(float[][] columns, int width, int needed) {
        if (columns.length < width) {
            float[][] wider = Arrays.copyOf(columns, width);
            int capacity = columns.length == 0 ? INITIAL_CAPACITY : columns[0].length;
            for (int j = columns.length; j < width; j++) {
                wider[j] = new float[capacity];
            }
            columns = wider;
        }
        if (columns[0].length < needed) {
            int capacity = Math.max(needed, columns[0].length * 2);
            for (int j = 0; j < columns.length; j++) {
                columns[j] = Arrays.copyOf(columns[j], capacity);
            }
        }
        return columns;
    }

    private double[] scratch(int width) {
        if (scratch.length < width) {
            scratch = new double[width];
        }
        return scratch;
    }

    /** Bytes of row data held: what this approach needs in memory at the bucket's close. */
    public long heldBytes() {
        long values = 0;
        for (float[] c : features) {
            values += c.length;
        }
        for (float[] c : probabilities) {
            values += c.length;
        }
        return values * Float.BYTES;
    }

    /** Closes the bucket: sorts the columns in place and reads off every statistic. */
    public BucketReport close() {
        List<BucketReport.Feature> report = new ArrayList<>(features.length);
        for (float[] column : features) {
            report.add(feature(column, rows));
        }
        return new BucketReport(rows, report, predictions());
    }

    private static BucketReport.Feature feature(float[] column, int n) {
        Arrays.sort(column, 0, n); // -inf first; +inf, then NaN last
        int end = n;
        while (end > 0 && Float.isNaN(column[end - 1])) {
            end--;
        }
        long nan = n - end;
        int from = 0;
        while (from < end && column[from] == Float.NEGATIVE_INFINITY) {
            from++;
        }
        int to = end;
        while (to > from && column[to - 1] == Float.POSITIVE_INFINITY) {
            to--;
        }
        long infinite = from + (end - to);
        long zero = 0;
        boolean integral = to > from;
        double sum = 0;
        for (int i = from; i < to; i++) {
            float x = column[i];
            sum += x;
            if (x == 0) {
                zero++;
            }
            if (integral && (x != Math.rint(x) || Math.abs(x) > MAX_EXACT_INTEGER)) {
                integral = false;
            }
        }
        int m = to - from;
        double mean = m == 0 ? Double.NaN : sum / m;
        double squares = 0;
        for (int i = from; i < to; i++) {
            double d = column[i] - mean;
            squares += d * d;
        }
        double[] q = new double[BucketReport.QUANTILES.length];
        for (int k = 0; k < q.length; k++) {
            q[k] = m == 0 ? Double.NaN : column[from + quantileIndex(BucketReport.QUANTILES[k], m)];
        }
        BucketReport.Distribution values = new BucketReport.Distribution(m, mean,
                m == 0 ? Double.NaN : Math.sqrt(squares / m), m == 0 ? Double.NaN : column[from],
                m == 0 ? Double.NaN : column[to - 1], q);
        if (!integral) {
            return new BucketReport.Feature(nan, infinite, zero, values, Double.NaN, new long[0], new long[0]);
        }
        // runs of equal values in the sorted column are the value counts (== also joins -0.0 with 0.0)
        List<long[]> runs = new ArrayList<>();
        for (int i = from; i < to; ) {
            int j = i + 1;
            while (j < to && column[j] == column[i]) {
                j++;
            }
            runs.add(new long[] {(long) column[i], j - i});
            i = j;
        }
        int distinct = runs.size();
        runs.sort((a, b) -> a[1] != b[1] ? Long.compare(b[1], a[1]) : Long.compare(a[0], b[0]));
        int top = Math.min(BucketReport.TOP_VALUES, runs.size());
        long[] topValues = new long[top];
        long[] topCounts = new long[top];
        for (int i = 0; i < top; i++) {
            topValues[i] = runs.get(i)[0];
            topCounts[i] = runs.get(i)[1];
        }
        return new BucketReport.Feature(nan, infinite, zero, values, distinct, topValues, topCounts);
    }

    /** The index, among m sorted values, of the smallest one whose share at or below it is at least q. */
    static int quantileIndex(double q, int m) {
        int k = (int) Math.max(0, Math.min(m - 1, Math.ceil(q * m) - 1));
        while (k > 0 && (double) k / m >= q) {
            k--;
        }
        while (k < m - 1 && (double) (k + 1) / m < q) {
            k++;
        }
        return k;
    }

    /** pred1, spread12 and entropy of every row, computed from the kept probabilities, then sorted. */
    private BucketReport.Predictions predictions() {
        int classes = probabilities.length;
        if (classes < 3) {
            throw new UnsupportedOperationException("the exact baseline handles softmax outputs of 3+ classes only");
        }
        long[] counts = new long[classes];
        double[] sums = new double[classes];
        double[] pred1 = new double[probabilityRows];
        double[] spread12 = new double[probabilityRows];
        double[] entropy = new double[probabilityRows];
        int m = 0;
        rows:
        for (int r = 0; r < probabilityRows; r++) {
            for (float[] column : probabilities) {
                if (!Float.isFinite(column[r])) {
                    continue rows;
                }
            }
            int best = 0;
            double top1 = probabilities[0][r];
            double top2 = Double.NEGATIVE_INFINITY;
            double h = 0;
            for (int c = 0; c < classes; c++) {
                double v = probabilities[c][r];
                if (c > 0) {
                    if (v > top1) {
                        top2 = top1;
                        top1 = v;
                        best = c;
                    } else if (v > top2) {
                        top2 = v;
                    }
                }
                sums[c] += v;
                if (v > 0) {
                    h -= v * Math.log(v);
                }
            }
            counts[best]++;
            pred1[m] = top1;
            spread12[m] = top1 - top2;
            entropy[m] = h;
            m++;
        }
        double[] mean = new double[classes];
        for (int c = 0; c < classes; c++) {
            mean[c] = m == 0 ? Double.NaN : sums[c] / m;
        }
        return new BucketReport.Predictions(counts, mean, distribution(pred1, m), distribution(spread12, m),
                distribution(entropy, m));
    }

    private static BucketReport.Distribution distribution(double[] values, int m) {
        if (m == 0) {
            double[] none = new double[BucketReport.QUANTILES.length];
            Arrays.fill(none, Double.NaN);
            return new BucketReport.Distribution(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, none);
        }
        Arrays.sort(values, 0, m);
        double sum = 0;
        for (int i = 0; i < m; i++) {
            sum += values[i];
        }
        double mean = sum / m;
        double squares = 0;
        for (int i = 0; i < m; i++) {
            double d = values[i] - mean;
            squares += d * d;
        }
        double[] q = new double[BucketReport.QUANTILES.length];
        for (int k = 0; k < q.length; k++) {
            q[k] = values[quantileIndex(BucketReport.QUANTILES[k], m)];
        }
        return new BucketReport.Distribution(m, mean, Math.sqrt(squares / m), values[0], values[m - 1], q);
    }
}
