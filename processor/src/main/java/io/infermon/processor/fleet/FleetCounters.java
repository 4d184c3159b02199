package io.infermon.processor.fleet;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the fleet aggregator counted: profiles merged, buckets closed, and records it left out (repeated by a host,
 * late, refused as damaged or of another version). A refused record is named once per kind of problem on standard
 * error; it never stops the aggregator.
 */
public final class FleetCounters {
    public static final String MERGED = "merged";
    public static final String CLOSED_BUCKETS = "closed";
    public static final String MERGED_LABEL_WINDOWS = "label windows merged";
    public static final String CLOSED_LABEL_WINDOWS = "label windows closed";
    public static final String REPEATED = "repeated";
    public static final String LATE = "late";
    public static final String REFUSED = "refused";

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Boolean> told = new ConcurrentHashMap<>();

    void count(String what) {
        counts.computeIfAbsent(what, k -> new LongAdder()).increment();
    }

    void refused(String message) {
        count(REFUSED);
        String kind = message.replaceAll("[0-9@-]+", "#");
        if (told.putIfAbsent(kind, Boolean.TRUE) == null) {
            System.err.println("infermon fleet: skipped " + message + "; such records are counted and skipped");
        }
    }

    public long get(String what) {
        LongAdder a = counts.get(what);
        return a == null ? 0 : a.sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
