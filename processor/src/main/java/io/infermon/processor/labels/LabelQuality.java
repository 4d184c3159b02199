package io.infermon.processor.labels;

import java.util.Arrays;
import java.util.TreeSet;

/**
 * The quality of a model's predictions against the true labels that came for them: classification (accuracy,
 * per-class precision/recall/F1, log loss, Brier, ROC AUC, calibration, confusion matrix) or regression (MAE, RMSE,
 * MAPE, R²). Plain computations over the joined rows of one prediction bucket and maturity; docs/metrics.md gives
 * every formula, and these methods follow them term by term.
 */
public final class LabelQuality {
    /** Probabilities below this are raised to it in the log loss: a confident mistake costs much, but finitely. */
    public static final double LOG_LOSS_EPSILON = 1e-15;
    /** Equal-width confidence bins of the expected calibration error. */
    public static final int CALIBRATION_BINS = 10;

    private LabelQuality() {
    }

    /**
     * Joined classification rows.
     *
     * @param labels        true class of each row
     * @param predicted     predicted class of each row
     * @param probabilities class probabilities of each row (all rows of one width, at least 2), or null when the
     *                      model gave class ids only
     */
    public static final class Classification implements ClassificationQuality {
        private final int[] labels;
        private final int[] predicted;
        private final double[][] probabilities;
        private final int[] classes;
        /** confusion[a][b]: rows labelled classes[a] and predicted classes[b]. */
        private final long[][] confusion;
        private final long[] support;
        private final long[] predictedCount;

        public Classification(int[] labels, int[] predicted, double[][] probabilities) {
            if (labels.length == 0 || labels.length != predicted.length
                    || (probabilities != null && probabilities.length != labels.length)) {
                throw new IllegalArgumentException("need as many labels, predictions and probability rows, not 0");
            }
            this.labels = labels;
            this.predicted = predicted;
            this.probabilities = probabilities;
            TreeSet<Integer> s = new TreeSet<>();
            for (int i = 0; i < labels.length; i++) {
                s.add(labels[i]);
                s.add(predicted[i]);
            }
            this.classes = s.stream().mapToInt(Integer::intValue).toArray();
            int k = classes.length;
            confusion = new long[k][k];
            support = new long[k];
            predictedCount = new long[k];
            for (int i = 0; i < labels.length; i++) {
                int a = Arrays.binarySearch(classes, labels[i]);
                int b = Arrays.binarySearch(classes, predicted[i]);
                confusion[a][b]++;
                support[a]++;
                predictedCount[b]++;
            }
        }

        public int rows() {
            return labels.length;
        }

        public boolean hasProbabilities() {
            return probabilities != null;
        }

        /** The number of probability columns, or 0 without probabilities. */
        public int width() {
            return probabilities == null ? 0 : probabilities[0].length;
        }

        /** The classes that occur among the labels or the predictions, ascending. */
        @Override
        public int[] classes() {
            return classes.clone();
        }

        /** Rows whose prediction equals the label, over rows. */
        public double accuracy() {
            long right = 0;
            for (int a = 0; a < classes.length; a++) {
                right += confusion[a][a];
            }
            return (double) right / labels.length;
        }

        private int index(int c) {
            return Arrays.binarySearch(classes, c);
        }

        /** Rows labelled {@code c}. */
        @Override
        public long support(int c) {
            int a = index(c);
            return a < 0 ? 0 : support[a];
        }

        /** Rows predicted {@code c}. */
        @Override
        public long predictedCount(int c) {
            int b = index(c);
            return b < 0 ? 0 : predictedCount[b];
        }

        /** Rows labelled {@code actual} and predicted {@code as}. */
        @Override
        public long confusion(int actual, int as) {
            int a = index(actual);
            int b = index(as);
            return a < 0 || b < 0 ? 0 : confusion[a][b];
        }

        @Override
        public long classifiedRows() {
            return labels.length;
        }

        /** The probability of class {@code c} in row {@code i}; 0 for a class beyond the model's outputs. */
        private double p(int i, int c) {
            double[] row = probabilities[i];
            return c < row.length ? row[c] : 0;
        }

        /** {@code -(1/n) Σ ln(max(p[y_i], ε))}, natural log; NaN without probabilities. */
        public double logLoss() {
            if (probabilities == null) {
                return Double.NaN;
            }
            double sum = 0;
            for (int i = 0; i < labels.length; i++) {
                sum += Math.log(Math.max(p(i, labels[i]), LOG_LOSS_EPSILON));
            }
            return -sum / labels.length;
        }

        /**
         * Two classes: {@code (1/n) Σ (p[1] - [y_i = 1])²}; more: {@code (1/n) Σ_i Σ_c (p[c] - [y_i = c])²} over
         * the model's classes, plus 1 for a label beyond them. NaN without probabilities.
         */
        public double brier() {
            if (probabilities == null) {
                return Double.NaN;
            }
            double sum = 0;
            int width = probabilities[0].length;
            for (int i = 0; i < labels.length; i++) {
                if (width == 2) {
                    double d = probabilities[i][1] - (labels[i] == 1 ? 1 : 0);
                    sum += d * d;
                } else {
                    for (int c = 0; c < width; c++) {
                        double d = probabilities[i][c] - (labels[i] == c ? 1 : 0);
                        sum += d * d;
                    }
                    if (labels[i] >= width) {
                        sum += 1;
                    }
                }
            }
            return sum / labels.length;
        }

