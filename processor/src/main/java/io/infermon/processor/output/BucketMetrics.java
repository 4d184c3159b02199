package io.infermon.processor.output;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.processor.bucket.ClosedBucket;
import io.infermon.processor.bucket.ModelKey;
import io.infermon.processor.stats.DriftReport;
import io.infermon.processor.stats.FeatureDrift;
import io.infermon.processor.stats.BucketStatistics;
import io.infermon.processor.stats.DistributionSummary;
import io.infermon.processor.stats.FeatureSummary;
import io.infermon.processor.stats.PredictionSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Turns a closed bucket's statistics into Anodot 2.0 metrics, with MLWatcher's names where MLWatcher has one.
 * docs/metrics.md defines each one; keep the two in step.
 */
public final class BucketMetrics {
    public static final String INFERENCE_CALLS = "inference_calls";
    public static final String BUFFER_COUNT = "buffer_count";
    public static final String ROWS_PER_SECOND = "rows_per_second";
    public static final String LATE_RECORDS = "late_records";
    public static final String BATCH_SIZE = "batch_size";
    public static final String INFERENCE_LATENCY_MS = "inference_latency_ms";
    public static final String PREDICTION_COUNT = "prediction_count";
    public static final String PREDICTION_FREQ = "prediction_freq";
    public static final String MAX_PREDICTION_PROBA = "max_prediction_proba";
    public static final String SPREAD12_PREDICTION_PROBA = "spread12_prediction_proba";
    public static final String PREDICTION_ENTROPY = "prediction_entropy";
    public static final String CLASS_PROBABILITY_MEAN = "class_probability_mean";
    public static final String EXPECTED_ACCURACY = "expected_accuracy";
    public static final String PREDICTION_VALUE = "prediction_value";
    public static final String FEATURE_VALUE = "feature_value";
    public static final String FEATURE_ROWS = "feature_rows";
    public static final String FEATURE_COUNT = "feature_count";
    public static final String FEATURE_FREQ = "feature_freq";
    public static final String FEATURE_DISTINCT = "feature_distinct";
    public static final String FEATURE_DRIFT = "feature_drift";
    public static final String DRIFT_DETECTED = "drift_detected";
    public static final String DRIFT_SHARE = "drift_share";
    public static final String PREDICTION_DRIFT = "prediction_drift";

