package io.infermon.processor.otlp;

import io.infermon.anodot.AnodotJson;
import io.infermon.anodot.AnodotMetric;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * What an OTLP receiver must have got, computed from {@code metrics.jsonl} itself: each line one data point, as
 * docs/prometheus-and-otel.md says, counted (a point that arrived twice or never shows as a count off by one).
 */
final class OtlpExpectations {
    private OtlpExpectations() {
    }

    /** The points that the lines of {@code metrics.jsonl} matching {@code keep} become, with how often each. */
    static Map<OtlpReceiver.Point, Integer> expected(Path metricsJsonl, long bucketSeconds,
                                                     Predicate<AnodotMetric> keep) throws IOException {
        Map<OtlpReceiver.Point, Integer> out = new java.util.HashMap<>();
        for (String line : Files.readAllLines(metricsJsonl)) {
            AnodotMetric m = AnodotJson.readLine(line);
            if (!keep.test(m)) {
                continue;
            }
            Map<String, String> attributes = new TreeMap<>(m.properties());
            attributes.remove("what");
            String type = attributes.remove("target_type");
            String what = m.what();
            String unit = what.endsWith("_ms") ? "ms" : what.endsWith("_seconds") ? "s" : "";
            long start = m.timestamp() * 1_000_000_000L;
            out.merge(new OtlpReceiver.Point("infermon." + what, unit,
                    type.equals("counter") ? "sum delta monotonic" : "gauge", attributes, start,
                    start + bucketSeconds * 1_000_000_000L, m.value()), 1, Integer::sum);
        }
        return out;
    }

    static Map<OtlpReceiver.Point, Integer> counted(List<OtlpReceiver.Point> points,
                                                    Predicate<OtlpReceiver.Point> keep) {
        Map<OtlpReceiver.Point, Integer> out = new java.util.HashMap<>();
        points.stream().filter(keep).forEach(p -> out.merge(p, 1, Integer::sum));
        return out;
    }
}
