package io.infermon.processor.history;

import io.infermon.anodot.AnodotMetric;
import java.util.List;

/**
 * The consecutive lines of {@code metrics.jsonl} that belong to one closed bucket: either one model key's bucket
 * ({@code model} not null) or the agents' health of one bucket ({@code model} null). The processor writes each
 * bucket's lines together, so a change of key between two lines marks the end of a bucket.
 *
 * @param model        the model key, or null for agent health metrics
 * @param startSeconds the bucket's start (the metrics' timestamp), seconds since the epoch
 * @param metrics      the bucket's metrics, in file order
 */
public record MetricGroup(ModelRef model, long startSeconds, List<AnodotMetric> metrics) {

    public boolean isAgentHealth() {
        return model == null;
    }

    /** The key a line belongs to; two lines of one bucket have equal keys. */
    record Key(ModelRef model, long startSeconds, String labelWindow) {
        static Key of(AnodotMetric m) {
            String name = m.property("model");
            ModelRef ref = name == null ? null
                    : new ModelRef(name, m.property("model_version"), m.property("signature"));
            return new Key(ref, m.timestamp(), m.property("label_window"));
        }
    }

    /** A prediction bucket's label metrics at one maturity (docs/metrics.md, "Labels"), not a bucket of its own. */
    public boolean isLabelWindow() {
        return !metrics.isEmpty() && metrics.get(0).property("label_window") != null;
    }
}
