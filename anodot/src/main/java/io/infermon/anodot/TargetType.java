package io.infermon.anodot;

/**
 * How Anodot combines several samples of one metric that share a timestamp: a gauge is averaged, a counter summed.
 * Either way a sample must reach Anodot once, or the stored value changes.
 */
public enum TargetType {
    GAUGE("gauge"),
    COUNTER("counter");

    private final String wireName;

    TargetType(String wireName) {
        this.wireName = wireName;
    }

    /** The value of the {@code target_type} property. */
    public String wireName() {
        return wireName;
    }
}
