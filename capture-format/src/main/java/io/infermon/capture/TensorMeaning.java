package io.infermon.capture;

/**
 * What the agent was told a tensor means. {@link #UNSPECIFIED} leaves the choice to the processor's default
 * rules (see docs/metrics.md); the other values come from an interception point's configuration.
 */
public enum TensorMeaning {
    UNSPECIFIED(0),
    FEATURES(1),
    PROBABILITIES(2),
    PREDICTION(3),
    LABEL(4);

    private final int code;

    TensorMeaning(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The meaning for a wire code, or {@code null} when the code is unknown. */
    public static TensorMeaning fromCode(int code) {
        return switch (code) {
            case 0 -> UNSPECIFIED;
            case 1 -> FEATURES;
            case 2 -> PROBABILITIES;
            case 3 -> PREDICTION;
            case 4 -> LABEL;
            default -> null;
        };
    }
}
