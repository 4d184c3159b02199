package io.infermon.processor.labels;

import io.infermon.processor.bucket.ModelKey;

/**
 * One prediction row kept for joining with its label: who made it, in which bucket, what it said, and the label once
 * it came. Lives in the {@link PredictionStore}; an object is only a copy read out of it.
 */
final class StoredPrediction {
    final String id;
    final ModelKey model;
    final long bucketStartMillis;
    final long captureMillis;
    /** The predicted class, or -1 for a regression value. */
    final int predictedClass;
    /** Class probabilities (at least two), or null. */
    final double[] probabilities;
    /** The regression value, or NaN. */
    final double value;
    /** The true label (a class id or a value), NaN until it comes. */
    double label = Double.NaN;
    /** The label's event time, epoch milliseconds. */
    long labelMillis;
    /** The label this one replaced (a correction), NaN when none: windows before the correction still count it. */
    double previousLabel = Double.NaN;
    long previousLabelMillis;
    /** Its place in the store: predictions are kept in this order and let go oldest first. */
    long sequence = -1;

    StoredPrediction(String id, ModelKey model, long bucketStartMillis, long captureMillis, int predictedClass,
                     double[] probabilities, double value) {
        this.id = id;
        this.model = model;
        this.bucketStartMillis = bucketStartMillis;
        this.captureMillis = captureMillis;
        this.predictedClass = predictedClass;
        this.probabilities = probabilities;
        this.value = value;
    }

    boolean isClassification() {
        return predictedClass >= 0;
    }

    boolean labelled() {
        return !Double.isNaN(label);
    }

    /** The label known before {@code cutoff} (epoch ms): the latest one stamped before it, or NaN. */
    double labelBefore(long cutoff) {
        if (!Double.isNaN(label) && labelMillis < cutoff) {
            return label;
        }
        if (!Double.isNaN(previousLabel) && previousLabelMillis < cutoff) {
            return previousLabel;
        }
        return Double.NaN;
    }

    /** The time of {@link #labelBefore}. */
    long labelMillisBefore(long cutoff) {
        return !Double.isNaN(label) && labelMillis < cutoff ? labelMillis : previousLabelMillis;
    }
}
