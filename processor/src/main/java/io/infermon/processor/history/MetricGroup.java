package io.infermon.processor.history;

import io.infermon.anodot.AnodotMetric;
import java.util.List;

/**
 * The consecutive lines of {@code metrics.jsonl} that belong to one closed bucket: either one model key's bucket
 * ({@code model} not null) or the agents' health of one bucket ({@code model} null). The processor writes each
 * bucket's lines together, so a change of key between two lines marks the end of a bucket.
 *
 * <p>A label window (docs/metrics.md, "Labels") is a group of its own: it carries an earlier prediction bucket's
 * timestamp and its {@code label_window}, so it never merges with, nor replaces, that bucket's own metrics.
 *
 * @param model        the model key, or null for agent health (and the processor's own) metrics
 * @param startSeconds the bucket's start (the metrics' timestamp), seconds since the epoch
 * @param labelWindow  the {@code label_window} property (e.g. {@code 1h}) of a label window, else null
 * @param metrics      the bucket's metrics, in file order
 */
public record MetricGroup(ModelRef model, long startSeconds, String labelWindow, List<AnodotMetric> metrics) {

    /** The agents' health of one bucket. */
    public boolean isAgentHealth() {
        return model == null && !isProcessorOwn();
    }

    /** The processor's own metrics ({@code processor_*}, docs/metrics.md): no model, and no agent's either. */
    public boolean isProcessorOwn() {
        return model == null && !metrics.isEmpty() && isProcessorOwn(metrics.get(0));
    }

    /** One model key's closed bucket (not a label window of it). */
    public boolean isModelBucket() {
        return model != null && labelWindow == null;
    }

    private static boolean isProcessorOwn(AnodotMetric m) {
        return m.property("model") == null && m.what().startsWith("processor_");
    }

    /**
     * The key a line belongs to; two lines of one bucket have equal keys. The processor's own metrics share their
     * timestamp with a bucket's agent health, so {@code processorOwn} keeps the two apart.
     */
    record Key(ModelRef model, long startSeconds, String labelWindow, boolean processorOwn) {
        static Key of(AnodotMetric m) {
            String name = m.property("model");
            ModelRef ref = name == null ? null
                    : new ModelRef(name, m.property("model_version"), m.property("signature"));
            return new Key(ref, m.timestamp(), m.property("label_window"), isProcessorOwn(m));
        }
    }

    /** A prediction bucket's label metrics at one maturity (docs/metrics.md, "Labels"), not a bucket of its own. */
    public boolean isLabelWindow() {
        return labelWindow != null;
    }
}
