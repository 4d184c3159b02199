package io.infermon.processor.labels;

import io.infermon.processor.bucket.ModelKey;

/**
 * One prediction row kept for joining with its label: who made it, in which bucket, what it said, and the label once
 * it came.
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
    /** Gone from the store (expired or evicted) while its bucket still had windows to emit. */
    boolean removed;

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
}
