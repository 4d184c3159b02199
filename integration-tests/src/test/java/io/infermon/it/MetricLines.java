package io.infermon.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** The processor's {@code metrics.jsonl}, read back as plain JSON (no infermon classes), with lookups for tests. */
final class MetricLines {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Metric(Map<String, String> properties, long timestamp, double value) {
        String what() {
            return properties.get("what");
        }
    }

    private final List<Metric> metrics;

    private MetricLines(List<Metric> metrics) {
        this.metrics = metrics;
    }

    static MetricLines read(Path jsonl) throws IOException {
        List<Metric> out = new ArrayList<>();
        for (String line : Files.readAllLines(jsonl)) {
            if (!line.isBlank()) {
                out.add(parse(JSON.readTree(line)));
            }
        }
        return new MetricLines(out);
    }

    static List<Metric> readArray(Path anodotFile) throws IOException {
        List<Metric> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(anodotFile.toFile())) {
            out.add(parse(n));
        }
        return out;
    }

    private static Metric parse(JsonNode n) {
        Map<String, String> props = new TreeMap<>();
        n.get("properties").fields().forEachRemaining(e -> props.put(e.getKey(), e.getValue().asText()));
        return new Metric(props, n.get("timestamp").asLong(), n.get("value").asDouble());
    }

    static MetricLines of(List<Metric> metrics) {
        return new MetricLines(List.copyOf(metrics));
    }

    List<Metric> all() {
        return metrics;
    }

    /** Metrics whose properties include every given key=value pair (pairs as "key", "value", ...). */
    List<Metric> where(String... keyValues) {
        List<Metric> out = new ArrayList<>();
        for (Metric m : metrics) {
            boolean match = true;
            for (int i = 0; i < keyValues.length; i += 2) {
                match &= Objects.equals(m.properties().get(keyValues[i]), keyValues[i + 1]);
            }
            if (match) {
                out.add(m);
            }
        }
        return out;
    }

    /** The one metric matching the pairs; fails if there is not exactly one. */
    double value(String... keyValues) {
        List<Metric> found = where(keyValues);
        if (found.size() != 1) {
            throw new AssertionError("expected one metric with " + List.of(keyValues) + ", found " + found.size()
                    + ": " + found);
        }
        return found.get(0).value();
    }

    /** The sum over every bucket of the metrics matching the pairs. */
    double sum(String... keyValues) {
        return where(keyValues).stream().mapToDouble(Metric::value).sum();
    }
}
