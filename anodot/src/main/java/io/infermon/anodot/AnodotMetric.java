package io.infermon.anodot;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One Anodot 2.0 sample: {@code {"properties": {"what": ..., "target_type": ..., ...}, "tags": {...},
 * "timestamp": epochSeconds, "value": number}}.
 *
 * <p>Instances always satisfy {@link AnodotRules}: build them with {@link #builder}, which sanitizes keys and values
 * and refuses what cannot be mended (no {@code what}, too many properties or tags, a value that is not finite).
 */
@JsonPropertyOrder({"properties", "tags", "timestamp", "value"})
public final class AnodotMetric {
    public static final String WHAT = "what";
    public static final String TARGET_TYPE = "target_type";

    private final Map<String, String> properties;
    private final Map<String, List<String>> tags;
    private final long timestamp;
    private final double value;

    @JsonCreator
    AnodotMetric(@JsonProperty("properties") Map<String, String> properties,
                 @JsonProperty("tags") Map<String, List<String>> tags,
                 @JsonProperty("timestamp") long timestamp,
                 @JsonProperty("value") double value) {
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(properties)));
        Map<String, List<String>> t = new LinkedHashMap<>();
        if (tags != null) {
            tags.forEach((k, v) -> t.put(k, List.copyOf(v)));
        }
        this.tags = Collections.unmodifiableMap(t);
        this.timestamp = timestamp;
        this.value = value;
    }

    public static Builder builder(String what, TargetType targetType) {
        return new Builder(what, targetType);
    }

    @JsonProperty("properties")
    public Map<String, String> properties() {
        return properties;
    }

    @JsonProperty("tags")
    public Map<String, List<String>> tags() {
        return tags;
    }

    /** Seconds since the epoch. */
    @JsonProperty("timestamp")
    public long timestamp() {
        return timestamp;
    }

    @JsonProperty("value")
    public double value() {
        return value;
    }

    public String what() {
        return properties.get(WHAT);
    }

    public String property(String key) {
        return properties.get(key);
    }

    /** This metric with one more property (or another value for it), sanitized as a builder would. */
    public AnodotMetric withProperty(String key, String value) {
        Builder b = new Builder();
        b.properties.putAll(properties); // sanitized already
        b.property(key, value);
        return new AnodotMetric(b.properties, tags, timestamp, this.value);
    }

    /** The 2.0 metric name Anodot derives from the properties (sorted keys, {@code key=value} joined by dots). */
    public String name() {
        StringBuilder sb = new StringBuilder();
        properties.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(e.getKey()).append('=').append(e.getValue());
        });
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AnodotMetric m && m.timestamp == timestamp
                && Double.compare(m.value, value) == 0 && m.properties.equals(properties) && m.tags.equals(tags);
    }

    @Override
    public int hashCode() {
        return Objects.hash(properties, tags, timestamp, value);
    }

    @Override
    public String toString() {
        return name() + "@" + timestamp + "=" + value;
    }

    /** Collects a metric's parts; keys and values are sanitized as they come in. */
    public static final class Builder {
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, List<String>> tags = new LinkedHashMap<>();
        private int tagCount;
        private long timestamp;

        private Builder(String what, TargetType targetType) {
            property(WHAT, what);
            property(TARGET_TYPE, targetType.wireName());
        }

        private Builder() {
        }

        /** Adds a property; {@code .}, {@code =} and spaces become {@code _}, and overlong text is cut. */
        public Builder property(String key, String value) {
            String k = AnodotRules.sanitizeKey(key);
            String v = AnodotRules.sanitizeValue(value);
            if (k.isEmpty() || v.isEmpty()) {
                throw new IllegalArgumentException("property '" + key + "' needs a non-empty key and value");
            }
            if (!properties.containsKey(k) && properties.size() == AnodotRules.MAX_PROPERTIES) {
                throw new IllegalArgumentException("more than " + AnodotRules.MAX_PROPERTIES + " properties");
            }
            properties.put(k, v);
            return this;
        }

        public Builder tag(String key, String value) {
            if (tagCount == AnodotRules.MAX_TAGS) {
                throw new IllegalArgumentException("more than " + AnodotRules.MAX_TAGS + " tags");
            }
            tags.computeIfAbsent(AnodotRules.sanitizeKey(key), k -> new ArrayList<>())
                    .add(AnodotRules.sanitizeValue(value));
            tagCount++;
            return this;
        }

        public Builder timestamp(long epochSeconds) {
            this.timestamp = epochSeconds;
            return this;
        }

        /**
         * The finished metric. Anodot cannot store NaN or infinities, so a non-finite value is refused here; callers
         * that may produce one check {@link Double#isFinite} first and count what they leave out.
         */
        public AnodotMetric value(double value) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("value " + value + " of " + properties + " is not finite");
            }
            return new AnodotMetric(properties, tags, timestamp, value);
        }
    }
}
