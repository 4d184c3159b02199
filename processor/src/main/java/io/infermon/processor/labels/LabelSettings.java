package io.infermon.processor.labels;

import java.time.Duration;
import java.util.List;

/**
 * How labels are joined and when their metrics are emitted.
 *
 * @param maturities     after a prediction bucket's end, when (in label-clock time) its label metrics are emitted,
 *                       one series per maturity; ascending
 * @param horizon        how long a prediction is kept for its label, from its capture time
 * @param maxPredictions predictions kept at most; beyond, the oldest are evicted (counted)
 * @param maxWaiting     labels kept at most while they wait for their prediction to be read
 * @param grace          how far out of time order labels may come: the label clock is the latest joined label's time
 *                       minus this (or the inference watermark, when later)
 */
public record LabelSettings(List<Duration> maturities, Duration horizon, int maxPredictions, int maxWaiting,
                            Duration grace) {
    public static final List<Duration> DEFAULT_MATURITIES = List.of(Duration.ofHours(1), Duration.ofDays(1),
            Duration.ofDays(7));
    public static final Duration DEFAULT_HORIZON = Duration.ofDays(7);
    public static final int DEFAULT_MAX_PREDICTIONS = 10_000_000;
    public static final int DEFAULT_MAX_WAITING = 100_000;
    public static final Duration DEFAULT_GRACE = Duration.ofHours(1);
    public static final LabelSettings DEFAULTS = new LabelSettings(DEFAULT_MATURITIES, DEFAULT_HORIZON,
            DEFAULT_MAX_PREDICTIONS, DEFAULT_MAX_WAITING, DEFAULT_GRACE);

    public LabelSettings {
        if (maturities.isEmpty()) {
            throw new IllegalArgumentException("give at least one label maturity");
        }
        for (int i = 0; i < maturities.size(); i++) {
            if (maturities.get(i).isNegative() || (i > 0 && maturities.get(i).compareTo(maturities.get(i - 1)) <= 0)) {
                throw new IllegalArgumentException("label maturities must be ascending and not negative: "
                        + maturities.stream().map(LabelSettings::name).toList());
            }
        }
        if (horizon.isNegative() || horizon.isZero()) {
            throw new IllegalArgumentException("the label horizon must be positive, not " + horizon);
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the label grace must not be negative, not " + grace);
        }
        if (maxPredictions < 1 || maxWaiting < 1) {
            throw new IllegalArgumentException("label store bounds must be positive");
        }
        maturities = List.copyOf(maturities);
    }

    /** A maturity as written in {@code label_window}: {@code 1h}, {@code 1d}, {@code 90s}... in its largest unit. */
    public static String name(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
