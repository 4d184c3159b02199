package io.infermon.processor.stats;

import java.util.List;
import java.util.Map;

/**
 * How far one bucket is from its model's reference: made by the drift step, carried by the closed bucket, read by
 * the outputs (hence here, below all three).
 *
 * @param features    per feature present in both, in column order
 * @param predictions per prediction target ({@code max_prediction_proba}, {@code prediction_value},
 *                    {@code class_share}) its measures by method name
 */
public record DriftReport(List<FeatureDrift> features, Map<String, Map<String, Double>> predictions) {

    /** The share of judged features flagged as drifted (NaN when none could be judged). */
    public double driftShare() {
        long judged = features.stream().filter(FeatureDrift::judged).count();
        if (judged == 0) {
            return Double.NaN;
        }
        return (double) features.stream().filter(FeatureDrift::detected).count() / judged;
    }
}
