package io.infermon.processor.dashboard;

import io.infermon.processor.ProcessorHealth;
import io.infermon.processor.alerts.AlertsView;
import io.infermon.processor.history.BucketHistory;
import io.infermon.processor.history.BucketView;
import io.infermon.processor.history.LabelWindowView;
import io.infermon.processor.history.ModelRef;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What {@code /metrics} shows, with the official Prometheus client, in Prometheus's conventions (base units,
 * {@code _total} counters; {@code promtool check metrics} finds nothing, see {@code PromtoolCheckTest}):
 * <ul>
 *   <li>counters ({@code *_total}) of what accumulates, added up over every bucket of {@code metrics.jsonl}
 *       ({@link RunningTotals}): they continue across restarts and are the same in {@code infermon dashboard};</li>
 *   <li>gauges ({@code infermon_bucket_*}) of each model key's latest closed bucket, and of its latest label window
 *       per maturity ({@code infermon_label_window_*});</li>
 *   <li>alerts from {@code alerts.jsonl}, the agents' health, and inside a running processor its own health.</li>
 * </ul>
 * Every value is read at scrape time (callbacks), so nothing is copied in between. Label sets are bounded: model
 * keys (bounded by {@code --max-models}), classes, features (at most 1,024 per model), stats, label windows (at most 8
 * per model key), alert rules, hosts, reject reasons. docs/prometheus-and-otel.md lists every name.
 */
final class PrometheusMetrics {
    private static final List<String> MODEL_LABELS = List.of("model", "version", "signature");

    private final BucketHistory history;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    private PrometheusMetrics(BucketHistory history) {
        this.history = history;
    }

    /** @param health the processor's health, or null when serving an output directory without a processor */
    static PrometheusRegistry registry(BucketHistory history, RunningTotals totals, ProcessorHealth health,
                                       AlertsView alerts) {
        PrometheusMetrics m = new PrometheusMetrics(history);
        m.registry.register(new TotalsCollector(totals));
        m.buckets();
        m.labelWindows();
        GaugeWithCallback.builder().name("infermon_alerts_open")
                .help("Series for which the alert rule is open now (from alerts.jsonl; rules with events only).")
                .labelNames("alert")
                .callback(cb -> alerts.openCounts().forEach((alert, n) -> cb.call(n, alert)))
                .register(m.registry);
        CounterWithCallback.builder().name("infermon_alerts_opened")
                .help("Times the alert rule opened, over the whole of alerts.jsonl (rules with events only).")
                .labelNames("alert")
                .callback(cb -> alerts.openedCounts().forEach((alert, n) -> cb.call(n, alert)))
                .register(m.registry);
        GaugeWithCallback.builder().name("infermon_agent_capture_enabled")
                .help("agent_capture_enabled: 1 while the agent captures, 0 once it turned itself off; agents of the "
                        + "latest agent-health bucket.")
                .labelNames("agent")
                .callback(cb -> totals.captureEnabled().forEach((agent, v) -> cb.call(v, agent)))
                .register(m.registry);
        if (health != null) {
            m.processor(health);
        }
        return m.registry;
    }