        /**
         * ROC AUC of the scores {@code p[c]} for "the label is c" against "it is not": the share of (positive,
         * negative) pairs in which the positive row scores higher, ties counting one half (Mann–Whitney). NaN unless
         * both positives and negatives occur.
         */
        public double rocAuc(int c) {
            if (probabilities == null) {
                return Double.NaN;
            }
            int n = labels.length;
            double[] scores = new double[n];
            boolean[] positive = new boolean[n];
            for (int i = 0; i < n; i++) {
                scores[i] = p(i, c);
                positive[i] = labels[i] == c;
            }
            return auc(scores, positive);
        }

        /** Two-class models: {@link #rocAuc} of class 1. More classes: the mean of the defined one-vs-rest AUCs. */
        public double rocAuc() {
            if (probabilities == null) {
                return Double.NaN;
            }
            if (probabilities[0].length == 2) {
                return rocAuc(1);
            }
            double sum = 0;
            int defined = 0;
            for (int c = 0; c < probabilities[0].length; c++) {
                double a = rocAuc(c);
                if (!Double.isNaN(a)) {
                    sum += a;
                    defined++;
                }
            }
            return defined == 0 ? Double.NaN : sum / defined;
        }

        /**
         * Expected calibration error over {@value #CALIBRATION_BINS} equal-width bins of the confidence
         * {@code pred1 = max_c p[c]}: {@code Σ_b (n_b / n) |accuracy_b - mean confidence_b|}; bin {@code b} holds the
         * rows with {@code floor(10 pred1) = b} (a confidence of 1 in the last bin).
         */
        public double expectedCalibrationError() {
            if (probabilities == null) {
                return Double.NaN;
            }
            long[] count = new long[CALIBRATION_BINS];
            long[] right = new long[CALIBRATION_BINS];
            double[] confidence = new double[CALIBRATION_BINS];
            for (int i = 0; i < labels.length; i++) {
                double top = pred1(probabilities[i]);
                int b = Math.min(CALIBRATION_BINS - 1, (int) Math.floor(top * CALIBRATION_BINS));
                count[b]++;
                confidence[b] += top;
                if (labels[i] == predicted[i]) {
                    right[b]++;
                }
            }
            double ece = 0;
            for (int b = 0; b < CALIBRATION_BINS; b++) {
                if (count[b] > 0) {
                    ece += (double) count[b] / labels.length
                            * Math.abs((double) right[b] / count[b] - confidence[b] / count[b]);
                }
            }
            return ece;
        }

        /** The mean of {@code pred1} over the rows: the accuracy the model expects of itself. */
        public double expectedAccuracy() {
            if (probabilities == null) {
                return Double.NaN;
            }
            double sum = 0;
            for (double[] row : probabilities) {
                sum += pred1(row);
            }
            return sum / probabilities.length;
        }
    }

    /**
     * Joined regression rows.
     *
     * @param labels    true values
     * @param predicted predicted values
     */
    public record Regression(double[] labels, double[] predicted) implements RegressionQuality {
        public int rows() {
            return labels.length;
        }

        /** {@code (1/n) Σ |y - ŷ|}. */
        public double mae() {
            double sum = 0;
            for (int i = 0; i < labels.length; i++) {
                sum += Math.abs(labels[i] - predicted[i]);
            }
            return sum / labels.length;
        }

        /** {@code sqrt((1/n) Σ (y - ŷ)²)}. */
        public double rmse() {
            return Math.sqrt(residualSquares() / labels.length);
        }

        /** {@code (1/m) Σ |(y - ŷ) / y|} over the m rows with {@code y ≠ 0} (a fraction, not a percentage). */
        public double mape() {
            double sum = 0;
            int m = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] != 0) {
                    sum += Math.abs((labels[i] - predicted[i]) / labels[i]);
                    m++;
                }
            }
            return m == 0 ? Double.NaN : sum / m;
        }

        /** {@code 1 - Σ (y - ŷ)² / Σ (y - mean y)²}; NaN when every label is the same. */
        public double r2() {
            double mean = 0;
            for (double y : labels) {
                mean += y;
            }
            mean /= labels.length;
            double total = 0;
            for (double y : labels) {
                total += (y - mean) * (y - mean);
            }
            return total == 0 ? Double.NaN : 1 - residualSquares() / total;
        }

        private double residualSquares() {
            double sum = 0;
            for (int i = 0; i < labels.length; i++) {
                double d = labels[i] - predicted[i];
                sum += d * d;
            }
            return sum;
        }
    }

    static double pred1(double[] row) {
        double top = row[0];
        for (double v : row) {
            top = Math.max(top, v);
        }
        return top;
    }

    /**
     * Mann–Whitney AUC by sorting: for each positive, the negatives scored lower count 1 and those scored equal 1/2.
     * Counted in halves as a whole number, so the result is exact (one division at the end).
     */
    static double auc(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        long positives = 0;
        long negatives = 0;
        long halves = 0; // 2 × (pairs the positive wins) + (tied pairs)
        long negativesBelow = 0;
        for (int i = 0; i < n; ) {
            int j = i;
            long tiedPositives = 0;
            long tiedNegatives = 0;
            while (j < n && Double.compare(scores[order[j]], scores[order[i]]) == 0) {
                if (positive[order[j]]) {
                    tiedPositives++;
                } else {
                    tiedNegatives++;
                }
                j++;
            }
            halves += tiedPositives * (2 * negativesBelow + tiedNegatives);
            negativesBelow += tiedNegatives;
            positives += tiedPositives;
            negatives += tiedNegatives;
            i = j;
        }
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return halves / (2.0 * positives * negatives);
    }

    /** The inverted-CDF quantile of sorted values (docs/metrics.md): the value at index {@code ceil(q n) - 1}. */
    static double quantile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }
}
