package io.infermon.processor.labels;

/**
 * The quality of a window's regression predictions (docs/metrics.md, "Labels"), whether computed from a host's joined
 * rows ({@link LabelQuality.Regression}) or from the fleet's merged statistics ({@link LabelWindowStatistics}).
 */
public interface RegressionQuality {
    double mae();

    double rmse();

    double mape();

    double r2();
}