    private void buckets() {
        perModel("infermon_bucket_start_timestamp_seconds",
                "Start of the model key's latest closed bucket, seconds since the epoch.", BucketView::start);
        perModelBy("infermon_bucket_latency_seconds",
                "inference_latency_ms / 1000: call duration statistics of the latest closed bucket, label stat "
                        + "(mean, p50, p90, p99, max).", "stat",
                b -> scaled(b.latencyMs(), 0.001));
        perModelBy("infermon_bucket_class_share",
                "prediction_freq: share of the latest closed bucket's rows predicted as each class.", "class",
                BucketView::classShares);
        perModelBy("infermon_bucket_pred1",
                "max_prediction_proba: statistics of the top-class probability in the latest closed bucket, label "
                        + "stat (mean, median, std, range, q25, q50, q75, iqr).", "stat", BucketView::pred1);
        perModelBy("infermon_bucket_spread12",
                "spread12_prediction_proba: statistics of top-class minus second-class probability in the latest "
                        + "closed bucket, label stat.", "stat", BucketView::spread12);
        perModel("infermon_bucket_drift_share",
                "drift_share: share of judged features flagged as drifted in the latest closed bucket (absent "
                        + "without a reference or when no feature was judged).",
                b -> b.driftShare() == null ? Double.NaN : b.driftShare());
        GaugeWithCallback.builder().name("infermon_bucket_feature_drift_detected")
                .help("drift_detected: 1 when the feature drifted from the reference in the latest closed bucket, "
                        + "else 0 (judged features only).")
                .labelNames("model", "version", "signature", "feature")
                .callback(cb -> history.latest().forEach(b -> b.features().forEach((name, f) -> {
                    if (f.driftDetected() != null) {
                        ModelRef m = b.model();
                        cb.call(f.driftDetected() ? 1 : 0, m.model(), m.version(), m.signature(), name);
                    }
                })))
                .register(registry);
    }

    private void labelWindows() {
        perWindow("infermon_label_window_start_timestamp_seconds",
                "Start of the prediction bucket of the model key's latest label window of this maturity.",
                w -> (double) w.start());
        perWindow("infermon_label_window_accuracy",
                "accuracy of the latest label window of this maturity (classifiers).", LabelWindowView::accuracy);
        perWindow("infermon_label_window_coverage",
                "label_coverage: share of the window's predictions that had a label by the window's end.",
                LabelWindowView::coverage);
        perWindow("infermon_label_window_labeled_rows",
                "labeled_rows of the latest label window of this maturity.", w -> (double) w.labeledRows());
        perWindow("infermon_label_window_mae",
                "mae: mean absolute error of the latest label window of this maturity (regression models).",
                LabelWindowView::mae);
    }

