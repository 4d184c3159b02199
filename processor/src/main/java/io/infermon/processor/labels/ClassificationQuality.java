package io.infermon.processor.labels;

/**
 * The quality of a window's classifications (docs/metrics.md, "Labels"), whether computed from a host's joined rows
 * ({@link LabelQuality.Classification}) or from the fleet's merged statistics ({@link LabelWindowStatistics}), so that
 * one piece of code writes the metrics of either. The per-class metrics that follow from the counts alone are
 * written once, here.
 */
public interface ClassificationQuality {
    /** The classes that occur among the labels or the predictions, ascending. */
    int[] classes();

    /** The rows counted: the sum of every confusion count. */
    long classifiedRows();

    /** Rows labelled {@code actual} and predicted {@code as}. */
    long confusion(int actual, int as);

    /** Rows labelled {@code c}. */
    long support(int c);

    /** Rows predicted {@code c}. */
    long predictedCount(int c);

    double accuracy();

    double expectedAccuracy();

    /** Whether every row came with class probabilities, all of one width. */
    boolean hasProbabilities();

    /** The number of probability columns, or 0 without probabilities. */
    int width();

    double logLoss();

    double brier();

    /** One-vs-rest ROC AUC of the probability column {@code c}. */
    double rocAuc(int c);

    /** Two columns: {@link #rocAuc(int)} of column 1; more: the mean of the defined one-vs-rest AUCs. */
    double rocAuc();

    double expectedCalibrationError();

    /** {@code TP / (TP + FP)}; 0 when the class was never predicted. */
    default double precision(int c) {
        long p = predictedCount(c);
        return p == 0 ? 0 : (double) confusion(c, c) / p;
    }

    /** {@code TP / (TP + FN)}; 0 when the class never occurs among the labels. */
    default double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) confusion(c, c) / s;
    }

    /** {@code 2 TP / (2 TP + FP + FN)}, the harmonic mean of precision and recall; 0 when both are 0. */
    default double f1(int c) {
        long tp = confusion(c, c);
        long denominator = predictedCount(c) + support(c); // (TP + FP) + (TP + FN)
        return denominator == 0 ? 0 : 2.0 * tp / denominator;
    }

    /** The mean of {@link #f1} over {@link #classes}. */
    default double macroF1() {
        int[] classes = classes();
        double sum = 0;
        for (int c : classes) {
            sum += f1(c);
        }
        return sum / classes.length;
    }

    /** {@link #f1} averaged with each class weighted by its support. */
    default double weightedF1() {
        double sum = 0;
        for (int c : classes()) {
            sum += support(c) * f1(c);
        }
        return sum / classifiedRows();
    }
}
