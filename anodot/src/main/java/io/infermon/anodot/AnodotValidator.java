package io.infermon.anodot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checks metrics against Anodot's 2.0 rules just before they are sent, whatever wrote them (the processor, or any
 * 2.0 JSON file handed to {@code infermon send}). What can be mended is mended the way {@link AnodotMetric.Builder}
 * does it ({@code .}, {@code =} and white space become {@code _}, overlong keys and values are cut); what cannot is
 * left out and counted by reason, never sent:
 * <ul>
 *   <li>no {@code what} property, or none at all;</li>
 *   <li>more than {@value AnodotRules#MAX_PROPERTIES} properties or {@value AnodotRules#MAX_TAGS} tag values;</li>
 *   <li>a key or value that is empty after mending;</li>
 *   <li>a {@code target_type} other than {@code gauge} or {@code counter};</li>
 *   <li>a timestamp that is not positive, or more than {@value AnodotRules#MAX_FUTURE_SECONDS} s ahead of now
 *       (a timestamp in milliseconds lands here too);</li>
 *   <li>a value that is NaN or infinite.</li>
 * </ul>
 */
public final class AnodotValidator {
    private AnodotValidator() {
    }

    /** The outcome for a list of metrics: the sendable ones, sorted by timestamp, and what was left out. */
    public record Result(List<AnodotMetric> valid, Map<String, Long> invalidByReason, List<String> examples) {
        public long invalidCount() {
            return invalidByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private static final int MAX_EXAMPLES = 5;

    /**
     * Mends and checks every metric, then sorts the sendable ones by timestamp (stable, so metrics of one timestamp
     * keep their order and a file always splits into the same batches).
     */
    public static Result check(List<AnodotMetric> metrics, long nowEpochSeconds) {
        List<AnodotMetric> valid = new ArrayList<>(metrics.size());
        Map<String, Long> invalid = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (AnodotMetric m : metrics) {
            String reason = problem(m, nowEpochSeconds);
            if (reason == null) {
                AnodotMetric mended = mend(m);
                reason = mended == null ? "empty key or value" : null;
                if (mended != null) {
                    valid.add(mended);
                    continue;
                }
            }
            invalid.merge(reason, 1L, Long::sum);
            if (examples.size() < MAX_EXAMPLES) {
                examples.add(reason + ": " + m);
            }
        }
        valid.sort(Comparator.comparingLong(AnodotMetric::timestamp));
        return new Result(valid, invalid, examples);
    }

    private static String problem(AnodotMetric m, long now) {
        Map<String, String> p = m.properties();
        if (p.isEmpty()) {
            return "no properties";
        }
        String what = p.get(AnodotMetric.WHAT);
        if (what == null || what.isBlank()) {
            return "no 'what' property";
        }
        if (p.size() > AnodotRules.MAX_PROPERTIES) {
            return "more than " + AnodotRules.MAX_PROPERTIES + " properties";
        }
        String type = p.get(AnodotMetric.TARGET_TYPE);
        if (type != null && !type.equals("gauge") && !type.equals("counter")) {
            return "target_type is neither gauge nor counter";
        }
        int tagValues = m.tags().values().stream().mapToInt(List::size).sum();
        if (tagValues > AnodotRules.MAX_TAGS) {
            return "more than " + AnodotRules.MAX_TAGS + " tags";
        }
        if (m.timestamp() <= 0) {
            return "no timestamp";
        }
        if (m.timestamp() > now + AnodotRules.MAX_FUTURE_SECONDS) {
            return "timestamp more than an hour in the future (epoch seconds expected)";
        }
        if (!Double.isFinite(m.value())) {
            return "value is NaN or infinite";
        }
        return null;
    }

    /** The metric with keys and values mended, or null when one is empty. */
    private static AnodotMetric mend(AnodotMetric m) {
        Map<String, String> props = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : m.properties().entrySet()) {
            String k = AnodotRules.sanitizeKey(e.getKey());
            String v = e.getValue() == null ? "" : AnodotRules.sanitizeValue(e.getValue());
            if (k.isEmpty() || v.isEmpty()) {
                return null;
            }
            props.put(k, v);
        }
        Map<String, List<String>> tags = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : m.tags().entrySet()) {
            String k = AnodotRules.sanitizeKey(e.getKey());
            if (k.isEmpty()) {
                return null;
            }
            for (String raw : e.getValue()) {
                String v = raw == null ? "" : AnodotRules.sanitizeValue(raw);
                if (v.isEmpty()) {
                    return null;
                }
                tags.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return new AnodotMetric(props, tags, m.timestamp(), m.value());
    }
}
