package io.infermon.processor.stats;

/**
 * How records are read into statistics.
 *
 * @param binaryThreshold a two-class model predicts class 1 when {@code p1 > binaryThreshold}
 * @param maxFeatures     input columns tracked per model; further columns are ignored (memory stays bounded
 *                        whatever a model sends)
 */
public record StatisticsSettings(double binaryThreshold, int maxFeatures) {
    public static final StatisticsSettings DEFAULTS = new StatisticsSettings(0.5, 1024);

    public StatisticsSettings {
        if (!(binaryThreshold >= 0 && binaryThreshold <= 1)) {
            throw new IllegalArgumentException("binary threshold must be within [0, 1], not " + binaryThreshold);
        }
        if (maxFeatures < 1) {
            throw new IllegalArgumentException("max features must be positive, not " + maxFeatures);
        }
    }
}
