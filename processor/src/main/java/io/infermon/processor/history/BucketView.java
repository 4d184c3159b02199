package io.infermon.processor.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.infermon.anodot.AnodotMetric;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One model key's closed bucket, read back from its metrics: the part of docs/metrics.md that tail, the dashboard
 * and {@code /metrics} show. Maps are keyed by the metric's {@code stat}, {@code class}, {@code method} or
 * {@code target} property; a metric the bucket did not have is absent (null or an empty map). Per-value feature
 * counts are left out (they are in the metric files).
 *
 * @param start           the bucket's start, seconds since the epoch
 * @param calls           {@code inference_calls}
 * @param rows            {@code buffer_count}
 * @param rowsPerSecond   {@code rows_per_second}
 * @param lateRecords     {@code late_records} (0 when absent)
 * @param latencyMs       {@code inference_latency_ms} by {@code stat}
 * @param batchSize       {@code batch_size} by {@code stat}
 * @param classShares     {@code prediction_freq} by class
 * @param classCounts     {@code prediction_count} by class
 * @param pred1           {@code max_prediction_proba} by {@code stat}
 * @param spread12        {@code spread12_prediction_proba} by {@code stat}
 * @param entropy         {@code prediction_entropy} by {@code stat}
 * @param predictionValue {@code prediction_value} by {@code stat} (regression models)
 * @param driftShare      {@code drift_share}, null without a reference
 * @param predictionDrift {@code prediction_drift} by target, then method
 * @param features        per feature ({@code feat_<i>}, in index order)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BucketView(ModelRef model, long start, long calls, long rows, Double rowsPerSecond, long lateRecords,
                         Map<String, Double> latencyMs, Map<String, Double> batchSize,
                         Map<String, Double> classShares, Map<String, Double> classCounts,
                         Map<String, Double> pred1, Map<String, Double> spread12, Map<String, Double> entropy,
                         Map<String, Double> predictionValue, Double driftShare,
                         Map<String, Map<String, Double>> predictionDrift, Map<String, FeatureView> features) {

    /** In index order: feat_2 before feat_10. */
    public static final Comparator<String> BY_INDEX = Comparator.comparingInt(String::length)
            .thenComparing(Comparator.naturalOrder());

    /**
     * One feature column in the bucket.
     *
     * @param value         {@code feature_value} by {@code stat}
     * @param valid         {@code feature_rows} kind {@code valid}
     * @param nan           kind {@code nan}
     * @param inf           kind {@code inf}
     * @param zero          kind {@code zero}
     * @param distinct      {@code feature_distinct} (integral features), else null
     * @param drift         {@code feature_drift} by method
     * @param driftDetected {@code drift_detected}, null without a reference
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FeatureView(Map<String, Double> value, long valid, long nan, long inf, long zero, Double distinct,
                              Map<String, Double> drift, Boolean driftDetected) {
    }

    /** Reads a model bucket's metrics (a {@link MetricGroup} that is not agent health). */
    public static BucketView of(MetricGroup group) {
        if (!group.isModelBucket()) {
            throw new IllegalArgumentException("not a model bucket (agent health, a label window, ...)");
        }
        Builder b = new Builder();
        for (AnodotMetric m : group.metrics()) {
            Slot slot = Slot.of(m);
            if (slot != null) {
                b.add(slot, m.value());
            }
        }
        return b.build(group.model(), group.startSeconds());
    }

    /**
     * What a metric is to a bucket view, without its value: its name and the properties the view reads. Two
     * metrics with equal slots land in the same place of the view.
     */
    record Slot(String what, String stat, String cls, String target, String method, String feature, String kind) {
        /** The metrics a view shows; the others (feature_count, class_probability_mean, ...) are in the files. */
        private static final java.util.Set<String> SHOWN = java.util.Set.of("inference_calls", "buffer_count",
                "rows_per_second", "late_records", "inference_latency_ms", "batch_size", "prediction_freq",
                "prediction_count", "max_prediction_proba", "spread12_prediction_proba", "prediction_entropy",
                "prediction_value", "drift_share", "prediction_drift", "feature_value", "feature_rows",
                "feature_distinct", "feature_drift", "drift_detected");

        /** The slot of a metric, or null when views do not show it. */
        static Slot of(AnodotMetric m) {
            if (!SHOWN.contains(m.what())) {
                return null;
            }
            return new Slot(m.what(), m.property("stat"), m.property("class"), m.property("target"),
                    m.property("method"), m.property("feature"), m.property("kind"));
        }
    }

    /** Builds a view from its metrics' slots and values, in file order (the order of the maps). */
    static final class Builder {
        long calls;
        long rows;
        Double rowsPerSecond;
        long late;
        final Map<String, Double> latency = new LinkedHashMap<>();
        final Map<String, Double> batch = new LinkedHashMap<>();
        final Map<String, Double> shares = new TreeMap<>(BY_INDEX);
        final Map<String, Double> counts = new TreeMap<>(BY_INDEX);
        final Map<String, Double> pred1 = new LinkedHashMap<>();
        final Map<String, Double> spread12 = new LinkedHashMap<>();
        final Map<String, Double> entropy = new LinkedHashMap<>();
        final Map<String, Double> predictionValue = new LinkedHashMap<>();
        Double driftShare;
        final Map<String, Map<String, Double>> predictionDrift = new LinkedHashMap<>();
        final Map<String, FeatureBuilder> features = new TreeMap<>(BY_INDEX);

        void add(Slot m, double v) {
            String stat = m.stat();
            switch (m.what()) {
                case "inference_calls" -> calls = (long) v;
                case "buffer_count" -> rows = (long) v;
                case "rows_per_second" -> rowsPerSecond = v;
                case "late_records" -> late = (long) v;
                case "inference_latency_ms" -> latency.put(stat, v);
                case "batch_size" -> batch.put(stat, v);
                case "prediction_freq" -> shares.put(m.cls(), v);
                case "prediction_count" -> counts.put(m.cls(), v);
                case "max_prediction_proba" -> pred1.put(stat, v);
                case "spread12_prediction_proba" -> spread12.put(stat, v);
                case "prediction_entropy" -> entropy.put(stat, v);
                case "prediction_value" -> predictionValue.put(stat, v);
                case "drift_share" -> driftShare = v;
                case "prediction_drift" -> predictionDrift.computeIfAbsent(m.target(),
                        t -> new LinkedHashMap<>()).put(m.method(), v);
                case "feature_value" -> feature(m).value.put(stat, v);
                case "feature_rows" -> {
                    FeatureBuilder f = feature(m);
                    switch (String.valueOf(m.kind())) {
                        case "valid" -> f.valid = (long) v;
                        case "nan" -> f.nan = (long) v;
                        case "inf" -> f.inf = (long) v;
                        case "zero" -> f.zero = (long) v;
                        default -> { }
                    }
                }
                case "feature_distinct" -> feature(m).distinct = v;
                case "feature_drift" -> feature(m).drift.put(m.method(), v);
                case "drift_detected" -> feature(m).detected = v >= 0.5;
                default -> { } // not a shown metric (Slot.of leaves those out)
            }
        }

        private FeatureBuilder feature(Slot m) {
            return features.computeIfAbsent(String.valueOf(m.feature()), f -> new FeatureBuilder());
        }

        BucketView build(ModelRef model, long start) {
            Map<String, FeatureView> fs = new LinkedHashMap<>();
            features.forEach((name, f) -> fs.put(name, new FeatureView(f.value, f.valid, f.nan, f.inf, f.zero,
                    f.distinct, f.drift, f.detected)));
            return new BucketView(model, start, calls, rows, rowsPerSecond, late, latency, batch, shares, counts,
                    pred1, spread12, entropy, predictionValue, driftShare, predictionDrift, fs);
        }
    }

    /** The classes by share, largest first (ties by class index). */
    public List<Map.Entry<String, Double>> topClasses(int n) {
        return classShares.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey(BY_INDEX)))
                .limit(n).toList();
    }

    /** How many features have {@code drift_detected = 1}. */
    public long driftedFeatures() {
        return features.values().stream().filter(f -> Boolean.TRUE.equals(f.driftDetected())).count();
    }

    /** How many features were compared with a reference. */
    public long comparedFeatures() {
        return features.values().stream().filter(f -> f.driftDetected() != null).count();
    }

    private static final class FeatureBuilder {
        final Map<String, Double> value = new LinkedHashMap<>();
        long valid;
        long nan;
        long inf;
        long zero;
        Double distinct;
        final Map<String, Double> drift = new LinkedHashMap<>();
        Boolean detected;
    }
}
