package io.infermon.processor.drift;

import java.util.List;
import java.util.Locale;

/**
 * When a feature counts as drifted: its measure by {@code method} above {@code threshold}, in a bucket with at least
 * {@code minRows} values of it.
 *
 * @param method    one of {@link #METHODS}
 * @param threshold the measure above which {@code drift_detected} is 1
 * @param minRows   the fewest values of a feature in a bucket for it to be judged at all. A sample of n rows drawn from
 *                  the reference itself has a PSI of about (bins - 1) / n on average (9 / n with decile bins), so a
 *                  bucket of 40 rows crosses the usual 0.2 by chance alone; below this the measures are still
 *                  written, but no {@code drift_detected} and no {@code drift_share}
 */
public record DriftSettings(String method, double threshold, long minRows) {
    public static final List<String> METHODS = List.of("psi", "js", "ks", "wasserstein");
    /**
     * On the digits, 100 rows drawn from the training data flag at most 5% of the pixels against it, 40 rows 16-44%
     * (docs/metrics.md, "Small buckets"); empty bins, floored at 1e-4, are what small samples trip on.
     */
    public static final long DEFAULT_MIN_ROWS = 100;
    public static final DriftSettings DEFAULTS = new DriftSettings("psi", defaultThreshold("psi"), DEFAULT_MIN_ROWS);

    public DriftSettings {
        method = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("drift method must be one of " + METHODS + ", not " + method);
        }
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("drift threshold must be a positive number, not " + threshold);
        }
        if (minRows < 1) {
            throw new IllegalArgumentException("drift min rows must be at least 1, not " + minRows);
        }
    }

    /** The usual alarm levels: PSI 0.2; JS distance, KS statistic and normalized Wasserstein 0.1. */
    public static double defaultThreshold(String method) {
        return "psi".equalsIgnoreCase(method) ? 0.2 : 0.1;
    }
}