    /** MLWatcher's {@code stat} values: the middle of a distribution. */
    public static final List<String> STATS = List.of("mean", "median", "std", "range", "q25", "q50", "q75", "iqr");
    /**
     * The {@code stat} values of every distribution the processor emits ({@code feature_value},
     * {@code prediction_value}, {@code max_prediction_proba}, {@code spread12_prediction_proba},
     * {@code prediction_entropy}): MLWatcher's and the tails ({@code min}, {@code max}, {@code q01}, {@code q05},
     * {@code q95}, {@code q99}), where a model's failures show first (the few rows it was least sure of).
     */
    public static final List<String> VALUE_STATS = List.of("mean", "median", "std", "range", "min", "max",
            "q01", "q05", "q25", "q50", "q75", "q95", "q99", "iqr");
    public static final List<String> BATCH_STATS = List.of("mean", "min", "max", "median");
    public static final List<String> LATENCY_STATS = List.of("mean", "p50", "p90", "p99", "max");
    /** At most this many values per integral feature get {@code feature_count}/{@code feature_freq}. */
    public static final int MAX_VALUES_PER_FEATURE = 20;

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
        m.add(bucket.statistics(), (bucket.endMillis() - bucket.startMillis()) / 1000.0);
        if (bucket.drift() != null) {
            m.add(bucket.drift());
        }
        return m.metrics;
    }

    private void add(BucketStatistics s, double seconds) {
        emit(INFERENCE_CALLS, TargetType.COUNTER, s.inferenceCalls());
        emit(BUFFER_COUNT, TargetType.COUNTER, s.rows());
        boolean empty = s.inferenceCalls() == 0; // traffic stopped: the two counts say so, and there is nothing else
        if (!empty) {
            emit(ROWS_PER_SECOND, TargetType.GAUGE, s.rows() / seconds);
        }
        if (s.lateRecords() > 0) {
            emit(LATE_RECORDS, TargetType.COUNTER, s.lateRecords());
        }
        if (empty) {
            return;
        }
        distribution(BATCH_SIZE, BATCH_STATS, s.batchSize());
        distribution(INFERENCE_LATENCY_MS, LATENCY_STATS, s.latencyMillis());
        add(s.predictions());
        List<FeatureSummary> features = s.features();
        for (int j = 0; j < features.size(); j++) {
            add("feat_" + j, features.get(j));
        }
    }

    private void add(PredictionSummary p) {
        long[] counts = p.classCounts();
        long predicted = p.predictedRows();
        for (int c = 0; c < counts.length; c++) {
            String cls = "class_" + c;
            emit(PREDICTION_COUNT, TargetType.COUNTER, counts[c], "class", cls);
            emit(PREDICTION_FREQ, TargetType.GAUGE, predicted == 0 ? Double.NaN : (double) counts[c] / predicted,
                    "class", cls);
            emit(CLASS_PROBABILITY_MEAN, TargetType.GAUGE, p.meanProbability(c), "class", cls);
        }
        distribution(MAX_PREDICTION_PROBA, VALUE_STATS, p.maxProbability());
        distribution(SPREAD12_PREDICTION_PROBA, VALUE_STATS, p.spread12());
        distribution(PREDICTION_ENTROPY, VALUE_STATS, p.entropy());
        if (p.probabilityRows() > 0) {
            emit(EXPECTED_ACCURACY, TargetType.GAUGE, p.maxProbability().mean());
        }
        distribution(PREDICTION_VALUE, VALUE_STATS, p.values());
    }

    private void add(String feature, FeatureSummary f) {
        emit(FEATURE_ROWS, TargetType.COUNTER, f.count(), "feature", feature, "kind", "valid");
        emit(FEATURE_ROWS, TargetType.COUNTER, f.nanCount(), "feature", feature, "kind", "nan");
        emit(FEATURE_ROWS, TargetType.COUNTER, f.infiniteCount(), "feature", feature, "kind", "inf");
        emit(FEATURE_ROWS, TargetType.COUNTER, f.zeroCount(), "feature", feature, "kind", "zero");
        distribution(FEATURE_VALUE, VALUE_STATS, f.values(), "feature", feature);
        if (f.isIntegral()) {
            emit(FEATURE_DISTINCT, TargetType.GAUGE, f.distinctCount(), "feature", feature);
            for (FeatureSummary.ValueCount v : f.mostFrequent(MAX_VALUES_PER_FEATURE)) {
                String value = Long.toString(v.value());
                emit(FEATURE_COUNT, TargetType.COUNTER, v.count(), "feature", feature, "value", value);
                emit(FEATURE_FREQ, TargetType.GAUGE, (double) v.count() / f.count(),
                        "feature", feature, "value", value);
            }
        }
    }

    private void add(DriftReport drift) {
        for (FeatureDrift d : drift.features()) {
            String feature = "feat_" + d.feature();
            d.measures().forEach((method, value) ->
                    emit(FEATURE_DRIFT, TargetType.GAUGE, value, "feature", feature, "method", method));
            if (d.judged()) {
                emit(DRIFT_DETECTED, TargetType.GAUGE, d.detected() ? 1 : 0, "feature", feature);
            }
        }
        double share = drift.driftShare();
        if (!Double.isNaN(share)) {
            emit(DRIFT_SHARE, TargetType.GAUGE, share);
        }
        drift.predictions().forEach((target, measures) -> measures.forEach((method, value) ->
                emit(PREDICTION_DRIFT, TargetType.GAUGE, value, "target", target, "method", method)));
    }

    /** The named statistics of a distribution as gauges with a {@code stat} property; nothing when it is empty. */
    private void distribution(String what, List<String> stats, DistributionSummary d, String... properties) {
        if (d.count() == 0) {
            return;
        }
        for (String stat : stats) {
            String[] withStat = java.util.Arrays.copyOf(properties, properties.length + 2);
            withStat[properties.length] = "stat";
            withStat[properties.length + 1] = stat;
            emit(what, TargetType.GAUGE, statistic(stat).applyAsDouble(d), withStat);
        }
    }

    static ToDoubleFunction<DistributionSummary> statistic(String stat) {
        return switch (stat) {
            case "mean" -> DistributionSummary::mean;
            case "median", "q50", "p50" -> x -> x.quantile(0.5);
            case "std" -> DistributionSummary::std;
            case "range" -> DistributionSummary::range;
            case "min" -> DistributionSummary::min;
            case "max" -> DistributionSummary::max;
            case "iqr" -> x -> x.quantile(0.75) - x.quantile(0.25);
            default -> {
                if (stat.matches("[qp]\\d\\d")) {
                    double q = Integer.parseInt(stat.substring(1)) / 100.0;
                    yield x -> x.quantile(q);
                }
                throw new IllegalArgumentException("unknown statistic " + stat);
            }
        };
    }

    private void emit(String what, TargetType type, double value, String... properties) {
        AnodotMetric.Builder b = AnodotMetric.builder(what, type).property("model", model.name());
        if (!model.version().isEmpty()) {
            b.property("model_version", model.version());
        }
        if (!model.signature().isEmpty()) {
            b.property("signature", model.signature());
        }
        for (int i = 0; i < properties.length; i += 2) {
            b.property(properties[i], properties[i + 1]);
        }
        if (Double.isFinite(value)) {
            metrics.add(b.timestamp(timestamp).value(value));
        }
    }
}
