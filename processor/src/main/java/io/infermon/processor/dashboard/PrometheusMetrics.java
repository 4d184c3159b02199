package io.infermon.processor.dashboard;

import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.alerts.AlertsView;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.BucketView;
import io.infermon.processor.history.ModelRef;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What {@code /metrics} shows, with the official Prometheus client: the latest closed bucket's statistics per model
 * key (a subset of docs/metrics.md; the rest is in the files and the JSON API) and, inside a processor, the
 * processor's own health. Every value is read at scrape time (callback metrics), so nothing is copied in between.
 * docs/dashboard.md lists the names.
 */
final class PrometheusMetrics {
    private final BucketHistory history;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private PrometheusMetrics(BucketHistory history) {
        this.history = history;
    }

    /** @param health the processor's health, or null when serving an output directory without a processor */
    static PrometheusRegistry registry(BucketHistory history, ProcessorHealth health, AlertsView alerts) {
        PrometheusMetrics m = new PrometheusMetrics(history);
        m.buckets();
        GaugeWithCallback.builder().name("infermon_alerts_open")
                .help("Series for which the alert rule is open now (from alerts.jsonl; rules with events only).")
                .labelNames("alert")
                .callback(cb -> alerts.openCounts().forEach((alert, n) -> cb.call(n, alert)))
                .register(m.registry);
        if (health != null) {
            m.processor(health);
        }
        return m.registry;
    }

    private void buckets() {
        perModel("infermon_bucket_start_timestamp_seconds",
                "Start of the latest closed bucket, seconds since the epoch.", BucketView::start);
        perModel("infermon_bucket_inference_calls",
                "inference_calls: intercepted inference calls in the latest closed bucket.", BucketView::calls);
        perModel("infermon_bucket_rows", "buffer_count: rows (examples) in the latest closed bucket.",
                BucketView::rows);
        perModelBy("infermon_bucket_latency_milliseconds",
                "inference_latency_ms: call duration statistics (mean, p50, p90, p99, max) in the latest closed "
                        + "bucket.", "stat", BucketView::latencyMs);
        perModelBy("infermon_bucket_class_share",
                "prediction_freq: share of rows predicted as each class in the latest closed bucket.", "class",
                BucketView::classShares);
        perModel("infermon_bucket_pred1_mean",
                "max_prediction_proba mean: mean top-class probability in the latest closed bucket.",
                b -> b.pred1().getOrDefault("mean", Double.NaN));
        perModel("infermon_bucket_drift_share",
                "drift_share: share of compared features flagged as drifted in the latest closed bucket.",
                b -> b.driftShare() == null ? Double.NaN : b.driftShare());
        GaugeWithCallback.builder().name("infermon_bucket_feature_drift_detected")
                .help("drift_detected: 1 when the feature drifted from the reference in the latest closed bucket.")
                .labelNames("model", "version", "signature", "feature")
                .callback(cb -> history.latest().forEach(b -> b.features().forEach((name, f) -> {
                    if (f.driftDetected() != null) {
                        ModelRef m = b.model();
                        cb.call(f.driftDetected() ? 1 : 0, m.model(), m.version(), m.signature(), name);
                    }
                })))
                .register(registry);
    }

    private void processor(ProcessorHealth health) {
        GaugeWithCallback.builder().name("infermon_processor_lag_seconds")
                .help("Now minus the capture time of the last record the processor read (absent before the first).")
                .callback(cb -> {
                    double lag = health.lagSeconds();
                    if (!Double.isNaN(lag)) {
                        cb.call(lag);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("infermon_processor_records_read")
                .help("Records the processor has read since it started.")
                .callback(cb -> cb.call(health.recordsRead())).register(registry);
        GaugeWithCallback.builder().name("infermon_processor_records_per_second")
                .help("Records read per second, averaged over the last 10 whole seconds.")
                .callback(cb -> cb.call(health.recordsPerSecond())).register(registry);
        GaugeWithCallback.builder().name("infermon_processor_buckets_open")
                .help("Buckets open (still receiving records) now.")
                .callback(cb -> cb.call(health.bucketsOpen())).register(registry);
        CounterWithCallback.builder().name("infermon_processor_records_rejected")
                .help("Records the processor skipped as damaged or unknown since it started, by reason.")
                .labelNames("reason")
                .callback(cb -> health.rejected().forEach((reason, n) -> cb.call(n, reason.label())))
                .register(registry);
    }

    /** One value per model key from its latest bucket; NaN means "not in this bucket" and is left out. */
    private void perModel(String name, String help, ToDoubleFunction<BucketView> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model", "version", "signature")
                .callback(cb -> history.latest().forEach(b -> {
                    double v = value.applyAsDouble(b);
                    if (!Double.isNaN(v)) {
                        cb.call(v, b.model().model(), b.model().version(), b.model().signature());
                    }
                })).register(registry);
    }

    /** One value per model key and entry of a map of its latest bucket (by stat, by class). */
    private void perModelBy(String name, String help, String label,
                            Function<BucketView, Map<String, Double>> values) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("model", "version", "signature", label)
                .callback(cb -> history.latest().forEach(b -> values.apply(b).forEach((k, v) ->
                        cb.call(v, b.model().model(), b.model().version(), b.model().signature(), k))))
                .register(registry);
    }
}
