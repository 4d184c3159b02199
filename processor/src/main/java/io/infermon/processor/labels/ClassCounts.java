package io.infermon.processor.labels;

/**
 * A classification's counts per class, and the per-class metrics that follow from them alone (docs/metrics.md,
 * "Labels"). Both the raw rows of a host's window ({@link LabelQuality.Classification}) and the fleet's merged
 * statistics ({@link LabelWindowStatistics}) have the counts; the formulas are written once, here.
 */
public interface ClassCounts {
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
