package io.infermon.processor.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The closed buckets read back from {@code metrics.jsonl}, in memory for the dashboard and {@code /metrics}: per
 * model key the newest {@code maxBuckets} buckets, the agents' health of as many buckets, and per model key and label
 * window (maturity) the label metrics of the newest {@code maxBuckets} prediction buckets. A bucket or label window
 * that comes again (a restarted processor writes it anew) replaces the earlier one. Thread-safe: one thread adds,
 * HTTP threads read.
 *
 * <p>Label windows arrive long after their bucket and carry its (old) start, so a reader cannot ask for "buckets
 * after T" to find them: each is stamped with the generation at which it was read, and {@link #labelWindows} hands
 * out those read after a generation the reader has already seen.
 */
public final class BucketHistory {
    /**
     * Label windows kept per model key: a processor emits only the few it is configured with (three by default),
     * but restarts with other maturities add more; the ones with the oldest data go first.
     */
    public static final int MAX_LABEL_WINDOWS = 8;

    private final int maxBuckets;
    /** Per model key its buckets, compact (a view of a 64-feature model would be about 140 KB of heap). */
    private final Map<ModelRef, CompactBuckets> models = new TreeMap<>();
    private final NavigableMap<Long, AgentHealthView> agents = new TreeMap<>();
    private final Map<ModelRef, Map<String, NavigableMap<Long, LabelWindowView>>> labels = new TreeMap<>();
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
            if (group.model() != null) {
                addLabelWindow(LabelWindowView.of(group).withSequence(generation + 1));
                generation++;
            }
            return;
        }
        if (group.isProcessorOwn()) {
            return; // the processor's counters: in the files and, for a live processor, in /metrics
        }
        if (group.isAgentHealth()) {
            agents.put(group.startSeconds(), AgentHealthView.of(group));
            trim(agents);
        } else {
            if (!group.isModelBucket()) {
                throw new IllegalArgumentException("not a model bucket (agent health, a label window, ...)");
            }
            CompactBuckets buckets = models.computeIfAbsent(group.model(), CompactBuckets::new);
            buckets.put(group.startSeconds(), group.metrics());
            buckets.trim(maxBuckets);
        }
        generation++;
    }

    private void addLabelWindow(LabelWindowView w) {
        Map<String, NavigableMap<Long, LabelWindowView>> windows = labels.computeIfAbsent(w.model(),
                m -> new LinkedHashMap<>());
        NavigableMap<Long, LabelWindowView> starts = windows.computeIfAbsent(w.window(), n -> new TreeMap<>());
        starts.put(w.start(), w);
        trim(starts);
        if (windows.size() > MAX_LABEL_WINDOWS) {
            windows.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastKey()))
                    .map(Map.Entry::getKey).ifPresent(windows::remove);
        }
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
        models.forEach((m, b) -> out.add(new ModelSummary(m, b.size(), b.firstStart(), b.latestStart())));
        return out;
    }

    /** The model keys whose name is {@code model} and, when given (not null), whose version and signature match. */
    public synchronized List<ModelRef> find(String model, String version, String signature) {
        return models.keySet().stream().filter(m -> m.model().equals(model)
                && (version == null || m.version().equals(version))
                && (signature == null || m.signature().equals(signature))).toList();
    }

    /** Like {@link #find}, over the model keys that have label windows. */
    public synchronized List<ModelRef> findLabelled(String model, String version, String signature) {
        return labels.keySet().stream().filter(m -> m.model().equals(model)
                && (version == null || m.version().equals(version))
                && (signature == null || m.signature().equals(signature))).toList();
    }

    /** By maturity (shortest first, names that are no duration last, then by name), then by bucket start. */
    private static final Comparator<LabelWindowView> LABEL_ORDER = Comparator
            .<LabelWindowView, Long>comparing(LabelWindowView::maturitySeconds, Comparator.nullsLast(Comparator.<Long>naturalOrder()))
            .thenComparing(LabelWindowView::window).thenComparingLong(LabelWindowView::start);

    /**
     * The key's label windows read after generation {@code afterGeneration} (all with {@link Long#MIN_VALUE}), by
     * maturity (shortest first, unknown names last, then by name), then by bucket start.
     */
    public synchronized List<LabelWindowView> labelWindows(ModelRef model, long afterGeneration) {
        Map<String, NavigableMap<Long, LabelWindowView>> windows = labels.get(model);
        if (windows == null) {
            return List.of();
        }
        return windows.values().stream().flatMap(m -> m.values().stream())
                .filter(w -> w.sequence() > afterGeneration)
                .sorted(LABEL_ORDER).toList();
    }

    /** The key's label window read last, if any. */
    public synchronized Optional<LabelWindowView> latestLabelWindow(ModelRef model) {
        return labelWindows(model, Long.MIN_VALUE).stream().max(Comparator.comparingLong(LabelWindowView::sequence));
    }

    /**
     * The key's buckets that start after {@code afterSeconds}, oldest first. The list decodes each view as it is
     * read (after this method has let go of the history's lock), so a long answer is never all in memory at once.
     */
    public synchronized List<BucketView> buckets(ModelRef model, long afterSeconds) {
        CompactBuckets b = models.get(model);
        return b == null ? List.of() : b.after(afterSeconds);
    }

    /** The newest bucket of every model key. */
    public synchronized List<BucketView> latest() {
        return models.values().stream().map(CompactBuckets::latest).toList();
    }

    public synchronized Optional<BucketView> latest(ModelRef model) {
        CompactBuckets b = models.get(model);
        return b == null ? Optional.empty() : Optional.of(b.latest());
    }

    /** The agents' health buckets that start after {@code afterSeconds}, oldest first. */
    public synchronized List<AgentHealthView> agentHealth(long afterSeconds) {
        return List.copyOf(agents.tailMap(afterSeconds, false).values());
    }
}
