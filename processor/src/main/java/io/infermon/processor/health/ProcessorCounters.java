package io.infermon.processor.health;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The processor's own counts of records it could not use, by reason ({@code checksum_mismatch}, {@code truncated},
 * {@code unreadable}, {@code future_timestamp}, ...), and of model keys beyond the configured bound. At each bucket
 * boundary the increase since the previous one becomes {@code processor_records_rejected{reason}} and
 * {@code processor_models_folded} counters, stamped with the start of the last bucket closed.
 */
public final class ProcessorCounters {
    private final Map<String, Long> totals = new TreeMap<>();
    private final Map<String, Long> emitted = new TreeMap<>();

    /** Sets a running total kept elsewhere (the queue readers' counts). */
    public void set(String name, long total) {
        totals.put(name, total);
    }

    public void increment(String name) {
        totals.merge(name, 1L, Long::sum);
    }

    public long total(String name) {
        return totals.getOrDefault(name, 0L);
    }

    /** The increases since the last call, as metrics; nothing for names that did not change. */
    public List<AnodotMetric> increases(long timestampSeconds) {
        List<AnodotMetric> metrics = new ArrayList<>();
        for (Map.Entry<String, Long> e : totals.entrySet()) {
            long delta = e.getValue() - emitted.getOrDefault(e.getKey(), 0L);
            if (delta <= 0) {
                continue;
            }
            String name = e.getKey();
            AnodotMetric.Builder b = name.equals(MODELS_FOLDED)
                    ? AnodotMetric.builder("processor_models_folded", TargetType.COUNTER)
                    : name.startsWith(LABELS_PREFIX)
                    ? AnodotMetric.builder("processor_labels", TargetType.COUNTER)
                            .property("event", name.substring(LABELS_PREFIX.length()))
                    : AnodotMetric.builder("processor_records_rejected", TargetType.COUNTER).property("reason", name);
            metrics.add(b.timestamp(timestampSeconds).value(delta));
            emitted.put(name, e.getValue());
        }
        return metrics;
    }

    public static final String MODELS_FOLDED = "models_folded";
    /** Names with this prefix are the label join's counts, reported as {@code processor_labels{event}}. */
    public static final String LABELS_PREFIX = "labels.";
    public static final String FUTURE_TIMESTAMP = "future_timestamp";
    public static final String UNREADABLE = "unreadable";

    public void writeState(DataOutput out) throws IOException {
        write(out, totals);
        write(out, emitted);
    }

    public void restoreState(DataInput in) throws IOException {
        read(in, totals);
        read(in, emitted);
    }

    private static void write(DataOutput out, Map<String, Long> m) throws IOException {
        out.writeInt(m.size());
        for (Map.Entry<String, Long> e : m.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeLong(e.getValue());
        }
    }

    private static void read(DataInput in, Map<String, Long> m) throws IOException {
        m.clear();
        for (int i = in.readInt(); i > 0; i--) {
            String k = in.readUTF();
            m.put(k, in.readLong());
        }
    }
}
