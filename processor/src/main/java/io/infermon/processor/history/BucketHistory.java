package io.infermon.processor.history;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The closed buckets read back from {@code metrics.jsonl}, in memory for the dashboard and {@code /metrics}: per
 * model key the newest {@code maxBuckets} buckets, and the agents' health of as many buckets. A bucket that comes
 * again (a restarted processor writes it anew) replaces the earlier one. Thread-safe: one thread adds, HTTP
 * threads read.
 */
public final class BucketHistory {
    private final int maxBuckets;
    private final Map<ModelRef, NavigableMap<Long, BucketView>> models = new TreeMap<>();
    private final NavigableMap<Long, AgentHealthView> agents = new TreeMap<>();
    private long generation;

    /** @param maxBuckets how many buckets to keep per model key (and of agent health) */
    public BucketHistory(int maxBuckets) {
        if (maxBuckets < 1) {
            throw new IllegalArgumentException("maxBuckets must be at least 1");
        }
        this.maxBuckets = maxBuckets;
    }

    public synchronized void add(MetricGroup group) {
        if (group.isLabelWindow()) {
            return; // label metrics of an earlier bucket: not shown yet, and must not replace that bucket
        }
        if (group.isAgentHealth()) {
            agents.put(group.startSeconds(), AgentHealthView.of(group));
            trim(agents);
        } else {
            NavigableMap<Long, BucketView> buckets = models.computeIfAbsent(group.model(), m -> new TreeMap<>());
            buckets.put(group.startSeconds(), BucketView.of(group));
            trim(buckets);
        }
        generation++;
    }

    private void trim(NavigableMap<Long, ?> map) {
        while (map.size() > maxBuckets) {
            map.pollFirstEntry();
        }
    }

    /** Grows by one with every bucket added: a reader that saw the same number has seen everything. */
    public synchronized long generation() {
        return generation;
    }

    /** What is known of one model key. */
    public record ModelSummary(ModelRef model, int buckets, long first, long latest) {
    }

    public synchronized List<ModelSummary> models() {
        List<ModelSummary> out = new ArrayList<>();
        models.forEach((m, b) -> out.add(new ModelSummary(m, b.size(), b.firstKey(), b.lastKey())));
        return out;
    }

    /** The model keys whose name is {@code model} and, when given (not null), whose version and signature match. */
    public synchronized List<ModelRef> find(String model, String version, String signature) {
        return models.keySet().stream().filter(m -> m.model().equals(model)
                && (version == null || m.version().equals(version))
                && (signature == null || m.signature().equals(signature))).toList();
    }

    /** The key's buckets that start after {@code afterSeconds}, oldest first. */
    public synchronized List<BucketView> buckets(ModelRef model, long afterSeconds) {
        NavigableMap<Long, BucketView> b = models.get(model);
        return b == null ? List.of() : List.copyOf(b.tailMap(afterSeconds, false).values());
    }

    /** The newest bucket of every model key. */
    public synchronized List<BucketView> latest() {
        return models.values().stream().map(b -> b.lastEntry().getValue()).toList();
    }

    public synchronized Optional<BucketView> latest(ModelRef model) {
        NavigableMap<Long, BucketView> b = models.get(model);
        return b == null ? Optional.empty() : Optional.of(b.lastEntry().getValue());
    }

    /** The agents' health buckets that start after {@code afterSeconds}, oldest first. */
    public synchronized List<AgentHealthView> agentHealth(long afterSeconds) {
        return List.copyOf(agents.tailMap(afterSeconds, false).values());
    }
}
