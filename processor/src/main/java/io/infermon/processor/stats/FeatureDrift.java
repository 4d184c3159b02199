package io.infermon.processor.stats;

import java.util.Map;

/**
 * One feature's distance from the reference. In {@code stats}, not {@code drift}, because a closed bucket carries it
 * (bucket) and the outputs read it, while the drift step only makes it.
 *
 * @param feature  the feature's column
 * @param measures method name ({@code psi}, {@code js}, {@code ks}, {@code wasserstein}) to value, in that order
 * @param judged   whether the bucket had enough values of the feature to judge it
 *                 ({@code --drift-min-rows})
 * @param detected whether it was judged and the configured method's value is above its threshold
 */
public record FeatureDrift(int feature, Map<String, Double> measures, boolean judged, boolean detected) {
}
