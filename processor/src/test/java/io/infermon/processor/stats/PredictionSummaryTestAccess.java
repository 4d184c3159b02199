package io.infermon.processor.stats;

import io.infermon.capture.CapturedTensor;
import io.infermon.capture.DType;
import io.infermon.capture.TensorMeaning;
import io.infermon.capture.TensorRole;

/** Test tensors shared with other packages' tests. */
public final class PredictionSummaryTestAccess {
    private PredictionSummaryTestAccess() {
    }

    /** Predicted class ids as an int64 output marked as the prediction. */
    public static CapturedTensor classIds(double[] ids) {
        return PredictionSummaryTest.tensor("classes", TensorRole.OUTPUT, TensorMeaning.PREDICTION, DType.INT64,
                new long[] {ids.length}, ids);
    }
}
