package io.infermon.processor.drift;

import java.util.List;
import java.util.Locale;

/**
 * When a feature counts as drifted: its measure by {@code method} above {@code threshold}.
 *
 * @param method    one of {@link #METHODS}
 * @param threshold the measure above which {@code drift_detected} is 1
 */
public record DriftSettings(String method, double threshold) {
    public static final List<String> METHODS = List.of("psi", "js", "ks", "wasserstein");
    public static final DriftSettings DEFAULTS = new DriftSettings("psi", defaultThreshold("psi"));

    public DriftSettings {
        method = method.toLowerCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException("drift method must be one of " + METHODS + ", not " + method);
        }
        if (!(threshold > 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("drift threshold must be a positive number, not " + threshold);
        }
    }

    /** The usual alarm levels: PSI 0.2; JS distance, KS statistic and normalized Wasserstein 0.1. */
    public static double defaultThreshold(String method) {
        return "psi".equalsIgnoreCase(method) ? 0.2 : 0.1;
    }
}
