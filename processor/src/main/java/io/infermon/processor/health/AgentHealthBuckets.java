package io.infermon.processor.health;

import io.infermon.anodot.AnodotMetric;
import io.infermon.anodot.TargetType;
import io.infermon.capture.AgentHealth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns agents' health records into per-bucket {@code agent_*} metrics. A health record holds counters cumulative
 * since the agent started; the increase since the same agent's previous record (all of it for the first record of
 * an agent start) is added to the bucket of the record's time. Buckets share the inference buckets' width and close
 * with the same watermark. {@code capture_enabled} is a state, not a count: the bucket reports its last value.
 */
public final class AgentHealthBuckets {
    static final String CAPTURE_ENABLED = "capture_enabled";
    /** Agents remembered at once; the least recently reporting one is forgotten beyond this. */
    private static final int MAX_AGENTS = 1024;

    private final long widthMillis;
    /** agent id + start time -> its last cumulative counters */
    private final Map<String, Map<String, Long>> last = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Long>> eldest) {
            return size() > MAX_AGENTS;
        }
    };
    /** bucket start -> agent id -> counter -> increase (or last value, for the state) */
    private final TreeMap<Long, Map<String, Map<String, Long>>> open = new TreeMap<>();

    private long closedThrough = Long.MIN_VALUE;

    public AgentHealthBuckets(java.time.Duration width) {
        this.widthMillis = width.toMillis();
    }

    public void add(AgentHealth h) {
        String agent = h.agentId() + "/" + h.agentStartEpochNanos();
        Map<String, Long> previous = last.getOrDefault(agent, Map.of());
        long t = Math.floorDiv(h.timeEpochNanos(), 1_000_000L);
        long start = Math.floorDiv(t, widthMillis) * widthMillis;
        if (closedThrough != Long.MIN_VALUE && start + widthMillis <= closedThrough) {
            // its bucket was already written: count the increase in the first bucket still open instead
            start = Math.floorDiv(closedThrough, widthMillis) * widthMillis;
        }
        Map<String, Long> bucket = open.computeIfAbsent(start, k -> new TreeMap<>())
                .computeIfAbsent(h.agentId(), k -> new LinkedHashMap<>());
        h.counters().forEach((name, value) -> {
            if (name.equals(CAPTURE_ENABLED)) {
                bucket.put(name, value);
            } else {
                // a counter never decreases within one agent start; a smaller value would be a damaged record
                bucket.merge(name, Math.max(0, value - previous.getOrDefault(name, 0L)), Long::sum);
            }
        });
        last.put(agent, new HashMap<>(h.counters()));
    }

    /** What it remembers (last counters per agent, open buckets): its part of a checkpoint. */
    public void writeState(java.io.DataOutput out) throws java.io.IOException {
        out.writeLong(closedThrough);
        out.writeInt(last.size());
        for (Map.Entry<String, Map<String, Long>> e : last.entrySet()) {
            out.writeUTF(e.getKey());
            writeCounters(out, e.getValue());
        }
        out.writeInt(open.size());
        for (Map.Entry<Long, Map<String, Map<String, Long>>> e : open.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().size());
            for (Map.Entry<String, Map<String, Long>> a : e.getValue().entrySet()) {
                out.writeUTF(a.getKey());
                writeCounters(out, a.getValue());
            }
        }
    }

    public void restoreState(java.io.DataInput in) throws java.io.IOException {
        closedThrough = in.readLong();
        last.clear();
        for (int i = in.readInt(); i > 0; i--) {
            String agent = in.readUTF();
            last.put(agent, readCounters(in, new HashMap<>()));
        }
        open.clear();
        for (int i = in.readInt(); i > 0; i--) {
            long start = in.readLong();
            Map<String, Map<String, Long>> agents = new TreeMap<>();
            for (int a = in.readInt(); a > 0; a--) {
                String agent = in.readUTF();
                agents.put(agent, readCounters(in, new LinkedHashMap<>()));
            }
            open.put(start, agents);
        }
    }

    private static void writeCounters(java.io.DataOutput out, Map<String, Long> counters) throws java.io.IOException {
        out.writeInt(counters.size());
        for (Map.Entry<String, Long> c : counters.entrySet()) {
            out.writeUTF(c.getKey());
            out.writeLong(c.getValue());
        }
    }

    private static Map<String, Long> readCounters(java.io.DataInput in, Map<String, Long> into)
            throws java.io.IOException {
        for (int i = in.readInt(); i > 0; i--) {
            String name = in.readUTF();
            into.put(name, in.readLong());
        }
        return into;
    }

    /** The metrics of every bucket ending at or before {@code watermark} (all of them for Long.MAX_VALUE). */
    public Map<Long, List<AnodotMetric>> closeUpTo(long watermark) {
        Map<Long, List<AnodotMetric>> closed = new LinkedHashMap<>();
        closedThrough = Math.max(closedThrough, watermark);
        while (!open.isEmpty() && (watermark == Long.MAX_VALUE || open.firstKey() + widthMillis <= watermark)) {
            Map.Entry<Long, Map<String, Map<String, Long>>> e = open.pollFirstEntry();
            long seconds = Math.floorDiv(e.getKey(), 1000L);
            List<AnodotMetric> metrics = new ArrayList<>();
            e.getValue().forEach((agent, counters) -> counters.forEach((name, value) -> metrics.add(
                    AnodotMetric.builder("agent_" + name,
                                    name.equals(CAPTURE_ENABLED) ? TargetType.GAUGE : TargetType.COUNTER)
                            .property("agent", agent).timestamp(seconds).value(value))));
            closed.put(e.getKey(), metrics);
        }
        return closed;
    }
}