    private void processor(ProcessorHealth health) {
        GaugeWithCallback.builder().name("infermon_processor_lag_seconds").unit(Unit.SECONDS)
                .help("Now minus the capture time of the last record the processor read (absent before the first).")
                .callback(cb -> {
                    double lag = health.lagSeconds();
                    if (!Double.isNaN(lag)) {
                        cb.call(lag);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("infermon_processor_records_read")
                .help("Records the processor has read since this process started (0 again after a restart, which "
                        + "rate() and increase() handle as a counter reset).")
                .callback(cb -> cb.call(health.recordsRead())).register(registry);
        GaugeWithCallback.builder().name("infermon_processor_records_per_second")
                .help("Records read per second, averaged over the last 10 whole seconds.")
                .callback(cb -> cb.call(health.recordsPerSecond())).register(registry);
        GaugeWithCallback.builder().name("infermon_processor_buckets_open")
                .help("Buckets open (still receiving records) now.")
                .callback(cb -> cb.call(health.bucketsOpen())).register(registry);
    }

    private static Map<String, Double> scaled(Map<String, Double> values, double factor) {
        Map<String, Double> out = new LinkedHashMap<>();
        values.forEach((k, v) -> out.put(k, v * factor));
        return out;
    }

    /** One value per model key from its latest bucket; NaN means "not in this bucket" and is left out. */
    private void perModel(String name, String help, ToDoubleFunction<BucketView> value) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help);
        if (name.endsWith("_seconds")) {
            b.unit(Unit.SECONDS);
        }
        b.labelNames(MODEL_LABELS.toArray(String[]::new))
                .callback(cb -> history.latest().forEach(bucket -> {
                    double v = value.applyAsDouble(bucket);
                    if (!Double.isNaN(v)) {
                        cb.call(v, bucket.model().model(), bucket.model().version(), bucket.model().signature());
                    }
                })).register(registry);
    }

    /** One value per model key and entry of a map of its latest bucket (by stat, by class). */
    private void perModelBy(String name, String help, String label,
                            Function<BucketView, Map<String, Double>> values) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help);
        if (name.endsWith("_seconds")) {
            b.unit(Unit.SECONDS);
        }
        b.labelNames("model", "version", "signature", label)
                .callback(cb -> history.latest().forEach(bucket -> values.apply(bucket).forEach((k, v) ->
                        cb.call(v, bucket.model().model(), bucket.model().version(), bucket.model().signature(), k))))
                .register(registry);
    }

    /** One value per model key and label window (maturity): its window with the latest prediction bucket. */
    private void perWindow(String name, String help, Function<LabelWindowView, Double> value) {
        GaugeWithCallback.Builder b = GaugeWithCallback.builder().name(name).help(help);
        if (name.endsWith("_seconds")) {
            b.unit(Unit.SECONDS);
        }
        b.labelNames("model", "version", "signature", "window")
                .callback(cb -> latestWindows().forEach(w -> {
                    Double v = value.apply(w);
                    if (v != null && !v.isNaN()) {
                        cb.call(v, w.model().model(), w.model().version(), w.model().signature(), w.window());
                    }
                })).register(registry);
    }

    /** {@link #latestWindows()} of a history generation: five gauges ask for it on every scrape. */
    private record Windows(long generation, List<LabelWindowView> latest) {
    }

    private volatile Windows windows = new Windows(-1, List.of());

    /** Per model key and window, the window of the latest prediction bucket. */
    private List<LabelWindowView> latestWindows() {
        long generation = history.generation();
        Windows cached = windows;
        if (cached.generation() == generation) {
            return cached.latest();
        }
        Map<String, LabelWindowView> latest = new LinkedHashMap<>();
        history.models().stream().map(s -> s.model().model()).distinct()
                .flatMap(model -> history.findLabelled(model, null, null).stream())
                .forEach(key -> history.labelWindows(key, Long.MIN_VALUE).forEach(w ->
                        latest.merge(key + "\u0000" + w.window(), w, (a, c) -> c.start() >= a.start() ? c : a)));
        List<LabelWindowView> list = List.copyOf(latest.values());
        windows = new Windows(generation, list);
        return list;
    }

    /** The running totals as counters, named and labelled as {@link RunningTotals} keeps them. */
    private static final class TotalsCollector implements MultiCollector {
        private static final Map<String, String> HELP = Map.of(
                RunningTotals.CALLS, "inference_calls: intercepted inference calls, over every closed bucket.",
                RunningTotals.ROWS, "buffer_count: rows (examples) of the inference calls, over every closed bucket.",
                RunningTotals.LATE, "late_records: records that arrived after their bucket had closed.",
                RunningTotals.PREDICTIONS, "prediction_count: rows predicted as each class, over every closed bucket.",
                RunningTotals.REJECTED, "processor_records_rejected: records the processor could not use, by reason.",
                RunningTotals.FOLDED, "processor_models_folded: records of model keys beyond --max-models, counted "
                        + "under the model __other__.",
                RunningTotals.LABEL_EVENTS, "processor_labels: what happened to labels and predictions with ids, "
                        + "by event.");

        private final RunningTotals totals;

        TotalsCollector(RunningTotals totals) {
            this.totals = totals;
        }

        @Override
        public MetricSnapshots collect() {
            List<MetricSnapshot> snapshots = new ArrayList<>();
            totals.byName().forEach((name, series) -> {
                CounterSnapshot.Builder c = CounterSnapshot.builder().name(name).help(HELP.getOrDefault(name,
                        name.startsWith(RunningTotals.AGENT_PREFIX)
                                ? "agent_" + name.substring(RunningTotals.AGENT_PREFIX.length())
                                        + ": the agents' counter (docs/wire-format.md), summed over the agents of "
                                        + "each host."
                                : name));
                for (Map.Entry<RunningTotals.Series, Double> e : series) {
                    RunningTotals.Series s = e.getKey();
                    c.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(Labels.of(s.labelNames(), s.labelValues())).value(e.getValue()).build());
                }
                snapshots.add(c.build());
            });
            return new MetricSnapshots(snapshots);
        }
    }
}
