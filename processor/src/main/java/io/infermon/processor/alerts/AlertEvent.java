package io.infermon.processor.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One line of {@code OUT/alerts.jsonl}: an alert opened or resolved for one series. The field names are a contract
 * (the dashboard, the webhook's receivers and the demo read them); docs/processor-yaml.md shows them.
 *
 * @param alert        the rule's name
 * @param open         true for {@code "state":"open"}, false for {@code "resolved"}
 * @param metric       the metric's {@code what}
 * @param series       all properties of the metric (its series)
 * @param value        the value of the bucket that completed the condition
 * @param condition    e.g. {@code above 0.3}
 * @param buckets      consecutive buckets that met the condition (open) or did not (resolved)
 * @param bucket       start (epoch seconds) of the bucket that completed it
 * @param openedBucket on resolved: the bucket that had opened the alert; else null
 */
public record AlertEvent(String alert, boolean open, String metric, Map<String, String> series, double value,
                         String condition, int buckets, long bucket, Long openedBucket) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public String state() {
        return open ? "open" : "resolved";
    }

    /** The event as one line of JSON (no newline), fields in their documented order. */
    public String toJsonLine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alert", alert);
        m.put("state", state());
        m.put("metric", metric);
        m.put("series", series);
        m.put("value", value);
        m.put("condition", condition);
        m.put("buckets", buckets);
        m.put("bucket", bucket);
        if (openedBucket != null) {
            m.put("opened_bucket", openedBucket);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
