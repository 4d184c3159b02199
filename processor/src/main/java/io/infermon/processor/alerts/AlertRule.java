package io.infermon.processor.alerts;

import io.infermon.anodot.AnodotMetric;
import java.math.BigDecimal;
import java.util.Map;

/**
 * One {@code alerts:} rule of processor.yaml: which metric's series it watches, the condition, and how many
 * consecutive values of a series open and resolve it.
 *
 * @param name         the alert's name, unique among the rules
 * @param metric       the metric's {@code what} (docs/metrics.md), e.g. {@code drift_share}
 * @param where        property equalities that select the series (empty: every series of the metric)
 * @param above        true for {@code above: threshold} (value greater than it), false for {@code below}
 * @param threshold    the value compared with
 * @param forBuckets   consecutive values of a series meeting the condition that open the alert (at least 1)
 * @param resolveAfter consecutive values of an open series not meeting it that resolve the alert (at least 1)
 */
public record AlertRule(String name, String metric, Map<String, String> where, boolean above, double threshold,
                        int forBuckets, int resolveAfter) {

    public AlertRule {
        where = Map.copyOf(where);
        if (forBuckets < 1 || resolveAfter < 1) {
            throw new IllegalArgumentException("for and resolve_after must be at least 1");
        }
    }

    /** Whether the metric is one of the series this rule watches. */
    public boolean selects(AnodotMetric m) {
        if (!metric.equals(m.what())) {
            return false;
        }
        for (Map.Entry<String, String> e : where.entrySet()) {
            if (!e.getValue().equals(m.property(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    public boolean meets(double value) {
        return above ? value > threshold : value < threshold;
    }

    /** {@code above 0.3} or {@code below 0.9}, as written into each event. */
    public String condition() {
        return (above ? "above " : "below ") + BigDecimal.valueOf(threshold).stripTrailingZeros().toPlainString();
    }

    /**
     * Everything that decides the rule's verdicts, in one string: state kept in a checkpoint is only carried over to
     * a rule with the same fingerprint (a changed rule starts counting afresh).
     */
    String fingerprint() {
        return metric + "|" + new java.util.TreeMap<>(where) + "|" + condition() + "|" + forBuckets + "|"
                + resolveAfter;
    }
}
