package io.infermon.processor.stats;

import io.infermon.capture.CaptureRecord;
import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;

/**
 * Which of a call's tensors are "the features", "the probabilities" and "the prediction". The agent may say so
 * ({@link TensorMeaning}); otherwise these defaults apply (docs/metrics.md):
 * <ul>
 *   <li>features: the first input of a floating-point type and rank 2 or more, else the first numeric input of rank
 *       2 or more; rows are the first dimension, the rest is flattened into columns;</li>
 *   <li>probabilities: the first floating-point output of rank 2 with at least two columns whose every row sums to 1
 *       (within 1e-3) with every value in [0, 1];</li>
 *   <li>prediction, when there are no probabilities: the first floating-point output with one value per row (shape
 *       {@code [n]} or {@code [n, 1]}), read as a regression value.</li>
 * </ul>
 * A tensor the agent marked as the prediction is read as class ids when its type is an integer, else as values.
 *
 * @param features      the features as rows, or null
 * @param probabilities the probabilities as rows, or null
 * @param classIds      predicted class ids, one per row, or null
 * @param values        regression outputs, one per row, or null
 */
public record ModelTensors(TensorValues features, TensorValues probabilities, TensorValues classIds,
                           TensorValues values) {
    static final double SUM_TOLERANCE = 1e-3;

    public static ModelTensors of(CaptureRecord record) {
        TensorValues probabilities = probabilities(record);
        TensorValues classIds = null;
        TensorValues values = null;
        for (CapturedTensor t : record.tensors()) {
            if (t.meaning() == TensorMeaning.PREDICTION) {
                TensorValues v = singleColumn(t);
                if (v != null && isFloatingPoint(v.dtype())) {
                    values = v;
                } else {
                    classIds = v;
                }
                break;
            }
        }
        if (probabilities == null && classIds == null && values == null) {
            values = regressionOutput(record);
        }
        return new ModelTensors(features(record), probabilities, classIds, values);
    }

    private static TensorValues features(CaptureRecord record) {
        TensorValues firstNumeric = null;
        for (CapturedTensor t : record.tensors()) {
            if (t.meaning() == TensorMeaning.FEATURES) {
                return TensorValues.rowsOrColumn(t);
            }
        }
        for (CapturedTensor t : record.tensors()) {
            if (t.role() != TensorRole.INPUT || t.meaning() != TensorMeaning.UNSPECIFIED) {
                continue;
            }
            TensorValues v = TensorValues.rows(t);
            if (v == null) {
                continue;
            }
            if (isFloatingPoint(v.dtype())) {
                return v;
            }
            if (firstNumeric == null) {
                firstNumeric = v;
            }
        }
        return firstNumeric;
    }

    private static TensorValues probabilities(CaptureRecord record) {
        for (CapturedTensor t : record.tensors()) {
            if (t.meaning() == TensorMeaning.PROBABILITIES) {
                return TensorValues.rowsOrColumn(t);
            }
        }
        for (CapturedTensor t : record.tensors()) {
            if (t.role() != TensorRole.OUTPUT || t.meaning() != TensorMeaning.UNSPECIFIED || t.rank() != 2) {
                continue;
            }
            TensorValues v = TensorValues.rows(t);
            if (v != null && isFloatingPoint(v.dtype()) && v.width() >= 2 && rowsAreDistributions(v)) {
                return v;
            }
        }
        return null;
    }

    private static TensorValues regressionOutput(CaptureRecord record) {
        for (CapturedTensor t : record.tensors()) {
            if (t.role() != TensorRole.OUTPUT || t.meaning() != TensorMeaning.UNSPECIFIED) {
                continue;
            }
            TensorValues v = singleColumn(t);
            if (v != null && isFloatingPoint(v.dtype())) {
                return v;
            }
        }
        return null;
    }

    /** A tensor of shape [n] or [n, 1] as n rows of one value, else null. */
    private static TensorValues singleColumn(CapturedTensor t) {
        if (t.rank() > 2) {
            return null;
        }
        TensorValues v = TensorValues.rowsOrColumn(t);
        return v != null && v.width() == 1 ? v : null;
    }

    private static boolean rowsAreDistributions(TensorValues v) {
        double[] row = new double[v.width()];
        for (int r = 0; r < v.rows(); r++) {
            v.readRow(r, row);
            double sum = 0;
            for (double p : row) {
                if (!(p >= -1e-6 && p <= 1 + 1e-6)) {
                    return false;
                }
                sum += p;
            }
            if (Math.abs(sum - 1) > SUM_TOLERANCE) {
                return false;
            }
        }
        return true;
    }

    static boolean isFloatingPoint(DType t) {
        return t == DType.FLOAT || t == DType.DOUBLE || t == DType.HALF || t == DType.BFLOAT16;
    }
}
