package io.infermon.processor.output;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Turns a closed bucket's statistics into Anodot 2.0 metrics, with MLWatcher's names. docs/metrics.md defines each
 * one; keep the two in step.
 */
public final class BucketMetrics {
    public static final String INFERENCE_CALLS = "inference_calls";
    public static final String BUFFER_COUNT = "buffer_count";
    public static final String PREDICTION_COUNT = "prediction_count";
    public static final String PREDICTION_FREQ = "prediction_freq";
    public static final String MAX_PREDICTION_PROBA = "max_prediction_proba";
    public static final String SPREAD12_PREDICTION_PROBA = "spread12_prediction_proba";
    public static final String FEATURE_VALUE = "feature_value";

    /** The {@code stat} values emitted for every distribution, in this order. */
    public static final List<String> STATS = List.of("mean", "median", "std", "range", "q25", "q50", "q75", "iqr");

    private final List<AnodotMetric> metrics = new ArrayList<>();
    private final ModelKey model;
    private final long timestamp;

    private BucketMetrics(ModelKey model, long timestampSeconds) {
        this.model = model;
        this.timestamp = timestampSeconds;
    }

    /** The metrics of one closed bucket. Values that are not finite are left out (Anodot cannot store them). */
    public static List<AnodotMetric> of(ClosedBucket bucket) {
        BucketMetrics m = new BucketMetrics(bucket.model(), Math.floorDiv(bucket.startMillis(), 1000L));
        m.add(bucket.statistics());
        return m.metrics;
    }

    private void add(BucketStatistics s) {
        emit(INFERENCE_CALLS, TargetType.COUNTER, null, null, s.inferenceCalls());
        emit(BUFFER_COUNT, TargetType.COUNTER, null, null, s.rows());
        long[] counts = s.classCounts();
        long predicted = s.predictedRows();
        for (int c = 0; c < counts.length; c++) {
            String cls = "class_" + c;
            emit(PREDICTION_COUNT, TargetType.COUNTER, "class", cls, counts[c]);
            emit(PREDICTION_FREQ, TargetType.GAUGE, "class", cls, predicted == 0 ? Double.NaN
                    : (double) counts[c] / predicted);
        }
        distribution(MAX_PREDICTION_PROBA, null, null, s.maxProbability());
        distribution(SPREAD12_PREDICTION_PROBA, null, null, s.spread12());
        List<DistributionSummary> features = s.features();
        for (int j = 0; j < features.size(); j++) {
            distribution(FEATURE_VALUE, "feature", "feat_" + j, features.get(j));
        }
    }

    private void distribution(String what, String key, String value, DistributionSummary d) {
        if (d.count() == 0) {
            return;
        }
        for (String stat : STATS) {
            ToDoubleFunction<DistributionSummary> f = switch (stat) {
                case "mean" -> DistributionSummary::mean;
                case "median", "q50" -> x -> x.quantile(0.5);
                case "std" -> DistributionSummary::std;
                case "range" -> DistributionSummary::range;
                case "q25" -> x -> x.quantile(0.25);
                case "q75" -> x -> x.quantile(0.75);
                case "iqr" -> x -> x.quantile(0.75) - x.quantile(0.25);
                default -> throw new IllegalStateException(stat);
            };
            AnodotMetric.Builder b = base(what, TargetType.GAUGE);
            if (key != null) {
                b.property(key, value);
            }
            finish(b.property("stat", stat), f.applyAsDouble(d));
        }
    }

    private void emit(String what, TargetType type, String key, String value, double v) {
        AnodotMetric.Builder b = base(what, type);
        if (key != null) {
            b.property(key, value);
        }
        finish(b, v);
    }

    private AnodotMetric.Builder base(String what, TargetType type) {
        AnodotMetric.Builder b = AnodotMetric.builder(what, type).property("model", model.name());
        if (!model.version().isEmpty()) {
            b.property("model_version", model.version());
        }
        if (!model.signature().isEmpty()) {
            b.property("signature", model.signature());
        }
        return b.timestamp(timestamp);
    }

    private void finish(AnodotMetric.Builder b, double value) {
        if (Double.isFinite(value)) {
            metrics.add(b.value(value));
        }
    }
}
