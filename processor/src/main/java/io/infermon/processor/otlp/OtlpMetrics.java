package io.infermon.processor.otlp;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.Data;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.GaugeData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Closed buckets' metrics (the lines of {@code metrics.jsonl}, docs/metrics.md) as OpenTelemetry metric data, one
 * point per line, nothing computed anew:
 * <ul>
 *   <li>name {@code infermon.<what>}; unit {@code ms} or {@code s} where the name says so;</li>
 *   <li>a {@code counter} (a count over the bucket) is a monotonic <em>delta</em> sum, a {@code gauge} a gauge;</li>
 *   <li>every point spans its bucket: start time the bucket's start (the line's {@code timestamp}), time the
 *       bucket's end;</li>
 *   <li>attributes are the line's properties but {@code what} and {@code target_type}: {@code model},
 *       {@code model_version}, {@code signature}, and {@code stat}, {@code class}, {@code feature},
 *       {@code label_window}, {@code agent}... as they are.</li>
 * </ul>
 * Distributions stay gauges with a {@code stat} attribute (quantiles, mean, std...) rather than OpenTelemetry
 * histograms: the processor keeps exact tables and quantile sketches, not bucket counts, and inventing bucket
 * boundaries would change the numbers.
 */
public final class OtlpMetrics {
    public static final String PREFIX = "infermon.";

    private OtlpMetrics() {
    }

    /** The metric data of {@code metrics}, one {@link MetricData} per name, in the order names first occur. */
    public static List<MetricData> of(List<AnodotMetric> metrics, long bucketWidthSeconds, Resource resource,
                                      InstrumentationScopeInfo scope) {
        Map<String, List<AnodotMetric>> byName = new LinkedHashMap<>();
        for (AnodotMetric m : metrics) {
            byName.computeIfAbsent(m.what() + "\u0000" + isCounter(m), k -> new ArrayList<>()).add(m);
        }
        List<MetricData> out = new ArrayList<>();
        for (List<AnodotMetric> same : byName.values()) {
            String what = same.get(0).what();
            boolean counter = isCounter(same.get(0));
            List<DoublePointData> points = new ArrayList<>(same.size());
            for (AnodotMetric m : same) {
                long start = m.timestamp() * 1_000_000_000L;
                points.add(DoublePointData.create(start, start + bucketWidthSeconds * 1_000_000_000L,
                        attributes(m), m.value(), List.of()));
            }
            Data<DoublePointData> data = counter
                    ? SumData.createDoubleSumData(true, AggregationTemporality.DELTA, points)
                    : GaugeData.createDoubleGaugeData(points);
            out.add(new BucketMetricData(resource, scope, PREFIX + what, unit(what),
                    counter ? MetricDataType.DOUBLE_SUM : MetricDataType.DOUBLE_GAUGE, data));
        }
        return out;
    }

    static boolean isCounter(AnodotMetric m) {
        return TargetType.COUNTER.wireName().equals(m.property(AnodotMetric.TARGET_TYPE));
    }

    /** UCUM units, where the name carries one. */
    static String unit(String what) {
        if (what.endsWith("_ms")) {
            return "ms";
        }
        if (what.endsWith("_seconds")) {
            return "s";
        }
        return "";
    }

    private static Attributes attributes(AnodotMetric m) {
        AttributesBuilder a = Attributes.builder();
        m.properties().forEach((k, v) -> {
            if (!k.equals(AnodotMetric.WHAT) && !k.equals(AnodotMetric.TARGET_TYPE)) {
                a.put(k, v);
            }
        });
        return a.build();
    }

    /** {@link MetricData} is an interface of the SDK; the SDK's own implementation is internal to it. */
    private record BucketMetricData(Resource resource, InstrumentationScopeInfo scope, String name, String unit,
                                    MetricDataType type, Data<?> data) implements MetricData {
        @Override
        public Resource getResource() {
            return resource;
        }

        @Override
        public InstrumentationScopeInfo getInstrumentationScopeInfo() {
            return scope;
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public String getUnit() {
            return unit;
        }

        @Override
        public MetricDataType getType() {
            return type;
        }

        @Override
        public Data<?> getData() {
            return data;
        }
    }
}
