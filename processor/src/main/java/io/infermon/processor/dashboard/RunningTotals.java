package io.infermon.processor.dashboard;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.capture.RejectReason;
import io.infermon.processor.health.ProcessorCounters;
import io.infermon.processor.history.MetricGroup;
import io.infermon.processor.history.ModelRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The running totals behind {@code /metrics}' counters, added up over every bucket of {@code metrics.jsonl}: calls,
 * rows, late records and predictions per class of each model key, the processor's rejected records, folded model keys
 * and label events, and the agents' counters per host.
 *
 * <p>Why from the file and not from the processor's memory: {@code metrics.jsonl} holds exactly the buckets of the
 * last checkpoint (a restarted processor cuts it back to the checkpoint's length before it goes on, and then writes
 * the same buckets again), so totals read from it continue across restarts without a jump, and the standalone
 * {@code infermon dashboard --out} computes the same numbers as a running processor.
 *
 * <p>A bucket counts once. The processor writes each model key's buckets in the order of their starts, so a bucket
 * whose start is not after the latest one counted for its key is one written again: a re-read file (the follower
 * starts over when the file was cut back or replaced), a bucket handed out again because its lines continued, or a
 * run without checkpoints that appends its buckets anew. Its contribution replaces the earlier one while that is
 * still remembered (the last {@value #REMEMBERED} buckets per key), and is ignored otherwise: a total never goes down.
 * Thread-safe: the follower adds, HTTP threads read.
 */
final class RunningTotals {
    /** Buckets per key whose contributions are kept, to replace a bucket that comes again. */
    static final int REMEMBERED = 16;

    static final String CALLS = "infermon_inference_calls";
    static final String ROWS = "infermon_rows";
    static final String LATE = "infermon_late_records";
    static final String PREDICTIONS = "infermon_predictions";
    static final String REJECTED = "infermon_processor_records_rejected";
    static final String FOLDED = "infermon_processor_models_folded";
    static final String LABEL_EVENTS = "infermon_processor_label_events";
    static final String AGENT_PREFIX = "infermon_agent_";

    /** One counter series: a metric name (without {@code _total}) and its label names and values, in order. */
    record Series(String name, List<String> labelNames, List<String> labelValues) {
    }

    /** The buckets of one key (a model key, the agents, the processor) counted so far. */
    private static final class Source {
        long latest = Long.MIN_VALUE;
        final NavigableMap<Long, Map<Series, Double>> recent = new TreeMap<>();
    }

    private final Map<Series, Double> totals = new LinkedHashMap<>();
    private final Map<Object, Source> sources = new HashMap<>();
    /** The agents of the newest agent-health bucket and their {@code capture_enabled}. */
    private long latestAgentBucket = Long.MIN_VALUE;
    private Map<String, Double> captureEnabled = Map.of();

    RunningTotals() {
        // every reason the processor knows, at 0 before the first: a series that appears with its first count
        // loses that count to increase(), since Prometheus cannot tell when it started
        for (RejectReason r : RejectReason.values()) {
            totals.put(series(REJECTED, "reason", r.label()), 0.0);
        }
        totals.put(series(REJECTED, "reason", ProcessorCounters.UNREADABLE), 0.0);
        totals.put(series(REJECTED, "reason", ProcessorCounters.FUTURE_TIMESTAMP), 0.0);
        totals.put(series(FOLDED), 0.0);
    }

    private static final Object AGENTS = new Object();
    private static final Object PROCESSOR = new Object();

    synchronized void add(MetricGroup group) {
        if (group.isLabelWindow()) {
            return; // its counts (labelled rows, support) belong to a bucket counted already; gauges show windows
        }
        Map<Series, Double> contribution = new LinkedHashMap<>();
        Object key;
        if (group.isModelBucket()) {
            key = group.model();
            List<String> names = List.of("model", "version", "signature");
            ModelRef m = group.model();
            List<String> values = List.of(m.model(), m.version(), m.signature());
            // present at 0 from the key's first bucket on, so that a later first late record is an increase
            for (String name : List.of(CALLS, ROWS, LATE)) {
                contribution.put(new Series(name, names, values), 0.0);
            }
            for (AnodotMetric metric : group.metrics()) {
                String name = switch (metric.what()) {
                    case "inference_calls" -> CALLS;
                    case "buffer_count" -> ROWS;
                    case "late_records" -> LATE;
                    case "prediction_count" -> PREDICTIONS;
                    default -> null;
                };
                if (name == null) {
                    continue;
                }
                Series s = name.equals(PREDICTIONS)
                        ? new Series(name, List.of("model", "version", "signature", "class"),
                                List.of(m.model(), m.version(), m.signature(), String.valueOf(metric.property("class"))))
                        : new Series(name, names, values);
                contribution.merge(s, metric.value(), Double::sum);
            }
        } else if (group.isProcessorOwn()) {
            key = PROCESSOR;
            for (AnodotMetric metric : group.metrics()) {
                Series s = switch (metric.what()) {
                    case "processor_records_rejected" -> series(REJECTED, "reason", metric.property("reason"));
                    case "processor_models_folded" -> series(FOLDED);
                    case "processor_labels" -> series(LABEL_EVENTS, "event", metric.property("event"));
                    default -> null;
                };
                if (s != null) {
                    contribution.merge(s, metric.value(), Double::sum);
                }
            }
        } else if (group.isAgentHealth()) {
            key = AGENTS;
            Map<String, Double> enabled = new TreeMap<>();
            for (AnodotMetric metric : group.metrics()) {
                String agent = String.valueOf(metric.property("agent"));
                String counter = metric.what().startsWith("agent_") ? metric.what().substring(6) : metric.what();
                if (!TargetType.COUNTER.wireName().equals(metric.property(AnodotMetric.TARGET_TYPE))) {
                    if (counter.equals("capture_enabled")) {
                        enabled.put(agent, metric.value());
                    }
                    continue;
                }
                contribution.merge(series(AGENT_PREFIX + metricNamePart(counter), "host", host(agent)),
                        metric.value(), Double::sum);
            }
            if (group.startSeconds() >= latestAgentBucket) {
                latestAgentBucket = group.startSeconds();
                captureEnabled = enabled;
            }
        } else {
            return;
        }
        count(sources.computeIfAbsent(key, k -> new Source()), group.startSeconds(), contribution);
    }

    private void count(Source source, long start, Map<Series, Double> contribution) {
        if (start > source.latest) {
            contribution.forEach((s, v) -> totals.merge(s, v, Double::sum));
            source.latest = start;
        } else {
            Map<Series, Double> earlier = source.recent.get(start);
            if (earlier == null) {
                return; // counted long ago, and no longer remembered: leave the totals as they are
            }
            earlier.forEach((s, v) -> totals.merge(s, -v, Double::sum));
            contribution.forEach((s, v) -> totals.merge(s, v, Double::sum));
        }
        source.recent.put(start, contribution);
        while (source.recent.size() > REMEMBERED) {
            source.recent.pollFirstEntry();
        }
    }

    /** Every counter series with its total, grouped by metric name (in the order first seen). */
    synchronized Map<String, List<Map.Entry<Series, Double>>> byName() {
        Map<String, List<Map.Entry<Series, Double>>> out = new LinkedHashMap<>();
        totals.forEach((s, v) -> out.computeIfAbsent(s.name(), n -> new ArrayList<>()).add(Map.entry(s, v)));
        return out;
    }

    /** {@code capture_enabled} of each agent in the newest agent-health bucket. */
    synchronized Map<String, Double> captureEnabled() {
        return captureEnabled;
    }

    private static Series series(String name, String... labels) {
        List<String> names = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < labels.length; i += 2) {
            names.add(labels[i]);
            values.add(labels[i + 1] == null ? "" : labels[i + 1]);
        }
        return new Series(name, List.copyOf(names), List.copyOf(values));
    }

    /**
     * The host of an agent id ({@code <pid>@<host>}): agents' counters are summed per host, since every restart of
     * a service gives its agent a new pid and a label per pid would add series without end.
     */
    static String host(String agent) {
        int at = agent.indexOf('@');
        return at < 0 ? agent : agent.substring(at + 1);
    }

    /** A counter's name as part of a metric name: lower case letters, digits and underscores only. */
    static String metricNamePart(String counter) {
        return counter.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }
}
